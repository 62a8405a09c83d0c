"""HTML of the replica's non-article pages: home, zone-news index, district pages, lists, other
sections, the robots-disallowed archive and search, "about", and the 404 and error pages.

Each function returns page text (the caller encodes it); links are relative or root-relative as a
CMS would write them, and off-site links use ``offsite`` (a loopback host:port that is not 127.0.0.1).
"""

from __future__ import annotations

import datetime as dt

from . import chrome
from .chrome import esc
from .content import (
    ARCHIVE_PATH,
    DISTRICTS,
    OTHER_SECTIONS,
    PAGE_SIZE,
    TYPE_SLUGS,
    ListItem,
    ReplicaSite,
    district_path,
    relative_link,
)

_TABLE_DISTRICTS = {"嘉定区", "苏州工业园区", "青浦区"}  # these lists use the older table template


def friend_links(offsite: str) -> str:
    """Return the 友情链接 block; every link points at ``offsite`` (never a real internet host)."""
    links = " ".join(
        f'<a href="http://{offsite}{href}" target="_blank">{name}</a>' for name, href in chrome.FRIEND_LINKS
    )
    return f'<div class="links"><h3>友情链接</h3>{links}</div>\n'


def _item_li(item: ListItem, href: str, date_format: str = "%Y-%m-%d") -> str:
    """Return one <li> news item: link with title attribute, then the date in a <span>."""
    return (
        f'<li><a href="{href}" target="_blank" title="{esc(item.title)}">{esc(item.title)}</a>'
        f"<span>{item.date.strftime(date_format)}</span></li>"
    )


def home(site: ReplicaSite, offsite: str) -> str:
    """Return the home page: slogan, nav, the 8 latest zone news, other sections, friendly links."""
    latest = []
    for article_id in site.latest(8):
        meta = site.meta(article_id)
        title = site.title(article_id)
        latest.append(
            f'<li><a href="{site.primary_path(article_id)}" target="_blank" title="{esc(title)}">'
            f"[{meta.district}] {esc(title)}</a><span>{meta.date:%m-%d}</span></li>"
        )
    blocks = [
        '<div class="box kfqxw"><h2><a href="/kfqxw/">开发区新闻</a>'
        '<a class="more" href="/kfqxw/">更多&gt;&gt;</a></h2>\n'
        '<ul class="news-list">\n' + "\n".join(latest) + "\n</ul></div>\n"
    ]
    for slug, name in OTHER_SECTIONS.items():
        items = "\n".join(
            f'<li><a href="{p["path"]}">{esc(p["title"])}</a><span>{p["date"]:%m-%d}</span></li>'
            for p in site.other_pages(slug)[:3]
        )
        blocks.append(f'<div class="box"><h2><a href="/{slug}/">{name}</a></h2>\n<ul>\n{items}\n</ul></div>\n')
    body = (
        '<div class="banner"><img src="/images/logo.png" alt="投促中国" /></div>\n'
        + "".join(blocks)
        + friend_links(offsite)
    )
    return chrome.page("首页", body, current="首页").replace(
        f"<title>首页 - {chrome.SITE_NAME}</title>", f"<title>{chrome.SITE_NAME}</title>"
    )


def _sidebar(current: str | None) -> str:
    """Return the district sidebar shown beside lists."""
    items = "".join(
        f'<li{" class=on" if d.name == current else ""}><a href="{district_path(d.name)}">{d.name}</a></li>'
        for d in DISTRICTS
    )
    return f'<div class="sidebar"><h3>开发区新闻</h3><ul>{items}</ul></div>\n'


def zone_index(site: ReplicaSite, offsite: str) -> str:
    """Return /kfqxw/: links to every district page, the 往年归档 link and friendly links."""
    rows = []
    for district in DISTRICTS:
        count = sum(site.list_length((district.name, kind)) for kind in TYPE_SLUGS)
        rows.append(f'<li><a href="{district.slug}/">{district.name}</a><em>（{count}）</em></li>')
    body = (
        chrome.breadcrumb([("首页", "/"), ("开发区新闻", None)])
        + '<div class="districts"><h2>开发区新闻</h2><ul>\n'
        + "\n".join(rows)
        + "\n</ul></div>\n"
        + f'<div class="archive"><a href="{ARCHIVE_PATH}">往年归档</a></div>\n'
        + friend_links(offsite)
    )
    return chrome.page("开发区新闻", body, current="开发区新闻")


def district_page(site: ReplicaSite, district: str) -> str:
    """Return a district page: tabs to its 文字新闻 and 图片新闻 lists and a few latest items of each."""
    tabs, panes = [], []
    for kind, slug in TYPE_SLUGS.items():
        section = (district, kind)
        tabs.append(f'<li><a href="{slug}/">{kind}</a></li>')
        items = "\n".join(
            _item_li(item, relative_link(district_path(district), item.path)) for item in site.list_items(section, 0, 5)
        )
        panes.append(
            f'<div class="pane"><h3>{kind}<a class="more" href="{slug}/index.html">更多&gt;&gt;</a></h3>'
            f'\n<ul class="news-list">\n{items}\n</ul></div>\n'
        )
    body = (
        chrome.breadcrumb([("首页", "/"), ("开发区新闻", "/kfqxw/"), (district, None)])
        + _sidebar(district)
        + '<div class="content">\n'
        + f'<ul class="tabs">{"".join(tabs)}</ul>\n'
        + "".join(panes)
        + "</div>\n"
    )
    return chrome.page(district, body, current="开发区新闻")


def pagination(page: int, pages: int) -> str:
    """Return the CMS pagination bar: 首页 上一页 1 2 3 … 下一页 尾页 共N页 (links relative)."""

    def href(number: int) -> str:
        """Return the relative link of list page ``number``."""
        return "index.html" if number == 1 else f"index_{number}.html"

    parts = []
    if page > 1:
        parts += [f'<a href="{href(1)}">首页</a>', f'<a href="{href(page - 1)}">上一页</a>']
    else:
        parts += ["<span>首页</span>", "<span>上一页</span>"]
    shown = sorted({1, pages, *range(max(1, page - 4), min(pages, page + 4) + 1)})
    previous = 0
    for number in shown:
        if number - previous > 1:
            parts.append("<span>…</span>")
        if number == page:
            parts.append(f'<span class="current">{number}</span>')
        else:
            parts.append(f'<a href="{href(number)}">{number}</a>')
        previous = number
    if page < pages:
        parts += [f'<a href="{href(page + 1)}">下一页</a>', f'<a href="{href(pages)}">尾页</a>']
    else:
        parts += ["<span>下一页</span>", "<span>尾页</span>"]
    parts.append(f"<span>共{pages}页</span>")
    return '<div class="page">' + " ".join(parts) + "</div>\n"


def list_page(site: ReplicaSite, section: tuple[str, str], page: int, path: str) -> str:
    """Return page ``page`` of a (district, type) list served at ``path``."""
    district, kind = section
    pages = site.page_count(section)
    items = site.list_items(section, (page - 1) * PAGE_SIZE, page * PAGE_SIZE)
    if not items:  # a section with no news yet says so, as CMS lists do
        listing = '<div class="empty">暂无信息</div>\n'
    elif district in _TABLE_DISTRICTS:
        # The older template: a table, root-relative links, long titles cut in the link text.
        rows = []
        for item in items:
            shown = item.title if len(item.title) <= 24 else item.title[:22] + "..."
            rows.append(
                f'<tr><td width="20" class="dot">&middot;</td><td><a href="{item.path}" target="_blank" '
                f'title="{esc(item.title)}">{esc(shown)}</a></td><td width="100" class="date">'
                f"[{item.date:%Y-%m-%d}]</td></tr>"
            )
        listing = (
            '<table class="list-table" width="100%" border="0" cellspacing="0">\n' + "\n".join(rows) + "\n</table>\n"
        )
    else:
        listing = (
            '<ul class="news-list">\n'
            + "\n".join(_item_li(item, relative_link(path, item.path)) for item in items)
            + "\n</ul>\n"
        )
    body = (
        chrome.breadcrumb([("首页", "/"), ("开发区新闻", "/kfqxw/"), (district, district_path(district)), (kind, None)])
        + _sidebar(district)
        + f'<div class="content"><h2>{kind}</h2>\n'
        + listing
        + pagination(page, pages)
        + "</div>\n"
        + f'<script type="text/javascript">var countPage = {pages}; var currentPage = {page - 1};</script>\n'
    )
    return chrome.page(f"{kind} - {district}", body, current="开发区新闻")


def other_index(site: ReplicaSite, slug: str) -> str:
    """Return the list of a non-zone section (投资指南, 政策法规, 招商项目)."""
    name = OTHER_SECTIONS[slug]
    items = "\n".join(
        f'<li><a href="{relative_link(f"/{slug}/", p["path"])}">{esc(p["title"])}</a>'
        f"<span>{p['date']:%Y-%m-%d}</span></li>"
        for p in site.other_pages(slug)
    )
    body = (
        chrome.breadcrumb([("首页", "/"), (name, None)])
        + f'<div class="content"><h2>{name}</h2>\n<ul class="news-list">\n{items}\n</ul>\n'
        + pagination(1, 1)
        + "</div>\n"
    )
    return chrome.page(name, body, current=name)


def simple_article(
    title: str,
    trail: list[tuple[str, str | None]],
    date: dt.date,
    source: str,
    paragraphs: list[str],
    current: str,
    zone: str | None = None,
) -> str:
    """Return an article-like page (div layout) for other sections and the archive."""
    info = f"发布时间：{date:%Y-%m-%d}&nbsp;&nbsp;来源：{esc(source)}"
    if zone:
        info += f"&nbsp;&nbsp;发布开发区：{esc(zone)}"
    paras = "\n".join(f'<p style="text-indent: 2em;">{esc(p)}</p>' for p in paragraphs)
    body = (
        chrome.breadcrumb(trail)
        + f'<div class="article">\n<h1>{esc(title)}</h1>\n<div class="info">{info}</div>\n'
        + f'<div class="TRS_Editor">\n{paras}\n</div>\n'
        + chrome.share_bar()
        + "</div>\n"
    )
    return chrome.page(title, body, current=current)


def other_article(slug: str, data: dict) -> str:
    """Return an article-like page of a non-zone section: 发布时间 present, breadcrumb 首页 > section."""
    name = OTHER_SECTIONS[slug]
    return simple_article(
        data["title"], [("首页", "/"), (name, f"/{slug}/")], data["date"], data["source"], data["paragraphs"], name
    )


def archive_index(site: ReplicaSite) -> str:
    """Return the 往年归档 list (robots-disallowed; a polite crawler never fetches it)."""
    items = "\n".join(
        f'<li><a href="{relative_link(ARCHIVE_PATH, p["path"])}">{esc(p["title"])}</a>'
        f"<span>{p['date']:%Y-%m-%d}</span></li>"
        for p in site.archive_pages()
    )
    body = (
        chrome.breadcrumb([("首页", "/"), ("开发区新闻", "/kfqxw/"), ("往年归档", None)])
        + f'<div class="content"><h2>往年归档</h2>\n<ul class="news-list">\n{items}\n</ul></div>\n'
    )
    return chrome.page("往年归档", body, current="开发区新闻")


def archive_article(data: dict) -> str:
    """Return a 往年归档 article page (looks like zone news, but must never be archived)."""
    trail = [("首页", "/"), ("开发区新闻", "/kfqxw/"), ("往年归档", ARCHIVE_PATH)]
    return simple_article(
        data["title"], trail, data["date"], data["source"], data["paragraphs"], "开发区新闻", zone=data["zone"]
    )


def search_page(query: str) -> str:
    """Return the 站内搜索 page (robots-disallowed)."""
    body = (
        chrome.breadcrumb([("首页", "/"), ("站内搜索", None)])
        + '<form action="/search/" method="get"><input type="text" name="q" '
        + f'value="{esc(query)}" /><input type="submit" value="搜索" /></form>\n'
        + f'<div class="result">{"请输入关键词" if not query else "没有找到相关结果"}</div>\n'
    )
    return chrome.page("站内搜索", body, current="站内搜索")


def about_page() -> str:
    """Return the 关于我们 page."""
    body = (
        chrome.breadcrumb([("首页", "/"), ("关于我们", None)])
        + '<div class="content"><h2>关于我们</h2>\n<p>投促中国是面向国内外投资者的投资促进信息服务平台，'
        + "发布各地开发区新闻、投资指南、政策法规和招商项目信息。</p>\n</div>\n"
    )
    return chrome.page("关于我们", body, current="关于我们")


def not_found_page() -> str:
    """Return the 404 page: "您访问的页面不存在"."""
    body = (
        '<div class="error404"><h2>404</h2><p>抱歉，您访问的页面不存在或已被删除！</p>\n'
        '<p><a href="/">返回首页</a>&nbsp;&nbsp;<a href="javascript:history.back()">返回上一页</a></p></div>\n'
    )
    return chrome.page("您访问的页面不存在", body)


def error_page(status: int) -> str:
    """Return the page sent with an injected error status (500, 502, 503 …)."""
    body = (
        f'<div class="error"><h2>{status}</h2><p>服务器繁忙，请稍后再试。</p>\n<p><a href="/">返回首页</a></p></div>\n'
    )
    return chrome.page("系统提示", body)


def robots_txt() -> str:
    """Return robots.txt: everything allowed except search and the 往年归档 archive."""
    return f"User-agent: *\nDisallow: /search/\nDisallow: {ARCHIVE_PATH}\n"
