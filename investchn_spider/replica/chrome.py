"""Site chrome shared by every replica page: head, slogan and navigation, breadcrumb, footer.

Two skins exist, as on a CMS that grew over the years: the div skin (most pages) and the table skin
(article template B). Both carry the same strings (slogan, nav, contact block, copyright). Only
GBK-encodable text is used; "©" and NBSP are written as entities so GBK pages encode strictly.
"""

from __future__ import annotations

import html

SITE_NAME = "投促中国"
SLOGAN = "打造网上国际投资促进平台 致力于中国投资促进事业"
NAV = (
    ("首页", "/"),
    ("投资指南", "/tzzn/"),
    ("政策法规", "/zcfg/"),
    ("开发区新闻", "/kfqxw/"),
    ("招商项目", "/zsxm/"),
    ("站内搜索", "/search/"),
    ("关于我们", "/about/"),
)
PHONE = "+86-0512-53660867"
EMAIL = "info@investchn.com"
COPYRIGHT = "Copyright &copy; 2015-2024 InvestCHN.com All Rights Reserved. 版权所有：投促中国"
ICP = "苏ICP备15012345号-1"
# Off-site friendly links; the host is filled in with a loopback name other than 127.0.0.1 (see pages.py).
FRIEND_LINKS = (
    ("商务部投资促进事务局", "/cipa/"),
    ("中国开发区网", "/cadz/"),
    ("上海市投资促进服务中心", "/shinvest/"),
    ("江苏省商务厅", "/jscom/"),
    ("天津市商务局", "/tjcom/"),
)


def esc(text: str) -> str:
    """Return ``text`` escaped for HTML text and attribute values."""
    return html.escape(text, quote=True)


def head(title: str, charset_meta: str | None, extra: str = "") -> str:
    """Return the doctype and <head> of a page; ``charset_meta`` None means no charset is declared."""
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset_meta}" />\n' if charset_meta else ""
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n'
        f"{meta}<title>{esc(title)}</title>\n"
        '<meta name="keywords" content="投资促进,开发区,招商引资,投促中国" />\n'
        '<meta name="description" content="投促中国：打造网上国际投资促进平台" />\n'
        '<link rel="stylesheet" type="text/css" href="/css/style.css" />\n'
        '<script type="text/javascript" src="/js/common.js"></script>\n'
        f"{extra}</head>\n"
    )


def top(current: str = "") -> str:
    """Return the logo, slogan and navigation bar (div skin); ``current`` names the active item."""
    items = "".join(
        f'<li{" class=on" if name == current else ""}><a href="{href}">{name}</a></li>' for name, href in NAV
    )
    return (
        '<div class="top"><div class="logo"><a href="/"><img src="/images/logo.png" alt="投促中国" /></a></div>\n'
        f'<div class="slogan">{SLOGAN}</div></div>\n'
        f'<div class="nav"><ul>{items}</ul></div>\n'
    )


def breadcrumb(parts: list[tuple[str, str | None]], sep: str = " &gt; ") -> str:
    """Return the 您现在的位置 trail: (text, href) pairs, href None for plain text."""
    links = [f'<a href="{href}">{esc(text)}</a>' if href else esc(text) for text, href in parts]
    return f'<div class="position">您现在的位置：{sep.join(links)}</div>\n'


def footer() -> str:
    """Return the contact block and copyright line (div skin)."""
    return (
        '<div class="footer">\n<div class="contact"><h3>与我们联系</h3>\n<ul>\n'
        f"<li>联系电话：{PHONE}</li>\n<li>传&nbsp;&nbsp;真：{PHONE}</li>\n"
        f'<li>邮&nbsp;&nbsp;箱：<a href="mailto:{EMAIL}">{EMAIL}</a></li>\n</ul></div>\n'
        f'<div class="copyright">{COPYRIGHT}&nbsp;&nbsp;{ICP}</div>\n</div>\n'
    )


def page(
    title: str,
    body: str,
    *,
    charset_meta: str | None = "utf-8",
    current: str = "",
    extra_head: str = "",
    scripts: str = "",
) -> str:
    """Return a complete div-skin page around ``body``, titled "<title> - 投促中国"."""
    return (
        head(f"{title} - {SITE_NAME}", charset_meta, extra_head)
        + "<body>\n"
        + top(current)
        + '<div class="main">\n'
        + body
        + "</div>\n"
        + footer()
        + scripts
        + "</body>\n</html>\n"
    )


def table_top() -> str:
    """Return the logo, slogan and navigation as nested tables (table skin)."""
    cells = "".join(
        f'<td align="center"><a href="{href}"><font color="#ffffff">{name}</font></a></td>' for name, href in NAV
    )
    return (
        '<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0">\n'
        '<tr><td width="220"><a href="/"><img src="/images/logo.png" border="0" alt="投促中国" /></a></td>'
        f'<td class="slogan">{SLOGAN}</td></tr>\n</table>\n'
        '<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" bgcolor="#0a4f9c">\n'
        f'<tr height="40">{cells}</tr>\n</table>\n'
    )


def table_footer() -> str:
    """Return the contact block and copyright as a table (table skin)."""
    return (
        '<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" bgcolor="#eeeeee">\n'
        '<tr><td class="contact"><b>与我们联系</b><br />\n'
        f"&nbsp;&nbsp;联系电话：{PHONE}<br />\n&nbsp;&nbsp;传&nbsp;&nbsp;真：{PHONE}<br />\n"
        f'&nbsp;&nbsp;邮&nbsp;&nbsp;箱：<a href="mailto:{EMAIL}">{EMAIL}</a></td></tr>\n'
        f'<tr><td align="center">{COPYRIGHT}&nbsp;&nbsp;{ICP}</td></tr>\n</table>\n'
    )


def share_bar() -> str:
    """Return the share/print bar; every link is javascript: so nothing leaves the site."""
    return (
        '<div class="share">分享到：<a href="javascript:void(0)" onclick="shareTo(\'weixin\')">微信</a> '
        '<a href="javascript:void(0)" onclick="shareTo(\'weibo\')">微博</a> '
        '<a href="javascript:void(0)" onclick="shareTo(\'qzone\')">QQ空间</a>'
        '&nbsp;&nbsp;【<a href="javascript:printPage()">打印本页</a>】'
        '【<a href="javascript:closeWindow()">关闭窗口</a>】</div>\n'
    )
