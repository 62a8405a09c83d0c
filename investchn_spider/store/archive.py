"""The SQLite archive: the only module that knows the schema or speaks SQL.

One row per article (keyed by its content), every URL and list section it was seen under, the raw
capture of every fetched article page (zlib-compressed, for re-extraction without refetching),
failures, and one row per crawl run. Knows nothing of Scrapy. Times written here are UTC ISO 8601.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from .. import __version__
from ..extraction import RECORD_FIELDS
from ..urls import canonical_url
from . import facts as fact_tables
from . import search, views

SCHEMA_VERSION = 5
# The file header's application id (PRAGMA application_id, "ICHN"): what says a file is an investchn
# archive before any table is read. Archives of schema 1 to 3 predate it and are known by their tables.
APPLICATION_ID = 0x4943484E
META_TABLE = "investchn_meta"
DEMO_CREATOR = "demo"  # investchn_meta.created_by of an archive `investchn demo` made (the only kind it replaces)
_CORE_TABLES = frozenset({"articles", "article_urls", "captures", "failures", "runs"})
_SQLITE_MAGIC = b"SQLite format 3\x00"
_SIDECARS = ("-wal", "-shm", "-journal")  # SQLite's own files beside a database
ARTICLE_COLUMNS = tuple(field for field in RECORD_FIELDS if field != "url")  # the row keeps its own url


class ArchiveError(Exception):
    """The archive cannot be opened or used; the message is meant for the user, in one line."""


@dataclass
class Capture:
    """One fetched article page, as the crawler received it."""

    url: str
    status: int
    headers: dict[str, list[str]]
    body: bytes
    fetched_at: str
    http_charset: str | None = None
    list_url: str | None = None
    redirected_from: list[str] = field(default_factory=list)  # the URLs that redirected to ``url``, in order
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class FailureState:
    """An unresolved failure as the next crawl sees it, with the list that linked the URL (if any)."""

    role: str | None
    kind: str
    status: int | None
    attempts: int
    list_url: str | None
    district: str | None
    category: str | None


@dataclass
class CrawlState:
    """The archive as an incremental crawl sees it at start.

    ``known_urls``: canonical URLs of archived articles. ``complete_sections``: (district, category)
    lists whose last walk completed, so paging may stop at the first page with nothing new.
    ``failures``: unresolved failures by canonical URL.
    """

    known_urls: set[str] = field(default_factory=set)
    complete_sections: set[tuple[str, str]] = field(default_factory=set)
    failures: dict[str, FailureState] = field(default_factory=dict)


@dataclass(frozen=True)
class ArchiveFile:
    """What :func:`identify` found at a path.

    ``kind``: ``missing`` (no file), ``empty`` (a 0-byte file, or an SQLite database with nothing in
    it: a writing command may make it an archive) or ``archive`` (an investchn archive of schema
    ``version``).
    """

    kind: str
    version: int = 0


def identify(path: str | Path) -> ArchiveFile:
    """Return what is at ``path``; raise :class:`ArchiveError` when it is anything but an archive or empty.

    Only reads: the file is opened for reading (and by SQLite read-only, with ``immutable=1`` when
    no ``-wal`` file is beside it, so that not even SQLite's ``-wal`` and ``-shm`` appear), never
    written, its mtime untouched. Another application's database is refused from its header's
    application id when it has one, else from its tables.
    """
    path = Path(path)
    if path.is_dir():
        raise ArchiveError(f"{path} is a folder, not an archive file")
    if not path.exists():
        return ArchiveFile("missing")
    try:
        with path.open("rb") as file:
            header = file.read(100)
    except OSError as error:
        raise ArchiveError(f"cannot read {path}: {error.strerror}") from None
    if not header:
        return ArchiveFile("empty")
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise ArchiveError(f"{path} is not an investchn archive (not an SQLite file)")
    if int.from_bytes(header[68:72], "big") not in (0, APPLICATION_ID):
        raise ArchiveError(f"{path} is an SQLite database of another application, not an investchn archive")
    try:
        conn = _connect_readonly(path, immutable=not Path(f"{path}-wal").exists())
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            application_id = conn.execute("PRAGMA application_id").fetchone()[0]
            names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        raise ArchiveError(f"{path} is not a usable SQLite archive: {error}") from None
    if application_id == 0 and not names and version == 0:
        return ArchiveFile("empty")
    ours = application_id == APPLICATION_ID or (application_id == 0 and names >= _CORE_TABLES)
    if not ours or version < 1:
        raise ArchiveError(f"{path} is an SQLite database of another application, not an investchn archive")
    if version > SCHEMA_VERSION:
        raise ArchiveError(f"{path} was written by a newer investchn (schema {version} > {SCHEMA_VERSION}); upgrade")
    return ArchiveFile("archive", version)


def _connect_readonly(path: Path, *, immutable: bool = False) -> sqlite3.Connection:
    """Return a read-only connection to ``path`` (``mode=ro``; ``immutable=1`` trusts nobody writes it)."""
    uri = path.resolve().as_uri() + "?mode=ro" + ("&immutable=1" if immutable else "")
    return sqlite3.connect(uri, uri=True)


def utc_now() -> str:
    """Return the current UTC time as ISO 8601 with seconds (``2026-11-27T23:52:15+00:00``)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class Archive:
    """An open archive file. Use as a context manager, or call :meth:`close`.

    ``readonly=True`` (for the commands that only read) opens it with SQLite's ``mode=ro``: nothing
    is created, converted, migrated or indexed, an archive of an older schema is read as it is, and
    a missing, empty or foreign file is refused. Otherwise a missing or empty file becomes a new
    archive (unless ``create=False``), recording ``created_by`` in ``investchn_meta``; an older
    schema is brought up to date. In both modes anything but an investchn archive is refused
    before it is written (:func:`identify`).
    """

    def __init__(
        self, path: str | Path, *, create: bool = True, readonly: bool = False, created_by: str = "investchn"
    ) -> None:
        self.path = Path(path)
        self.readonly = readonly
        if not self.path.parent.is_dir():
            raise ArchiveError(f"cannot create archive {self.path}: folder {self.path.parent} does not exist")
        found = identify(self.path)
        if found.kind == "missing" and (readonly or not create):
            raise ArchiveError(f"no archive at {self.path} (run `investchn crawl --db {self.path}` first)")
        if found.kind == "empty" and (readonly or not create):
            raise ArchiveError(f"{self.path} is empty, not an investchn archive")
        self.schema_version = found.version
        try:
            if readonly:
                self.db = sqlite_utils.Database(self._connect_for_reading())
                self.db.execute("PRAGMA busy_timeout = 5000")
            else:
                self.db = sqlite_utils.Database(self.path)
                self.db.execute("PRAGMA busy_timeout = 5000")
                self.db.enable_wal()
                self.db.execute("PRAGMA synchronous = NORMAL")
                self._ensure_schema(created_by if found.kind != "archive" else None)
            search.register_functions(self.db.conn)
        except sqlite3.DatabaseError as error:
            raise ArchiveError(f"{self.path} is not a usable SQLite archive: {error}") from None

    def _connect_for_reading(self) -> sqlite3.Connection:
        conn = _connect_readonly(self.path)
        try:
            conn.execute("PRAGMA schema_version").fetchone()
        except sqlite3.OperationalError:
            # A WAL archive in a folder this user cannot write, with no -shm beside it: SQLite cannot
            # make its shared-memory file. Nobody can be writing it then: read the file as it is.
            conn.close()
            conn = _connect_readonly(self.path, immutable=True)
            conn.execute("PRAGMA schema_version").fetchone()
        return conn

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Close the database connection."""
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the enclosed writes as one transaction (nested blocks become savepoints).

        The outermost block starts with ``BEGIN IMMEDIATE``: it takes the write lock first, waiting up
        to the busy timeout for another writer, rather than reading first and then failing at once
        (SQLITE_BUSY) when another program committed in between. A block that fails rolls back whole.
        """
        if self.db.conn.in_transaction:
            with self.db.atomic():
                yield
                search.sync_index(self.db)
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
            search.sync_index(self.db)  # index the batch's articles at once: one FTS5 segment per batch
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.conn.in_transaction:
                self.db.conn.rollback()
            raise

    def set_write_timeout(self, seconds: float) -> None:
        """Wait up to ``seconds`` for another program's write transaction before a write fails."""
        self.db.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")

    # --- schema -------------------------------------------------------------------------------

    def _ensure_schema(self, created_by: str | None) -> None:
        """Bring the schema up to date; ``created_by`` is given for a new archive (recorded in the meta)."""
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        with self.db.atomic():
            self._create_tables()
            search.create_index(self.db)
            if created_by is not None:
                self.db[META_TABLE].insert_all(
                    [
                        {"key": "created_by", "value": created_by},
                        {"key": "created_at", "value": utc_now()},
                        {"key": "created_version", "value": __version__},
                    ],
                    replace=True,
                )
            self.db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self.schema_version = SCHEMA_VERSION

    def _create_tables(self) -> None:
        db = self.db
        db[META_TABLE].create({"key": str, "value": str}, pk="key", if_not_exists=True)
        db["runs"].create(
            {
                "id": int,
                "started_at": str,
                "finished_at": str,
                "status": str,
                "exit_code": int,
                "args": str,
                "stats": str,
                "new_articles": int,
                "seen_articles": int,
                "merged_urls": int,
                "changed_articles": int,
                "failures": int,
                "requests": int,
                "pid": int,
                "version": str,
            },
            pk="id",
            if_not_exists=True,
        )
        db["captures"].create(
            {
                "id": int,
                "url": str,
                "status": int,
                "headers": str,
                "body": bytes,
                "body_codec": str,
                "body_size": int,
                "body_sha256": str,
                "http_charset": str,
                "fetched_at": str,
                "list_url": str,
                "redirected_from": str,
                "run_id": int,
            },
            pk="id",
            foreign_keys=[("run_id", "runs", "id")],
            if_not_exists=True,
        )
        if "redirected_from" not in db["captures"].columns_dict:  # archives of schema 1 and 2
            db["captures"].add_column("redirected_from", str)
        db["captures"].create_index(["url", "fetched_at"], if_not_exists=True)
        article_columns = {
            "id": int,
            "url": str,
            **dict.fromkeys(ARTICLE_COLUMNS, str),
            "capture_id": int,
            "extractor_version": str,
            "first_seen_at": str,
            "last_seen_at": str,
            "updated_at": str,
        }
        db["articles"].create(
            article_columns,
            pk="id",
            not_null={"title", "published_date", "content_hash"},
            foreign_keys=[("capture_id", "captures", "id")],
            if_not_exists=True,
        )
        db["articles"].create_index(["content_hash"], unique=True, if_not_exists=True)
        db["articles"].create_index(["published_date"], if_not_exists=True)
        db["articles"].create_index(["district", "category"], if_not_exists=True)
        db["article_versions"].create(
            {
                "id": int,
                "article_id": int,
                **dict.fromkeys(ARTICLE_COLUMNS, str),
                "capture_id": int,
                "extractor_version": str,
                "valid_from": str,
                "valid_until": str,
            },
            pk="id",
            foreign_keys=[("article_id", "articles", "id"), ("capture_id", "captures", "id")],
            if_not_exists=True,
        )
        db["article_versions"].create_index(["article_id"], if_not_exists=True)
        db["article_urls"].create(
            {"url": str, "article_id": int, "first_seen_at": str, "last_seen_at": str, "capture_id": int},
            pk="url",
            foreign_keys=[("article_id", "articles", "id")],
            if_not_exists=True,
        )
        db["article_urls"].create_index(["article_id"], if_not_exists=True)
        db["url_sections"].create(
            {
                "url": str,
                "district": str,
                "category": str,
                "list_url": str,
                "listed_title": str,
                "listed_date": str,
                "first_seen_at": str,
                "last_seen_at": str,
            },
            pk=("url", "district", "category"),
            if_not_exists=True,
        )
        db["failures"].create(
            {
                "url": str,
                "role": str,
                "kind": str,
                "status": int,
                "reason": str,
                "attempts": int,
                "first_failed_at": str,
                "last_failed_at": str,
                "last_run_id": int,
                "resolved_at": str,
            },
            pk="url",
            if_not_exists=True,
        )
        if "role" not in db["failures"].columns_dict:  # archives of schema 1
            db["failures"].add_column("role", str)
        db["sections"].create(
            {
                "district": str,
                "category": str,
                "list_url": str,
                "pending_run_id": int,
                "complete_run_id": int,
                "completed_at": str,
            },
            pk=("district", "category"),
            if_not_exists=True,
        )
        # Schema 5: the pages of an article split over several, by the capture of its first page.
        db["article_pages"].create(
            {"first_capture_id": int, "page_no": int, "url": str, "capture_id": int},
            pk=("first_capture_id", "page_no"),
            foreign_keys=[("first_capture_id", "captures", "id"), ("capture_id", "captures", "id")],
            if_not_exists=True,
        )
        db.execute(
            """CREATE VIEW IF NOT EXISTS article_sections AS
               SELECT DISTINCT u.article_id, s.district, s.category
               FROM article_urls u JOIN url_sections s ON s.url = u.url"""
        )
        views.create_sort_key(db)  # schema 5
        views.create_views(db)
        fact_tables.create_tables(db)

    # --- runs ---------------------------------------------------------------------------------

    def start_run(self, args: dict, *, pid: int, version: str) -> int:
        """Record the start of a crawl run; return its id."""
        with self.db.atomic():
            return (
                self.db["runs"]
                .insert(
                    {
                        "started_at": utc_now(),
                        "status": "running",
                        "args": json.dumps(args, ensure_ascii=False),
                        "pid": pid,
                        "version": version,
                    }
                )
                .last_pk
            )

    def finish_run(self, run_id: int, *, status: str, exit_code: int | None, stats: dict, counts: dict) -> None:
        """Record the end of a run: its status word and exit status, Scrapy's stats and the run's counts."""
        row = {
            "finished_at": utc_now(),
            "status": status,
            "exit_code": exit_code,
            "stats": json.dumps(stats, default=str, sort_keys=True),
        }
        row.update(
            {
                key: counts.get(key, 0)
                for key in ("new_articles", "seen_articles", "merged_urls", "changed_articles", "failures", "requests")
            }
        )
        with self.db.atomic():
            self.db["runs"].update(run_id, row)

    def recent_runs(self, limit: int = 10) -> list[dict]:
        """Return the latest runs, newest first, as dicts of the ``runs`` columns."""
        return list(self.db.query("SELECT * FROM runs ORDER BY id DESC LIMIT ?", [limit]))

    # --- writes -------------------------------------------------------------------------------

    def add_capture(self, capture: Capture, run_id: int | None) -> int:
        """Store a fetched page; return its capture id.

        A page whose bytes equal the latest capture of the same URL is not stored twice: that
        capture's id is returned, so a re-crawl that finds nothing changed costs no space.
        """
        digest = hashlib.sha256(capture.body).hexdigest()
        url = canonical_url(capture.url)
        latest = self.db.execute(
            "SELECT id, body_sha256 FROM captures WHERE url = ? ORDER BY fetched_at DESC, id DESC LIMIT 1", [url]
        ).fetchone()
        if latest and latest[1] == digest:
            return latest[0]
        return (
            self.db["captures"]
            .insert(
                {
                    "url": url,
                    "status": capture.status,
                    "headers": json.dumps(capture.headers, ensure_ascii=False),
                    "body": zlib.compress(capture.body, 6),
                    "body_codec": "zlib",
                    "body_size": len(capture.body),
                    "body_sha256": digest,
                    "http_charset": capture.http_charset,
                    "fetched_at": capture.fetched_at,
                    "list_url": capture.list_url,
                    "redirected_from": json.dumps(capture.redirected_from) if capture.redirected_from else None,
                    "run_id": run_id,
                }
            )
            .last_pk
        )

    def add_article_pages(self, first_capture_id: int, pages: list[tuple[str, int]]) -> None:
        """Record the pages of an article split over several: ``pages`` are ``(url, capture_id)`` in page
        order, the first page's included (page 1 is ``first_capture_id``'s)."""
        self.db.execute("DELETE FROM article_pages WHERE first_capture_id = ?", [first_capture_id])
        self.db.conn.executemany(
            "INSERT INTO article_pages (first_capture_id, page_no, url, capture_id) VALUES (?, ?, ?, ?)",
            [(first_capture_id, number, canonical_url(url), page) for number, (url, page) in enumerate(pages, 1)],
        )

    def article_page_captures(self, article_id: int) -> list[int]:
        """Return the capture ids of the pages the article's current record was extracted from, in page
        order: the record's ``capture_id`` alone for a one-page article, [] when it has no capture."""
        row = self.db.execute("SELECT capture_id FROM articles WHERE id = ?", [article_id]).fetchone()
        if row is None or row[0] is None:
            return []
        if "article_pages" not in self.db.table_names():  # an archive of schema 4 or older, read as it is
            return [row[0]]
        pages = [
            capture_id
            for (capture_id,) in self.db.execute(
                "SELECT capture_id FROM article_pages WHERE first_capture_id = ? ORDER BY page_no", [row[0]]
            )
        ]
        return pages or [row[0]]

    def save_article(
        self,
        record: dict,
        *,
        capture_id: int | None,
        seen_at: str,
        extractor_version: str,
        facts: dict | None = None,
        facts_version: str | None = None,
    ) -> str:
        """Store an extracted record; return what happened: ``new``, ``seen``, ``merged`` or ``changed``.

        ``seen``: this URL already holds this content. ``merged``: a new URL whose content the
        archive already holds (a repost) is linked to that article. ``changed``: the URL's article
        has new content; the earlier version is kept in ``article_versions``.

        Whatever the order its pages arrive in, an article's record (``url``, breadcrumb, district,
        category, every other field and ``capture_id``) is the one extracted from the page of its
        smallest URL (see :meth:`_prefer_record`).

        ``facts`` (``{"amounts": [...], "zone": {...} or None}``, computed from the record by the
        rules of ``facts_version``) are stored with new content: the amounts of the body, and what
        the record's zone name resolved to. Content that is already archived has the same body, so
        the same amounts: they are written again only when its facts were computed by other rules.
        """
        if facts is not None:  # whichever page's record the article keeps, its zone name is resolved
            fact_tables.record_zone(self.db, record.get("zone"), facts.get("zone"))
        url = canonical_url(record["url"])
        by_url = self._article_id_for_url(url)
        by_hash = self._article_id_for_hash(record["content_hash"])
        row = {column: _to_column(record[column]) for column in ARTICLE_COLUMNS}
        row.update({"capture_id": capture_id, "extractor_version": extractor_version, "updated_at": seen_at})
        if by_url is not None and by_url == by_hash:
            self._touch_article(by_url, url, seen_at, capture_id)
            self._prefer_record(by_url, url, row)
            self._refresh_facts(by_url, record, facts, facts_version)
            return "seen"
        if by_hash is not None:  # a repost, or a URL whose page now shows another known article
            self._link_url(url, by_hash, seen_at, capture_id)
            self._touch_article(by_hash, url, seen_at, capture_id)
            self._prefer_record(by_hash, url, row)
            self._refresh_facts(by_hash, record, facts, facts_version)
            return "merged"
        if by_url is not None:
            # New content at this URL: the record is this page's until a smaller URL of the article
            # shows the same content again.
            self._keep_version(by_url, seen_at)
            self.db["articles"].update(by_url, {"url": url, **row, "last_seen_at": seen_at})
            self._touch_article(by_url, url, seen_at, capture_id)
            search.index_article(self.db, by_url)
            if facts is not None:
                fact_tables.store_facts(self.db, by_url, record, facts, facts_version)
            return "changed"
        article_id = (
            self.db["articles"].insert({"url": url, **row, "first_seen_at": seen_at, "last_seen_at": seen_at}).last_pk
        )
        self._link_url(url, article_id, seen_at, capture_id)
        search.index_article(self.db, article_id)
        if facts is not None:
            fact_tables.store_facts(self.db, article_id, record, facts, facts_version)
        return "new"

    def _refresh_facts(self, article_id: int, record: dict, facts: dict | None, version: str | None) -> None:
        """Store ``facts`` of an article already archived when its stored ones are of other rules (or none)."""
        if facts is not None and fact_tables.facts_version_of(self.db, article_id) != version:
            fact_tables.store_facts(self.db, article_id, record, facts, version)

    def _prefer_record(self, article_id: int, url: str, row: dict) -> None:
        """Make ``row`` (the record of the page at ``url``) the article's record if ``url`` sorts before its URL.

        Pages of one article at several URLs (a repost shows its own section) give records that differ
        outside the content hash. Keeping the smallest URL's (SQLite's byte order of the canonical URL)
        makes the archive the same whatever order the pages were fetched in, within a run and across
        runs. The content is the same, so no version is kept; the search index follows the district.
        """
        columns = ["url", *row]
        assignments = ", ".join(f"{column} = ?" for column in columns)
        updated = self.db.execute(
            f"UPDATE articles SET {assignments} WHERE id = ? AND url > ?",
            [url, *row.values(), article_id, url],
        ).rowcount
        if updated:
            search.index_article(self.db, article_id)

    def record_sighting(
        self,
        url: str,
        *,
        district: str | None,
        category: str | None,
        list_url: str,
        listed_title: str | None,
        listed_date: str | None,
        seen_at: str,
    ) -> None:
        """Record that ``url`` is listed in the list section (district, category) at ``list_url``."""
        key = [canonical_url(url), district or "", category or ""]
        updated = self.db.execute(
            "UPDATE url_sections SET last_seen_at = ?, list_url = ?, listed_title = ?, listed_date = ? "
            "WHERE url = ? AND district = ? AND category = ?",
            [seen_at, list_url, listed_title, listed_date, *key],
        ).rowcount
        if not updated:
            self.db["url_sections"].insert(
                {
                    "url": key[0],
                    "district": key[1],
                    "category": key[2],
                    "list_url": list_url,
                    "listed_title": listed_title,
                    "listed_date": listed_date,
                    "first_seen_at": seen_at,
                    "last_seen_at": seen_at,
                }
            )

    def record_failure(
        self,
        url: str,
        *,
        kind: str,
        reason: str,
        status: int | None,
        run_id: int | None,
        at: str,
        role: str = "article",
    ) -> None:
        """Record (or count again) a failure to fetch or extract ``url``.

        ``attempts`` counts the failures since the URL last succeeded: a page that failed, was
        archived, and fails again months later starts again at one.
        """
        url = canonical_url(url)
        updated = self.db.execute(
            "UPDATE failures SET role = ?, kind = ?, reason = ?, status = ?, "
            "attempts = CASE WHEN resolved_at IS NULL THEN attempts + 1 ELSE 1 END, "
            "first_failed_at = CASE WHEN resolved_at IS NULL THEN first_failed_at ELSE ? END, "
            "last_failed_at = ?, last_run_id = ?, resolved_at = NULL WHERE url = ?",
            [role, kind, reason, status, at, at, run_id, url],
        ).rowcount
        if not updated:
            self.db["failures"].insert(
                {
                    "url": url,
                    "role": role,
                    "kind": kind,
                    "reason": reason,
                    "status": status,
                    "attempts": 1,
                    "first_failed_at": at,
                    "last_failed_at": at,
                    "last_run_id": run_id,
                }
            )

    def add_url_alias(self, url: str, of_url: str, seen_at: str, capture_id: int | None) -> bool:
        """Link ``url`` (a URL that redirected to ``of_url``) to the article archived under ``of_url``.

        Return False when ``of_url`` holds no article. The next crawl then knows the listed URL and
        does not fetch it again.
        """
        article_id = self._article_id_for_url(canonical_url(of_url))
        if article_id is None:
            return False
        url = canonical_url(url)
        if self._article_id_for_url(url) != article_id:
            self._link_url(url, article_id, seen_at, capture_id)
        else:
            self._touch_article(article_id, url, seen_at, capture_id)
        return True

    def resolve_failure(self, url: str, at: str) -> None:
        """Mark an earlier failure of ``url`` as resolved (the page has now been archived)."""
        self.db.execute(
            "UPDATE failures SET resolved_at = ? WHERE url = ? AND resolved_at IS NULL", [at, canonical_url(url)]
        )

    def _article_id_for_url(self, url: str) -> int | None:
        row = self.db.execute("SELECT article_id FROM article_urls WHERE url = ?", [url]).fetchone()
        return row[0] if row else None

    def _article_id_for_hash(self, digest: str) -> int | None:
        row = self.db.execute("SELECT id FROM articles WHERE content_hash = ?", [digest]).fetchone()
        return row[0] if row else None

    def _link_url(self, url: str, article_id: int, seen_at: str, capture_id: int | None) -> None:
        self.db.execute(
            "INSERT INTO article_urls (url, article_id, first_seen_at, last_seen_at, capture_id) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET article_id = excluded.article_id, "
            "last_seen_at = excluded.last_seen_at, capture_id = excluded.capture_id",
            [url, article_id, seen_at, seen_at, capture_id],
        )

    def _touch_article(self, article_id: int, url: str, seen_at: str, capture_id: int | None) -> None:
        self.db.execute("UPDATE articles SET last_seen_at = ? WHERE id = ?", [seen_at, article_id])
        self.db.execute(
            "UPDATE article_urls SET last_seen_at = ?, capture_id = COALESCE(?, capture_id) WHERE url = ?",
            [seen_at, capture_id, url],
        )

    def _keep_version(self, article_id: int, until: str) -> None:
        columns = ", ".join(ARTICLE_COLUMNS)
        self.db.execute(
            f"INSERT INTO article_versions (article_id, {columns}, capture_id, extractor_version, valid_from, "
            f"valid_until) SELECT id, {columns}, capture_id, extractor_version, updated_at, ? "
            "FROM articles WHERE id = ?",
            [until, article_id],
        )

    # --- crawl state --------------------------------------------------------------------------

    def interrupt_stale_runs(self) -> int:
        """Mark runs still 'running' as 'interrupted' (call while holding the write lock); return how many."""
        return self.db.execute(
            "UPDATE runs SET status = 'interrupted' WHERE status = 'running' AND finished_at IS NULL"
        ).rowcount

    def mark_section_pending(self, district: str, category: str, list_url: str, run_id: int | None) -> None:
        """Record that a walk of the list section started and has not completed yet."""
        self.db.execute(
            "INSERT INTO sections (district, category, list_url, pending_run_id) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(district, category) DO UPDATE SET pending_run_id = excluded.pending_run_id, "
            "list_url = excluded.list_url",
            [district, category, list_url, run_id],
        )

    def complete_sections(self, sections: Iterable[tuple[str, str, str]], run_id: int | None, at: str) -> None:
        """Record that the walks of these ``(district, category, list_url)`` sections completed."""
        self.db.conn.executemany(
            "INSERT INTO sections (district, category, list_url, complete_run_id, completed_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(district, category) DO UPDATE SET pending_run_id = NULL, "
            "complete_run_id = excluded.complete_run_id, completed_at = excluded.completed_at, "
            "list_url = excluded.list_url",
            [(district, category, list_url, run_id, at) for district, category, list_url in sections],
        )

    def crawl_state(self) -> CrawlState:
        """Return what an incremental crawl needs to know of the archive (see :class:`CrawlState`)."""
        known = {row[0] for row in self.db.execute("SELECT url FROM article_urls")}
        complete = {
            (row[0], row[1])
            for row in self.db.execute(
                "SELECT district, category FROM sections WHERE complete_run_id IS NOT NULL AND pending_run_id IS NULL"
            )
        }
        failures = {
            row[0]: FailureState(*row[1:])
            for row in self.db.execute(
                """SELECT f.url, f.role, f.kind, f.status, f.attempts, s.list_url, s.district, s.category
                   FROM failures f LEFT JOIN url_sections s ON s.url = f.url
                   WHERE f.resolved_at IS NULL"""
            )
        }
        return CrawlState(known, complete, failures)

    def unresolved_failures(self) -> list[dict]:
        """Return the failures not resolved since, most attempts first (``role`` None in a schema-1 archive)."""
        role = "role" if "role" in self.db["failures"].columns_dict else "NULL AS role"
        return list(
            self.db.query(
                f"SELECT url, {role}, kind, status, reason, attempts, first_failed_at, last_failed_at "
                "FROM failures WHERE resolved_at IS NULL ORDER BY attempts DESC, last_failed_at DESC, url"
            )
        )

    # --- reads --------------------------------------------------------------------------------

    def meta(self) -> dict[str, str]:
        """Return the ``investchn_meta`` rows as a dict (empty for an archive older than schema 4)."""
        if META_TABLE not in self.db.table_names():
            return {}
        return {key: value for key, value in self.db.execute(f"SELECT key, value FROM {META_TABLE}")}

    def made_by_demo(self) -> bool:
        """Return whether ``investchn demo`` created this archive and nothing else has crawled into it since.

        A crawl (``investchn crawl`` or ``scrapy crawl``) into a demo archive makes it an archive
        like any other, which the demo must not replace.
        """
        runs, others = self.db.execute(
            "SELECT count(*), "
            "count(*) FILTER (WHERE NOT (json_valid(args) AND json_extract(args, '$.command') = 'demo')) FROM runs"
        ).fetchone()
        created_by = self.meta().get("created_by")
        if created_by is None:  # an archive from before investchn_meta: a demo's when only demos ran on it
            return runs > 0 and others == 0
        return created_by == DEMO_CREATOR and others == 0

    def counts(self) -> dict[str, int]:
        """Return row counts of the main tables (articles, article_urls, captures, failures, runs) and of
        the unresolved failures."""
        counts = {
            table: self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("articles", "article_urls", "captures", "failures", "runs")
        }
        counts["unresolved_failures"] = self.db.execute(
            "SELECT count(*) FROM failures WHERE resolved_at IS NULL"
        ).fetchone()[0]
        return counts

    def iter_articles(self) -> Iterator[dict]:
        """Yield every article, oldest publish date first (then by URL), with its sorted ``urls`` and ``sections``.

        The same rows as :func:`.queries.iter_articles` with no filter (JSON columns as lists).
        """
        from .queries import ArticleFilter, iter_articles  # queries imports this module

        return iter_articles(self.db, ArticleFilter())

    def capture_body(self, capture_id: int) -> bytes:
        """Return the original bytes of a stored capture."""
        row = self.db.execute("SELECT body, body_codec FROM captures WHERE id = ?", [capture_id]).fetchone()
        if row is None:
            raise ArchiveError(f"no capture {capture_id}")
        body, codec = row
        return zlib.decompress(body) if codec == "zlib" else body


def delete_demo_archive(path: str | Path, lock) -> bool:
    """Delete the archive at ``path`` and SQLite's files beside it, if ``investchn demo`` made it; return
    whether there was one.

    ``lock`` is the archive's :class:`~.lock.ArchiveLock`, which the caller must hold: no crawl is
    writing it. Raise :class:`ArchiveError`, deleting nothing, for any other file (an archive a
    crawl made or crawled into, an empty file, another application's).
    """
    path = Path(path)
    if not lock.held_for(path):
        raise ValueError("delete_demo_archive needs the archive's lock held")
    refusal = (
        f"{path} is not an archive investchn demo made (demo replaces only its own): "
        "give another --db, or move the file away yourself"
    )
    try:
        if identify(path).kind == "missing":
            return False
        with Archive(path, readonly=True) as archive:
            ours = archive.made_by_demo()
    except ArchiveError as error:
        raise ArchiveError(f"{refusal}; {error}") from None
    if not ours:
        raise ArchiveError(refusal)
    path.unlink()
    for suffix in _SIDECARS:
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return True


def archive_files(path: str | Path) -> list[Path]:
    """Return the paths that belong to the archive at ``path``: the file, SQLite's ``-wal``, ``-shm`` and
    ``-journal`` beside it and the crawl's ``.lock``, for the path as given and as resolved (symlinks)."""
    given = Path(path)
    paths = []
    for base in dict.fromkeys([given, given.resolve()]):
        paths += [base, *(Path(f"{base}{suffix}") for suffix in (*_SIDECARS, ".lock"))]
    return list(dict.fromkeys(paths))


def check_writable(path: str | Path) -> None:
    """Raise :class:`ArchiveError` when an existing archive file cannot be written (read-only file or folder).

    Takes SQLite's write lock and gives it back at once; changes nothing. A missing or empty file
    passes: the crawl creates the archive in it. Anything but an archive is refused first, unopened.
    """
    path = Path(path)
    if identify(path).kind != "archive":
        return
    # SQLite opens a file it may not write read-only without a word, and a WAL archive takes writes
    # into its -wal file until the checkpoint fails: ask the file system first.
    for part in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if part.exists():
                os.close(os.open(part, os.O_RDWR))
        except OSError as error:
            raise ArchiveError(f"the archive {path} could not be written: {error.strerror} ({part.name})") from None
    if not os.access(path.parent, os.W_OK):
        raise ArchiveError(f"the archive {path} could not be written: its folder {path.parent} is read-only")
    try:
        conn = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
        finally:
            conn.close()
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            return  # another program is writing right now: the crawl waits for it (busy timeout)
        raise ArchiveError(f"the archive {path} could not be written: {error}") from None
    except sqlite3.DatabaseError:
        return  # a damaged archive (identify let it through): opening it says so in its own words


def record_run_end(db_path: str | Path, run_id: int, status: str, exit_code: int) -> None:
    """Record a run's status and exit status over a connection of its own (waiting at most 2 s).

    For a process about to end while its own connection may be inside a transaction.
    """
    conn = sqlite3.connect(db_path, timeout=2)
    try:
        with conn:
            conn.execute("UPDATE runs SET status = ?, exit_code = ? WHERE id = ?", (status, exit_code, run_id))
    finally:
        conn.close()


def _to_column(value):
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value
