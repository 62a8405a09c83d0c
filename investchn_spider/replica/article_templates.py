"""The four article-page templates of the replica's CMS (chosen per article by the site model).

A: div layout, UTF-8, <p> body inside div.TRS_Editor (with a stray <style> in it), full-width colons,
   meta "发布时间：… 来源：… 发布开发区：…" in one div, dates 2024-09-13 / 2024-09-13 10:23:45.
B: table layout, GBK bytes declared only by <meta charset=gb2312>, title in <td><font size=5>, meta
   values in separate <span>s joined by &nbsp;, dates 2024年09月13日 / 2024年09月13日 10:23.
C: GBK declared only in the HTTP header, body as text lines split by <br> with U+3000 indentation,
   dates 2024-9-3 / 2024-9-3 10:23.
D: UTF-8 with BOM and no charset anywhere, ASCII colons, meta items separated by "|", a hit counter
   filled by a script, photos as <figure>/<figcaption>, dates 2024/09/13 / 2024/09/13 10:23.
E: (a site made with ``template_chrome=True`` only) the 园区观察 column's template: UTF-8, div
   layout, and inside the body container chrome no single-page rule knows: a banner above the text
   with the article's issue number (◆ 园区观察 第1042期 ◆ …) and a line linking the column below it
   (:func:`column_lines`). The ground truth leaves both out: they are what a template profile learns.

Every template keeps the body (paragraphs, captions, tables) inside one container and puts
attachments, editor line, neighbours and related news outside it. ``body_text`` in the ground
truth is what a reader sees as the article: that container plus the 附件 lines below it (the
editor's credit is metadata, not text).
"""

from __future__ import annotations

import datetime as dt
import zlib

from . import chrome
from .chrome import esc
from .content import Article, ReplicaSite, district_path, relative_link, section_path

_EDITORS = ("张敏", "李晓", "王静", "陈喆", "刘洋", "赵琳")


def format_date(template: str, day: dt.date, shown: dt.datetime | None) -> str:
    """Return the publish date (and time when shown) in ``template``'s format."""
    if template == "A":
        return f"{shown:%Y-%m-%d %H:%M:%S}" if shown else f"{day:%Y-%m-%d}"
    if template == "B":
        return f"{shown:%Y年%m月%d日 %H:%M}" if shown else f"{day:%Y年%m月%d日}"
    if template == "C":
        text = f"{day.year}-{day.month}-{day.day}"
        return f"{text} {shown:%H:%M}" if shown else text
    if template == "E":
        text = f"{day.year}年{day.month}月{day.day}日"
        return f"{text} {shown:%H:%M}" if shown else text
    return f"{shown:%Y/%m/%d %H:%M}" if shown else f"{day:%Y/%m/%d}"


def _split(text: str) -> tuple[str, str]:
    """Return ``text`` cut in two at a place fixed by its content (for inline-tag noise)."""
    cut = 1 + zlib.crc32(text.encode("utf-8")) % max(1, len(text) - 1)
    return text[:cut], text[cut:]


def _noisy(text: str) -> bool:
    """Return True for about a quarter of texts, chosen by content: they get inline-tag noise."""
    return zlib.crc32(text.encode("utf-8")) % 4 == 0


def _trail(site: ReplicaSite, article: Article, shown_section: tuple[str, str]) -> list[tuple[str, str | None]]:
    """Return breadcrumb parts 首页 > 开发区新闻 > district > type for the section shown."""
    district, kind = shown_section
    return [
        ("首页", "/"),
        ("开发区新闻", "/kfqxw/"),
        (district, district_path(district)),
        (kind, section_path(shown_section)),
    ]


def _neighbour_links(site: ReplicaSite, article_id: int, path: str, relative: bool) -> str:
    """Return the 上一条/下一条 paragraphs (上一条 is the newer neighbour, as the list shows it)."""
    out = []
    for label, other in zip(("上一条", "下一条"), site.neighbours(article_id), strict=True):
        if other is None:
            out.append(f"<p>{label}：没有了</p>")
            continue
        target = site.primary_path(other)
        href = relative_link(path, target) if relative else target
        out.append(f'<p>{label}：<a href="{href}" title="{esc(site.title(other))}">{esc(site.title(other))}</a></p>')
    return '<div class="prevnext">\n' + "\n".join(out) + "\n</div>\n"


def _related(site: ReplicaSite, article_id: int, path: str, relative: bool) -> str:
    """Return the 相关新闻 block: links to 5 other articles with their dates."""
    items = []
    for other in site.related(article_id):
        target = site.primary_path(other)
        href = relative_link(path, target) if relative else target
        items.append(
            f'<li><a href="{href}" target="_blank">{esc(site.title(other))}</a>'
            f"<span>{site.meta(other).date:%Y-%m-%d}</span></li>"
        )
    return '<div class="related"><h3>相关新闻</h3>\n<ul>\n' + "\n".join(items) + "\n</ul></div>\n"


def _attachments(article: Article, path: str) -> str:
    """Return the 附件 block (outside the body container), or ""."""
    if not article.attachments:
        return ""
    links = "<br />\n".join(
        f'<a href="{relative_link(path, a["url"])}" target="_blank">{esc(a["text"])}</a>' for a in article.attachments
    )
    return f'<div class="attach">附件：{links}</div>\n'


def _table(rows: list[tuple[str, ...]], cell_wrap: str) -> str:
    """Return a data table; ``cell_wrap`` "p" wraps each cell's text in <p> as Word pastes do."""
    out = ['<table border="1" cellspacing="0" cellpadding="4" align="center" class="data">', "<tbody>"]
    for row in rows:
        cells = "".join(
            f"<td><{cell_wrap}>{esc(c)}</{cell_wrap}></td>" if cell_wrap else f"<td>\n{esc(c)}\n</td>" for c in row
        )
        out.append(f"<tr>{cells}</tr>")
    out.append("</tbody></table>")
    return "\n".join(out) + "\n"


# -- bodies ------------------------------------------------------------------------------------------


def _body_a(article: Article, path: str) -> str:
    """Return template A's body: <p> paragraphs in div.TRS_Editor, with a <style> inside as TRS writes."""
    out = [
        '<div class="TRS_Editor"><style type="text/css">\n.TRS_Editor P{margin-top:5px;margin-bottom:5px;'
        "line-height:2;font-family:宋体;font-size:12pt;}.TRS_Editor TD{font-size:12pt;}\n</style>"
    ]
    for number, block in enumerate(article.blocks):
        if block[0] == "p":
            text = block[1]
            if _noisy(text):
                head, tail = _split(text)
                out.append(f'<p style="text-indent: 2em;"><strong>{esc(head)}</strong>{esc(tail)}</p>')
            else:
                out.append(f'<p style="text-indent: 2em;">&nbsp;&nbsp;{esc(text)}</p>')
            if number % 5 == 4:
                out.append("<p>&nbsp;</p>")  # the empty paragraphs editors leave behind
        elif block[0] == "img":
            out.append(
                f'<p style="text-align: center;"><img src="{relative_link(path, block[1])}" '
                f'alt="{esc(block[2])}" border="0" OLDSRC="{block[1].rsplit("/", 1)[1]}" /></p>'
            )
        elif block[0] == "caption":
            out.append(f'<p style="text-align: center;">{esc(block[1])}</p>')
        else:
            out.append(_table(block[1], "p"))
    out.append("</div>")
    return "\n".join(out) + "\n"


def _body_b(article: Article, path: str) -> str:
    """Return template B's body: <p><font> paragraphs indented with U+3000, inside td#zoom."""
    out = ['<td class="content" id="zoom">']
    for block in article.blocks:
        if block[0] == "p":
            text = block[1]
            if _noisy(text):
                head, tail = _split(text)
                inner = f'<font face="宋体">{esc(head)}</font><font face="宋体">{esc(tail)}</font>'
            else:
                inner = f'<font style="font-size: 14px">{esc(text)}</font>'
            out.append(f'<p align="justify">\u3000\u3000{inner}</p>')
        elif block[0] == "img":
            out.append(f'<p align="center"><img src="{block[1]}" alt="{esc(block[2])}" border="0" /></p>')
        elif block[0] == "caption":
            out.append(f'<p align="center"><font color="#666666">{esc(block[1])}</font></p>')
        else:
            out.append(_table(block[1], ""))
    out.append("</td>")
    return "\n".join(out) + "\n"


def _body_c(article: Article, path: str) -> str:
    """Return template C's body: text lines separated by <br>, indented with U+3000, in div#zoom."""
    out = ['<div id="zoom" class="zoom">']
    for number, block in enumerate(article.blocks):
        if block[0] == "p":
            out.append(f"\u3000\u3000{esc(block[1])}<br />")
            if number % 4 == 3:
                out.append("<br />")  # blank lines between some paragraphs
        elif block[0] == "img":
            out.append(f'<center><img src="{relative_link(path, block[1])}" alt="{esc(block[2])}" /></center>')
        elif block[0] == "caption":
            out.append(f"{esc(block[1])}<br />")
        else:
            out.append(_table(block[1], "span"))
    out.append("</div>")
    return "\n".join(out) + "\n"


COLUMN_NAME = "园区观察"
COLUMN_PATH = "/kfqxw/yqgc/"


def column_lines(article_id: int) -> tuple[str, str]:
    """Return the two chrome lines template E puts in the body of article ``article_id`` (as a reader
    sees them): the banner above the text and the column's line below it, numbered by the article."""
    issue = 1000 + article_id
    return (
        f"◆ {COLUMN_NAME} 第{issue}期 ◆ 本栏目由开发区频道编辑部整理",
        f"▲ 点击进入「{COLUMN_NAME}」专栏，查看第{issue - 1}期及往期报道",
    )


def _body_e(article: Article, path: str) -> str:
    """Return template E's body: the column banner, <p> paragraphs (photos and tables as template D
    has them), and the column's line, all in div.column-body."""
    banner, more = column_lines(article.meta.id)
    inner = _body_d(article, path).split("\n", 1)[1].rsplit("</div>", 1)[0]  # template D's blocks
    link = f'<a href="{COLUMN_PATH}">{esc(COLUMN_NAME)}</a>'
    return (
        '<div class="column-body">\n'
        + f'<p class="column-banner">{esc(banner)}</p>\n'
        + inner
        + f'<p class="column-more">{esc(more).replace(esc(COLUMN_NAME), link, 1)}</p>\n'
        + "</div>\n"
    )


def _body_d(article: Article, path: str) -> str:
    """Return template D's body: <div> paragraphs and <figure> photos in div.article-content."""
    out = ['<div class="article-content" id="content">']
    blocks = article.blocks
    number = 0
    while number < len(blocks):
        block = blocks[number]
        if block[0] == "img":
            caption = blocks[number + 1][1] if number + 1 < len(blocks) and blocks[number + 1][0] == "caption" else None
            figcaption = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
            out.append(f'<figure><img src="{block[1]}" alt="{esc(block[2])}" />{figcaption}</figure>')
            number += 2 if caption else 1
            continue
        if block[0] in ("p", "caption"):
            out.append(f"<div>{esc(block[1])}</div>")
        else:
            out.append(_table(block[1], ""))
        number += 1
    out.append("</div>")
    return "\n".join(out) + "\n"


# -- pages -------------------------------------------------------------------------------------------


def _meta_items(article: Article, template: str, hidden: frozenset[str]) -> list[tuple[str, str | None]]:
    """Return (label, value) for 发布时间, 来源, 发布开发区 (value None when the article has none, or when
    its label is ``hidden``: the page then shows it as the site shows a missing one)."""
    meta = article.meta
    items = [
        ("发布时间", format_date(template, meta.date, article.shown_datetime())),
        ("来源", meta.source),
        ("发布开发区", meta.zone),
    ]
    return [(label, None if label in hidden else value) for label, value in items]


def _scripts(article: Article) -> str:
    """Return the page-end scripts (statistics and doc id), as the CMS appends them."""
    return (
        f'<script type="text/javascript">var docid = "{article.meta.docid}"; var channel = "kfqxw";</script>\n'
        '<script type="text/javascript">document.write("<img src=\\"/images/blank.gif\\" width=0 height=0>");'
        "</script>\n"
    )


def render_a(
    site: ReplicaSite,
    article: Article,
    path: str,
    shown_section: tuple[str, str],
    pager: str = "",
    hidden: frozenset[str] = frozenset(),
) -> str:
    """Return template A (div layout, UTF-8) as text."""
    info = "&nbsp;&nbsp;".join(f"{label}：{esc(value)}" for label, value in _meta_items(article, "A", hidden) if value)
    body = (
        chrome.breadcrumb(_trail(site, article, shown_section))
        + '<div class="article">\n'
        + f"<h1>{esc(article.title)}</h1>\n"
        + f'<div class="info">{info}</div>\n'
        + _body_a(article, path)
        + _attachments(article, path)
        + pager
        + f'<div class="editor">（责任编辑：{_EDITORS[article.meta.id % len(_EDITORS)]}）</div>\n'
        + chrome.share_bar()
        + _neighbour_links(site, article.meta.id, path, relative=True)
        + "</div>\n"
        + _related(site, article.meta.id, path, relative=False)
    )
    return chrome.page(article.title, body, charset_meta="utf-8", current="开发区新闻", scripts=_scripts(article))


def render_b(
    site: ReplicaSite,
    article: Article,
    path: str,
    shown_section: tuple[str, str],
    pager: str = "",
    hidden: frozenset[str] = frozenset(),
) -> str:
    """Return template B (table layout, to be GBK-encoded, meta gb2312) as text."""
    info = "&nbsp;&nbsp;".join(
        f"{label}：<span>{esc(value or '')}</span>" for label, value in _meta_items(article, "B", hidden)
    )
    trail = chrome.breadcrumb(_trail(site, article, shown_section), sep=" &gt; ")
    related = _related(site, article.meta.id, path, relative=True)
    return (
        chrome.head(f"{article.title} - {chrome.SITE_NAME}", "gb2312")
        + '<body leftmargin="0" topmargin="0">\n'
        + chrome.table_top()
        + '<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0">\n'
        + f"<tr><td>{trail}</td></tr>\n</table>\n"
        + '<table width="960" border="0" align="center" cellpadding="0" cellspacing="0" class="article">\n'
        + f'<tr><td align="center" height="60"><font size="5"><b>{esc(article.title)}</b></font></td></tr>\n'
        + f'<tr><td align="center" class="info">{info}</td></tr>\n'
        + '<tr><td height="10"><hr size="1" color="#cccccc" /></td></tr>\n<tr>\n'
        + _body_b(article, path)
        + "</tr>\n"
        + f"<tr><td>{_attachments(article, path)}</td></tr>\n"
        + (f"<tr><td>{pager}</td></tr>\n" if pager else "")
        + f"<tr><td>{chrome.share_bar()}</td></tr>\n"
        + f"<tr><td>{_neighbour_links(site, article.meta.id, path, relative=False)}</td></tr>\n"
        + f"<tr><td>{related}</td></tr>\n</table>\n"
        + chrome.table_footer()
        + _scripts(article)
        + "</body>\n</html>\n"
    )


def render_c(
    site: ReplicaSite,
    article: Article,
    path: str,
    shown_section: tuple[str, str],
    pager: str = "",
    hidden: frozenset[str] = frozenset(),
) -> str:
    """Return template C (GBK declared only in the HTTP header, <br> body) as text."""
    info = "\u3000".join(f"{label}：{esc(value)}" for label, value in _meta_items(article, "C", hidden) if value)
    body = (
        chrome.breadcrumb(_trail(site, article, shown_section))
        + '<div class="xl_con">\n'
        + f'<div class="xl_title">{esc(article.title)}</div>\n'
        + f'<div class="xl_info">{info}</div>\n'
        + _body_c(article, path)
        + _attachments(article, path)
        + pager
        + chrome.share_bar()
        + _neighbour_links(site, article.meta.id, path, relative=True)
        + "</div>\n"
        + _related(site, article.meta.id, path, relative=True)
    )
    return chrome.page(article.title, body, charset_meta=None, current="开发区新闻", scripts=_scripts(article))


def render_d(
    site: ReplicaSite,
    article: Article,
    path: str,
    shown_section: tuple[str, str],
    pager: str = "",
    hidden: frozenset[str] = frozenset(),
) -> str:
    """Return template D (UTF-8 with BOM added by the caller, no charset anywhere) as text."""
    items = [f"{label}: {esc(value)}" for label, value in _meta_items(article, "D", hidden) if value]
    items.append('浏览次数: <span id="hits"></span>')
    hits = 100 + zlib.crc32(str(article.meta.docid).encode()) % 5000
    body = (
        chrome.breadcrumb(_trail(site, article, shown_section))
        + '<article class="detail">\n'
        + f'<h2 class="detail-title">{esc(article.title)}</h2>\n'
        + f'<div class="detail-meta">{" | ".join(items)}</div>\n'
        + _body_d(article, path)
        + _attachments(article, path)
        + pager
        + chrome.share_bar()
        + _neighbour_links(site, article.meta.id, path, relative=False)
        + "</article>\n"
        + _related(site, article.meta.id, path, relative=False)
    )
    scripts = _scripts(article) + f'<script type="text/javascript">setHits("hits", "{hits}");</script>\n'
    return chrome.page(article.title, body, charset_meta=None, current="开发区新闻", scripts=scripts)


def render_e(
    site: ReplicaSite,
    article: Article,
    path: str,
    shown_section: tuple[str, str],
    pager: str = "",
    hidden: frozenset[str] = frozenset(),
) -> str:
    """Return template E (the 园区观察 column's: UTF-8, div layout, chrome inside the body) as text."""
    info = " ".join(f"{label}：{esc(value)}" for label, value in _meta_items(article, "E", hidden) if value)
    body = (
        chrome.breadcrumb(_trail(site, article, shown_section))
        + '<div class="column-article">\n'
        + f'<h1 class="column-title">{esc(article.title)}</h1>\n'
        + f'<div class="column-info">{info}</div>\n'
        + _body_e(article, path)
        + _attachments(article, path)
        + pager
        + chrome.share_bar()
        + _neighbour_links(site, article.meta.id, path, relative=True)
        + "</div>\n"
        + _related(site, article.meta.id, path, relative=True)
    )
    return chrome.page(article.title, body, charset_meta="utf-8", current="开发区新闻", scripts=_scripts(article))


RENDERERS = {"A": render_a, "B": render_b, "C": render_c, "D": render_d, "E": render_e}

# (Content-Type header, text encoding, byte prefix) per template.
ENCODINGS = {
    "A": ("text/html; charset=utf-8", "utf-8", b""),
    "B": ("text/html", "gbk", b""),
    "C": ("text/html; charset=gbk", "gbk", b""),
    "D": ("text/html", "utf-8", b"\xef\xbb\xbf"),
    "E": ("text/html; charset=utf-8", "utf-8", b""),
}


def _pager(template: str, paths: list[str], page: int, path: str) -> str:
    """Return the in-article pager of page ``page`` of ``paths`` (the article's pages), in the
    template's style: A 共3页 首页 上一页 下一页 尾页 (TRS), B 第1页 第2页 第3页, C 上一页 1 2 3 下一页,
    D [1] [2] [3]. The current page, and the words leading nowhere, are plain text."""
    count = len(paths)

    def link(number: int, text: str, relative: bool) -> str:
        if not 1 <= number <= count or number == page:
            return text
        href = relative_link(path, paths[number - 1]) if relative else paths[number - 1]
        return f'<a href="{href}">{text}</a>'

    if template == "A":
        items = [f"共{count}页", link(1, "首页", True), link(page - 1, "上一页", True)]
        items += [link(page + 1, "下一页", True), link(count if page < count else 0, "尾页", True)]
        return f'<div class="page" align="center">{"&nbsp;&nbsp;".join(items)}</div>\n'
    if template == "B":
        items = [link(number, f"第{number}页", False) for number in range(1, count + 1)]
        return f'<div class="pages">{" ".join(items)}</div>\n'
    if template == "C":
        items = [link(page - 1, "上一页", True)]
        items += [link(number, str(number), True) for number in range(1, count + 1)]
        items.append(link(page + 1, "下一页", True))
        return f'<div class="pagination">{" ".join(items)}</div>\n'
    items = [link(number, f"[{number}]", False) for number in range(1, count + 1)]
    return f'<p class="pagelist">{"&nbsp;".join(items)}</p>\n'


def render_article(
    site: ReplicaSite,
    article_id: int,
    path: str,
    shown_section: tuple[str, str],
    first_path: str | None = None,
    hidden_meta: frozenset[str] = frozenset(),
) -> tuple[str, str]:
    """Return (page text, template letter) of article ``article_id`` served at ``path``, without the meta
    items of ``hidden_meta``.

    ``first_path`` is the article's first page when ``path`` is one of its continuation pages (an
    article split over several shows its part of the body and the pager on each).
    """
    article = site.article(article_id)
    template = article.meta.template
    render = RENDERERS[template]
    if article.page_count == 1:
        return render(site, article, path, shown_section, hidden=hidden_meta), template
    paths = site.page_paths(article_id, first_path or path)
    page = paths.index(path) + 1
    pager = _pager(template, paths, page, path)
    return render(site, article.page_view(page), path, shown_section, pager, hidden_meta), template
