"""Parse page bytes into a tree and its rendered lines, once, for every reader of the page."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from .decode import decode_html
from .lines import Line, parse_html, render_lines, title_of


class NotAnArticle(ValueError):
    """The page is not an article page of the portal; ``str(error)`` says why in one line."""


# Pages parsed by this process: read by the crawl to record that each page is parsed once (runs.stats).
_parsed = 0


def parse_count() -> int:
    """Return how many times :func:`parse_document` was called in this process so far."""
    return _parsed


@dataclass
class Document:
    """A parsed page: its URL, the codec it was decoded with, the tree, its lines and <title> text."""

    url: str
    codec: str
    root: etree._Element
    lines: list[Line]
    title_tag: str


def parse_document(body: bytes | str, url: str, http_charset: str | None = None) -> Document:
    """Return the parsed :class:`Document`; raise :class:`NotAnArticle` when there is nothing to parse."""
    global _parsed
    _parsed += 1
    text, codec = decode_html(body, http_charset)
    if not text.strip():
        raise NotAnArticle("empty document")
    # lxml refuses str input that carries an XML encoding declaration, and must not re-guess the
    # charset we already chose, so it always gets UTF-8 bytes with the encoding stated.
    try:
        root = parse_html(text.replace("\x00", "").encode("utf-8", errors="replace"))
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as error:
        raise NotAnArticle(f"unparseable HTML: {error}") from None
    title_tag = title_of(root)  # before rendering, which removes the <head>
    return Document(url, codec, root, render_lines(root, url), title_tag)
