"""Item pipelines: thin adapters from the spider's items to the extractor and the archive."""

from __future__ import annotations

import logging
import os
import time

from . import __version__
from .extraction import EXTRACTOR_VERSION, NotAnArticle, extract_article
from .items import ArticlePage, FetchFailure, Sighting
from .store import Archive

logger = logging.getLogger(__name__)

OUTCOME_STATS = {
    "new": "investchn/articles_new",
    "seen": "investchn/articles_seen",
    "merged": "investchn/urls_merged",
    "changed": "investchn/articles_changed",
}


class ArchivePipeline:
    """Extract each captured article page and store capture, record, sightings and failures.

    Writes are buffered and committed in one transaction per batch (``INVESTCHN_BATCH_SIZE`` items
    or ``INVESTCHN_FLUSH_SECONDS``), so a killed crawl loses at most one uncommitted batch, which
    the next run fetches again. Counts go to the crawl stats under ``investchn/``.
    """

    def __init__(self, db_path: str, batch_size: int, flush_seconds: float, run_args: dict, stats) -> None:
        self.db_path = db_path
        self.batch_size = max(1, batch_size)
        self.flush_seconds = flush_seconds
        self.run_args = run_args
        self.stats = stats
        self.archive: Archive | None = None
        self.run_id: int | None = None
        self._buffer: list = []
        self._last_flush = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler):
        """Build the pipeline from the INVESTCHN_* settings."""
        settings = crawler.settings
        return cls(
            db_path=settings.get("INVESTCHN_DB"),
            batch_size=settings.getint("INVESTCHN_BATCH_SIZE"),
            flush_seconds=settings.getfloat("INVESTCHN_FLUSH_SECONDS"),
            run_args=settings.getdict("INVESTCHN_RUN_ARGS"),
            stats=crawler.stats,
        )

    def open_spider(self) -> None:
        """Open the archive and record the start of the run."""
        self.archive = Archive(self.db_path)
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
        elif isinstance(item, Sighting | FetchFailure):
            self._buffer.append((item, None))
        else:
            return item
        if len(self._buffer) >= self.batch_size or time.monotonic() - self._last_flush >= self.flush_seconds:
            self.flush()
        return item

    def close_spider(self) -> None:
        """Commit what is buffered, record the run's counts and close the archive."""
        if self.archive is None:
            return
        self.flush()
        self.archive.finish_run(self.run_id, status="finished", stats=self.stats.get_stats(), counts=self.counts())
        self.archive.close()
        self.archive = None

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
        if not buffer:
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
        elif isinstance(item, FetchFailure):
            archive.record_failure(
                item.url,
                kind=item.kind,
                reason=item.reason,
                status=item.status,
                run_id=self.run_id,
                at=item.failed_at,
            )
            self.stats.inc_value("investchn/failures")
        else:
            capture = item.capture
            capture_id = archive.add_capture(capture, self.run_id)
            if isinstance(record, NotAnArticle):
                archive.record_failure(
                    capture.url,
                    kind="extraction",
                    reason=str(record),
                    status=capture.status,
                    run_id=self.run_id,
                    at=capture.fetched_at,
                )
                self.stats.inc_value("investchn/extraction_failed")
                self.stats.inc_value("investchn/failures")
                logger.warning("could not extract %s: %s", capture.url, record)
                return
            outcome = archive.save_article(
                record, capture_id=capture_id, seen_at=capture.fetched_at, extractor_version=EXTRACTOR_VERSION
            )
            archive.resolve_failure(capture.url, capture.fetched_at)
            self.stats.inc_value(OUTCOME_STATS[outcome])
