"""The crawl run's lifecycle as a Scrapy extension: the archive's write lock, the run row, the time limit, the verdict.

On ``spider_opened`` it takes the archive's write lock, opens (or creates) the archive, marks runs a killed
crawl left "running" as interrupted, records the start of this run and reads what an incremental crawl
needs to know (:class:`~investchn_spider.store.archive.CrawlState`). Anything that fails there closes
the spider before its first request, with a one-line reason in the :class:`~investchn_spider.report.RunReport`.
On ``spider_closed`` (after the pipelines have written what they hold) it reads from the archive the fill
rates of the articles the run stored and of those stored before (the fill-rate drift check), judges the
report and records
the run's end, status word and exit status, then releases the lock. The same happens under
``investchn crawl`` and ``scrapy crawl zone_news``.

``INVESTCHN_RUN_TIMEOUT`` bounds the run's wall time whatever hangs: at the limit the spider is closed
as usual; if it has not closed ``INVESTCHN_STOP_GRACE_SECONDS`` later, a watchdog thread records the
run as timed out and ends the process (the lock is the kernel's, so it goes with the process).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
import threading

from scrapy import signals
from scrapy.exceptions import CloseSpider

from . import __version__, exitcodes
from .report import FillCheck, RunReport, Verdict, judge
from .store import Archive, ArchiveError, utc_now
from .store.archive import CrawlState, identify, record_run_end
from .store.lock import ArchiveLock, ArchiveLocked
from .store.quality import FIELDS, run_fill_comparison

logger = logging.getLogger(__name__)


class RunLifecycle:
    """Owns one crawl run: lock, archive connection, run row, crawl state, time limit and verdict.

    Other components find it with ``crawler.get_extension(RunLifecycle)`` and count into
    :attr:`report`; the pipelines write through :attr:`archive`.
    """

    def __init__(
        self,
        crawler,
        *,
        db_path: str,
        run_args: dict,
        start_urls: list[str],
        write_timeout: float,
        run_timeout: float,
        stop_grace: float,
        held_lock: ArchiveLock | None = None,
        fill_min_articles: int = 20,
    ) -> None:
        self.crawler = crawler
        self._held_lock = held_lock
        self.db_path = db_path
        self.run_args = run_args
        self.write_timeout = write_timeout
        self.run_timeout = run_timeout
        self.stop_grace = stop_grace
        self.report = RunReport(start_urls=list(start_urls), fill_min_articles=fill_min_articles)
        self.state = CrawlState()
        self.archive: Archive | None = None
        self.verdict: Verdict | None = None
        # Lists walked to their end in this run, by (district, category): recorded complete only when
        # the run ends cleanly with everything written.
        self.finished_sections: dict[tuple[str, str], str] = {}
        self._lock: ArchiveLock | None = None
        self._time_limit = None
        self._watchdog: threading.Timer | None = None

    @classmethod
    def from_crawler(cls, crawler) -> RunLifecycle:
        """Build the extension from the INVESTCHN_* settings and connect it to the crawl's signals."""
        settings = crawler.settings
        extension = cls(
            crawler,
            db_path=settings.get("INVESTCHN_DB"),
            run_args=settings.getdict("INVESTCHN_RUN_ARGS"),
            start_urls=settings.getlist("INVESTCHN_START_URLS"),
            write_timeout=settings.getfloat("INVESTCHN_WRITE_TIMEOUT"),
            run_timeout=settings.getfloat("INVESTCHN_RUN_TIMEOUT"),
            stop_grace=settings.getfloat("INVESTCHN_STOP_GRACE_SECONDS"),
            held_lock=settings.get("INVESTCHN_HELD_LOCK"),
            fill_min_articles=settings.getint("INVESTCHN_FILL_DRIFT_MIN_ARTICLES"),
        )
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    # --- counting -------------------------------------------------------------------------------

    def count(self, name: str, n: int = 1) -> None:
        """Count ``n`` of ``name`` in the report (and in Scrapy's stats as ``investchn/<name>``, for the log)."""
        self.report.count(name, n)
        self.crawler.stats.inc_value(f"investchn/{name}", n)

    def write_failed(self, error: BaseException, uncommitted: int) -> None:
        """Record that the archive could not be written and close the spider (its items stay in memory)."""
        if self.report.write_error is None:
            self.report.write_error = f"{type(error).__name__}: {error}"
            logger.error("the archive %s could not be written (%s); stopping the crawl", self.db_path, error)
            self._close("write_failed")
        self.report.uncommitted = uncommitted

    # --- signals --------------------------------------------------------------------------------

    def spider_opened(self, spider) -> None:
        """Take the lock, open the archive, record the run's start, read the crawl state; arm the time limit."""
        try:
            identify(self.db_path)  # another application's file: refused before a .lock appears beside it
        except ArchiveError as error:
            self.report.fatal = (exitcodes.ERROR, str(error))
            raise CloseSpider("archive_error") from None
        try:
            if self._held_lock is not None and self._held_lock.held_for(self.db_path):
                self._lock, self._held_lock = self._held_lock, None  # handed over by the command
            else:
                self._lock = ArchiveLock(self.db_path).acquire()
        except ArchiveLocked as error:
            self.report.locked = str(error)
            raise CloseSpider("locked") from None
        except FileNotFoundError:
            folder = os.path.dirname(self.db_path) or "."
            message = f"cannot create archive {self.db_path}: folder {folder} does not exist"
            self.report.fatal = (exitcodes.ERROR, message)
            raise CloseSpider("archive_error") from None
        except OSError as error:  # a read-only folder, for one: nothing can be written there
            self.report.fatal = (exitcodes.WRITE_FAILED, f"cannot lock the archive {self.db_path}: {error}")
            raise CloseSpider("archive_error") from None
        try:
            self.archive = Archive(self.db_path)
            self.archive.set_write_timeout(self.write_timeout)
            with self.archive.transaction():
                interrupted = self.archive.interrupt_stale_runs()
            self.report.run_id = self.archive.start_run(self.run_args, pid=os.getpid(), version=__version__)
            self.state = self.archive.crawl_state()
        except ArchiveError as error:
            self.report.fatal = (exitcodes.ERROR, str(error))
            self._release()
            raise CloseSpider("archive_error") from None
        except sqlite3.Error as error:
            self.report.fatal = (exitcodes.WRITE_FAILED, f"the archive {self.db_path} could not be written: {error}")
            self._release()
            raise CloseSpider("archive_error") from None
        if interrupted:
            logger.warning("%d earlier run(s) were interrupted; this run completes their work", interrupted)
        self.crawler.stats.set_value("investchn/run_id", self.report.run_id)
        if self.run_timeout > 0:
            from twisted.internet import reactor

            self._time_limit = reactor.callLater(self.run_timeout, self._time_up)
            self._watchdog = threading.Timer(self.run_timeout + self.stop_grace, self._hard_stop)
            self._watchdog.daemon = True
            self._watchdog.start()

    def spider_closed(self, spider, reason: str) -> None:
        """Judge the run, record its end in the archive and release the lock."""
        self.report.close_reason = reason
        if self._time_limit is not None and self._time_limit.active():
            self._time_limit.cancel()
        if self.archive is not None and self.report.run_id is not None:
            self._complete_sections(reason)
            self._check_fill_rates()
            self.verdict = judge(self.report)
            try:
                self.archive.finish_run(
                    self.report.run_id,
                    status=self.verdict.status,
                    exit_code=self.verdict.exit_code,
                    stats=self.crawler.stats.get_stats(),
                    counts={**self.report.run_counts(), "requests": self._requests()},
                )
            except sqlite3.Error as error:  # the run row stays "running": the next run marks it interrupted
                if self.report.write_error is None:
                    self.report.write_error = f"{type(error).__name__}: {error} (recording the end of the run)"
            self.archive.close()
            self.archive = None
        self.verdict = judge(self.report)
        if self._watchdog is not None:
            self._watchdog.cancel()
        self._release()

    # --- helpers --------------------------------------------------------------------------------

    def _complete_sections(self, reason: str) -> None:
        if reason != "finished" or self.report.write_error or self.report.uncommitted or not self.finished_sections:
            return
        sections = [(*section, url) for section, url in sorted(self.finished_sections.items())]
        try:
            with self.archive.transaction():
                self.archive.complete_sections(sections, self.report.run_id, utc_now())
        except sqlite3.Error as error:  # the walks stay pending: the next run walks them again
            self.report.write_error = f"{type(error).__name__}: {error} (recording completed lists)"

    def _check_fill_rates(self) -> None:
        """Put the fill rates of the run's articles and of the archive's history in the report (for ``judge``)."""
        if self.report.fill_min_articles <= 0 or self.report.write_error:
            return
        try:
            run, history = run_fill_comparison(self.archive.db, self.report.run_id)
        except sqlite3.Error as error:  # a reading problem must not hide the run's own verdict
            logger.warning("could not compare the run's fill rates with the archive's: %s", error)
            return
        self.report.fill_checks = [
            FillCheck(
                f.filled,
                run.eligible[f.key] - run.missing[f.key],
                run.eligible[f.key],
                history.eligible[f.key] - history.missing[f.key],
                history.eligible[f.key],
            )
            for f in FIELDS
        ]
        if run.articles:
            logger.info(
                "fill rates of the %d article(s) this run stored (and of the %d before): %s",
                run.articles,
                history.articles,
                ", ".join(f"{c.field} {c.run_rate:.0%} ({c.history_rate:.0%})" for c in self.report.fill_checks),
            )

    def _requests(self) -> int:
        return int(self.crawler.stats.get_value("downloader/request_count", 0))

    def _close(self, reason: str) -> None:
        engine = self.crawler.engine
        if engine is None or engine.spider is None:
            return
        from scrapy.utils.defer import deferred_from_coro

        deferred_from_coro(engine.close_spider_async(reason=reason))

    def _time_up(self) -> None:
        logger.warning("the crawl reached its time limit of %s s; stopping", self.run_timeout)
        self.report.timed_out = True
        self._close("timeout")

    def _hard_stop(self) -> None:
        """Watchdog: the spider did not close within the grace period after the time limit; end the process."""
        message = (
            f"the crawl did not stop within {self.stop_grace:g} s of its --timeout of {self.run_timeout:g} s; "
            "ending it (what was committed stays archived; the next run continues)"
        )
        logger.error(message)
        if self.report.run_id is not None:
            try:  # a connection of its own: the crawl's may be in the middle of a transaction
                record_run_end(self.db_path, self.report.run_id, "timed_out", exitcodes.TIMED_OUT)
            except sqlite3.Error as error:
                logger.error("could not record the run's end: %s", error)
        print(f"Error: {message}", file=sys.stderr, flush=True)
        os._exit(exitcodes.TIMED_OUT)

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None


class CrawlProgress:
    """The live status line of a crawl on a terminal: pages, new articles, failures, pages/s, elapsed.

    Enabled by ``INVESTCHN_PROGRESS`` (``investchn crawl`` sets it when stderr is a terminal); it
    redraws every ``INVESTCHN_PROGRESS_INTERVAL`` seconds from the run's report and Scrapy's stats,
    and erases itself before a log line reaches the terminal (which would else be written into it)
    and when the spider closes, before the command prints its summary.
    """

    def __init__(self, crawler, interval: float, progress=None) -> None:
        from .progress import Progress

        self.crawler = crawler
        self.interval = interval
        self.progress = progress or Progress("crawl", rate="pages", enabled=True)
        self._loop = None
        self._handlers: list[logging.Handler] = []

    @classmethod
    def from_crawler(cls, crawler) -> CrawlProgress:
        """Build the extension when INVESTCHN_PROGRESS is on (else raise NotConfigured); connect its signals."""
        from scrapy.exceptions import NotConfigured

        if not crawler.settings.getbool("INVESTCHN_PROGRESS"):
            raise NotConfigured
        extension = cls(crawler, crawler.settings.getfloat("INVESTCHN_PROGRESS_INTERVAL"))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def counts(self) -> dict[str, int]:
        """Return the counts the line shows, as they stand."""
        report = self.crawler.get_extension(RunLifecycle).report
        return {
            "pages": int(self.crawler.stats.get_value("response_received_count", 0)),
            "new_articles": report.get("articles_new"),
            "failures": report.get("failures"),
        }

    def spider_opened(self, spider) -> None:
        """Draw the line and redraw it on a timer; log lines to the terminal erase it first."""
        from twisted.internet.task import LoopingCall

        for handler in logging.getLogger().handlers:
            if getattr(handler, "stream", None) is self.progress.stream:  # the console, not the log file
                handler.addFilter(self._clear_before_log)
                self._handlers.append(handler)
        self._loop = LoopingCall(self._tick)
        self._loop.start(self.interval, now=True)

    def spider_closed(self, spider, reason: str) -> None:
        """Draw the final counts once, then erase the line for the command's summary."""
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.progress.update(force=True, **self.counts())
        self.progress.close()
        for handler in self._handlers:
            handler.removeFilter(self._clear_before_log)

    def _tick(self) -> None:
        self.progress.update(force=True, **self.counts())

    def _clear_before_log(self, record: logging.LogRecord) -> bool:
        self.progress.clear()
        return True
