"""Turn one article page of the portal into a record: pure functions, no Scrapy, no SQL.

The page is read the way a person reads it: the breadcrumb after 「您现在的位置」, the title just above
the 发布时间 meta line, the body from there down to the first piece of chrome that ends every
article on the site (上一条 / 下一条, 相关新闻, 与我们联系, the copyright line).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from .chrome import (
    ends_body,
    is_chrome,
    is_closing,
    is_dropped,
    is_footer_line,
    is_footer_mark,
    is_heading_word,
    is_pager_line,
    is_qr_caption,
    is_tail_chrome,
    is_terminator,
    strip_trailing_credit,
    summary_core,
)
from .dates import PublishTime, find_date, parse_publish_time
from .document import Document, NotAnArticle, parse_document
from .labels import META_LINE_START, find_breadcrumb, find_unlabelled_breadcrumb, has_date_label, parse_meta
from .lines import Line
from .profile import keys_of, template_keys

__all__ = ["is_chrome", "is_terminator"]  # read by listing: the same lines end a list page's content

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

_SITE_SUFFIX = re.compile(r"\s*[-_|｜—–]+\s*[^-_|｜—–]*(?:投促中国|investchn)[^-_|｜—–]*$", re.IGNORECASE)
_GENERIC_CRUMBS = frozenset(("正文", "详情", "内容", "正文内容", "文章详情", "详细内容", "详细信息", "浏览文章"))
_MAX_META_LINE = 80
_DATE_ONLY = re.compile(r"[\d\s年月日:：/.-]{8,22}")
# What may stand around a date on a meta line that has no label: a weekday, 上午/下午, punctuation.
_DATE_ONLY_REST = re.compile(r"[\W_]*(?:(?:星期|礼拜|周)[一二三四五六日天])?[\W_]*")
_MAX_DATE_ONLY_LINES = 2  # more lines that are only a date make a list of dates, not an article
_SUBTITLE = re.compile(r"^\s*(?:——|—|－－|--|──)")
_PROSE = 20  # characters: a kept line this long shows the article's text has begun
# Labels that may stand alone in a block above their value (<dt>/<dd>, stacked cells).
_STACKED_LABELS = frozenset(("来源", "文章来源", "信息来源", "发布开发区", "作者", "发布机构", "发布单位"))
_MAX_STACKED_VALUE = 30
_SENTENCE_MARK = re.compile(r"[，。；！？]")
_MAX_SUMMARY_LINES = 4  # a summary box stands among the first lines of the body
_NOT_LETTER = re.compile(r"[\W_]+")


def extract_article(
    body: bytes | str, url: str, http_charset: str | None = None, profile: Mapping | None = None
) -> dict:
    """Return the record of an article page (keys :data:`RECORD_FIELDS`).

    ``body`` is the page as bytes (decoded by BOM, ``http_charset``, ``<meta>``, then sniffing) or
    text; ``profile`` the template profile of its host, if one was learnt (see
    :func:`extract_from_document`). Raises :class:`NotAnArticle` with the reason when the page is
    not an article.
    """
    return extract_from_document(parse_document(body, url, http_charset), profile)


@dataclass
class _Layout:
    """Where an article's parts are on the page's lines."""

    breadcrumb: list[str]
    crumb_index: int
    meta_first: int
    meta: dict[str, str]
    published: PublishTime
    body: list[Line]


def extract_from_document(doc: Document, profile: Mapping | None = None) -> dict:
    """Return the record of an already parsed page; raise :class:`NotAnArticle` when it is not one.

    ``profile``: the template profile of the page's host (:mod:`.profile`; None: none learnt). Its
    lines are left out of the body before anything is read from it (the content hash included).
    """
    layout = _locate(doc.lines, doc.title_tag)
    title = _find_title(doc.lines, layout.crumb_index, layout.meta_first, doc.title_tag)
    body_lines = _single_page_body(layout.body, title)
    if profile is not None:
        body_lines = without_template(body_lines, template_keys(profile))
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


def body_lines_of(doc: Document) -> list[Line]:
    """Return the body lines of a parsed page as the single-page rules give them (no profile), the
    lines a profile is learnt from; raise :class:`NotAnArticle` when the page is not an article."""
    layout = _locate(doc.lines, doc.title_tag)
    return _single_page_body(layout.body, _find_title(doc.lines, layout.crumb_index, layout.meta_first, doc.title_tag))


def _single_page_body(body_lines: list[Line], title: str) -> list[Line]:
    if body_lines and body_lines[0].text == title:  # some templates repeat the title above the text
        body_lines = body_lines[1:]
    return _without_repeated_opening(body_lines)


def without_template(body_lines: list[Line], keys: frozenset[tuple[str, str]]) -> list[Line]:
    """Return ``body_lines`` without the text lines whose ``(pattern, position)`` key is in ``keys``
    (a host's template lines, :func:`.profile.template_keys`).

    A line that links a file is kept, and so is the whole body when nothing but template would be
    left of its text: a profile never empties a body.
    """
    if not keys:
        return body_lines
    texts = [index for index, line in enumerate(body_lines) if line.text]
    dropped = {
        index
        for index, key in zip(texts, keys_of([body_lines[index].text for index in texts]), strict=True)
        if key in keys and not line_attachments(body_lines[index])
    }
    if not dropped or len(dropped) == len(texts):
        return body_lines
    return [line for index, line in enumerate(body_lines) if index not in dropped]


def looks_like_article(lines: list[Line], title_tag: str = "") -> bool:
    """Return True when ``lines`` show an article: a dated 发布时间 block and a body that is not a list."""
    try:
        _locate(lines, title_tag)
    except NotAnArticle:
        return False
    return True


def _locate(lines: list[Line], title_tag: str = "") -> _Layout:
    texts = [line.text for line in lines]
    crumb = find_breadcrumb(lines, title_tag)
    crumb_index, breadcrumb = crumb if crumb else (-1, [])
    # The lines with a 发布时间 label, found once: the meta block is among them, and so are the items
    # of a list page.
    labelled = [index for index, text in enumerate(texts) if has_date_label(text)]
    meta_first, meta_last, meta = _find_meta(lines, texts, labelled, crumb_index + 1)
    if crumb is None:  # a breadcrumb without a label stands just above the title and meta line
        crumb = find_unlabelled_breadcrumb(lines, max(0, meta_first - 10), meta_first)
        if crumb is not None:
            crumb_index, breadcrumb = crumb
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


def _find_meta(lines: list[Line], texts: list[str], labelled: list[int], start: int) -> tuple[int, int, dict[str, str]]:
    """Return the first and last line index of the meta block and its labelled values.

    ``labelled`` are the indexes of the lines with a date label; the block is the first of them at
    or after ``start`` (the line under the breadcrumb), with its neighbours that hold other labels.
    A page without any date label may still print its date on a meta line below the title, bare
    (2022-09-13 10:05) or beside a 来源 label: that line is the block then.
    """
    first = next((index for index in labelled if index >= start), None)
    if first is None and labelled:  # a breadcrumb below the title is rare, but not wrong
        first = labelled[0]
    if first is None:
        first = _unlabelled_meta_line(lines, texts, start)
        meta = parse_meta(texts[first])
        meta["发布时间"] = texts[first]
    else:
        meta = parse_meta(texts[first])
    last = first
    if not meta.get("发布时间") and first + 1 < len(texts) and _DATE_ONLY.fullmatch(texts[first + 1]):
        last = first + 1  # label and value in separate blocks (<dt>/<dd>, stacked cells)
        meta["发布时间"] = texts[last]
    # Neighbouring lines that hold other labels of the same block (items in <li>s or stacked cells,
    # or a label and its value in blocks of their own: <dt>来源</dt><dd>…</dd>).
    # A label already read is not read again: a body may quote a 来源 line of its own.
    while last + 1 < len(texts):
        if _is_meta_neighbour(texts[last + 1], meta):
            last += 1
            for label, value in parse_meta(texts[last]).items():
                meta.setdefault(label, value)
        elif last + 2 < len(texts) and _could_be_value(texts[last + 2]):
            label = texts[last + 1].rstrip(":：")
            if label not in _STACKED_LABELS:
                break
            stacked = parse_meta(f"{label}：{texts[last + 2]}")
            if len(stacked) != 1 or set(stacked) & set(meta):
                break
            last += 2
            meta.update(stacked)
        else:
            break
    while first - 1 > start - 1 and _is_meta_neighbour(texts[first - 1], meta):
        first -= 1
        for label, value in parse_meta(texts[first]).items():
            meta.setdefault(label, value)
    return first, last, meta


def _unlabelled_meta_line(lines: list[Line], texts: list[str], start: int) -> int:
    """Return the index of the meta line of a page that has no date label: the first line from
    ``start`` on that holds a date and nothing else, or a date beside a meta label, right under a
    line that can be the title. Raise NotAnArticle when there is none, or when many lines are bare
    dates (a list)."""
    date_only = [index for index, text in enumerate(texts) if _is_bare_date(text)]
    if len(date_only) > _MAX_DATE_ONLY_LINES:
        raise NotAnArticle(f"no 发布时间 label, and {len(date_only)} lines that are only a date")
    for index in range(max(start, 1), len(texts)):
        text = texts[index]
        if len(text) > _MAX_META_LINE or not find_date(text):
            continue
        if not (index in date_only or (META_LINE_START.search(text) or _has_meta_label(text))):
            continue
        if sum(len(link.text) for link in lines[index].links) * 2 > len(text):
            continue  # a dated link: a list item
        if any(_could_be_title(line) for line in lines[max(start, index - 3) : index]):
            return index
    raise NotAnArticle("no 发布时间 (publish time) label")


def _is_bare_date(text: str) -> bool:
    """Return True when a line is a date (and time) and nothing else but a weekday or punctuation."""
    if len(text) > 30:
        return False
    match = find_date(text)
    if not match:
        return False
    rest = text[: match.start()] + " " + text[match.end() :]
    return _DATE_ONLY_REST.fullmatch(rest) is not None


def _has_meta_label(text: str) -> bool:
    return any(label in ("来源", "发布开发区", "作者") for label in parse_meta(text))


def _is_meta_neighbour(text: str, meta: dict[str, str]) -> bool:
    if len(text) > _MAX_META_LINE:
        return False
    if not META_LINE_START.match(text):
        return _is_label_row(text)
    return not set(parse_meta(text)) & set(meta)


def _could_be_value(text: str) -> bool:
    """Return True when a line can be a meta value standing under its label: short, not a sentence."""
    return len(text) <= _MAX_STACKED_VALUE and not _SENTENCE_MARK.search(text)


def _is_label_row(text: str) -> bool:
    """Return True when a line is a table row of label and value cells (索引号：| … | 文号：| …)."""
    cells = text.split("\t")
    return len(cells) >= 2 and len(cells[0]) <= 8 and cells[0].endswith((":", "："))


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
    if len(text) < 2 or is_chrome(text) or META_LINE_START.match(text) or _SUBTITLE.match(text):
        return False  # a ——subtitle (副题) is never the title
    if _is_label_row(text) or _is_bare_date(text):
        return False
    linked = sum(len(link.text) for link in line.links)
    return len(line.links) <= 1 or linked < 0.5 * len(text)


def _body_lines(lines: list[Line], start: int) -> list[Line]:
    """Return the lines of the body from ``start`` (the line under the meta block): up to the
    first line that ends an article, without chrome, and without the chrome that trails it."""
    body: list[Line] = []
    text_begun, first_text = False, 0
    after_qr = False
    for line in lines[start:]:
        text = line.text
        if ends_body(line):
            if is_footer_mark(text):  # the body ran into the footer: its first lines are the footer's
                while body and is_footer_line(body[-1].text):
                    body.pop()
            break
        if not text:
            if not (after_qr and line.images):  # the QR code under its caption
                body.append(line)
            continue
        if is_pager_line(line):
            continue  # the article's own pager (第1页 第2页 …), wherever the template puts it
        after_qr = is_qr_caption(text)
        if after_qr and body and not body[-1].text and body[-1].images:
            body.pop()  # the QR code above its caption
        if is_closing(text):
            if text_begun:
                break
            continue
        if is_dropped(text):
            continue
        stripped = strip_trailing_credit(text)
        if stripped != text:
            line = Line(stripped, line.links, line.images, line.emphasised)
        body.append(line)
        if not text_begun and len(stripped) >= _PROSE:
            text_begun, first_text = True, len(body) - 1
    return _without_trailing_chrome(_cut_at_link_list(body, first_text + 1) if text_begun else body)


def _cut_at_link_list(body: list[Line], start: int) -> list[Line]:
    """Return ``body`` up to the first list of links from ``start`` on (two lines in a row that are
    mostly links to pages, not files), and the heading above it: a related list under a name no
    rule knows, or the site's footer links, when no terminator stood before them."""
    for index in range(start, len(body) - 1):
        if _is_link_line(body[index]) and _is_link_line(body[index + 1]):
            if index > start and is_heading_word(body[index - 1].text) and not body[index - 1].images:
                index -= 1
            return body[:index]
    return body


def _is_link_line(line: Line) -> bool:
    return bool(line.text) and line.anchor_count > 0 and is_tail_chrome(line) and not line_attachments(line)


def _without_trailing_chrome(body: list[Line]) -> list[Line]:
    """Return ``body`` without the chrome after its last line of text: link lists (with their
    heading), tag links, labels left without their value."""
    end = len(body)
    links_dropped = False
    while end:
        line = body[end - 1]
        if line.text and is_tail_chrome(line) and not line_attachments(line):
            links_dropped = links_dropped or bool(line.anchor_count)
            end -= 1
        elif links_dropped and is_heading_word(line.text) and not line.images:
            end -= 1  # the heading of the list just dropped
            links_dropped = False
        else:
            break
    return body[:end]


def _without_repeated_opening(body: list[Line]) -> list[Line]:
    """Return ``body`` without a summary box (导读, 摘要, a CMS's description) that repeats the
    article's opening: the box is not a second copy of the text, the article's own lines are kept."""
    for index in range(min(_MAX_SUMMARY_LINES, len(body) - 1)):
        core = summary_core(body[index].text)[1]
        # Cheap test first: the box repeats the opening, so the next line starts as it does.
        if len(core) < 10 or core[:4] not in body[index + 1].text[:12]:
            continue
        core = _letters(core)
        if not _letters("".join(line.text for line in body[index + 1 : index + 4])).startswith(core):
            continue
        first = index
        if index and summary_core(body[index - 1].text) == (True, ""):
            first = index - 1  # the box's own heading line (导读)
        return body[:first] + body[index + 1 :]
    return body


def _letters(text: str) -> str:
    """Return the letters, digits and CJK characters of ``text``: how a summary is compared with the
    opening it repeats, whatever spaces or punctuation either has."""
    return _NOT_LETTER.sub("", text)


def _attachments(body_lines: list[Line]) -> list[dict]:
    return [found for line in body_lines for found in line_attachments(line)]


def line_attachments(line: Line) -> list[dict]:
    """Return the files linked from ``line``: links whose path, query (filename=) or text ends with
    a document's extension."""
    if not line.anchor_count:
        return []
    found = []
    for link in line.links:
        parts = urlsplit(link.url)
        candidates = [parts.path.rsplit("/", 1)[-1], *parts.query.split("&"), link.text]
        for candidate in candidates:
            extension = candidate.rsplit(".", 1)[-1].lower() if "." in candidate else ""
            if extension in ATTACHMENT_EXTENSIONS:
                found.append({"url": link.url, "text": link.text})
                break
    return found
