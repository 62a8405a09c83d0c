"""Render an HTML tree to the lines a reader sees, keeping the links and images of each line.

Extraction works on these lines rather than on CSS classes: the portal's templates are unknown and
vary (tables, divs, ``<br>`` bodies), but what a reader sees, line by line, is the same everywhere.
Rules: every block element and every ``<br>`` starts a line; table cells on one row join with a TAB;
inline elements join without added space; whitespace runs (NBSP and U+3000 included) fold to one
space; scripts, styles, comments and hidden elements are not rendered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import etree

BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "tr",
        "ul",
    ]
)
SKIP_TAGS = frozenset(
    [
        "head",
        "title",
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "svg",
        "math",
        "canvas",
        "select",
        "textarea",
        "button",
        "input",
        "map",
        "audio",
        "video",
    ]
)
_CELL_TAGS = frozenset(("td", "th"))
_HEADING_TAGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6", "strong", "b"))
_BIG_FONT_SIZES = frozenset(("4", "5", "6", "7", "+1", "+2", "+3", "+4"))
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_FONT_SIZE_STYLE = re.compile(r"font-size\s*:\s*(\d+(?:\.\d+)?)\s*(px|pt)", re.IGNORECASE)
_SPACE = re.compile(r"[\s\u3000\xa0\u200b\ufeff]+")
_CELL = "\ue000"  # private-use sentinel between table cells; no page text contains it
_IMAGE_SRC_ATTRS = ("src", "data-src", "data-original", "original")
_UNFOLLOWABLE = ("javascript:", "mailto:", "tel:", "data:", "#")


@dataclass(frozen=True)
class Link:
    """A hyperlink as shown: the text a reader clicks and the href, resolved on demand."""

    href: str
    text: str
    base: str

    @property
    def url(self) -> str:
        """Return the absolute URL of the link."""
        return urljoin(self.base, self.href)


@dataclass(frozen=True)
class Image:
    """An image as shown: its src (resolved on demand) and alternative text ("" when none)."""

    raw_src: str
    alt: str
    base: str

    @property
    def src(self) -> str:
        """Return the absolute URL of the image."""
        return urljoin(self.base, self.raw_src)


@dataclass
class Line:
    """One rendered line of a page with the links and images on it."""

    text: str
    links: list[Link] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    emphasised: bool = False  # mostly inside h1-h6/strong/b/big font: a title candidate


def fold_space(text: str) -> str:
    """Return ``text`` with every whitespace run (NBSP, U+3000 included) folded to one space, stripped."""
    return _SPACE.sub(" ", text).strip()


def text_of(element: etree._Element) -> str:
    """Return all the text inside ``element`` (not its tail), as lxml.html's text_content() would."""
    return "".join(element.itertext())


def base_url_of(root: etree._Element, page_url: str) -> str:
    """Return the URL relative links resolve against: the page's ``<base href>`` if any, else its URL."""
    for base in root.iter("base"):
        href = (base.get("href") or "").strip()
        if href:
            return urljoin(page_url, href)
    return page_url


def render_lines(root: etree._Element, page_url: str) -> list[Line]:
    """Return the non-empty rendered lines of the document ``root`` in reading order.

    Mutates ``root``: what a reader never sees (scripts, styles, comments, hidden elements) is
    removed first, with C-level calls, so that the walk below only visits rendered content.
    """
    builder = _LineBuilder(base_url_of(root, page_url))
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, *SKIP_TAGS, with_tail=False)
    for element in _MAYBE_HIDDEN(root):
        if _is_hidden(element):
            _remove_keeping_tail(element)
    emphasised = {element for element in _MAYBE_EMPHASIS(root) if _is_emphasis(element)}
    data_tables = {table for table in _LEAF_TABLES(root) if _is_data_table(table)}
    depth = in_data_table = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag
        if event == "start":
            if element in data_tables:
                in_data_table += 1
            if tag in BLOCK_TAGS or tag == "br":
                # Paragraphs inside a data table's cell stay in the cell: one line per row.
                if in_data_table and tag not in _ROW_TAGS:
                    builder.add_text(" ", False)
                else:
                    builder.end_line()
            elif tag in _CELL_TAGS:
                builder.next_cell()
            elif tag == "img":
                builder.add_image(element)
            elif tag == "a":
                builder.add_link(element)
            if element in emphasised:
                depth += 1
            text = element.text
        else:
            if element in emphasised:
                depth -= 1
            if element in data_tables:
                in_data_table -= 1
            if tag in BLOCK_TAGS:
                if in_data_table and tag not in _ROW_TAGS:
                    builder.add_text(" ", False)
                else:
                    builder.end_line()
            text = element.tail
        if text:
            builder.add_text(text, depth > 0)
    builder.end_line()
    return builder.lines


_LEAF_TABLES = etree.XPath("//table[not(.//table)]")
_ROW_TAGS = frozenset(("tr", "table"))
_MAX_DATA_CELL = 200  # a longer cell is a layout cell holding the article, not a figure in a table


_PROSE_BLOCK = 30  # characters: a block this long in a cell is a paragraph of text, not a figure


def _is_data_table(table: etree._Element) -> bool:
    """A table of figures rather than of layout: no nested table, a row of 2+ cells, short cells,
    none holding two paragraphs of prose (the article body in a layout cell)."""
    widest = max((len(row.findall("td")) + len(row.findall("th")) for row in table.iter("tr")), default=0)
    if widest < 2:
        return False
    for cell in table.iter("td", "th"):
        if len(text_of(cell)) > _MAX_DATA_CELL:
            return False
        if sum(1 for block in cell.iter("p", "div", "li") if len(text_of(block).strip()) >= _PROSE_BLOCK) > 1:
            return False
    return True


_MAYBE_HIDDEN = etree.XPath("//*[@style or @hidden or @type]")
_MAYBE_EMPHASIS = etree.XPath(
    "//h1|//h2|//h3|//h4|//h5|//h6|//strong|//b|//font[@size]|//*[contains(@style, 'font-size')]"
)


def _is_hidden(element: etree._Element) -> bool:
    style = element.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    return element.get("hidden") is not None or (element.get("type") or "").lower() == "hidden"


def _remove_keeping_tail(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _is_emphasis(element: etree._Element) -> bool:
    tag = element.tag
    if tag in _HEADING_TAGS:
        return True
    if tag == "font" and (element.get("size") or "").strip() in _BIG_FONT_SIZES:
        return True
    match = _FONT_SIZE_STYLE.search(element.get("style") or "")
    if match:
        size, unit = float(match.group(1)), match.group(2).lower()
        return size >= (18 if unit == "px" else 14)
    return False


class _LineBuilder:
    """Accumulates inline content and cuts it into lines."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.lines: list[Line] = []
        self._parts: list[str] = []
        self._links: list[Link] = []
        self._images: list[Image] = []
        self._emphasised_chars = 0

    def add_text(self, text: str, emphasised: bool) -> None:
        self._parts.append(text)
        if emphasised:
            self._emphasised_chars += len(text.strip())

    def next_cell(self) -> None:
        if self._parts:
            self._parts.append(_CELL)

    def add_link(self, element: etree._Element) -> None:
        href = (element.get("href") or "").strip()
        if not href or href.lower().startswith(_UNFOLLOWABLE):
            return
        text = fold_space(text_of(element))
        if not text:
            alts = [img.get("alt") or "" for img in element.iter("img")]
            text = fold_space(" ".join(alts))
        self._links.append(Link(href, text, self.base_url))

    def add_image(self, element: etree._Element) -> None:
        for attr in _IMAGE_SRC_ATTRS:
            src = (element.get(attr) or "").strip()
            if src and not src.lower().startswith("data:"):
                alt = fold_space(element.get("alt") or element.get("title") or "")
                self._images.append(Image(src, alt, self.base_url))
                return

    def end_line(self) -> None:
        if not (self._parts or self._images or self._links):
            return
        raw = "".join(self._parts)
        if _CELL in raw:
            cells = [fold_space(cell) for cell in raw.split(_CELL)]
            while cells and not cells[-1]:
                cells.pop()
            while cells and not cells[0]:
                cells.pop(0)
            text = "\t".join(cells)
        else:
            text = fold_space(raw)
        if text or self._images:
            emphasised = bool(text) and self._emphasised_chars >= 0.8 * len(text.replace(" ", ""))
            self.lines.append(Line(text, self._links, self._images, emphasised))
        self._parts, self._links, self._images = [], [], []
        self._emphasised_chars = 0
