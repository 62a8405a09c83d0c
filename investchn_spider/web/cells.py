"""How the web view shows a cell of the articles table: body text as a short snippet, the search's
words marked, JSON lists and hashes in a line. Pure functions over values (no Datasette imports).

The table pages show many articles to a screen, so a body is cut to a snippet (around the first
search hit when searching); the article's own page shows the whole text as paragraphs (its template).
"""

from __future__ import annotations

import json
import re

from markupsafe import Markup, escape

SNIPPET_CHARS = 90
HASH_CHARS = 12
# The tables and views that show article records (the views keep the articles' column names).
ARTICLE_TABLES = frozenset({"articles", "export_articles"})


def snippet(text: str, words: tuple[str, ...] = (), size: int = SNIPPET_CHARS) -> str:
    """Return about ``size`` characters of ``text`` on one line: its start, or around the first of
    ``words`` found (case-insensitively), with "…" where text was cut."""
    flat = " ".join(text.split())
    if len(flat) <= size:
        return flat
    lowered = flat.lower()
    hits = [index for word in words if (index := lowered.find(word.lower())) >= 0]
    start = max(0, min(hits) - size // 4) if hits else 0
    start = min(start, len(flat) - size)
    cut = flat[start : start + size]
    return ("…" if start else "") + cut + ("…" if start + size < len(flat) else "")


def marked(text: str, words: tuple[str, ...]) -> Markup:
    """Return ``text`` escaped for HTML with every occurrence of ``words`` (case-insensitive) in ``<mark>``."""
    words = tuple(word for word in words if word)
    if not words:
        return Markup(escape(text))
    pattern = re.compile("|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)), re.IGNORECASE)
    parts, end = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[end : match.start()]))
        parts.append(Markup("<mark>") + escape(match.group()) + Markup("</mark>"))
        end = match.end()
    parts.append(escape(text[end:]))
    return Markup("").join(parts)


def render_article_cell(column: str, value, words: tuple[str, ...]) -> Markup | None:
    """Return the HTML of one cell of an article table, or None to leave it to Datasette."""
    if not isinstance(value, str):
        return None
    if column == "body_text":
        return (
            Markup('<span class="snippet" title="open the row for the whole text">')
            + marked(snippet(value, words), words)
            + Markup("</span>")
        )
    if column == "title" and words:
        return marked(value, words)
    if column == "breadcrumb":
        items = _json_list(value)
        return None if items is None else Markup(escape(" › ".join(str(item) for item in items)))
    if column in ("images", "attachments"):
        items = _json_list(value)
        if items is None:
            return None
        return Markup(escape(f"{len(items)} {column[:-1] if len(items) == 1 else column}" if items else "–"))
    if column == "content_hash" and len(value) > HASH_CHARS:
        return Markup('<span title="') + escape(value) + Markup('">') + escape(value[:HASH_CHARS]) + Markup("…</span>")
    return None


def _json_list(value: str) -> list | None:
    try:
        decoded = json.loads(value)
    except ValueError:
        return None
    return decoded if isinstance(decoded, list) else None
