"""Full-text search of the archive's articles (title and body), Chinese queries of any length.

A query is split on whitespace into words; an article matches when each word occurs, as a
substring, in its title or in its body. Letters match regardless of case. :func:`contains` is that
definition in plain Python; the index answers exactly the same, fast.

The index, ``article_search``, is one contentless FTS5 table (``detail=full``: token positions are
kept) whose documents are spelt out here, not by a tokenizer:

- Title and body become, for each run of non-whitespace characters, the sequence of its adjacent
  character pairs followed by an end mark: 园区招商 → ``园区 区招 招商 商$``. Each token is the pair's
  code points in hex (``56edx533a``; the end mark ``5546x``), so that no tokenizer rule can split
  or fold it. A word of two or more characters is in a text exactly when its pairs stand at
  consecutive positions: an FTS5 phrase (人工智能 → "人工 工智 智能"). A one-character word is in a
  text exactly when some token starts with it: an FTS5 prefix query (园 → ``"56edx"*``). The end
  marks also keep pairs of two runs from being consecutive. This answers two-character words, the
  most common queries (园区, 招商, 基层), which SQLite's trigram tokenizer cannot see.
- The district is a third column (one token, ``z`` + hex), so a district filter is part of the
  same FTS5 query.
- The row id is the publish date's day number × 2³² + the article id, so FTS5 itself returns the
  newest matches first and stops after the first page, and a date range is a row id range.

SQLite 3.40 cannot delete from a contentless table without being given the deleted row's text,
and when :func:`index_article` runs the old text is gone. So triggers on ``articles`` note each
change in ``search_pending`` with the values as last indexed; :func:`sync_index` turns the queue
into exact deletes and inserts. Any writer (even the sqlite3 shell) thus queues its changes; the
archive indexes its own at the end of each transaction.

Readers never write the index (the commands that only read open the archive read-only), so every
query here is exact whatever the queue holds: an article in ``search_pending`` is left out of the
index's answer (its entry may be stale) and tested instead on its current row with
:func:`contains`, registered on the connection as the SQL function ``investchn_contains``. An
archive without the index (schema 1) is answered by testing every article that way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import sqlite_utils

INDEX_TABLE = "article_search"
PENDING_TABLE = "search_pending"
ID_BITS = 32  # row id = day number << ID_BITS | article id
ID_MASK = (1 << ID_BITS) - 1
_INDEXED = ("title", "body_text", "published_date", "district")  # the article columns the index reads
_TRIGGERS = ("articles_search_insert", "articles_search_update", "articles_search_delete")


class SearchError(ValueError):
    """The query cannot be searched (empty, for instance); the message is meant for the user."""


@dataclass(frozen=True)
class SearchQuery:
    """A parsed query: its words, case-folded, in order of first appearance, without repeats."""

    text: str
    words: tuple[str, ...]


def fold(text: str) -> str:
    """Return ``text`` with letters lower-cased one character for one character."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # A few characters lower-case to two (İ -> i + dot): keep those as they are, so that offsets and
    # pairs of adjacent characters stay those of the original text.
    return "".join(char.lower() if len(char.lower()) == 1 else char for char in text)


def parse_query(text: str) -> SearchQuery:
    """Return the :class:`SearchQuery` for ``text``; raise :class:`SearchError` if it has no word."""
    words = tuple(dict.fromkeys(fold(word) for word in text.split()))
    if not words:
        raise SearchError("the search query is empty")
    return SearchQuery(text=text, words=words)


def contains(query: SearchQuery, title: str | None, body_text: str | None) -> bool:
    """Return whether an article with this title and body matches ``query`` (the index's definition)."""
    title, body_text = fold(title or ""), fold(body_text or "")
    return all(word in title or word in body_text for word in query.words)


# --- schema and maintenance ---------------------------------------------------------------------


def create_index(db: sqlite_utils.Database) -> None:
    """Create the search index tables if missing and index every article not yet indexed."""
    with _transaction(db):
        new_index = INDEX_TABLE not in db.table_names()
        if new_index:  # whatever queue and triggers there are belong to no index: start them afresh
            for trigger in _TRIGGERS:
                db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
            db.execute(f"DROP TABLE IF EXISTS {PENDING_TABLE}")
        # Contentless (the text is in articles), no per-row sizes (no ranking): the index alone.
        db.execute(
            f"""CREATE VIRTUAL TABLE IF NOT EXISTS {INDEX_TABLE} USING fts5(
                   title, body_text, district, tokenize='ascii', content='', detail='full', columnsize=0)"""
        )
        db.execute(
            f"""CREATE TABLE IF NOT EXISTS {PENDING_TABLE} (
                   article_id INTEGER PRIMARY KEY, title TEXT, body_text TEXT, published_date TEXT, district TEXT)"""
        )
        _create_triggers(db)
        if new_index:  # an archive from before search, or a new one: queue every article as unindexed
            db.execute(f"INSERT INTO {PENDING_TABLE} (article_id) SELECT id FROM articles")
        sync_index(db)


def has_index(db: sqlite_utils.Database) -> bool:
    """Return whether the archive has the search index and its queue (archives of schema 1 have neither)."""
    found = db.execute(
        "SELECT count(*) FROM sqlite_master WHERE name IN (?, ?)", [INDEX_TABLE, PENDING_TABLE]
    ).fetchone()[0]
    return found == 2


def register_functions(conn) -> None:
    """Register the SQL functions the queries use on the connection ``conn``.

    ``investchn_contains(query_text, title, body_text)``: 1 when the article matches the query
    (:func:`contains`), else 0. ``investchn_row_key(published_date, id)``: :func:`row_key`.
    """
    conn.create_function("investchn_contains", 3, _contains_sql, deterministic=True)
    conn.create_function("investchn_row_key", 2, row_key, deterministic=True)


@lru_cache(maxsize=64)
def _parsed(text: str) -> SearchQuery:
    return parse_query(text)


def _contains_sql(text: str, title: str | None, body_text: str | None) -> int:
    return int(contains(_parsed(text), title, body_text))


@contextmanager
def read_snapshot(db: sqlite_utils.Database) -> Iterator[None]:
    """Run the enclosed reads in one read transaction: they all see the archive at the same moment."""
    if db.conn.in_transaction:
        yield
        return
    db.execute("BEGIN")
    try:
        yield
    finally:
        if db.conn.in_transaction:
            db.execute("COMMIT")


def _create_triggers(db: sqlite_utils.Database) -> None:
    # The triggers only queue. Writing the FTS5 table row by row amid the archive's other statements
    # makes FTS5 write a new index segment per row (it flushes at every statement savepoint): several
    # times slower than indexing a transaction's articles together at its end.
    # OR IGNORE keeps an article's first queued row: the values as last indexed, which is what the
    # index must be told to delete, however many changes came after. A NULL title: nothing indexed.
    old = "old.id, old.title, old.body_text, old.published_date, old.district"
    columns = f"article_id, {', '.join(_INDEXED)}"
    db.execute(
        f"""CREATE TRIGGER IF NOT EXISTS articles_search_insert AFTER INSERT ON articles BEGIN
              INSERT OR IGNORE INTO {PENDING_TABLE} (article_id) VALUES (new.id);
            END"""
    )
    db.execute(
        f"""CREATE TRIGGER IF NOT EXISTS articles_search_update
            AFTER UPDATE OF id, {", ".join(_INDEXED)} ON articles BEGIN
              INSERT OR IGNORE INTO {PENDING_TABLE} ({columns}) VALUES ({old});
              INSERT OR IGNORE INTO {PENDING_TABLE} (article_id) VALUES (new.id);
            END"""
    )
    db.execute(
        f"""CREATE TRIGGER IF NOT EXISTS articles_search_delete AFTER DELETE ON articles BEGIN
              INSERT OR IGNORE INTO {PENDING_TABLE} ({columns}) VALUES ({old});
            END"""
    )


def index_article(db: sqlite_utils.Database, article_id: int) -> None:
    """(Re)index one article after it was inserted or its content changed.

    The ``articles`` triggers have queued it. Outside a transaction it is indexed now; inside one,
    with everything else queued, when :meth:`Archive.transaction` ends (one index segment per batch).
    """
    db.execute(f"INSERT OR IGNORE INTO {PENDING_TABLE} (article_id) VALUES (?)", [article_id])
    if not db.conn.in_transaction:
        sync_index(db)


def sync_index(db: sqlite_utils.Database, chunk: int = 500) -> int:
    """Apply the changes queued in ``search_pending`` to the index; return how many articles.

    For each queued article: delete what was last indexed (if anything), add its current values
    (if it still exists), and clear its queue row; all in one transaction, ``chunk`` at a time.
    """
    done = 0
    old = ", ".join(f"p.{column}" for column in _INDEXED)
    new = ", ".join(f"a.{column}" for column in _INDEXED)
    with _transaction(db):
        while True:
            rows = db.execute(
                f"""SELECT p.article_id, {old}, a.id IS NOT NULL, {new}
                    FROM {PENDING_TABLE} p LEFT JOIN articles a ON a.id = p.article_id
                    ORDER BY p.article_id LIMIT ?""",
                [chunk],
            ).fetchall()
            if not rows:
                return done
            deletes, inserts = [], []
            for article_id, *old_values, exists, title, body_text, published_date, district in rows:
                if old_values[0] is not None:  # these values were indexed: the same document undoes them
                    deletes.append(("delete", *_index_row(article_id, *old_values)))
                if exists:
                    inserts.append(_index_row(article_id, title, body_text, published_date, district))
            columns = "rowid, title, body_text, district"
            db.conn.executemany(f"INSERT INTO {INDEX_TABLE} ({INDEX_TABLE}, {columns}) VALUES (?, ?, ?, ?, ?)", deletes)
            db.conn.executemany(f"INSERT INTO {INDEX_TABLE} ({columns}) VALUES (?, ?, ?, ?)", inserts)
            db.conn.executemany(f"DELETE FROM {PENDING_TABLE} WHERE article_id = ?", [(row[0],) for row in rows])
            done += len(rows)


@contextmanager
def _transaction(db: sqlite_utils.Database) -> Iterator[None]:
    # Inside the caller's transaction no savepoint: FTS5 writes its pending rows out as a new index
    # segment at every savepoint.
    if db.conn.in_transaction:
        yield
    else:
        with db.atomic():
            yield


def _index_row(article_id, title, body_text, published_date, district) -> tuple[int, str, str, str]:
    return (
        row_key(published_date, article_id),
        text_document(title),
        text_document(body_text),
        district_token(district) if district else "",
    )


def row_key(published_date: str | None, article_id: int) -> int:
    """Return the index row id of an article: its publish day number × 2³² + its id (day 0 if no date)."""
    return day_number(published_date) << ID_BITS | article_id


def day_number(published_date: str | None) -> int:
    """Return the proleptic Gregorian day number of a ``YYYY-MM-DD`` date (0 when there is none)."""
    try:
        return date.fromisoformat(published_date).toordinal() if published_date else 0
    except ValueError:
        return 0


def text_document(text: str | None) -> str:
    """Return the index's document for ``text``: per run of non-whitespace, its pair tokens and end mark."""
    tokens: list[str] = []
    for run in fold(text or "").split():
        codes = [_code(char) for char in run]
        tokens.extend(map(_pair, codes, codes[1:]))
        tokens.append(codes[-1] + "x")
    return " ".join(tokens)


def district_token(district: str) -> str:
    """Return the one token of a district name in the index's ``district`` column."""
    return "z" + "x".join(_code(char) for char in district)


@lru_cache(maxsize=1 << 16)
def _code(char: str) -> str:
    return format(ord(char), "x")


def _pair(first: str, second: str) -> str:
    # Lower-case hex digits and "x": one ASCII token, never split or folded by the tokenizer.
    return first + "x" + second


# --- queries ------------------------------------------------------------------------------------


def match_expression(query: SearchQuery, districts: tuple[str, ...] = ()) -> str:
    """Return the FTS5 MATCH expression of ``query`` (and of a district filter) for ``article_search``."""
    parts = []
    for word in query.words:
        codes = [_code(char) for char in word]
        # One character: every token that starts with it. More: its pairs, at consecutive positions.
        phrase = f'"{codes[0]}x"*' if len(codes) == 1 else '"' + " ".join(map(_pair, codes, codes[1:])) + '"'
        parts.append("{title body_text} : " + phrase)
    if districts:
        parts.append("district : (" + " OR ".join(f'"{district_token(d)}"' for d in districts) + ")")
    return " AND ".join(parts)


# The index's answer leaves out the queued articles: their entries may be stale.
_NOT_QUEUED = f"(rowid & {ID_MASK}) NOT IN (SELECT article_id FROM {PENDING_TABLE})"
# The queued articles that still exist, tested on their current rows.
_QUEUED_ROWS = f"{PENDING_TABLE} p CROSS JOIN articles a ON a.id = p.article_id"  # CROSS: the queue drives


def match_sql(query: SearchQuery, *, indexed: bool = True) -> tuple[str, list[str]]:
    """Return ``(sql, params)``: a SELECT of the ids of the articles that match ``query`` (for ``id IN``).

    Exact whatever ``search_pending`` holds. ``indexed=False`` (an archive without the index, see
    :func:`has_index`) tests every article instead.
    """
    if not indexed:
        return "SELECT id FROM articles WHERE investchn_contains(?, title, body_text)", [query.text]
    sql = (
        f"SELECT rowid & {ID_MASK} FROM {INDEX_TABLE} WHERE {INDEX_TABLE} MATCH ? AND {_NOT_QUEUED} "
        f"UNION ALL SELECT a.id FROM {_QUEUED_ROWS} WHERE investchn_contains(?, a.title, a.body_text)"
    )
    return sql, [match_expression(query), query.text]


def match_sql_named(query: SearchQuery, name: str, *, indexed: bool = True) -> tuple[str, dict[str, str]]:
    """Return what :func:`match_sql` returns with named parameters ``:name`` and ``:name_text`` (for Datasette)."""
    sql, params = match_sql(query, indexed=indexed)
    names = [name] if not indexed else [name, f"{name}_text"]
    parts = sql.split("?")
    named = "".join(part + (f":{names[i]}" if i < len(names) else "") for i, part in enumerate(parts))
    return named, dict(zip(names, params, strict=True))


def _day_range(since: str | None, until: str | None) -> tuple[str, list[int]]:
    if not since and not until:
        return "", []
    low = day_number(since) << ID_BITS if since else 0
    high = ((day_number(until) + 1) << ID_BITS) - 1 if until else (1 << 62)
    return " AND rowid BETWEEN ? AND ?", [low, high]


def _row_filter(since: str | None, until: str | None, districts: tuple[str, ...]) -> tuple[str, list]:
    # The same selection as the index's row id range and district column, on an article row ``a``.
    sql, params = "", []
    if since:
        sql, params = sql + " AND a.published_date >= ?", [*params, since]
    if until:
        sql, params = sql + " AND a.published_date <= ?", [*params, until]
    if districts:
        sql, params = sql + f" AND a.district IN ({', '.join('?' * len(districts))})", [*params, *districts]
    return sql, params


def _scanned(query: SearchQuery, source: str, since, until, districts) -> tuple[str, list]:
    """Return ``(sql, params)``: the rows ``a`` of ``source`` that match, tested one by one."""
    rows, params = _row_filter(since, until, districts)
    return (
        f"SELECT investchn_row_key(a.published_date, a.id) AS key FROM {source} "
        f"WHERE investchn_contains(?, a.title, a.body_text){rows}",
        [query.text, *params],
    )


def count_matches(
    db: sqlite_utils.Database,
    query: SearchQuery,
    *,
    since: str | None = None,
    until: str | None = None,
    districts: tuple[str, ...] = (),
) -> int:
    """Return how many articles match ``query``, published between ``since`` and ``until`` in ``districts``.

    Exact whatever ``search_pending`` holds, and without the index (by testing every article).
    """
    if not has_index(db):
        scanned, params = _scanned(query, "articles a", since, until, districts)
        return db.execute(f"SELECT count(*) FROM ({scanned})", params).fetchone()[0]
    dates, date_params = _day_range(since, until)
    queued, queued_params = _scanned(query, _QUEUED_ROWS, since, until, districts)
    return db.execute(
        f"""SELECT (SELECT count(*) FROM {INDEX_TABLE} WHERE {INDEX_TABLE} MATCH ?{dates} AND {_NOT_QUEUED})
                 + (SELECT count(*) FROM ({queued}))""",
        [match_expression(query, districts), *date_params, *queued_params],
    ).fetchone()[0]


def newest_matches(
    db: sqlite_utils.Database,
    query: SearchQuery,
    limit: int,
    *,
    since: str | None = None,
    until: str | None = None,
    districts: tuple[str, ...] = (),
) -> list[int]:
    """Return the ids of the ``limit`` newest matching articles (publish date, then id, descending).

    Exact whatever ``search_pending`` holds, and without the index (by testing every article).
    """
    if not has_index(db):
        scanned, params = _scanned(query, "articles a", since, until, districts)
        sql = f"{scanned} ORDER BY key DESC LIMIT ?"
    else:
        dates, date_params = _day_range(since, until)
        queued, queued_params = _scanned(query, _QUEUED_ROWS, since, until, districts)
        sql = f"""SELECT key FROM (SELECT rowid AS key FROM {INDEX_TABLE} WHERE {INDEX_TABLE} MATCH ?{dates}
                                   AND {_NOT_QUEUED} ORDER BY rowid DESC LIMIT ?)
                  UNION ALL SELECT key FROM ({queued})
                  ORDER BY key DESC LIMIT ?"""
        params = [match_expression(query, districts), *date_params, limit, *queued_params]
    rows = db.execute(sql, [*params, limit])
    return [key & ID_MASK for (key,) in rows]


# --- presentation -------------------------------------------------------------------------------


def match_spans(query: SearchQuery | None, text: str) -> list[tuple[int, int]]:
    """Return the ``(start, end)`` offsets of every occurrence of every word of ``query`` in ``text``, sorted."""
    folded = fold(text)
    spans = []
    for word in query.words if query else ():
        position = folded.find(word)
        while position >= 0:
            spans.append((position, position + len(word)))
            position = folded.find(word, position + len(word))
    return sorted(spans)


def snippet(query: SearchQuery | None, text: str, width: int = 60) -> tuple[str, list[tuple[int, int]]]:
    """Return ``(excerpt, marks)``: about ``width`` characters of ``text`` around the first match of a word.

    ``marks`` are the ``(start, end)`` offsets in the excerpt of the words' occurrences inside it,
    for highlighting. Line breaks become spaces; an excerpt that cuts the text has "…" at the cut.
    Without a match in ``text`` (the title matched) the excerpt is the start of the text.
    """
    spans = match_spans(query, text)
    first = spans[0][0] if spans else 0
    start = max(0, min(first - width // 3, len(text) - width))
    end = min(len(text), start + width)
    prefix, suffix = ("…" if start > 0 else ""), ("…" if end < len(text) else "")
    shift = len(prefix) - start
    marks = [(a + shift, b + shift) for a, b in spans if start <= a and b <= end]
    return prefix + text[start:end].replace("\n", " ") + suffix, marks
