"""Render an HTML tree to the lines a reader sees, keeping the links and images of each line.

Extraction works on these lines rather than on CSS classes: the portal's templates are unknown and
vary (tables, divs, ``<br>`` bodies), but what a reader sees, line by line, is the same everywhere.
Rules: every block element and every ``<br>`` starts a line; table cells on one row join with a TAB;
inline elements join without added space; whitespace runs (NBSP and U+3000 included) fold to one
space; scripts, styles, comments and hidden elements are not rendered; in a table of figures (a
data table), blocks inside a cell keep to the row's line.

How, for speed: walking the tree element by element from Python costs several times the parse of
the page, since every element, text and tail becomes a Python object. So the walk is done in C by
an XSLT stylesheet (:mod:`.render_xslt`) that writes the page's text with a marker character for
each line break, cell, link and image; Python then cuts that one string into lines with string
methods. Which links and images a line holds is counted from its markers, and built from the tree
only when read, which extraction does on a few lines. Emphasis is marked by the stylesheet around
each text node inside h1-h6, b, strong or a big font: a line is emphasised by its own text nodes'
ancestors, never by equal text elsewhere on the page.

A slow reference implementation of the same rules, a plain recursive walk, is
``tests/reference_render.py``; a property test compares the two on random pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate
from urllib.parse import urljoin

from lxml import etree

from .render_xslt import DATA_TABLE_ATTRIBUTE, Markers, TreeRenderer

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
_HEADING_TAGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6", "strong", "b"))
_BIG_FONT_SIZES = frozenset(("4", "5", "6", "7", "+1", "+2", "+3", "+4"))
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_FONT_SIZE_STYLE = re.compile(r"font-size\s*:\s*(\d+(?:\.\d+)?)\s*(px|pt)", re.IGNORECASE)
_SPACE = re.compile(r"[\s\u3000\xa0\u200b\ufeff]+")
# A lazy-loading script shows the image named by a data- attribute and puts a placeholder (a
# loading.gif, a blank pixel) in src until then: the data- attribute is the image a reader sees.
_IMAGE_SRC_ATTRS = ("data-original", "data-src", "data-lazy-src", "data-echo", "src", "original")
_UNFOLLOWABLE = ("javascript:", "mailto:", "tel:", "data:", "#")
# What a browser removes from an href before reading it: every ASCII tab and newline anywhere
# (``java&#x09;script:`` is ``javascript:``), and C0 controls and spaces at either end.
_HREF_TABS = re.compile(r"[\t\n\r]")
_HREF_EDGES = "".join(map(chr, range(0x21)))


def resolve_url(base: str, href: str) -> str:
    """Return ``href`` made absolute against ``base``, or "" when it cannot be (``http://[x/``)."""
    try:
        return urljoin(base, href)
    except ValueError:  # a malformed authority (an unclosed IPv6 bracket …) in href or base
        return ""


@dataclass(frozen=True)
class Link:
    """A hyperlink as shown: the text a reader clicks and the href, resolved on demand."""

    href: str
    text: str
    base: str

    @property
    def url(self) -> str:
        """Return the absolute URL of the link, or "" when its href is malformed beyond resolving."""
        return resolve_url(self.base, self.href)


@dataclass(frozen=True)
class Image:
    """An image as shown: its src (resolved on demand) and alternative text ("" when none)."""

    raw_src: str
    alt: str
    base: str

    @property
    def src(self) -> str:
        """Return the absolute URL of the image, or "" when its source is malformed beyond resolving."""
        return resolve_url(self.base, self.raw_src)


class Line:
    """One rendered line of a page with the links and images on it."""

    __slots__ = ("_emphasised", "_images", "_links", "text")

    def __init__(
        self, text: str, links: list[Link] | None = None, images: list[Image] | None = None, emphasised: bool = False
    ) -> None:
        self.text = text
        self._links = [] if links is None else links
        self._images = [] if images is None else images
        self._emphasised = emphasised

    @property
    def links(self) -> list[Link]:
        """Return the followable links that start on this line, in document order."""
        return self._links

    @property
    def images(self) -> list[Image]:
        """Return the images with a usable source on this line, in document order."""
        return self._images

    @property
    def anchor_count(self) -> int:
        """Return how many links start on this line, followable or not: at least ``len(links)``,
        and cheaper to read on a rendered line."""
        return len(self._links)

    @property
    def emphasised(self) -> bool:
        """Return True when the line is mostly inside h1-h6, strong, b or a big font (80% of its
        non-space characters): a title candidate."""
        return self._emphasised

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Line):
            return NotImplemented
        mine = (self.text, self.links, self.images, self.emphasised)
        return mine == (other.text, other.links, other.images, other.emphasised)

    __hash__ = None  # mutable, as the dataclass it replaced

    def __repr__(self) -> str:
        return f"Line({self.text!r}, {self.links!r}, {self.images!r}, emphasised={self.emphasised!r})"


class _RenderedLine(Line):
    """A line of a rendered page. Its text is known at once; its links, images and emphasis are
    worked out from the page's rendering the first time they are read, since extraction reads them
    on a few lines only (title candidates, body) and building them for every line of the nav cost
    more than the parse of the page."""

    __slots__ = ("_page", "_segment")

    def __init__(self, text: str, page: _RenderedPage, segment: int) -> None:
        self.text, self._page, self._segment = text, page, segment
        self._links = self._emphasised = None
        self._images = None if page.has_images else []

    @property
    def links(self) -> list[Link]:
        """Return the followable links that start on this line, in document order."""
        if self._links is None:
            self._links = self._page.links(self._segment)
        return self._links

    @property
    def images(self) -> list[Image]:
        """Return the images with a usable source on this line, in document order."""
        if self._images is None:
            self._images = self._page.images(self._segment)
        return self._images

    @property
    def anchor_count(self) -> int:
        """Return how many ``<a>`` start on this line, followable or not: at least ``len(links)``."""
        return self._page.anchor_count(self._segment)

    @property
    def emphasised(self) -> bool:
        """Return True when the line is mostly inside h1-h6, strong, b or a big font (80% of its
        non-space characters): a title candidate. Counted on the line's own marked text nodes
        (see :meth:`_RenderedPage.emphasised_chars`)."""
        if self._emphasised is None:
            text = self.text
            self._emphasised = bool(text) and self._page.emphasised_chars(self._segment) >= 0.8 * visible_chars(text)
        return self._emphasised


def fold_space(text: str) -> str:
    """Return ``text`` with every whitespace run (NBSP, U+3000 included) folded to one space, stripped."""
    if "\u200b" in text or "\ufeff" in text:  # the only two of _SPACE that str.split() does not split on
        return _SPACE.sub(" ", text).strip()
    return " ".join(text.split())


def visible_chars(text: str) -> int:
    """Return how many characters of ``text`` are not whitespace (as :func:`fold_space` sees it)."""
    return len(fold_space(text).replace(" ", ""))


# Plain lxml elements: lxml.html's Python-level element classes cost more than the parse itself.
_PARSER = etree.HTMLParser(encoding="utf-8", remove_blank_text=False)


def parse_html(data: bytes) -> etree._Element:
    """Return the root element of an HTML page given as UTF-8 bytes; raise ValueError when there is none."""
    root = etree.fromstring(data, _PARSER)
    if root is None:
        raise ValueError("no element")
    return root


def title_of(root: etree._Element) -> str:
    """Return the text of the page's ``<title>`` (of all of them, joined), whitespace folded."""
    return fold_space(" ".join(_text_content(title) for title in root.iter("title")))


def base_url_of(root: etree._Element, page_url: str) -> str:
    """Return the URL relative links resolve against: the page's ``<base href>`` if any, else its URL."""
    for base in root.iter("base"):
        href = (base.get("href") or "").strip()
        if href:
            return resolve_url(page_url, href) or page_url
    return page_url


def render_lines(root: etree._Element, page_url: str) -> list[Line]:
    """Return the non-empty rendered lines of the document ``root`` in reading order.

    Mutates ``root``: what a reader never sees (scripts, styles, comments, hidden elements) is
    removed first, with C-level calls, so that the stylesheet only visits rendered content and the
    n-th ``<a>`` or ``<img>`` of the tree is the n-th marked in its output.
    """
    base_url = base_url_of(root, page_url)  # before the strip: <base> is in <head>
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, *SKIP_TAGS, with_tail=False)
    attributes = _PRESENTATION_ATTRIBUTES(root)
    _remove_hidden(root, attributes)
    # Big fonts, which the stylesheet cannot tell by name, are renamed for the transform (see
    # TreeRenderer.big_font_tag); elements stripped as hidden may be among them, which is harmless.
    big_fonts = {
        element
        for element in {attribute.getparent() for attribute in attributes if _may_size(attribute)}
        if element.tag not in _HEADING_TAGS and _is_emphasis(element)
    }
    # Data tables, which the stylesheet cannot tell apart by name, get a marking attribute for the
    # transform (upper case: the HTML parser lower-cases every attribute name, so no page has it).
    tables = next(root.iter("table"), None) is not None and _DATA_TABLE_CANDIDATES(root)
    data_tables = [table for table in tables or () if _has_no_prose_cell(table)]
    for table in data_tables:
        table.set(DATA_TABLE_ATTRIBUTE, "")
    renamed = [(element, element.tag) for element in big_fonts]
    for element, tag in renamed:
        element.tag = _RENDERER.big_font_tag(tag)
    try:
        text, markers = _RENDERER.render(root)
    finally:
        for table in data_tables:
            del table.attrib[DATA_TABLE_ATTRIBUTE]
        for element, tag in renamed:
            element.tag = tag
    return _cut_lines(_RenderedPage(text, markers, root, base_url))


# -- Cutting the rendered text into lines ------------------------------------------------------------
def _cut_lines(page: _RenderedPage) -> list[Line]:
    """Return the lines of a page's rendered text.

    A line is the text between two line markers (a segment). Only the text of each line is worked
    out here, with whole-string methods; its links, images and emphasis are worked out when first
    asked for (:class:`_RenderedPage`).
    """
    m, text = page.markers, page.text
    if m.link in text:
        text = text.replace(m.link, "")
    if m.emphasis in text:
        text = text.replace(m.emphasis, "").replace(m.emphasis_end, "")
    if m.space in text:
        text = text.replace(m.space, " ")
    text = fold_space(text)  # all at once (no run crosses a marker): a line then only needs stripping
    lines: list[Line] = []
    for segment, raw in enumerate(map(str.strip, text.split(m.line))):
        if raw.isprintable():  # the usual line: no image, no cell
            if raw:
                lines.append(_RenderedLine(raw, page, segment))
            continue
        if m.image in raw:
            raw = fold_space(raw.replace(m.image, ""))  # an image may have stood between two spaces
        if m.cell in raw:
            cells = [cell.strip() for cell in raw.split(m.cell)]
            while cells and not cells[-1]:
                cells.pop()
            while cells and not cells[0]:
                cells.pop(0)
            raw = "\t".join(cells)
        line = _RenderedLine(raw, page, segment)
        if raw or line.images:
            lines.append(line)
    return lines


class _RenderedPage:
    """The stylesheet's output for one page and its tree, from which lines build their links,
    images and emphasis on demand; what is built is kept, so a link read twice is the same object.

    The n-th link marker of the text is the n-th ``<a>`` of the tree; likewise for images.
    """

    def __init__(self, text: str, markers: Markers, root: etree._Element, base_url: str) -> None:
        # Most line breaks come in runs (every block opens and closes one): empty lines go first, in C.
        self.text = markers.empty_line.sub("", text)
        self.markers, self.root, self.base_url = markers, root, base_url
        self.has_images = markers.image in self.text
        self._segments: list[str] | None = None  # the text of each line, markers included
        self._link_slots: list[tuple[int, int]] | None = None  # per segment: (first <a>, how many)
        self._image_slots: list[tuple[int, int]] | None = None
        self._anchors: list[etree._Element] = []
        self._links: dict[int, Link | None] = {}
        self._image_elements: list[etree._Element] = []

    def links(self, segment: int) -> list[Link]:
        """Return the followable links that start in line segment ``segment``."""
        first, count = self._link_slot(segment)
        if count and not self._anchors:
            self._anchors = list(self.root.iter("a"))
        found = []
        for index in range(first, first + count):
            if index not in self._links:
                self._links[index] = _link_of(self._anchors[index], self.base_url)
            if self._links[index] is not None:
                found.append(self._links[index])
        return found

    def images(self, segment: int) -> list[Image]:
        """Return the images with a usable source in line segment ``segment``."""
        if self._image_slots is None:
            self._image_slots = self._slots(self.markers.image)
            self._image_elements = list(self.root.iter("img"))
        first, count = self._image_slots[segment]
        found = (_image_of(element, self.base_url) for element in self._image_elements[first : first + count])
        return [image for image in found if image is not None]

    def anchor_count(self, segment: int) -> int:
        """Return how many ``<a>`` start in line segment ``segment``."""
        return self._link_slot(segment)[1]

    def _link_slot(self, segment: int) -> tuple[int, int]:
        """Return (index of the first ``<a>``, how many) of line segment ``segment``."""
        if self._link_slots is None:
            self._link_slots = self._slots(self.markers.link)
        return self._link_slots[segment]

    def _segment_texts(self) -> list[str]:
        if self._segments is None:
            self._segments = self.text.split(self.markers.line)
        return self._segments

    def _slots(self, mark: str) -> list[tuple[int, int]]:
        """Return, per segment, the number of ``mark`` before it and in it."""
        counts = [segment.count(mark) for segment in self._segment_texts()]
        return list(zip(accumulate(counts, initial=0), counts, strict=False))

    def emphasised_chars(self, segment: int) -> int:
        """Return how many non-space characters of line segment ``segment`` are emphasised: those
        between the segment's own emphasis markers (one pair per emphasised text node)."""
        raw, m = self._segment_texts()[segment], self.markers
        if m.emphasis not in raw:
            return 0
        return sum(visible_chars(piece.partition(m.emphasis_end)[0]) for piece in raw.split(m.emphasis)[1:])


def _link_of(element: etree._Element, base_url: str) -> Link | None:
    """Return the link an ``<a>`` makes, or None when it cannot be followed; its text is what the
    reader clicks: the text inside it, else the alt text of its images."""
    href = _HREF_TABS.sub("", element.get("href") or "").strip(_HREF_EDGES).strip()
    if not href or href.lower().startswith(_UNFOLLOWABLE):
        return None
    link_text = fold_space(_text_content(element))
    if not link_text:
        link_text = fold_space(" ".join(img.get("alt") or "" for img in element.iter("img")))
    return Link(href, link_text, base_url)


def _image_of(element: etree._Element, base_url: str) -> Image | None:
    """Return the image an ``<img>`` shows, or None when it has no usable source."""
    for attr in _IMAGE_SRC_ATTRS:
        src = (element.get(attr) or "").strip()
        if src and not src.lower().startswith("data:"):
            alt = fold_space(element.get("alt") or element.get("title") or "")
            return Image(src, alt, base_url)
    return None


# -- Decisions on the tree ---------------------------------------------------------------------------
_MAX_DATA_CELL = 200  # a longer cell is a layout cell holding the article, not a figure in a table
_PROSE_BLOCK = 30  # characters: a block this long in a cell is a paragraph of text, not a figure
# The attributes that can hide an element, as strings that know their name and element (attrname,
# getparent()): one XPath call per page rather than one per attribute. (type=hidden only hides an
# <input>, and inputs are not rendered at all.)
_PRESENTATION_ATTRIBUTES = etree.XPath("//@style|//@hidden|//font/@size")
# Data tables: leaf tables (no table inside) with a row of two or more cells, none of them long.
_DATA_TABLE_CANDIDATES = etree.XPath(
    "//table[not(.//table)][.//tr[td[2] or th[2] or (td and th)]]"
    f"[not(.//td[string-length() > {_MAX_DATA_CELL}] or .//th[string-length() > {_MAX_DATA_CELL}])]"
)
_DOOMED = "HIDDEN-ELEMENT"  # upper case: the HTML parser lower-cases every tag name


def _hides(attribute: etree._ElementUnicodeResult) -> bool:
    """Return True when an attribute (of _PRESENTATION_ATTRIBUTES) keeps its element from being
    rendered: display:none or visibility:hidden, hidden."""
    if attribute.attrname == "size":
        return False
    if attribute.attrname == "style":
        lowered = attribute.lower()  # the pattern needs "none" or "hidden": no non-ASCII letter lowers into them
        return ("none" in lowered or "dden" in lowered) and _HIDDEN_STYLE.search(attribute) is not None
    return True  # the hidden attribute


def _may_size(attribute: etree._ElementUnicodeResult) -> bool:
    """Return True when an attribute (of _PRESENTATION_ATTRIBUTES) may make its element a big font,
    for :func:`_is_emphasis` to decide: a font's size, a style with a font-size."""
    return attribute.attrname == "size" or (attribute.attrname == "style" and "font-size" in attribute.lower())


def _remove_hidden(root: etree._Element, attributes: list[etree._ElementUnicodeResult]) -> None:
    """Remove the hidden elements (not their tails) from ``root``.

    They are renamed and stripped in one C call, which keeps each tail where it was: the tree ends
    up as if each had been unlinked with its tail moved onto the previous sibling's tail (or the
    parent's text), without handing that text to lxml's setters, which refuse control characters.
    """
    hidden = {attribute.getparent() for attribute in attributes if _hides(attribute)}
    hidden.discard(root)  # the root itself stays
    for element in hidden:
        element.tag = _DOOMED
    if hidden:
        etree.strip_elements(root, _DOOMED, with_tail=False)


def _is_emphasis(element: etree._Element) -> bool:
    """Return True when the text inside ``element`` is emphasised: a heading, bold or a big font."""
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


def _has_no_prose_cell(table: etree._Element) -> bool:
    """Return True when no cell of ``table`` holds two paragraphs of prose (an article in a layout
    cell), the last test of a data table after :data:`_DATA_TABLE_CANDIDATES`."""
    for cell in table.iter("td", "th"):
        prose = sum(1 for block in cell.iter("p", "div", "li") if len(_text_content(block).strip()) >= _PROSE_BLOCK)
        if prose > 1:
            return False
    return True


def _text_content(element: etree._Element) -> str:
    """Return all the text inside ``element`` (not its tail), serialised in one C call."""
    return etree.tostring(element, method="text", encoding=str, with_tail=False)


# Compiled once: the stylesheet is generated from the tag set above.
_RENDERER = TreeRenderer(blocks=BLOCK_TAGS - {"tr", "table"}, emphases=_HEADING_TAGS)
