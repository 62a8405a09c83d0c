"""Render an HTML tree to the lines a reader sees, keeping the links and images of each line.

Extraction works on these lines rather than on CSS classes: the portal's templates are unknown and
vary (tables, divs, ``<br>`` bodies), but what a reader sees, line by line, is the same everywhere.
Rules: every block element and every ``<br>`` starts a line; table cells on one row join with a TAB;
inline elements join without added space; whitespace runs (NBSP and U+3000 included) fold to one
space; scripts, styles, comments and hidden elements are not rendered.

How, for speed: walking the tree element by element from Python costs several times the parse of
the page, since every element, text and tail becomes a Python object. So the walk is done in C by
an XSLT stylesheet (:mod:`.render_xslt`) that writes the page's text with a marker character for
each line break, cell, link, image and emphasised run; Python then cuts that one string into lines
with string methods. Python only looks at the few elements whose attributes decide something
(hidden and big-font elements, data tables, links, images), found with XPath and ``iter(tag)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import islice
from urllib.parse import urljoin

from lxml import etree

from .render_xslt import BIG_FONT_ATTRIBUTE, DATA_TABLE_ATTRIBUTE, Markers, TreeRenderer

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
_CELL = "\ue000"  # between table cells in a line's raw text; a page's own U+E000 splits cells too
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
    if "\u200b" in text or "\ufeff" in text:  # the only two of _SPACE that str.split() does not split on
        return _SPACE.sub(" ", text).strip()
    return " ".join(text.split())


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
    removed first, with C-level calls, so that the stylesheet only visits rendered content; the
    links and images are then matched to their markers by document order (``root.iter(tag)``).
    """
    base_url = base_url_of(root, page_url)  # before the strip: <base> is in <head>
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, *SKIP_TAGS, with_tail=False)
    attributes = _DECIDING_ATTRIBUTES(root)
    if attributes and _remove_hidden(root, attributes):
        attributes = _DECIDING_ATTRIBUTES(root)
    # Elements the stylesheet cannot tell apart by name get a marking attribute for the transform
    # (upper case: the HTML parser lower-cases every attribute name, so no page has them).
    big_font = _big_font_elements(attributes)
    data_tables = [table for table in root.iter("table") if _is_leaf_table(table) and _is_data_table(table)]
    for element in big_font:
        element.set(BIG_FONT_ATTRIBUTE, "")
    for table in data_tables:
        table.set(DATA_TABLE_ATTRIBUTE, "")
    try:
        text, markers = _RENDERER.render(root, big_font=bool(big_font))
    finally:
        for element in big_font:
            del element.attrib[BIG_FONT_ATTRIBUTE]
        for table in data_tables:
            del table.attrib[DATA_TABLE_ATTRIBUTE]
    return _cut_lines(text, markers, root, base_url)


# -- Cutting the rendered text into lines ------------------------------------------------------------
def _cut_lines(text: str, m: Markers, root: etree._Element, base_url: str) -> list[Line]:
    """Return the lines of the stylesheet's output ``text``, whose markers are ``m``.

    What the reference walk did per element is done here per line: a line is the text between two
    line markers, its links and images are those whose markers it holds, in document order.
    """
    links = _links(text, m, root, base_url) if m.link_start in text else []
    images = [_image_of(element, base_url) for element in root.iter("img")] if m.image in text else []
    if m.emphasis_start in text:
        text = _count_emphasis(text, m)
    for mark in (m.boundary, m.link_end, m.emphasis_start, m.emphasis_end):
        if mark in text:
            text = text.replace(mark, "")
    # Fold all whitespace at once (no run crosses a marker); a line then only needs stripping.
    text = _SPACE.sub(" ", text) if "\u200b" in text or "\ufeff" in text else " ".join(text.split())
    lines = []
    next_links, next_images = iter(links), iter(images)
    for raw in filter(None, map(str.strip, text.split(m.line))):
        if raw.isprintable():  # plain text: no marker, cell sentinel...
            lines.append(Line(raw))
            continue
        line_links = line_images = ()
        chars = 0
        count = raw.count(m.link_start)
        if count:
            line_links = [link for link in islice(next_links, count) if link is not None]
            raw = raw.replace(m.link_start, "")
        count = raw.count(m.image)
        if count:
            line_images = [image for image in islice(next_images, count) if image is not None]
            raw = raw.replace(m.image, "")
        if m.count in raw:  # "...count 12 count..." (see _count_emphasis)
            pieces = raw.split(m.count)
            chars = sum(map(int, pieces[1::2]))
            raw = "".join(pieces[0::2])
        if m.cell in raw:
            raw = raw.replace(m.cell, _CELL)
        if m.space in raw:
            raw = raw.replace(m.space, " ")
        if _CELL in raw:
            cells = [fold_space(cell) for cell in raw.split(_CELL)]
            while cells and not cells[-1]:
                cells.pop()
            while cells and not cells[0]:
                cells.pop(0)
            line_text = "\t".join(cells)
        else:
            line_text = fold_space(raw)
        if line_text or line_images:
            is_emphasised = bool(line_text) and chars >= 0.8 * len(line_text.replace(" ", ""))
            lines.append(Line(line_text, list(line_links), list(line_images), is_emphasised))
    return lines


def _links(text: str, m: Markers, root: etree._Element, base_url: str) -> list[Link | None]:
    """Return, for each ``<a>`` in document order, its Link, or None when it cannot be followed."""
    texts = m.linked_text.findall(text)
    if len(texts) != text.count(m.link_start):  # a link inside a link: pair the markers up
        texts, open_links = [], []
        for match in m.link_edges.finditer(text):
            if match.group() == m.link_start:
                open_links.append((len(texts), match.end()))
                texts.append("")
            else:
                index, start = open_links.pop()
                texts[index] = text[start : match.start()]
    links: list[Link | None] = []
    for element, raw in zip(root.iter("a"), texts, strict=True):  # one marker per <a>
        href = (element.get("href") or "").strip()
        if not href or href.lower().startswith(_UNFOLLOWABLE):
            links.append(None)
            continue
        link_text = fold_space(raw if raw.isprintable() else m.any.sub("", raw))
        if not link_text:
            link_text = fold_space(" ".join(img.get("alt") or "" for img in element.iter("img")))
        links.append(Link(href, link_text, base_url))
    return links


def _image_of(element: etree._Element, base_url: str) -> Image | None:
    """Return the image an ``<img>`` shows, or None when it has no usable source."""
    for attr in _IMAGE_SRC_ATTRS:
        src = (element.get(attr) or "").strip()
        if src and not src.lower().startswith("data:"):
            alt = fold_space(element.get("alt") or element.get("title") or "")
            return Image(src, alt, base_url)
    return None


def _count_emphasis(text: str, m: Markers) -> str:
    """Return ``text`` with, on each line holding emphasised text, the number of its emphasised
    characters (each text piece stripped, as the reference counts them) between two ``m.count``."""
    out = []
    depth = start = last = 0
    for match in m.emphasis_edges.finditer(text):
        if match.group() == m.emphasis_start:
            if not depth:
                start = match.start()
            depth += 1
            continue
        depth -= 1
        if depth:
            continue
        parts = text[start : match.end()].split(m.line)  # an emphasised run may span lines
        for index, part in enumerate(parts):
            count = sum(len(piece.strip()) for piece in m.any.split(part))
            if count:
                parts[index] = f"{part}{m.count}{count}{m.count}"
        out += (text[last:start], m.line.join(parts))
        last = match.end()
    out.append(text[last:])
    return "".join(out)


# -- Decisions on the tree ---------------------------------------------------------------------------
_MAX_DATA_CELL = 200  # a longer cell is a layout cell holding the article, not a figure in a table
_PROSE_BLOCK = 30  # characters: a block this long in a cell is a paragraph of text, not a figure
# The attributes that can hide an element or make its font big, as strings that know their name
# and element (attrname, getparent()): one XPath call per page rather than one per attribute.
_DECIDING_ATTRIBUTES = etree.XPath("//@style|//@hidden|//@type|//font/@size")
_DOOMED = "HIDDEN-ELEMENT"  # upper case: the HTML parser lower-cases every tag name


def _hides(attribute: etree._ElementUnicodeResult) -> bool:
    """Return True when an attribute (of _DECIDING_ATTRIBUTES) keeps its element from being rendered:
    display:none or visibility:hidden, hidden, type=hidden."""
    name = attribute.attrname
    if name == "style":
        lowered = attribute.lower()  # the pattern needs "none" or "hidden": no non-ASCII letter lowers into them
        return ("none" in lowered or "dden" in lowered) and _HIDDEN_STYLE.search(attribute) is not None
    if name == "type":
        return attribute.lower() == "hidden"
    return name == "hidden"


def _remove_hidden(root: etree._Element, attributes: list[etree._ElementUnicodeResult]) -> bool:
    """Remove the hidden elements (not their tails) from ``root``; return True when there were any.

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
    return bool(hidden)


def _big_font_elements(attributes: list[etree._ElementUnicodeResult]) -> list[etree._Element]:
    """Return the elements emphasised by their font size alone (see _is_emphasis): the candidates
    are fonts with a size and elements with a font-size style; h1-h6, strong and b are by name."""
    candidates = {
        attribute.getparent()
        for attribute in attributes
        if attribute.attrname == "size" or (attribute.attrname == "style" and "font-size" in attribute)
    }
    return [element for element in candidates if element.tag not in _HEADING_TAGS and _is_emphasis(element)]


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


def _is_leaf_table(table: etree._Element) -> bool:
    """Return True when no table is nested in ``table`` (iter() yields the table itself first)."""
    return next(islice(table.iter("table"), 1, None), None) is None


def _is_data_table(table: etree._Element) -> bool:
    """Return True for a table of figures rather than of layout (the caller checks it is a leaf): a
    row of 2+ cells, short cells, none holding two paragraphs of prose (an article in a layout cell)."""
    if not any(sum(1 for _ in row.iterchildren("td", "th")) >= 2 for row in table.iter("tr")):
        return False
    for cell in table.iter("td", "th"):
        if len(_text_content(cell)) > _MAX_DATA_CELL:
            return False
        prose = sum(1 for block in cell.iter("p", "div", "li") if len(_text_content(block).strip()) >= _PROSE_BLOCK)
        if prose > 1:
            return False
    return True


def _text_content(element: etree._Element) -> str:
    """Return :func:`text_of` ``element``, serialised in one C call."""
    return etree.tostring(element, method="text", encoding=str, with_tail=False)


# Compiled once: the stylesheets are generated from the tag sets above.
_RENDERER = TreeRenderer(
    blocks=BLOCK_TAGS - _HEADING_TAGS - {"tr", "table"},
    headings=_HEADING_TAGS & BLOCK_TAGS,
    emphasis=_HEADING_TAGS - BLOCK_TAGS,
)
