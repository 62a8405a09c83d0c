"""The XSLT stylesheets that walk a page's tree in C for :func:`.lines.render_lines`.

A stylesheet writes the page's text in document order with a marker character between the pieces
wherever the rendering rules need one: a line break around each block element and at each ``<br>``
(a space instead, inside a data table), a cell sentinel at each ``<td>``/``<th>``, the start and end
of each link, each image, the start and end of each emphasised run (h1-h6, strong, b), and a
boundary around every other element (the emphasis test counts the characters of each text piece,
stripped, so pieces must stay apart).

The markers are Unicode noncharacters (U+FDD0...), written as text: the cheapest output there is.
A page whose own text holds one (checked on its text, serialised in C) is rendered instead by the
same templates writing marker *elements* with ``method="html"``, which escapes "<" in the page's
text, so that a marker's tag (``<L></L>``) can never be mistaken for text; those tags are then
turned into lone surrogates, which no text from lxml can hold.

Two kinds of element the stylesheets cannot tell apart by name are marked by the caller with an
attribute for the time of the transform: data tables (``table[@DATA]``) and elements emphasised by
their font size (``*[@BIG]``). The latter needs a pattern tested on every element, so it lives in
a stylesheet of its own, used only for the pages that have such elements; it imports the base one
and wraps whatever that renders for the element in an emphasised run (``xsl:apply-imports``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from lxml import etree

DATA_TABLE_ATTRIBUTE = "DATA"  # upper case: the HTML parser lower-cases every attribute name
BIG_FONT_ATTRIBUTE = "BIG"
_NAMES = ("line", "space", "cell", "boundary", "link_start", "link_end", "image", "emphasis_start", "emphasis_end")
_MORE_NAMES = ("count",)  # markers only the caller writes
_ELEMENTS = "LSCBAZIEF"  # the result-tree element of each marker in the fallback stylesheets


class Markers:
    """The marker characters of one rendering, and the patterns built from them."""

    def __init__(self, characters: Iterable[str]) -> None:
        (
            self.line,  # a line break
            self.space,  # a block or <br> inside a data table: a space
            self.cell,  # a table cell starts
            self.boundary,  # an element starts or ends: the text pieces on its two sides stay apart
            self.link_start,
            self.link_end,
            self.image,
            self.emphasis_start,
            self.emphasis_end,
            self.count,  # a number written between two of these
        ) = self.all = tuple(characters)
        self.any = re.compile("[" + "".join(self.all) + "]")
        self.linked_text = re.compile(f"{self.link_start}([^{self.link_start}{self.link_end}]*){self.link_end}")
        self.link_edges = re.compile(f"[{self.link_start}{self.link_end}]")
        self.emphasis_edges = re.compile(f"[{self.emphasis_start}{self.emphasis_end}]")


TEXT_MARKERS = Markers(map(chr, range(0xFDD0, 0xFDD0 + len(_NAMES + _MORE_NAMES))))
TAG_MARKERS = Markers(map(chr, range(0xD800, 0xD800 + len(_NAMES + _MORE_NAMES))))  # lone surrogates
# Noncharacters are U+FDD0-U+FDEF; "\xef\xb7" starts the UTF-8 of U+FDC0-U+FDFF, a few more.
_TEXT_MARKER_BYTES = b"\xef\xb7"
_TAG_OF_MARK = tuple(  # (no element for the caller's own markers)
    (f"<{element}></{element}>", mark) for element, mark in zip(_ELEMENTS, TAG_MARKERS.all[: len(_NAMES)], strict=True)
)
_BASE_URL = "investchn-render-base.xsl"


class TreeRenderer:
    """The compiled transforms for the tag sets of :mod:`.lines`, which owns the rendering rules.

    ``blocks`` are the block tags other than headings, rows and tables; ``headings`` are blocks that
    are also emphasised (h1-h6); ``emphasis`` the inline emphasised tags (strong, b).
    """

    def __init__(self, blocks: Iterable[str], headings: Iterable[str], emphasis: Iterable[str]) -> None:
        tags = (sorted(blocks), sorted(headings), sorted(emphasis))
        self._text = _compile(*_stylesheets(*tags, output="text", marker=_character_marker))
        self._tags = _compile(*_stylesheets(*tags, output="html", marker=_element_marker))

    def render(self, root: etree._Element, big_font: bool) -> tuple[str, Markers]:
        """Return the text of the tree ``root`` with marker characters, and those markers.

        ``big_font`` says whether some elements carry BIG_FONT_ATTRIBUTE.
        """
        if _TEXT_MARKER_BYTES not in etree.tostring(root, method="text", encoding="utf-8"):
            return str(self._text[big_font](root)), TEXT_MARKERS
        text = str(self._tags[big_font](root))
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


def _stylesheets(
    blocks: list[str], headings: list[str], emphasis: list[str], output: str, marker: Callable[[int], str]
) -> tuple[str, str]:
    """Return the text of the base stylesheet and of the big-font one that imports it."""
    line, space, cell, boundary, link_start, link_end, image, emphasis_start, emphasis_end = map(
        marker, range(len(_NAMES))
    )

    def template(match: str, mode: str, before: str, after: str, children_mode: str | None = None) -> str:
        mode_attr = f' mode="{mode}"' if mode else ""
        children_mode = mode if children_mode is None else children_mode
        children_attr = f' mode="{children_mode}"' if children_mode else ""
        return (
            f'<xsl:template match="{match}"{mode_attr}>{before}'
            f"<xsl:apply-templates{children_attr}/>{after}</xsl:template>"
        )

    templates = []
    # In a data table (mode "data") blocks keep to the row's line; rows and tables still break.
    for mode, break_ in (("", line), ("data", space)):
        templates += [
            template("|".join(blocks), mode, break_, break_),
            template("|".join(headings), mode, break_ + emphasis_start, emphasis_end + break_),
            template("br", mode, break_, boundary),
            template("tr|table", mode, line, line),
            template(f"table[@{DATA_TABLE_ATTRIBUTE}]", mode, line, line, children_mode="data"),
            template("td|th", mode, cell, boundary),
            template("a", mode, link_start, link_end),
            template("img", mode, image, boundary),
            template("|".join(emphasis), mode, emphasis_start, emphasis_end),
            template("*", mode, boundary, boundary),
        ]
    header = '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
    output = f'<xsl:output method="{output}" encoding="utf-8" indent="no"/>'
    # Only the root element: libxml2 puts what follows a closed </html> in sibling elements of it.
    root = '<xsl:template match="/"><xsl:apply-templates select="*[1]"/></xsl:template>'
    base = "\n".join([header, output, root, *templates, "</xsl:stylesheet>"])
    wrap = f"{emphasis_start}<xsl:apply-imports/>{emphasis_end}"
    big = f"*[@{BIG_FONT_ATTRIBUTE}]"
    big_font = "\n".join(
        [
            header,
            f'<xsl:import href="{_BASE_URL}"/>',
            output,
            f'<xsl:template match="{big}">{wrap}</xsl:template>',
            f'<xsl:template match="{big}" mode="data">{wrap}</xsl:template>',
            "</xsl:stylesheet>",
        ]
    )
    return base, big_font


def _compile(base: str, big_font: str) -> tuple[etree.XSLT, etree.XSLT]:
    """Return the base transform and the big-font one (indexed by ``big_font``: False, True)."""
    parser = etree.XMLParser()
    parser.resolvers.add(_BaseResolver(base))
    # regexp=False: no EXSLT regular expression functions to register on every call.
    return etree.XSLT(etree.XML(base), regexp=False), etree.XSLT(etree.XML(big_font, parser), regexp=False)


class _BaseResolver(etree.Resolver):
    """Serves the base stylesheet to the big-font one's ``xsl:import``."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base

    def resolve(self, system_url, public_id, context):
        if system_url.endswith(_BASE_URL):
            return self.resolve_string(self.base, context)
        return None
