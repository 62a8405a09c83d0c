"""Full-text search of the archive's articles (title and body), Chinese queries of any length.

Placeholder kept minimal until the search issue lands: the archive calls these two hooks.
"""

from __future__ import annotations

import sqlite_utils


def create_index(db: sqlite_utils.Database) -> None:
    """Create the search index tables if missing and index every article not yet indexed."""


def index_article(db: sqlite_utils.Database, article_id: int) -> None:
    """(Re)index one article after it was inserted or its content changed."""
