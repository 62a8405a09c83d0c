"""The archive's SQL views and the ``articles.sort_key`` column: what people read with sqlite3, pandas or DuckDB.

Plain SQL only (no function investchn registers), so any SQLite client can read them. Each view's
``SELECT`` is defined once here: the schema creates the view from it, and the readers that must also
work on an archive of an older schema, which has no view, read the same ``SELECT`` as a subquery.
"""

from __future__ import annotations

import sqlite_utils

from ..extraction import RECORD_FIELDS

# Every URL an article was seen at and every district/category list it was listed in, sorted, as
# JSON arrays (json_group_array over an ordered subquery keeps that order).
URLS_SQL = """(SELECT json_group_array(url) FROM
                 (SELECT u.url FROM article_urls u WHERE u.article_id = a.id ORDER BY u.url))"""
SECTIONS_SQL = """(SELECT json_group_array(section) FROM
                     (SELECT DISTINCT s.district || '/' || s.category AS section FROM article_sections s
                      WHERE s.article_id = a.id ORDER BY section))"""

# One row per article as ``investchn export`` shapes it: the default export's columns in its order,
# then the ones an export may add with --columns.
EXPORT_VIEW = "export_articles"
DEFAULT_EXPORT_COLUMNS = (*RECORD_FIELDS, "urls", "sections", "first_seen_at", "last_seen_at")
EXPORT_VIEW_COLUMNS = (*DEFAULT_EXPORT_COLUMNS, "id", "updated_at", "capture_id", "extractor_version")
_COMPUTED = {"urls": URLS_SQL, "sections": SECTIONS_SQL}
MONTHLY_VIEW = "monthly_counts"
# A month is counted when the publish date starts YYYY-MM (as `investchn stats` counts months).
MONTHLY_COUNTS_SQL = """SELECT substr(published_date, 1, 7) AS month, district, zone, count(*) AS articles
    FROM articles
    WHERE published_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-*'
    GROUP BY month, district, zone"""

# articles.sort_key: the publish date, a space, the content hash. Unique (the hash is, and covers the
# date), so sorting by it is a total order that does not depend on crawl order, and Datasette pages
# through it exactly (it breaks ties by id on later pages only, so a non-unique sort column repeats
# and drops rows). Kept by triggers, so a write by any program keeps it right.
SORT_KEY = "sort_key"
SORT_KEY_SQL = "published_date || ' ' || content_hash"
_SORT_TRIGGERS = ("articles_sort_key_insert", "articles_sort_key_update")


EXPORT_ARTICLES_SQL = (
    "SELECT "
    + ",\n       ".join(f"{_COMPUTED.get(column, 'a.' + column)} AS {column}" for column in EXPORT_VIEW_COLUMNS)
    + "\nFROM articles a"
)


def export_source(db: sqlite_utils.Database) -> str:
    """Return what to read export rows from: the ``export_articles`` view, or (an archive of schema 4 or
    older, opened read-only) its ``SELECT`` as a subquery. Either way SQLite flattens it into the query."""
    return EXPORT_VIEW if has_view(db, EXPORT_VIEW) else f"({EXPORT_ARTICLES_SQL})"


def create_sort_key(db: sqlite_utils.Database) -> None:
    """Add ``articles.sort_key`` (with its unique index and triggers) if missing, and fill it where empty."""
    if SORT_KEY not in db["articles"].columns_dict:  # archives of schema 1 to 4
        db["articles"].add_column(SORT_KEY, str)
    insert, update = _SORT_TRIGGERS
    db.execute(
        f"""CREATE TRIGGER IF NOT EXISTS {insert} AFTER INSERT ON articles BEGIN
              UPDATE articles SET {SORT_KEY} = {SORT_KEY_SQL} WHERE id = new.id;
            END"""
    )
    db.execute(
        f"""CREATE TRIGGER IF NOT EXISTS {update} AFTER UPDATE OF published_date, content_hash, {SORT_KEY}
            ON articles WHEN new.{SORT_KEY} IS NOT new.published_date || ' ' || new.content_hash BEGIN
              UPDATE articles SET {SORT_KEY} = {SORT_KEY_SQL} WHERE id = new.id;
            END"""
    )
    db.execute(f"UPDATE articles SET {SORT_KEY} = {SORT_KEY_SQL} WHERE {SORT_KEY} IS NOT {SORT_KEY_SQL}")
    db["articles"].create_index([SORT_KEY], unique=True, if_not_exists=True)


def create_views(db: sqlite_utils.Database) -> None:
    """Create the ``export_articles`` and ``monthly_counts`` views if missing."""
    db.execute(f"CREATE VIEW IF NOT EXISTS {EXPORT_VIEW} AS {EXPORT_ARTICLES_SQL}")
    db.execute(f"CREATE VIEW IF NOT EXISTS {MONTHLY_VIEW} AS {MONTHLY_COUNTS_SQL}")


def has_view(db: sqlite_utils.Database, name: str) -> bool:
    """Return whether the archive has the view ``name`` (archives of schema 4 and older have none of these)."""
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'view' AND name = ?", [name]).fetchone() is not None
