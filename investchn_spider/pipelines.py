"""Item pipelines: thin adapters from the spider's items to the extractor and the archive."""

from __future__ import annotations

import logging
import os
import time

from scrapy import signals
from scrapy.exceptions import CloseSpider

from . import __version__
from .extraction import EXTRACTOR_VERSION, NotAnArticle, extract_article
from .items import ArticlePage, FetchFailure, SectionWalk, Sighting
from .store import Archive, utc_now
from .store.lock import ArchiveLock, ArchiveLocked

logger = logging.getLogger(__name__)

OUTCOME_STATS = {
    "new": "investchn/articles_new",
    "seen": "investchn/articles_seen",
    "merged": "investchn/urls_merged",
    "changed": "investchn/articles_changed",
}


class ArchivePipeline:
    """Extract each captured article page and store capture, record, sightings and failures.

    Holds the archive's write lock for the whole crawl. Writes are buffered and committed in one
    transaction per batch (``INVESTCHN_BATCH_SIZE`` items or ``INVESTCHN_FLUSH_SECONDS``), so a
    killed crawl loses at most one uncommitted batch, which the next run fetches again. A list
    section's walk is recorded complete only when the run ends cleanly (see ``SectionWalk``).
    Counts go to the crawl stats under ``investchn/``.
    """

    def __init__(self, db_path: str, batch_size: int, flush_seconds: float, run_args: dict, stats) -> None:
        self.db_path = db_path
        self.batch_size = max(1, batch_size)
        self.flush_seconds = flush_seconds
        self.run_args = run_args
        self.stats = stats
        self.archive: Archive | None = None
        self.lock: ArchiveLock | None = None
        self.run_id: int | None = None
        self._buffer: list = []
        self._finished_sections: dict[tuple[str, str], str] = {}
        self._last_flush = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler):
        """Build the pipeline from the INVESTCHN_* settings."""
        settings = crawler.settings
        pipeline = cls(
            db_path=settings.get("INVESTCHN_DB"),
            batch_size=settings.getint("INVESTCHN_BATCH_SIZE"),
            flush_seconds=settings.getfloat("INVESTCHN_FLUSH_SECONDS"),
            run_args=settings.getdict("INVESTCHN_RUN_ARGS"),
            stats=crawler.stats,
        )
        # spider_closed comes after close_spider and carries the reason the crawl ended.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        """Take the write lock, open the archive and record the start of the run.

        When another crawl took the lock after the command checked it, this crawl is closed before
        it fetches anything, with the reason ``locked`` (and the holder in ``investchn/locked``).
        """
        try:
            self.lock = ArchiveLock(self.db_path).acquire()
        except ArchiveLocked as error:
            self.stats.set_value("investchn/locked", str(error))
            raise CloseSpider("locked") from None
        self.archive = Archive(self.db_path)
        with self.archive.transaction():
            interrupted = self.archive.interrupt_stale_runs()
        if interrupted:
            logger.warning("%d earlier run(s) were interrupted; this run completes their work", interrupted)
        self.run_id = self.archive.start_run(self.run_args, pid=os.getpid(), version=__version__)
        self.stats.set_value("investchn/run_id", self.run_id)

    def process_item(self, item):
        """Queue the item for the archive (extracting article pages first); return it unchanged."""
        if isinstance(item, ArticlePage):
            capture = item.capture
            try:
                record = extract_article(capture.body, capture.url, capture.http_charset)
            except NotAnArticle as error:
                record = error
            self._buffer.append((item, record))
        elif isinstance(item, SectionWalk) and item.event == "finished":
            self._finished_sections[(item.district, item.category)] = item.list_url
        elif isinstance(item, Sighting | FetchFailure | SectionWalk):
            self._buffer.append((item, None))
        else:
            return item
        if len(self._buffer) >= self.batch_size or time.monotonic() - self._last_flush >= self.flush_seconds:
            self.flush()
        return item

    def close_spider(self) -> None:
        """Commit what is buffered (the run is recorded when the spider has closed)."""
        if self.archive is not None:
            self.flush()

    def spider_closed(self, spider, reason: str) -> None:
        """Record completed list walks (clean finish only), the run's counts; close the archive."""
        if self.archive is None:
            return
        with self.archive.transaction():
            if reason == "finished":
                sections = [(*section, url) for section, url in self._finished_sections.items()]
                self.archive.complete_sections(sections, self.run_id, utc_now())
        self.archive.finish_run(self.run_id, status=reason, stats=self.stats.get_stats(), counts=self.counts())
        self.archive.close()
        self.archive = None
        self.lock.release()

    def counts(self) -> dict[str, int]:
        """Return this run's archive counts (new, seen, merged, changed articles; failures; requests)."""
        get = self.stats.get_value
        return {
            "new_articles": get(OUTCOME_STATS["new"], 0),
            "seen_articles": get(OUTCOME_STATS["seen"], 0),
            "merged_urls": get(OUTCOME_STATS["merged"], 0),
            "changed_articles": get(OUTCOME_STATS["changed"], 0),
            "failures": get("investchn/failures", 0),
            "requests": get("downloader/request_count", 0),
        }

    def flush(self) -> None:
        """Write every buffered item in one transaction."""
        buffer, self._buffer = self._buffer, []
        self._last_flush = time.monotonic()
        if not buffer or self.archive is None:  # (None: the lock was lost to another crawl)
            return
        with self.archive.transaction():
            for item, record in buffer:
                self._store(item, record)

    def _store(self, item, record) -> None:
        archive = self.archive
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
        elif isinstance(item, SectionWalk):
            archive.mark_section_pending(item.district, item.category, item.list_url, self.run_id)
        elif isinstance(item, FetchFailure):
            self._store_failure(item)
        else:
            self._store_article(item.capture, record)

    def _store_article(self, capture, record) -> None:
        archive = self.archive
        capture_id = archive.add_capture(capture, self.run_id)
        if isinstance(record, NotAnArticle):
            logger.warning("could not extract %s: %s", capture.url, record)
            reason, status, at = str(record), capture.status, capture.fetched_at
            self._store_failure(FetchFailure(capture.url, "extraction", reason, status, "article", at))
            return
        outcome = archive.save_article(
            record, capture_id=capture_id, seen_at=capture.fetched_at, extractor_version=EXTRACTOR_VERSION
        )
        archive.resolve_failure(capture.url, capture.fetched_at)
        self.stats.inc_value(OUTCOME_STATS[outcome])

    def _store_failure(self, failure: FetchFailure) -> None:
        self.archive.record_failure(
            failure.url,
            kind=failure.kind,
            reason=failure.reason,
            status=failure.status,
            run_id=self.run_id,
            at=failure.failed_at,
            role=failure.role,
        )
        self.stats.inc_value("investchn/failures")
        if failure.kind == "extraction":
            self.stats.inc_value("investchn/extraction_failed")
