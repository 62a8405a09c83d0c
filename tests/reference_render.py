"""A slow reference renderer: the rules of :func:`investchn_spider.extraction.lines.render_lines`
written as a plain recursive walk over the lxml tree, with no stylesheet, no markers and nothing
worked out lazily, so that each rule can be checked by reading it.

It shares with the fast renderer only what is policy, not rendering: the tag sets, what hides an
element or makes it a big font, how an ``<img>`` becomes an :class:`Image`, how an href is cleaned,
and how whitespace folds. tests/test_render_reference.py compares the two on random pages.

The rules (the module docstring of :mod:`.lines` says them in prose):
- comments, processing instructions, SKIP_TAGS and hidden elements (display:none,
  visibility:hidden, ``hidden``; not the root) are not rendered, their tails are;
- every block element and every ``<br>`` starts a line; ``<tr>`` and ``<table>`` too; a ``<td>`` or
  ``<th>`` starts a cell of the line; cells are stripped and joined with a TAB, empty ones at the
  ends of the line dropped; inline elements join without added space; whitespace runs fold;
- in a data table (a leaf table with a row of two or more cells, no cell longer than 200
  characters and no cell holding two blocks of 30 or more), blocks and ``<br>`` are a space;
- a link belongs to the line it starts on, an image to the line it stands on; a line with no text
  and no image is not a line (its links are lost with it);
- a text is emphasised when it or one of its ancestors is h1-h6, ``<b>``, ``<strong>`` or a big
  font; a line is emphasised when at least 80% of its non-space characters are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from investchn_spider.extraction import lines as fast

_DATA_MAX_CELL = 200
_PROSE_BLOCK = 30


def rendered(element: etree._Element, root: etree._Element) -> bool:
    """Return True when ``element`` (a child node of the tree) is rendered at all."""
    if not isinstance(element.tag, str):  # a comment or a processing instruction
        return False
    if element.tag in fast.SKIP_TAGS:
        return False
    if element is root:
        return True
    style = element.get("style")
    return element.get("hidden") is None and not (style is not None and fast._HIDDEN_STYLE.search(style))


def children(element: etree._Element, root: etree._Element) -> list[tuple[etree._Element | None, str]]:
    """Return the rendered children of ``element`` with their tails: (child or None, tail); a tail
    of a child that is not rendered comes with None."""
    return [(child if rendered(child, root) else None, child.tail or "") for child in element]


def visible_text(element: etree._Element, root: etree._Element) -> str:
    """Return the text of ``element``'s rendered content, unfolded (not its own tail)."""
    parts = [element.text or ""]
    for child, tail in children(element, root):
        if child is not None:
            parts.append(visible_text(child, root))
        parts.append(tail)
    return "".join(parts)


def descendants(element: etree._Element, root: etree._Element) -> list[etree._Element]:
    """Return the rendered descendants of ``element`` in document order."""
    found = []
    for child, _tail in children(element, root):
        if child is not None:
            found.append(child)
            found.extend(descendants(child, root))
    return found


def is_data_table(table: etree._Element, root: etree._Element) -> bool:
    """Return True when ``table`` is a table of figures rather than a layout table."""
    inside = descendants(table, root)
    if any(element.tag == "table" for element in inside):
        return False
    rows = [element for element in inside if element.tag == "tr"]
    if not any(_row_of_cells(row, root) for row in rows):
        return False
    cells = [element for element in inside if element.tag in ("td", "th")]
    for cell in cells:
        if len(visible_text(cell, root)) > _DATA_MAX_CELL:
            return False
        blocks = [e for e in descendants(cell, root) if e.tag in ("p", "div", "li")]
        if sum(1 for block in blocks if len(visible_text(block, root).strip()) >= _PROSE_BLOCK) > 1:
            return False
    return True


def _row_of_cells(row: etree._Element, root: etree._Element) -> bool:
    tags = [child.tag for child, _tail in children(row, root) if child is not None]
    return tags.count("td") >= 2 or tags.count("th") >= 2 or ("td" in tags and "th" in tags)


def reference_link(element: etree._Element, root: etree._Element, base_url: str) -> fast.Link | None:
    """Return the link an ``<a>`` makes, or None when it cannot be followed."""
    href = fast._HREF_TABS.sub("", element.get("href") or "").strip(fast._HREF_EDGES).strip()
    if not href or href.lower().startswith(fast._UNFOLLOWABLE):
        return None
    text = fast.fold_space(visible_text(element, root))
    if not text:
        images = [e for e in descendants(element, root) if e.tag == "img"]
        text = fast.fold_space(" ".join(img.get("alt") or "" for img in images))
    return fast.Link(href, text, base_url)


@dataclass
class _Line:
    cells: list[list[tuple[str, bool]]] = field(default_factory=lambda: [[]])  # (text, emphasised) pieces
    links: list[fast.Link] = field(default_factory=list)
    images: list[fast.Image] = field(default_factory=list)
    anchors: int = 0


@dataclass(frozen=True)
class RefLine:
    """A rendered line as the reference sees it: what :class:`.lines.Line` exposes."""

    text: str
    links: list[fast.Link]
    images: list[fast.Image]
    emphasised: bool
    anchor_count: int


class ReferenceRenderer:
    """Render one tree; :meth:`lines` returns the result."""

    def __init__(self, root: etree._Element, page_url: str) -> None:
        self.root = root
        self.base_url = fast.base_url_of(root, page_url)
        self.done: list[RefLine] = []
        self.line = _Line()

    def lines(self) -> list[RefLine]:
        """Return the non-empty lines of the page in reading order."""
        self.walk(self.root, data=False, emph=False)
        self.flush()
        return self.done

    def flush(self) -> None:
        line, self.line = self.line, _Line()
        texts = [fast.fold_space("".join(text for text, _emph in cell)) for cell in line.cells]
        while texts and not texts[-1]:
            texts.pop()
        while texts and not texts[0]:
            texts.pop(0)
        text = "\t".join(texts)
        if not text and not line.images:
            return
        emphasised_chars = sum(fast.visible_chars(t) for cell in line.cells for t, emph in cell if emph)
        emphasised = bool(text) and emphasised_chars >= 0.8 * fast.visible_chars(text)
        self.done.append(RefLine(text, line.links, line.images, emphasised, line.anchors))

    def add(self, text: str, emph: bool) -> None:
        if text:
            self.line.cells[-1].append((text, emph))

    def walk(self, element: etree._Element, data: bool, emph: bool) -> None:
        """Render ``element`` (rendered, not its tail) in a data table or not, inside an emphasis or not."""
        tag = element.tag
        emph = emph or fast._is_emphasis(element)
        breaks = tag in fast.BLOCK_TAGS or tag == "br"
        if tag in ("tr", "table"):
            self.flush()
            if tag == "table" and not data and is_data_table(element, self.root):
                data = True
        elif breaks:
            self.flush() if not data else self.add(" ", False)
        if tag in ("td", "th"):
            self.line.cells.append([])
        if tag == "a":
            self.line.anchors += 1
            link = reference_link(element, self.root, self.base_url)
            if link is not None:
                self.line.links.append(link)
        if tag == "img":
            image = fast._image_of(element, self.base_url)
            if image is not None:
                self.line.images.append(image)
        if tag not in ("br", "img"):  # void elements: the parser gives them no content, only a tail
            self.add(element.text or "", emph)
            for child, tail in children(element, self.root):
                if child is not None:
                    self.walk(child, data, emph)
                self.add(tail, emph)
        if tag in ("tr", "table"):
            self.flush()
        elif breaks and tag != "br":
            self.flush() if not data else self.add(" ", False)


def reference_lines(root: etree._Element, page_url: str) -> list[RefLine]:
    """Return the lines of the document ``root`` by the reference rules (``root`` is not changed)."""
    return ReferenceRenderer(root, page_url).lines()
