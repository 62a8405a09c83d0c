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
mode it is in.

The markers are Unicode noncharacters (U+FDD0...), written as text: the cheapest output there is.
A page whose own text holds one (checked on its text, serialised in C) is rendered instead by the
same templates writing marker *elements* with ``method="html"``, which escapes "<" in the page's
text, so that a marker's tag (``<L></L>``) can never be mistaken for text; those tags are then
turned into lone surrogates, which no text from lxml can hold.

Data tables and big fonts, which the stylesheet cannot tell apart by name, are marked by the
caller with an attribute for the time of the transform (``table[@DATA]``, ``*[@EMPH]``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from lxml import etree

DATA_TABLE_ATTRIBUTE = "DATA"  # upper case: the HTML parser lower-cases every attribute name
EMPHASIS_ATTRIBUTE = "EMPH"
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
        self._text = etree.XSLT(etree.XML(_stylesheet(*args, "text", _character_marker)), regexp=False)
        self._tags = etree.XSLT(etree.XML(_stylesheet(*args, "html", _element_marker)), regexp=False)

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
    emphasised = f"[@{EMPHASIS_ATTRIBUTE}]"

    def mode_name(data: bool, emph: bool) -> str:
        return ("data" if data else "") + ("emph" if emph else "")

    def template(
        match: str, data: bool, emph: bool, before: str = "", after: str = "", children: bool | None = None, **kw
    ) -> str:
        """A template in mode (data, emph) whose children go to mode (``children`` or data, emph)."""
        mode = mode_name(data, emph)
        mode_attr = f' mode="{mode}"' if mode else ""
        priority = f' priority="{kw["priority"]}"' if "priority" in kw else ""
        child_mode = mode_name(data if children is None else children, kw.get("child_emph", emph))
        child_attr = f' mode="{child_mode}"' if child_mode else ""
        inner = "" if kw.get("empty") else f"<xsl:apply-templates{child_attr}/>"
        return f'<xsl:template match="{match}"{mode_attr}{priority}>{before}{inner}{after}</xsl:template>'

    templates = []
    # In a data table (mode "data") blocks keep to the row's line; rows and tables still break.
    # Every other element falls to the built-in template: its children, in the same mode; an
    # emphasis element (by name, or marked) to a template sending them to the emphasis mode.
    for data in (False, True):
        break_ = space if data else line
        for emph in (False, True):
            # (patterns, before, after, children's data mode, is an emphasis by name, empty, priority)
            rules = [
                ([b for b in blocks if b not in emphases], break_, break_, None, False, False, 0),
                ([b for b in blocks if b in emphases], break_, break_, None, True, False, 0),
                ([e for e in emphases if e not in blocks], "", "", None, True, False, 0),
                (["br"], break_, "", None, False, True, 0),
                (["tr", "table"], line, line, None, False, False, 0),
                ([f"table[@{DATA_TABLE_ATTRIBUTE}]"], line, line, True, False, False, 3),
                (["td", "th"], cell, "", None, False, False, 0),
                (["a"], link, "", None, False, False, 0),
                (["img"], image, "", None, False, True, 0),
            ]
            for patterns, before, after, children, by_name, empty, priority in rules:
                if not patterns:
                    continue
                common = {"empty": empty}
                templates.append(
                    template(
                        "|".join(patterns),
                        data,
                        emph,
                        before,
                        after,
                        children,
                        child_emph=emph or by_name,
                        priority=priority,
                        **common,
                    )
                )
                # The same element marked as a big font: its children are emphasised; it must win over
                # the catch-all *[@EMPH] below, which would lose its line break or cell.
                templates.append(
                    template(
                        "|".join(p + emphasised for p in patterns),
                        data,
                        emph,
                        before,
                        after,
                        children,
                        child_emph=True,
                        priority=priority + 1,
                        **common,
                    )
                )
            templates.append(template(f"*{emphasised}", data, emph, child_emph=True, priority=0.75))
            if emph:
                mode = mode_name(data, emph)
                templates.append(
                    f'<xsl:template match="text()" mode="{mode}">{emphasis}<xsl:value-of select="."/>'
                    f"{emphasis_end}</xsl:template>"
                )
    header = '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
    output_element = f'<xsl:output method="{output}" encoding="utf-8" indent="no"/>'
    # Only the root element: libxml2 puts what follows a closed </html> in sibling elements of it.
    root = '<xsl:template match="/"><xsl:apply-templates select="*[1]"/></xsl:template>'
    return "\n".join([header, output_element, root, *templates, "</xsl:stylesheet>"])
