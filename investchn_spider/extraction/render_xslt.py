"""The XSLT stylesheet that walks a page's tree in C for :func:`.lines.render_lines`.

The stylesheet writes the page's text in document order with a marker character wherever the
line structure needs one: a line break around each block element and at each ``<br>`` (a space
instead, inside a data table), a cell sentinel at each ``<td>``/``<th>``, and one marker at the
start of each link and at each image, so that Python can tell which line holds the n-th ``<a>``
and ``<img>`` of the tree, and a pair of markers around each text node inside an emphasis (h1-h6,
``<b>``, ``<strong>``, an element the caller marked as a big font): emphasis is a property of a text
node's own ancestors, so it is decided here, during the walk, and a line counts the characters
between its own pairs (never text equal to an emphasised text elsewhere on the page). Link texts
are read from the tree when asked for (:class:`.lines._RenderedPage`), which is rarely.

The walk has four modes: plain, inside a data table, inside an emphasis, and both; every element
template exists in each, and an emphasis element sends its children to the emphasis variant of the
mode it is in, where each text node is written between the two emphasis markers.

The markers are Unicode noncharacters (U+FDD0...), written as text: the cheapest output there is.
A page whose own text holds one (checked on its text, serialised in C) is rendered instead by the
same templates writing marker *elements* with ``method="html"``, which escapes "<" in the page's
text, so that a marker's tag (``<L></L>``) can never be mistaken for text; those tags are then
turned into lone surrogates, which no text from lxml can hold.

Data tables and big fonts, which the stylesheet cannot tell apart by name, are marked by the
caller for the time of the transform: a data table with an attribute (``table[@DATA]``), a big font
by renaming it (:meth:`TreeRenderer.big_font_tag`; the HTML parser lower-cases every tag name, so
an upper-case name is never a page's own).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from lxml import etree

DATA_TABLE_ATTRIBUTE = "DATA"  # upper case: the HTML parser lower-cases every attribute name
BIG_FONT_TAG = "BIG-FONT"  # what an element with no template of its own is renamed to as a big font
_NAMES = ("line", "space", "cell", "link", "image", "emphasis", "emphasis_end")
_ELEMENTS = "LSCAIEF"  # the result-tree element of each marker in the fallback stylesheet


class Markers:
    """The marker characters of one rendering, and the patterns built from them."""

    def __init__(self, characters: Iterable[str]) -> None:
        (
            self.line,  # a line break
            self.space,  # a block or <br> inside a data table: a space
            self.cell,  # a table cell starts
            self.link,  # an <a> starts
            self.image,  # an <img>
            self.emphasis,  # an emphasised text node starts
            self.emphasis_end,  # and ends
        ) = self.all = tuple(characters)
        # A line break followed by nothing but space before the next: an empty line.
        self.empty_line = re.compile(f"{self.line}[\\s\u200b\ufeff]*(?={self.line})")


TEXT_MARKERS = Markers(map(chr, range(0xFDD0, 0xFDD0 + len(_NAMES))))
TAG_MARKERS = Markers(map(chr, range(0xD800, 0xD800 + len(_NAMES))))  # lone surrogates
# Noncharacters are U+FDD0-U+FDEF; "\xef\xb7" starts the UTF-8 of U+FDC0-U+FDFF, a few more.
_TEXT_MARKER_BYTES = b"\xef\xb7"
_TAG_OF_MARK = tuple(
    (f"<{element}></{element}>", mark) for element, mark in zip(_ELEMENTS, TAG_MARKERS.all, strict=True)
)


class TreeRenderer:
    """The compiled transforms for the tag sets of :mod:`.lines`, which owns the rendering rules.

    ``blocks`` are the block tags other than rows and tables.
    """

    def __init__(self, blocks: Iterable[str], emphases: Iterable[str]) -> None:
        args = sorted(blocks), sorted(emphases)
        self._templated = frozenset(blocks) | {"br", "tr", "table", "td", "th", "a", "img"}
        self._text = etree.XSLT(etree.XML(_stylesheet(*args, "text", _character_marker)), regexp=False)
        self._tags = etree.XSLT(etree.XML(_stylesheet(*args, "html", _element_marker)), regexp=False)

    def big_font_tag(self, tag: str) -> str:
        """Return the name an element ``tag`` takes for the time of the transform to be rendered as
        a big font: its name upper-cased when it has a template of its own, else BIG_FONT_TAG."""
        return tag.upper() if tag in self._templated else BIG_FONT_TAG

    def render(self, root: etree._Element) -> tuple[str, Markers]:
        """Return the text of the tree ``root`` with marker characters, and those markers."""
        if _TEXT_MARKER_BYTES not in etree.tostring(root, method="text", encoding="utf-8"):
            return str(self._text(root)), TEXT_MARKERS
        text = str(self._tags(root))
        for tag, mark in _TAG_OF_MARK:
            if tag in text:
                text = text.replace(tag, mark)
        if "&" in text:
            text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        return text, TAG_MARKERS


def _character_marker(index: int) -> str:
    """Return the stylesheet text writing marker number ``index`` as a character."""
    return f"&#x{ord(TEXT_MARKERS.all[index]):X};"


def _element_marker(index: int) -> str:
    """Return the stylesheet text writing marker number ``index`` as an empty element."""
    return f"<{_ELEMENTS[index]}/>"


def _stylesheet(blocks: list[str], emphases: list[str], output: str, marker: Callable[[int], str]) -> str:
    """Return the text of the stylesheet writing ``output`` ("text" or "html") with ``marker``.

    ``emphases`` are the tags whose text is emphasised (some may be blocks too)."""
    line, space, cell, link, image, emphasis, emphasis_end = map(marker, range(len(_NAMES)))

    def mode_name(data: bool, emph: bool) -> str:
        return ("data" if data else "") + ("emph" if emph else "")

    def template(
        match: str, data: bool, emph: bool, before: str, after: str, children: tuple[bool, bool] | None
    ) -> str:
        """A template in mode (data, emph) whose children go to mode ``children`` (None: no children)."""
        mode = mode_name(data, emph)
        mode_attr = f' mode="{mode}"' if mode else ""
        inner = ""
        if children is not None:
            child_mode = mode_name(*children)
            inner = f'<xsl:apply-templates mode="{child_mode}"/>' if child_mode else "<xsl:apply-templates/>"
        return f'<xsl:template match="{match}"{mode_attr}>{before}{inner}{after}</xsl:template>'

    templates = []
    # In a data table (mode "data") blocks keep to the row's line; rows and tables still break.
    # Every other element falls to the built-in template: its children, in the same mode; an
    # emphasis (by name; or a big font, renamed by the caller: see TreeRenderer.big_font_tag)
    # sends its children to the emphasis variant of the mode. Matching is by name only: a
    # predicate (*[@size]) would be evaluated on every element, which tripled the walk's time.
    for data in (False, True):
        break_ = space if data else line
        for emph in (False, True):
            # (names, before, after, children in a data table?, emphasis by name?, has children?)
            rules = [
                ([b for b in blocks if b not in emphases], break_, break_, data, False, True),
                ([b for b in blocks if b in emphases], break_, break_, data, True, True),
                ([e for e in emphases if e not in blocks], "", "", data, True, True),
                (["br"], break_, "", data, False, False),
                (["tr", "table"], line, line, data, False, True),
                ([f"table[@{DATA_TABLE_ATTRIBUTE}]"], line, line, True, False, True),
                (["td", "th"], cell, "", data, False, True),
                (["a"], link, "", data, False, True),
                (["img"], image, "", data, False, False),
            ]
            for names, before, after, child_data, by_name, content in rules:
                if not names:
                    continue
                children = (child_data, emph or by_name) if content else None
                templates.append(template("|".join(names), data, emph, before, after, children))
                if not by_name:  # the same element as a big font, upper-cased: its children are emphasised
                    children = (child_data, True) if content else None
                    upper = "|".join(_upper_name(name) for name in names)
                    templates.append(template(upper, data, emph, before, after, children))
            templates.append(template(BIG_FONT_TAG, data, emph, "", "", (data, True)))
            if emph:
                templates.append(
                    f'<xsl:template match="text()" mode="{mode_name(data, emph)}">{emphasis}'
                    f'<xsl:value-of select="."/>{emphasis_end}</xsl:template>'
                )
    header = '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
    output_element = f'<xsl:output method="{output}" encoding="utf-8" indent="no"/>'
    # Only the root element: libxml2 puts what follows a closed </html> in sibling elements of it.
    root = '<xsl:template match="/"><xsl:apply-templates select="*[1]"/></xsl:template>'
    return "\n".join([header, output_element, root, *templates, "</xsl:stylesheet>"])


def _upper_name(pattern: str) -> str:
    """Return a name pattern with its element name upper-cased (``table[@DATA]`` -> ``TABLE[@DATA]``)."""
    name, bracket, rest = pattern.partition("[")
    return name.upper() + bracket + rest
