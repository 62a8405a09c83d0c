"""Item pipelines: thin adapters from the spider's items to the extractor and to the archive.

``ExtractionPipeline`` turns each captured article page into a record (pure extraction, no I/O);
``ArchivePipeline`` stores items. The run itself (lock, run row, verdict) belongs to the
:class:`~investchn_spider.extensions.RunLifecycle` extension.
"""

from __future__ import annotations

import logging
import sqlite3
import time

from .extensions import RunLifecycle
from .extraction import EXTRACTOR_VERSION, NotAnArticle, extract_article, extract_from_document, parse_count
from .extraction.pager import combine_pages
from .extraction.profile import host_of
from .facts import FACTS_VERSION
from .facts.record import facts_of
from .items import ArticlePage, FetchFailure, SectionWalk, Sighting
from .store import Archive, ArchiveError
from .store.archive import identify
from .store.profiles import load_profiles
from .urls import canonical_url

logger = logging.getLogger(__name__)

OUTCOME_COUNTS = {
    "new": "articles_new",
    "seen": "articles_seen",
    "merged": "urls_merged",
    "changed": "articles_changed",
}


class ExtractionPipeline:
    """Extract the record of every captured article page (kept on the item for the archive).

    The record is extracted from the document the spider parsed, so each page is parsed once per
    crawl; an item without one (built elsewhere) is extracted from its capture's bytes. A page whose
    host has a template profile in the archive (``investchn profile``) is extracted with it: the
    profiles are read once, when the crawl opens. On close it records how many pages the crawl
    parsed in all in Scrapy's stats (``investchn/documents_parsed``, kept in ``runs.stats``).
    """

    def __init__(self, stats, db_path: str | None = None) -> None:
        self.stats = stats
        self.db_path = db_path
        self.profiles: dict[str, dict] = {}
        self._parsed_at_open = parse_count()

    @classmethod
    def from_crawler(cls, crawler) -> ExtractionPipeline:
        """Build the pipeline around the crawl's stats collector and archive path (``INVESTCHN_DB``)."""
        return cls(crawler.stats, crawler.settings.get("INVESTCHN_DB"))

    def open_spider(self) -> None:
        """Read the archive's template profiles; start counting the pages parsed in this crawl."""
        self.profiles = _stored_profiles(self.db_path)
        if self.profiles:
            self.stats.set_value("investchn/template_profiles", sorted(self.profiles))
        self._parsed_at_open = parse_count()

    def close_spider(self) -> None:
        """Record how many pages were parsed in this crawl (before the run's end is recorded)."""
        self.stats.set_value("investchn/documents_parsed", parse_count() - self._parsed_at_open)

    def process_item(self, item):
        """Return the item, with ``record`` set on article pages (a record, or why it is not an article)
        and, for a record, its ``facts``."""
        if not isinstance(item, ArticlePage):
            return item
        if item.record is None:
            profile = self.profiles.get(host_of(item.capture.url))
            item.record = _extract(item, profile)
            if item.more_pages and not isinstance(item.record, Exception):
                # An article split over several pages is one record, or none: a page that cannot be
                # read makes the whole article a failure, never a truncated record.
                records = [item.record]
                for number, page in enumerate(item.more_pages, 2):
                    record = _extract(page, profile)
                    if isinstance(record, Exception):
                        item.record = NotAnArticle(f"page {number} of the article ({page.capture.url}): {record}")
                        break
                    records.append(record)
                else:
                    item.record = combine_pages(records)
        for page in item.more_pages:
            page.document = None
        if isinstance(item.record, dict) and item.facts is None:
            item.facts = facts_of(item.record)
        item.document = None  # the tree is not kept while the item waits
        return item


def _extract(page: ArticlePage, profile: dict | None = None) -> dict | NotAnArticle:
    """Return the record of one page (from the spider's parse when it has one), or why it is none;
    ``profile`` is its host's template profile (None: none learnt)."""
    try:
        if page.document is not None:
            return extract_from_document(page.document, profile)
        capture = page.capture
        return extract_article(capture.body, capture.url, capture.http_charset, profile)
    except NotAnArticle as error:
        return error


def _stored_profiles(db_path: str | None) -> dict[str, dict]:
    """Return the template profiles stored in the archive at ``db_path`` by host; none when there is no
    archive there yet, or anything but one (the run itself says what is wrong with the file)."""
    if not db_path:
        return {}
    try:
        if identify(db_path).kind != "archive":
            return {}
        with Archive(db_path, readonly=True) as archive:
            return load_profiles(archive.db)
    except (ArchiveError, sqlite3.Error):
        return {}


class ArchivePipeline:
    """Store captures, records, sightings, walks and failures in the archive, in batched transactions.

    Items are buffered and written in one transaction per batch (``INVESTCHN_BATCH_SIZE`` items or
    ``INVESTCHN_FLUSH_SECONDS``), in the order they came. An item leaves memory only once its
    transaction has committed. A write that fails (after SQLite's busy timeout,
    ``INVESTCHN_WRITE_TIMEOUT``) keeps the whole batch, stops the crawl and is tried once more at the
    end; what still cannot be written is counted, and the next run fetches it again, because walk
    state is written in the same order (a list is marked pending before its articles and complete only
    when everything was written and the run ended cleanly).
    """

    def __init__(self, lifecycle: RunLifecycle, batch_size: int, flush_seconds: float) -> None:
        self.lifecycle = lifecycle
        self.batch_size = max(1, batch_size)
        self.flush_seconds = flush_seconds
        self._buffer: list = []
        self._last_flush = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler) -> ArchivePipeline:
        """Build the pipeline from the INVESTCHN_* settings and the run's lifecycle extension."""
        settings = crawler.settings
        return cls(
            crawler.get_extension(RunLifecycle),
            batch_size=settings.getint("INVESTCHN_BATCH_SIZE"),
            flush_seconds=settings.getfloat("INVESTCHN_FLUSH_SECONDS"),
        )

    def process_item(self, item):
        """Queue the item for the archive; return it unchanged."""
        if isinstance(item, SectionWalk) and item.event == "finished":
            self.lifecycle.finished_sections[(item.district, item.category)] = item.list_url
        elif isinstance(item, ArticlePage | Sighting | FetchFailure | SectionWalk):
            self._buffer.append(item)
        else:
            return item
        if len(self._buffer) >= self.batch_size or time.monotonic() - self._last_flush >= self.flush_seconds:
            self.flush()
        return item

    def close_spider(self) -> None:
        """Write what is buffered (the run's lifecycle then records completed walks, if the run was clean)."""
        if self.lifecycle.archive is not None:
            self.flush(final=True)

    def flush(self, *, final: bool = False) -> bool:
        """Write every buffered item in one transaction; return whether the buffer is now empty.

        After a failed write only the final flush (at close) tries again.
        """
        self._last_flush = time.monotonic()
        archive = self.lifecycle.archive
        if not self._buffer or archive is None:
            return not self._buffer
        if self.lifecycle.report.write_error is not None and not final:
            self.lifecycle.report.uncommitted = len(self._buffer)
            return False
        outcomes: list[tuple[str, str | None]] = []
        try:
            with archive.transaction():
                for item in self._buffer:
                    outcomes.extend(self._store(item))
        except (sqlite3.Error, OSError) as error:
            self.lifecycle.write_failed(error, uncommitted=len(self._buffer))
            return False
        # Counted once committed: a batch rolled back counts nothing.
        for name, url in outcomes:
            self.lifecycle.count(name)
            if name == "articles_seen":
                self.lifecycle.report.archived_urls.add(url)
        self.lifecycle.count("items_committed", len(self._buffer))
        self._buffer.clear()
        self.lifecycle.report.uncommitted = 0
        return True

    def _store(self, item) -> list[tuple[str, str | None]]:
        """Write one item (inside the batch's transaction); return the (count, URL) it adds once committed."""
        archive = self.lifecycle.archive
        run_id = self.lifecycle.report.run_id
        if isinstance(item, Sighting):
            archive.record_sighting(
                item.url,
                district=item.district,
                category=item.category,
                list_url=item.list_url,
                listed_title=item.listed_title,
                listed_date=item.listed_date,
                seen_at=item.seen_at,
            )
            return []
        if isinstance(item, SectionWalk):
            archive.mark_section_pending(item.district, item.category, item.list_url, run_id)
            return []
        if isinstance(item, FetchFailure):
            return self._store_failure(item)
        return self._store_article(item)

    def _store_article(self, item: ArticlePage) -> list[tuple[str, str | None]]:
        archive = self.lifecycle.archive
        capture, record = item.capture, item.record
        run_id = self.lifecycle.report.run_id
        capture_id = archive.add_capture(capture, run_id)
        if isinstance(record, Exception):
            logger.warning("could not extract %s: %s", capture.url, record)
            failure = FetchFailure(
                capture.url, "extraction", str(record), capture.status, "article", capture.fetched_at
            )
            return self._store_failure(failure)
        if item.more_pages:  # every page's capture is kept, in page order, under the first page's
            pages = [(capture.url, capture_id)]
            pages += [(page.capture.url, archive.add_capture(page.capture, run_id)) for page in item.more_pages]
            archive.add_article_pages(capture_id, pages)
        outcome = archive.save_article(
            record,
            capture_id=capture_id,
            seen_at=capture.fetched_at,
            extractor_version=EXTRACTOR_VERSION,
            facts=item.facts,
            facts_version=FACTS_VERSION,
        )
        archive.resolve_failure(capture.url, capture.fetched_at)
        counts = [(OUTCOME_COUNTS[outcome], canonical_url(capture.url))]
        # A listed URL that redirected here is this article's URL too: the next run knows it.
        for url in capture.redirected_from:
            if archive.add_url_alias(url, capture.url, capture.fetched_at, capture_id):
                archive.resolve_failure(url, capture.fetched_at)
        return counts

    def _store_failure(self, failure: FetchFailure) -> list[tuple[str, str | None]]:
        self.lifecycle.archive.record_failure(
            failure.url,
            kind=failure.kind,
            reason=failure.reason,
            status=failure.status,
            run_id=self.lifecycle.report.run_id,
            at=failure.failed_at,
            role=failure.role,
        )
        counts = [("failures", failure.url)]
        return [*counts, ("extraction_failed", failure.url)] if failure.kind == "extraction" else counts
