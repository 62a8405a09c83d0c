"""Facts read from an article's text: money amounts (``amounts``) and the zone it is about (``zones``).

Pure functions over text, no Scrapy or SQLite. ``resolve_zone`` is looked up in ``zones`` on first use,
so importing this package costs only what is used.
"""

from __future__ import annotations

from .amounts import Amount, extract_amounts

__all__ = ["FACTS_VERSION", "Amount", "extract_amounts", "resolve_zone"]

# Version of the facts rules (amounts and zones): stored per article (``articles.facts_version``) so
# that ``investchn reparse`` recomputes the facts of every article when it changes. Bump it with any
# change to what ``amounts`` or ``zones`` return.
FACTS_VERSION = "1"


def __getattr__(name: str):
    """Return ``resolve_zone`` from ``zones`` when first asked for (the module is loaded then)."""
    if name == "resolve_zone":
        from .zones import resolve_zone

        return resolve_zone
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
