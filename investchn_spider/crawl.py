"""Run one crawl with the real Scrapy engine and judge how it went, for the CLI and for tests."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from scrapy import exceptions as scrapy_exceptions
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from twisted.internet import error as twisted_errors

from .downloads import Refused
from .extensions import RunLifecycle
from .report import RunReport, judge
from .spiders.zone_news import ZoneNewsSpider


@dataclass
class CrawlOptions:
    """What a crawl is asked to do; ``None`` keeps the project setting."""

    db: str
    start_urls: list[str] = field(default_factory=list)
    allowed_domains: list[str] = field(default_factory=list)
    delay: float | None = None
    max_requests: int | None = None
    timeout: float | None = None  # the whole run's wall time
    page_timeout: float | None = None
    log_level: str | None = None
    progress: bool = False  # the live status line on stderr (a terminal)
    full: bool = False
    refresh: bool = False
    since: str | None = None
    log_dir: str | None = None
    run_args: dict = field(default_factory=dict)
    held_lock: object | None = None  # an ArchiveLock already taken on ``db``, handed to the run
    extra_settings: dict = field(default_factory=dict)


@dataclass
class CrawlResult:
    """How a crawl ended: exit status, a one-line verdict, the run's report, Scrapy's stats and log file."""

    exit_code: int
    message: str
    report: RunReport
    stats: dict
    log_path: Path | None = None


def crawl_settings(options: CrawlOptions) -> Settings:
    """Return the project settings with the options of this crawl applied on top."""
    settings = Settings()
    settings.setmodule("investchn_spider.settings", priority="project")
    overrides: dict = {
        "INVESTCHN_DB": options.db,
        "INVESTCHN_RUN_ARGS": options.run_args,
        "INVESTCHN_FULL": options.full,
        "INVESTCHN_REFRESH": options.refresh,
    }
    if options.held_lock is not None:
        overrides["INVESTCHN_HELD_LOCK"] = options.held_lock
    if options.since:
        overrides["INVESTCHN_SINCE"] = options.since
    if options.log_dir:
        overrides["INVESTCHN_LOG_DIR"] = options.log_dir
    if options.start_urls:
        overrides["INVESTCHN_START_URLS"] = options.start_urls
    if options.allowed_domains:
        overrides["INVESTCHN_ALLOWED_DOMAINS"] = options.allowed_domains
    if options.delay is not None:
        overrides["DOWNLOAD_DELAY"] = options.delay
        if options.delay == 0:  # a local replica: no throttling, the machine is the limit
            overrides.update(AUTOTHROTTLE_ENABLED=False, CONCURRENT_REQUESTS_PER_DOMAIN=8)
    if options.timeout:
        overrides["INVESTCHN_RUN_TIMEOUT"] = options.timeout
    if options.page_timeout:
        overrides["DOWNLOAD_TIMEOUT"] = options.page_timeout
    if options.max_requests:
        overrides["CLOSESPIDER_PAGECOUNT"] = options.max_requests
    if options.log_level:
        overrides["LOG_LEVEL"] = options.log_level
    if options.progress:
        overrides["INVESTCHN_PROGRESS"] = True
    overrides.update(options.extra_settings)
    settings.setdict(overrides, priority="cmdline")
    return settings


def log_path_for(settings: Settings, started: datetime) -> Path:
    """Return the log file of a run started at ``started``: ``<log dir>/crawl-<UTC time>-<pid>.log``."""
    folder = Path(settings.get("INVESTCHN_LOG_DIR") or Path(settings.get("INVESTCHN_DB")).parent / "logs")
    return folder / f"crawl-{started:%Y%m%dT%H%M%SZ}-{os.getpid()}.log"


def run_crawl(options: CrawlOptions) -> CrawlResult:
    """Crawl with the given options (blocking; once per process, as Twisted's reactor cannot restart).

    Logs go to the console at the chosen level (``investchn crawl``: WARNING) and, at INFO, to a log
    file per run, start-up lines included.
    """
    settings = crawl_settings(options)
    log_path = log_path_for(settings, datetime.now(UTC))
    log_path.parent.mkdir(parents=True, exist_ok=True)
    file_handler = logging.FileHandler(log_path, encoding="utf-8")
    file_handler.setLevel(logging.INFO)
    file_handler.setFormatter(logging.Formatter(settings.get("LOG_FORMAT"), settings.get("LOG_DATEFORMAT")))
    file_handler.addFilter(_network_errors_in_one_line)
    # Before Scrapy starts, so the file also keeps its start-up lines (versions, settings, components);
    # Scrapy replaces only its own root handler and leaves the root logger at NOTSET: INFO reaches the file.
    root = logging.getLogger()
    root.addHandler(file_handler)
    try:
        process = CrawlerProcess(settings)
        crawler = process.create_crawler(ZoneNewsSpider)
        process.crawl(crawler)
        # After crawl(): the crawler replaces Scrapy's root log handler when it applies its settings.
        for handler in root.handlers:
            if handler is not file_handler:
                handler.addFilter(_network_errors_in_one_line)
        process.start()
    finally:
        root.removeHandler(file_handler)
        file_handler.close()
    lifecycle = crawler.get_extension(RunLifecycle)
    report = lifecycle.report
    verdict = lifecycle.verdict or judge(report)  # (None: the crawl never opened)
    return CrawlResult(verdict.exit_code, verdict.message, report, crawler.stats.get_stats(), log_path)


# Errors of the network, not of the program: a site that is down is a fact to report in one line
# (cron mails every log line), not a traceback. So is a page refused (too large, redirected off-site).
_NETWORK_ERRORS = (
    Refused,
    OSError,
    twisted_errors.ConnectError,
    twisted_errors.DNSLookupError,
    twisted_errors.TimeoutError,
    twisted_errors.ConnectionLost,
    scrapy_exceptions.DownloadConnectionRefusedError,
    scrapy_exceptions.CannotResolveHostError,
    scrapy_exceptions.DownloadTimeoutError,
    scrapy_exceptions.DownloadFailedError,
    scrapy_exceptions.ResponseDataLossError,
)


def _network_errors_in_one_line(record: logging.LogRecord) -> bool:
    """Logging filter: drop the traceback of network errors, keeping their message on the line."""
    if record.exc_info and isinstance(record.exc_info[1], _NETWORK_ERRORS):
        error = record.exc_info[1]
        record.msg = f"{record.getMessage()}: {type(error).__name__}: {error}"
        record.args = ()
        record.exc_info = record.exc_text = None
    return True
