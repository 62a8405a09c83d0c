"""The archive's reads and writes for re-extraction (``investchn reparse``): the only SQL it needs.

Articles are read with their record's capture (``articles.capture_id``) in id order, a batch per
query; a record that re-extraction changed replaces the stored one, which goes to
``article_versions``; two articles whose records now have one content hash become one.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from . import facts as fact_tables
from .archive import ARTICLE_COLUMNS, Archive, _to_column
from .search import _INDEXED, index_article

_ARTICLE_SELECT = (
    f"SELECT a.id, a.url, {', '.join('a.' + column for column in ARTICLE_COLUMNS)}, a.capture_id, "
    "a.extractor_version, c.url, c.http_charset, c.body, c.body_codec, {facts_version} "
    "FROM articles a LEFT JOIN captures c ON c.id = a.capture_id"
)


def _select(archive: Archive) -> str:
    # An archive of schema 4, read as it is by a dry run, has no facts_version: its facts were never computed.
    known = "facts_version" in archive.db["articles"].columns_dict
    return _ARTICLE_SELECT.format(facts_version="a.facts_version" if known else "NULL")


@dataclass
class StoredArticle:
    """An archived article as re-extraction reads it.

    ``row``: the stored record's columns (:data:`ARTICLE_COLUMNS`, JSON columns as stored text).
    ``page_url``, ``http_charset`` and ``body`` are those of its capture (all None without one).
    ``facts_version``: the version of the rules that computed its stored facts (None: never).
    ``more_pages``: ``(url, http_charset, body)`` of each further page of an article split over
    several pages, in page order (empty for a one-page article).
    """

    id: int
    url: str
    row: dict
    capture_id: int | None
    extractor_version: str | None
    page_url: str | None
    http_charset: str | None
    body: bytes | None
    facts_version: str | None = None
    more_pages: list[tuple[str, str | None, bytes]] = field(default_factory=list)


def _date_filter(since: str | None, until: str | None) -> tuple[str, list]:
    clauses, params = [], []
    if since:
        clauses.append("a.published_date >= ?")
        params.append(since)
    if until:
        clauses.append("a.published_date <= ?")
        params.append(until)
    return "".join(f" AND {clause}" for clause in clauses), params


def _body(body: bytes | None, codec: str | None) -> bytes | None:
    return zlib.decompress(body) if body is not None and codec == "zlib" else body


def _stored(row: tuple) -> StoredArticle:
    width = len(ARTICLE_COLUMNS)
    article_id, url, *rest = row
    values, (capture_id, version, page_url, charset, body, codec, facts_version) = rest[:width], rest[width:]
    return StoredArticle(
        article_id,
        url,
        dict(zip(ARTICLE_COLUMNS, values, strict=True)),
        capture_id,
        version,
        page_url,
        charset,
        _body(body, codec),
        facts_version,
    )


def _with_more_pages(archive: Archive, articles: list[StoredArticle]) -> list[StoredArticle]:
    """Return ``articles`` with the further pages of those split over several pages (one query)."""
    firsts = {article.capture_id: article for article in articles if article.capture_id is not None}
    if not firsts or "article_pages" not in archive.db.table_names():  # schema 4 or older: one page each
        return articles
    rows = archive.db.execute(
        f"""SELECT p.first_capture_id, c.url, c.http_charset, c.body, c.body_codec
            FROM article_pages p JOIN captures c ON c.id = p.capture_id
            WHERE p.page_no > 1 AND p.first_capture_id IN ({", ".join("?" * len(firsts))})
            ORDER BY p.first_capture_id, p.page_no""",
        list(firsts),
    )
    for first_capture_id, url, charset, body, codec in rows:
        firsts[first_capture_id].more_pages.append((url, charset, _body(body, codec)))
    return articles


def count_articles(archive: Archive, since: str | None = None, until: str | None = None) -> int:
    """Return how many articles re-extraction would read (published within ``since``..``until``, inclusive)."""
    where, params = _date_filter(since, until)
    return archive.db.execute(f"SELECT count(*) FROM articles a WHERE 1 = 1{where}", params).fetchone()[0]


def iter_batches(
    archive: Archive, since: str | None = None, until: str | None = None, batch_size: int = 200
) -> Iterator[list[StoredArticle]]:
    """Yield the articles published within ``since``..``until``, in id order, ``batch_size`` per list.

    Each batch is one query (keyset on the id), so writes made between batches are seen by the
    next one: an article merged away meanwhile is not yielded.
    """
    where, params = _date_filter(since, until)
    last_id = 0
    while True:
        rows = archive.db.execute(
            f"{_select(archive)} WHERE a.id > ?{where} ORDER BY a.id LIMIT ?", [last_id, *params, batch_size]
        ).fetchall()
        if not rows:
            return
        last_id = rows[-1][0]
        yield _with_more_pages(archive, [_stored(row) for row in rows])


def stored_article(archive: Archive, article_id: int) -> StoredArticle | None:
    """Return the article ``article_id`` with its capture, or None when there is none."""
    row = archive.db.execute(f"{_select(archive)} WHERE a.id = ?", [article_id]).fetchone()
    return _with_more_pages(archive, [_stored(row)])[0] if row else None


def article_for_hash(archive: Archive, digest: str) -> int | None:
    """Return the id of the article whose record has content hash ``digest``, or None."""
    row = archive.db.execute("SELECT id FROM articles WHERE content_hash = ?", [digest]).fetchone()
    return row[0] if row else None


def url_count(archive: Archive, article_id: int) -> int:
    """Return how many URLs ``article_urls`` links to the article."""
    return archive.db.execute("SELECT count(*) FROM article_urls WHERE article_id = ?", [article_id]).fetchone()[0]


def set_extractor_version(archive: Archive, article_id: int, extractor_version: str) -> None:
    """Record that the current extractor gives the article's stored record unchanged (no version kept)."""
    archive.db.execute("UPDATE articles SET extractor_version = ? WHERE id = ?", [extractor_version, article_id])


def replace_record(
    archive: Archive,
    article_id: int,
    record: dict,
    extractor_version: str,
    at: str,
    fields: Iterable[str] | None = None,
) -> None:
    """Make ``record`` the article's record (extracted from its own capture) at ``at``; keep the earlier one.

    The earlier record goes to ``article_versions`` (valid until ``at``); the URL, the capture and
    the seen times stay. ``fields``: the columns that differ (default: all of them); only those are
    written, so the search index re-reads the article only when a column it indexes changed.
    """
    archive._keep_version(article_id, at)
    columns = list(fields) if fields is not None else list(ARTICLE_COLUMNS)
    assignments = "".join(f"{column} = ?, " for column in columns)
    archive.db.execute(
        f"UPDATE articles SET {assignments}extractor_version = ?, updated_at = ? WHERE id = ?",
        [*(_to_column(record[column]) for column in columns), extractor_version, at, article_id],
    )
    if not set(columns).isdisjoint(_INDEXED):
        index_article(archive.db, article_id)


def merge_articles(
    archive: Archive,
    survivor: int,
    other: int,
    *,
    url: str,
    record: dict,
    capture_id: int | None,
    extractor_version: str | None,
    at: str,
) -> None:
    """Make the articles ``survivor`` and ``other`` one article, ``survivor``, with ``record`` as its record.

    ``url``, ``record``, ``capture_id`` and ``extractor_version`` are those of the record that wins
    (the page of the smaller URL). Both earlier rows go to ``article_versions`` under ``survivor``
    (valid until ``at``), as do ``other``'s earlier versions; every URL of ``other`` (and so every
    list section, which ``url_sections`` keeps by URL) moves to ``survivor``; ``other`` is deleted;
    the seen times span both; the search index follows.
    """
    archive._keep_version(survivor, at)
    archive._keep_version(other, at)
    db = archive.db
    db.execute("UPDATE article_versions SET article_id = ? WHERE article_id = ?", [survivor, other])
    db.execute("UPDATE article_urls SET article_id = ? WHERE article_id = ?", [survivor, other])
    first_seen, last_seen = db.execute(
        "SELECT min(first_seen_at), max(last_seen_at) FROM articles WHERE id IN (?, ?)", [survivor, other]
    ).fetchone()
    db.execute("DELETE FROM amounts WHERE article_id = ?", [other])  # the survivor's facts are stored after
    db.execute("DELETE FROM articles WHERE id = ?", [other])  # first: the unique content hash is then free
    row = {column: _to_column(record[column]) for column in ARTICLE_COLUMNS}
    assignments = ", ".join(f"{column} = ?" for column in row)
    db.execute(
        f"UPDATE articles SET url = ?, {assignments}, capture_id = ?, extractor_version = ?, updated_at = ?, "
        "first_seen_at = ?, last_seen_at = ? WHERE id = ?",
        [url, *row.values(), capture_id, extractor_version, at, first_seen, last_seen, survivor],
    )
    index_article(db, survivor)


def store_facts(archive: Archive, article_id: int, record: dict, facts: dict, version: str) -> None:
    """Make ``facts`` (computed from ``record`` by the rules of ``version``) the article's facts."""
    fact_tables.store_facts(archive.db, article_id, record, facts, version)
