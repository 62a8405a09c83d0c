"""Routing of the replica: a request path becomes a ``Page`` (status, headers, body bytes).

This is where text becomes bytes: each article template has its own Content-Type header and
encoding (see article_templates.ENCODINGS); every other HTML page is UTF-8 with the charset in both
header and <meta>. The query string is ignored, as a static CMS export would; a directory requested
without its trailing slash is redirected (301) to it, and ``index_1.html`` does not exist (page 1 is
the directory or ``index.html``).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit

from . import assets, templates
from .article_templates import ENCODINGS, render_article
from .content import (
    ARCHIVE_PATH,
    DISTRICT_BY_SLUG,
    OTHER_SECTIONS,
    SEARCH_PATH,
    SHANGHAI,
    TYPE_BY_SLUG,
    ReplicaSite,
)

_SITE_EPOCH = dt.datetime(2024, 1, 2, 9, 0, tzinfo=SHANGHAI)  # Last-Modified of static files
_LIST_PATH = re.compile(r"^/kfqxw/([a-z]+)/([a-z]+)/(?:(?:index|index_(\d+))\.html)?$")
_DISTRICT_PATH = re.compile(r"^/kfqxw/([a-z]+)/(?:index\.html)?$")


@dataclass(frozen=True)
class Page:
    """A rendered response: status code, header pairs and body bytes."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def http_date(when: dt.datetime) -> str:
    """Return ``when`` as an HTTP date (RFC 7231, GMT)."""
    return email.utils.format_datetime(when.astimezone(dt.UTC), usegmt=True)


def _html(text: str, modified: dt.datetime | None, status: int = 200) -> Page:
    """Return a UTF-8 HTML page with charset in the Content-Type header."""
    headers = [("Content-Type", "text/html; charset=utf-8")]
    if modified:
        headers.append(("Last-Modified", http_date(modified)))
    return Page(status, tuple(headers), text.encode("utf-8"))


def _file(body: bytes, content_type: str, modified: dt.datetime) -> Page:
    """Return a static or binary file response."""
    return Page(200, (("Content-Type", content_type), ("Last-Modified", http_date(modified))), body)


def not_found() -> Page:
    """Return the 404 page."""
    return _html(templates.not_found_page(), None, 404)


def error(status: int) -> Page:
    """Return the error page sent for an injected status (see faults.py)."""
    return _html(templates.error_page(status), None, status)


def redirect(location: str, status: int = 301) -> Page:
    """Return a redirect to ``location``, as the web server does for a directory without its slash."""
    body = f'<html><body>{status} Moved: <a href="{location}">{location}</a></body></html>'
    return Page(status, (("Content-Type", "text/html; charset=utf-8"), ("Location", location)), body.encode())


def refresh(location: str) -> Page:
    """Return a page sending the reader on to ``location`` by ``<meta http-equiv="refresh">`` (fault ``refresh``)."""
    body = (
        '<html><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0; url={location}"><title>页面已迁移</title></head>'
        f'<body>页面已迁移，正在跳转：<a href="{location}">{location}</a></body></html>'
    )
    return _html(body, None)


_FILLER_HEAD = b'<html><head><meta charset="utf-8"><title>x</title></head><body>\n'
_CHUNK = 1 << 16


def huge_body(size: int) -> Iterator[bytes]:
    """Yield the bytes of a ``size``-byte HTML page in chunks, never holding it whole (fault ``huge``)."""
    yield _FILLER_HEAD[:size]
    left = size - len(_FILLER_HEAD)
    chunk = b" " * _CHUNK
    while left > 0:
        yield chunk[:left]
        left -= _CHUNK


@lru_cache(maxsize=4)
def gzip_bomb(size: int) -> Page:
    """Return a page whose gzip body inflates to ``size`` bytes of HTML (fault ``gzip_bomb``): a few
    kilobytes on the wire, compressed piece by piece so that the server never holds it inflated."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: the gzip container
    parts = [compressor.compress(piece) for piece in huge_body(size)]
    parts.append(compressor.flush())
    headers = (("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"))
    return Page(200, headers, b"".join(parts))


def with_headers(page: Page, headers: tuple[tuple[str, str], ...]) -> Page:
    """Return ``page`` with ``headers`` set, replacing its own headers of those names (fault ``header``)."""
    names = {name.lower() for name, _ in headers}
    kept = tuple((name, value) for name, value in page.headers if name.lower() not in names)
    return Page(page.status, kept + tuple(headers), page.body)


def _newest(site: ReplicaSite, article_ids: list[int]) -> dt.datetime:
    """Return the Last-Modified of a page listing ``article_ids`` (the newest one's publish time)."""
    if not article_ids:
        return _SITE_EPOCH
    return max(site.meta(i).published for i in article_ids) + dt.timedelta(hours=1)


def article_modified(site: ReplicaSite, article_id: int) -> dt.datetime:
    """Return an article page's Last-Modified: publish time, plus a day per revision that edited it."""
    article = site.article(article_id)
    return article.meta.published + dt.timedelta(hours=2, days=article.revised_at)


def render(
    site: ReplicaSite, raw_path: str, offsite: str = "localhost", hidden_meta: frozenset[str] = frozenset()
) -> Page:
    """Return the Page for ``raw_path`` (query ignored); ``offsite`` is host:port for off-site links.

    ``hidden_meta``: meta labels (来源, 发布开发区) an article page leaves out (fault ``meta_missing``).
    """
    path = raw_path.split("#", 1)[0].split("?", 1)[0] or "/"
    if path in ("/", "/index.html", "/index.htm"):
        return _html(templates.home(site, offsite), _newest(site, site.latest(1)))
    if path == "/robots.txt":
        return _file(templates.robots_txt().encode("ascii"), "text/plain", _SITE_EPOCH)
    static = {
        "/css/style.css": (assets.STYLE_CSS.encode("utf-8"), "text/css"),
        "/js/common.js": (assets.COMMON_JS.encode("utf-8"), "application/javascript"),
        "/images/logo.png": (assets.LOGO_PNG, "image/png"),
    }
    if path in static:
        return _file(*static[path], _SITE_EPOCH)
    if path in ("/kfqxw/", "/kfqxw/index.html"):
        return _html(templates.zone_index(site, offsite), _newest(site, site.latest(1)))
    found = site.resolve_page(path)
    if found:
        article_id, shown_section, first_path, _ = found
        text, template = render_article(site, article_id, path, shown_section, first_path, hidden_meta)
        content_type, encoding, prefix = ENCODINGS[template]
        headers = (("Content-Type", content_type), ("Last-Modified", http_date(article_modified(site, article_id))))
        return Page(200, headers, prefix + text.encode(encoding))
    file_found = site.resolve_file(path)
    if file_found:
        kind, article_id, _ = file_found
        modified = site.meta(article_id).published
        if kind == "image":
            return _file(assets.png_image(path), "image/png", modified)
        return _file(assets.pdf_document(path), "application/pdf", modified)
    match = _LIST_PATH.match(path)
    if match and match.group(1) in DISTRICT_BY_SLUG and match.group(2) in TYPE_BY_SLUG:
        section = (DISTRICT_BY_SLUG[match.group(1)].name, TYPE_BY_SLUG[match.group(2)])
        page = int(match.group(3) or 1)
        if match.group(3) == "1" or page > site.page_count(section):
            return not_found()
        newest = [item.article_id for item in site.list_items(section, 0, 5) if item.article_id]
        return _html(templates.list_page(site, section, page, path), _newest(site, newest))
    match = _DISTRICT_PATH.match(path)
    if match and match.group(1) in DISTRICT_BY_SLUG:
        district = DISTRICT_BY_SLUG[match.group(1)].name
        return _html(templates.district_page(site, district), _newest(site, site.latest(1)))
    if path in (ARCHIVE_PATH, ARCHIVE_PATH + "index.html"):
        return _html(templates.archive_index(site), _SITE_EPOCH)
    for data in site.archive_pages():
        if data["path"] == path:
            return _html(templates.archive_article(data), _SITE_EPOCH)
    if path.startswith(SEARCH_PATH):
        query = parse_qs(urlsplit(raw_path).query).get("q", [""])[0]
        return _html(templates.search_page(query), None)
    if path in ("/about/", "/about/index.html"):
        return _html(templates.about_page(), _SITE_EPOCH)
    slug = path.strip("/").split("/", 1)[0]
    if slug in OTHER_SECTIONS:
        if path in (f"/{slug}/", f"/{slug}/index.html"):
            return _html(templates.other_index(site, slug), _SITE_EPOCH)
        for data in site.other_pages(slug):
            if data["path"] == path:
                return _html(templates.other_article(slug, data), _SITE_EPOCH)
    if not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
        slashed = render(site, path + "/", offsite)
        if slashed.status == 200:
            return redirect(path + "/")
    return not_found()


def rewrite(page: Page, replacements: tuple[tuple[str, str], ...]) -> Page:
    """Return ``page`` with texts replaced in its bytes, in both encodings the site serves (fault ``rewrite``)."""
    body = page.body
    for old, new in replacements:
        for encoding in ("utf-8", "gb18030"):
            body = body.replace(old.encode(encoding), new.encode(encoding))
    return Page(page.status, page.headers, body)
