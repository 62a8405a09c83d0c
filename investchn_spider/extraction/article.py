"""Turn one article page of the portal into a record: pure functions, no Scrapy, no SQL.

The page is read the way a person reads it: the breadcrumb after 「您现在的位置」, the title just above
the 发布时间 meta line, the body from there down to the first piece of chrome that ends every
article on the site (上一条 / 下一条, 相关新闻, 与我们联系, the copyright line).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from .dates import PublishTime, find_date, parse_publish_time
from .document import Document, NotAnArticle, parse_document
from .labels import META_LINE_START, find_breadcrumb, has_date_label, parse_meta
from .lines import Line

EXTRACTOR_VERSION = "1"
RECORD_FIELDS = (
    "url",
    "title",
    "published_date",
    "published_at",
    "source",
    "zone",
    "breadcrumb",
    "district",
    "category",
    "body_text",
    "images",
    "attachments",
    "content_hash",
)
SECTION_NAME = "开发区新闻"
ATTACHMENT_EXTENSIONS = frozenset(
    ["pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "zip", "rar", "7z", "wps", "et", "dps", "txt", "csv", "ofd"]
)

_TERMINATOR = re.compile(
    r"^[【\[]?\s*(?:上一[条篇页]|下一[条篇页]|上篇|下篇|前一篇|后一篇)\s*[】\]]?\s*(?:[:：]|$)"
    r"|^[【\[]?\s*(?:相关(?:新闻|文章|链接|阅读|信息|报道|资讯)|推荐阅读|延伸阅读|热点新闻|热门文章|猜你喜欢)"
    r"\s*[】\]]?\s*(?:[:：>»]|$)"
    r"|^(?:与我们联系|联系我们)\s*[:：]?\s*$"
    r"|^(?:copyright|©)|copyright\s*©|版权所有\s*[:：©]",
    re.IGNORECASE,
)
_CHROME_TOKEN = (
    r"【[^】]{0,12}】|\[[^\]]{0,12}\]|字体\s*[:：]?|字号\s*[:：]?|[大中小]|打印本页|打印|关闭窗口|关闭|"
    r"加入收藏|收藏|分享到\s*[:：]?|返回顶部|顶部|top|我要纠错|纠错|微信|微博|QQ空间|[|/｜丨\s:：]"
)
# The editor's credit that closes many articles ("（责任编辑：李晓）") is page metadata, not text.
_CHROME_LINE = re.compile(
    rf"(?:{_CHROME_TOKEN})+|分享到.*|(?:浏览|阅读|点击)(?:次数|量|数)?\s*[:：]\s*\d*\s*次?"
    r"|[（(【\[]?\s*(?:责任编辑|责编|编辑|审核|校对)\s*[:：][^（）()【】\[\]]{0,24}[）)】\]]?",
    re.IGNORECASE,
)
_SITE_SUFFIX = re.compile(r"\s*[-_|｜—–]+\s*[^-_|｜—–]*(?:投促中国|investchn)[^-_|｜—–]*$", re.IGNORECASE)
_GENERIC_CRUMBS = frozenset(("正文", "详情", "内容", "正文内容", "文章详情", "详细内容", "详细信息", "浏览文章"))
_MAX_META_LINE = 80
_MAX_CHROME_LINE = 80  # a longer line is text, unless it is a share bar
_TERMINATOR_FIRST = frozenset("【[上下前后相推延热猜与联cC©")
_DATE_ONLY = re.compile(r"[\d\s年月日:：/.-]{8,22}")


def extract_article(body: bytes | str, url: str, http_charset: str | None = None) -> dict:
    """Return the record of an article page (keys :data:`RECORD_FIELDS`).

    ``body`` is the page as bytes (decoded by BOM, ``http_charset``, ``<meta>``, then sniffing) or
    text. Raises :class:`NotAnArticle` with the reason when the page is not an article.
    """
    return extract_from_document(parse_document(body, url, http_charset))


@dataclass
class _Layout:
    """Where an article's parts are on the page's lines."""

    breadcrumb: list[str]
    crumb_index: int
    meta_first: int
    meta: dict[str, str]
    published: PublishTime
    body: list[Line]


def extract_from_document(doc: Document) -> dict:
    """Return the record of an already parsed page; raise :class:`NotAnArticle` when it is not one."""
    layout = _locate(doc.lines)
    title = _find_title(doc.lines, layout.crumb_index, layout.meta_first, doc.title_tag)
    body_lines = layout.body
    if body_lines and body_lines[0].text == title:  # some templates repeat the title above the text
        body_lines = body_lines[1:]
    body_text = "\n".join(line.text for line in body_lines if line.text)
    images = [{"src": src, "alt": image.alt} for line in body_lines for image in line.images if (src := image.src)]
    if not body_text and not images:
        raise NotAnArticle("no body text after the 发布时间 line")
    district, category = section_of(layout.breadcrumb, title)
    published, meta = layout.published, layout.meta
    return {
        "url": doc.url,
        "title": title,
        "published_date": published.date,
        "published_at": published.at,
        "source": meta.get("来源") or None,
        "zone": meta.get("发布开发区") or None,
        "breadcrumb": layout.breadcrumb,
        "district": district,
        "category": category,
        "body_text": body_text,
        "images": images,
        "attachments": _attachments(body_lines),
        "content_hash": content_hash(title, published.date, body_text),
    }


def looks_like_article(lines: list[Line]) -> bool:
    """Return True when ``lines`` show an article: a dated 发布时间 block and a body that is not a list."""
    try:
        _locate(lines)
    except NotAnArticle:
        return False
    return True


def _locate(lines: list[Line]) -> _Layout:
    texts = [line.text for line in lines]
    crumb = find_breadcrumb(lines)
    crumb_index, breadcrumb = crumb if crumb else (-1, [])
    # The lines with a 发布时间 label, found once: the meta block is among them, and so are the items
    # of a list page.
    labelled = [index for index, text in enumerate(texts) if has_date_label(text)]
    meta_first, meta_last, meta = _find_meta(texts, labelled, crumb_index + 1)
    published = parse_publish_time(meta.get("发布时间", ""))
    if published is None:
        raise NotAnArticle(f"发布时间 value {meta.get('发布时间', '')[:40]!r} is not a date")
    body = _body_lines(lines, meta_last + 1)
    _reject_lists(texts, labelled, body)
    return _Layout(breadcrumb, crumb_index, meta_first, meta, published, body)


def content_hash(title: str, published_date: str, body_text: str) -> str:
    """Return the sha256 hex digest that identifies an article's content across URLs."""
    return hashlib.sha256("\n".join((title, published_date, body_text)).encode("utf-8")).hexdigest()


def section_of(breadcrumb: list[str], title: str = "") -> tuple[str | None, str | None]:
    """Return ``(district, category)`` read from a breadcrumb under 开发区新闻, each None when absent."""
    if SECTION_NAME not in breadcrumb:
        return None, None
    below = breadcrumb[breadcrumb.index(SECTION_NAME) + 1 :]
    while below and (below[-1] in _GENERIC_CRUMBS or (title and below[-1] == title)):
        below.pop()
    district = below[0] if below else None
    category = below[-1] if len(below) > 1 else None
    return district, category


def is_terminator(text: str) -> bool:
    """Return True when a line ends an article's body (上一条, 相关新闻, contact block, copyright)."""
    # Cheap tests first: most lines start with none of the characters a terminator starts with.
    if text[:1] not in _TERMINATOR_FIRST and "©" not in text and "版权所有" not in text:
        return False
    return _TERMINATOR.search(text) is not None


def is_chrome(text: str) -> bool:
    """Return True when a line is only page furniture (share, print and font-size bars, hit counters)."""
    if len(text) > _MAX_CHROME_LINE and not text.startswith("分享到"):
        return False
    return _CHROME_LINE.fullmatch(text) is not None


def _find_meta(texts: list[str], labelled: list[int], start: int) -> tuple[int, int, dict[str, str]]:
    """Return the first and last line index of the meta block and its labelled values.

    ``labelled`` are the indexes of the lines with a date label; the block is the first of them at
    or after ``start`` (the line under the breadcrumb), with its neighbours that hold other labels.
    """
    first = next((index for index in labelled if index >= start), None)
    if first is None and labelled:  # a breadcrumb below the title is rare, but not wrong
        first = labelled[0]
    if first is None:
        raise NotAnArticle("no 发布时间 (publish time) label")
    meta = parse_meta(texts[first])
    last = first
    if not meta.get("发布时间") and first + 1 < len(texts) and _DATE_ONLY.fullmatch(texts[first + 1]):
        last = first + 1  # label and value in separate blocks (<dt>/<dd>, stacked cells)
        meta["发布时间"] = texts[last]
    # Neighbouring lines that hold other labels of the same block (items in <li>s or stacked cells).
    # A label already read is not read again: a body may quote a 来源 line of its own.
    while last + 1 < len(texts) and _is_meta_neighbour(texts[last + 1], meta):
        last += 1
        for label, value in parse_meta(texts[last]).items():
            meta.setdefault(label, value)
    while first - 1 > start - 1 and _is_meta_neighbour(texts[first - 1], meta):
        first -= 1
        for label, value in parse_meta(texts[first]).items():
            meta.setdefault(label, value)
    return first, last, meta


def _is_meta_neighbour(text: str, meta: dict[str, str]) -> bool:
    if len(text) > _MAX_META_LINE or not META_LINE_START.match(text):
        return False
    return not set(parse_meta(text)) & set(meta)


def _reject_lists(texts: list[str], labelled: list[int], body: list[Line]) -> None:
    """Raise NotAnArticle for list-like pages: search results, tables and lists of dated links.

    ``labelled`` are the indexes of the lines of ``texts`` with a date label.
    """
    dated_labels = sum(1 for index in labelled if find_date(texts[index]))
    if dated_labels >= 3:
        raise NotAnArticle(f"a list of {dated_labels} dated items, not an article")
    listed = sum(1 for line in body if _is_list_item(line))
    if listed >= 4 and listed * 2 >= len(body):
        raise NotAnArticle(f"a list of {listed} dated links, not an article")


def _is_list_item(line: Line) -> bool:
    if not line.anchor_count or not find_date(line.text) or len(line.links) != 1:
        return False
    return len(line.links[0].text) >= 0.5 * len(line.text) - 12


def _find_title(lines: list[Line], crumb_index: int, meta_first: int, title_tag: str) -> str:
    start = crumb_index + 1 if 0 <= crumb_index < meta_first else max(0, meta_first - 8)
    candidates = [line for line in lines[start:meta_first] if _could_be_title(line)]
    candidates.reverse()  # nearest to the meta line first
    tag_title = _SITE_SUFFIX.sub("", title_tag)
    for line in candidates:
        if tag_title and (line.text in tag_title or tag_title in line.text):
            return line.text
    for line in candidates:
        if line.emphasised:
            return line.text
    if candidates:
        return candidates[0].text
    if tag_title:
        return tag_title
    raise NotAnArticle("no title above the 发布时间 line")


def _could_be_title(line: Line) -> bool:
    text = line.text
    if len(text) < 2 or is_chrome(text) or META_LINE_START.match(text):
        return False
    linked = sum(len(link.text) for link in line.links)
    return len(line.links) <= 1 or linked < 0.5 * len(text)


def _body_lines(lines: list[Line], start: int) -> list[Line]:
    body: list[Line] = []
    for line in lines[start:]:
        if is_terminator(line.text):
            break
        if not (line.text and is_chrome(line.text)):
            body.append(line)
    return body


def _attachments(body_lines: list[Line]) -> list[dict]:
    found = []
    for line in body_lines:
        for link in line.links:
            path = urlsplit(link.url).path
            extension = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
            if extension in ATTACHMENT_EXTENSIONS:
                found.append({"url": link.url, "text": link.text})
    return found
