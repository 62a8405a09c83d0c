"""The XSLT stylesheet that walks a page's tree in C for :func:`.lines.render_lines`.

The stylesheet writes the page's text in document order with a marker character wherever the
line structure needs one: a line break around each block element and at each ``<br>`` (a space
instead, inside a data table), a cell sentinel at each ``<td>``/``<th>``, and one marker at the
start of each link and at each image, so that Python can tell which line holds the n-th ``<a>``
and ``<img>`` of the tree. Nothing else is marked: link texts and emphasis are read from the tree
when asked for (:class:`.lines._RenderedPage`), which is rarely, so the common case writes and cuts
as few markers as possible.

The markers are Unicode noncharacters (U+FDD0...), written as text: the cheapest output there is.
A page whose own text holds one (checked on its text, serialised in C) is rendered instead by the
same templates writing marker *elements* with ``method="html"``, which escapes "<" in the page's
text, so that a marker's tag (``<L></L>``) can never be mistaken for text; those tags are then
turned into lone surrogates, which no text from lxml can hold.

Data tables, which the stylesheet cannot tell apart by name, are marked by the caller with an
attribute for the time of the transform (``table[@DATA]``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from lxml import etree

DATA_TABLE_ATTRIBUTE = "DATA"  # upper case: the HTML parser lower-cases every attribute name
_NAMES = ("line", "space", "cell", "link", "image")
_ELEMENTS = "LSCAI"  # the result-tree element of each marker in the fallback stylesheet


class Markers:
    """The marker characters of one rendering, and the patterns built from them."""

    def __init__(self, characters: Iterable[str]) -> None:
        (
            self.line,  # a line break
            self.space,  # a block or <br> inside a data table: a space
            self.cell,  # a table cell starts
            self.link,  # an <a> starts
            self.image,  # an <img>
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

    def __init__(self, blocks: Iterable[str]) -> None:
        self._text = etree.XSLT(etree.XML(_stylesheet(sorted(blocks), "text", _character_marker)), regexp=False)
        self._tags = etree.XSLT(etree.XML(_stylesheet(sorted(blocks), "html", _element_marker)), regexp=False)

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


def _stylesheet(blocks: list[str], output: str, marker: Callable[[int], str]) -> str:
    """Return the text of the stylesheet writing ``output`` ("text" or "html") with ``marker``."""
    line, space, cell, link, image = map(marker, range(len(_NAMES)))

    def template(match: str, mode: str, before: str, after: str = "", children_mode: str | None = None) -> str:
        mode_attr = f' mode="{mode}"' if mode else ""
        children_mode = mode if children_mode is None else children_mode
        children_attr = f' mode="{children_mode}"' if children_mode else ""
        return (
            f'<xsl:template match="{match}"{mode_attr}>{before}'
            f"<xsl:apply-templates{children_attr}/>{after}</xsl:template>"
        )

    def empty(match: str, mode: str, output: str) -> str:  # an element whose content is not rendered
        mode_attr = f' mode="{mode}"' if mode else ""
        return f'<xsl:template match="{match}"{mode_attr}>{output}</xsl:template>'

    templates = []
    # In a data table (mode "data") blocks keep to the row's line; rows and tables still break.
    # Every other element falls to the built-in template: its children, in the same mode.
    for mode, break_ in (("", line), ("data", space)):
        templates += [
            template("|".join(blocks), mode, break_, break_),
            empty("br", mode, break_),
            template("tr|table", mode, line, line),
            template(f"table[@{DATA_TABLE_ATTRIBUTE}]", mode, line, line, children_mode="data"),
            template("td|th", mode, cell),
            template("a", mode, link),
            empty("img", mode, image),
        ]
    header = '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
    output_element = f'<xsl:output method="{output}" encoding="utf-8" indent="no"/>'
    # Only the root element: libxml2 puts what follows a closed </html> in sibling elements of it.
    root = '<xsl:template match="/"><xsl:apply-templates select="*[1]"/></xsl:template>'
    return "\n".join([header, output_element, root, *templates, "</xsl:stylesheet>"])
