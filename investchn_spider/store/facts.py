"""The archive's facts: money amounts found in article bodies, and zone names resolved to places.

Facts are derived data, recomputed from the record whenever it changes (a crawl that stores new
content, ``investchn reparse``): ``amounts`` holds one row per amount of an article's current
``body_text``; ``zones`` one row per 发布开发区 name the archive has seen, with what it resolved to
(all place fields null when it could not be resolved: the name was tried, not forgotten). The view
``amount_facts`` joins them for analysts and for ``investchn export --facts``.
"""

from __future__ import annotations

import sqlite_utils

AMOUNT_COLUMNS = ("text", "value", "currency", "approximate", "kind", "sentence", "start_offset", "end_offset")
ZONE_COLUMNS = ("province", "city", "district", "type", "national_level")
# What `investchn export --facts` writes (columns of the amount_facts view), in order: the amount's
# article's date and place, then the amount, then the article it is from.
FACT_EXPORT_COLUMNS = (
    "published_date",
    "month",
    "district",
    "zone",
    "province",
    "city",
    "zone_district",
    "zone_type",
    "kind",
    "value",
    "currency",
    "approximate",
    "text",
    "sentence",
    "position",
    "title",
    "url",
)


def has_facts(db: sqlite_utils.Database) -> bool:
    """Return whether the archive has the facts tables (an archive made before schema 5, opened
    read-only, has none until a writing command such as ``investchn reparse`` upgrades it)."""
    return "amounts" in db.table_names()


def create_tables(db: sqlite_utils.Database) -> None:
    """Create the facts tables and the ``amount_facts`` view when missing (part of the archive's schema),
    and ``articles.facts_version`` (the version of the rules that computed an article's facts)."""
    if "facts_version" not in db["articles"].columns_dict:
        db["articles"].add_column("facts_version", str)
    db["amounts"].create(
        {
            "article_id": int,
            "position": int,
            "text": str,
            "value": int,
            "currency": str,
            "approximate": int,
            "kind": str,
            "sentence": str,
            "start_offset": int,
            "end_offset": int,
        },
        pk=("article_id", "position"),
        foreign_keys=[("article_id", "articles", "id")],
        if_not_exists=True,
    )
    db["amounts"].create_index(["kind", "currency"], if_not_exists=True)
    db["zones"].create(
        {"name": str, "province": str, "city": str, "district": str, "type": str, "national_level": int},
        pk="name",
        if_not_exists=True,
    )
    db.execute(
        """CREATE VIEW IF NOT EXISTS amount_facts AS
           SELECT a.published_date, substr(a.published_date, 1, 7) AS month, a.district, a.zone,
                  z.province, z.city, z.district AS zone_district, z.type AS zone_type,
                  m.kind, m.value, m.currency, m.approximate, m.text, m.sentence, m.position,
                  a.title, a.url, m.article_id, m.start_offset, m.end_offset
           FROM amounts m JOIN articles a ON a.id = m.article_id
           LEFT JOIN zones z ON z.name = a.zone"""
    )


# The amount dict's keys (``facts.Amount.to_dict``) for the columns named otherwise here.
_AMOUNT_KEYS = {"start_offset": "start", "end_offset": "end"}


def replace_amounts(db: sqlite_utils.Database, article_id: int, amounts: list[dict]) -> int:
    """Make ``amounts`` (``facts.Amount.to_dict()`` dicts: the columns of :data:`AMOUNT_COLUMNS`, offsets
    as ``start``/``end``) the article's amounts; return how many were written."""
    db.execute("DELETE FROM amounts WHERE article_id = ?", [article_id])
    rows = [
        {
            "article_id": article_id,
            "position": position,
            **{column: amount.get(_AMOUNT_KEYS.get(column, column)) for column in AMOUNT_COLUMNS},
        }
        for position, amount in enumerate(amounts)
    ]
    for row in rows:
        row["approximate"] = int(bool(row["approximate"]))
    if rows:
        db["amounts"].insert_all(rows)
    return len(rows)


def store_facts(db: sqlite_utils.Database, article_id: int, record: dict, facts: dict, version: str) -> None:
    """Make ``facts`` (``{"amounts": [...], "zone": resolved or None}``, computed from ``record`` by the
    rules of ``version``) the article's facts: its amounts, its zone's resolution, its facts version."""
    replace_amounts(db, article_id, facts.get("amounts", []))
    record_zone(db, record.get("zone"), facts.get("zone"))  # an upsert: cheap when it is known
    db.execute("UPDATE articles SET facts_version = ? WHERE id = ?", [version, article_id])


def facts_version_of(db: sqlite_utils.Database, article_id: int) -> str | None:
    """Return the version of the rules that computed the article's stored facts (None: never computed)."""
    row = db.execute("SELECT facts_version FROM articles WHERE id = ?", [article_id]).fetchone()
    return row[0] if row else None


def record_zone(db: sqlite_utils.Database, name: str | None, resolved: dict | None) -> None:
    """Store what the zone ``name`` resolved to (``resolved`` None: not resolved); nothing for no name."""
    if not name:
        return
    resolved = resolved or {}
    row = {"name": name, **{column: resolved.get(column) for column in ZONE_COLUMNS}}
    if row["national_level"] is not None:
        row["national_level"] = int(bool(row["national_level"]))
    columns = ", ".join(row)
    updates = ", ".join(f"{column} = excluded.{column}" for column in ZONE_COLUMNS)
    db.execute(
        f"INSERT INTO zones ({columns}) VALUES ({', '.join('?' * len(row))}) ON CONFLICT(name) DO UPDATE SET {updates}",
        list(row.values()),
    )


def amounts_of(db: sqlite_utils.Database, article_id: int) -> list[dict]:
    """Return the article's stored amounts in text order, as dicts of :data:`AMOUNT_COLUMNS`."""
    cursor = db.execute(
        f"SELECT {', '.join(AMOUNT_COLUMNS)} FROM amounts WHERE article_id = ? ORDER BY position", [article_id]
    )
    return [dict(zip(AMOUNT_COLUMNS, values, strict=True)) for values in cursor]
