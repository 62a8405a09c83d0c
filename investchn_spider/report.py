"""What a crawl run did, as typed counts, and the verdict (exit status, status word, message) drawn from them.

Every component of a crawl (spider, middleware, pipelines, the run's lifecycle extension) counts into one
:class:`RunReport`; the exit status is judged from it alone, never from string keys of Scrapy's stats (which
get a copy of every count under ``investchn/<name>``, for the log). Knows nothing of Scrapy or SQL.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from . import exitcodes

# Layout drift: this share of the pages listed as articles failing extraction (with at least
# DRIFT_MIN_PAGES of them) means the site changed its templates, not that a few pages are odd.
DRIFT_SHARE = 0.2
DRIFT_MIN_PAGES = 3
# Layout drift by fill rates: a field filled in at least FILL_MIN_HISTORY_RATE of at least
# FILL_MIN_HISTORY articles stored before the run, and in less than FILL_DROP_FACTOR of that rate
# among the articles the run stored (at least INVESTCHN_FILL_DRIFT_MIN_ARTICLES of them): the site
# still serves pages the extractor reads, but a label or block it used to read is gone.
FILL_MIN_HISTORY = 50
FILL_MIN_HISTORY_RATE = 0.8
FILL_DROP_FACTOR = 0.5

# The word the runs table keeps for each exit status.
STATUS_WORDS = {
    exitcodes.OK: "ok",
    exitcodes.ERROR: "failed",
    exitcodes.UNREACHABLE: "unreachable",
    exitcodes.NOT_THE_PORTAL: "not_the_portal",
    exitcodes.LOCKED: "locked",
    exitcodes.LAYOUT_DRIFT: "layout_drift",
    exitcodes.WRITE_FAILED: "write_failed",
    exitcodes.INTERRUPTED: "interrupted",
    exitcodes.TIMED_OUT: "timed_out",
}

# The counts a run keeps, and what each one counts (the README's crawl summary lists the same).
COUNTS = {
    "pages_listing": "list pages of a section fetched",
    "pages_article": "article pages fetched",
    "pages_other": "other pages fetched (home, section index, district page)",
    "pages_not_html": "responses that are not HTML",
    "listed_not_article": "pages listed as articles that show no article",
    "extraction_failed": "article pages that could not be extracted",
    "listings_without_articles": "list pages that show no article link",
    "articles_new": "articles new to the archive",
    "articles_seen": "article pages fetched again whose content the archive already held",
    "urls_merged": "new URLs of archived articles (reposts, cross-listings, redirects)",
    "articles_changed": "archived articles whose content changed (earlier version kept)",
    "failures": "failures recorded (HTTP, network, extraction, refusals)",
    "retried": "pages that failed in earlier runs, requested again",
    "skipped_given_up": "listed pages not requested: they failed too often before",
    "links_skipped": "links that cannot be requested (other schemes, malformed)",
    "lists_cut": "lists whose paging was stopped by a bound",
    "article_pages_more": "continuation pages of articles split over several pages fetched",
    "articles_incomplete": "articles split over several pages not stored: a page of theirs failed",
    "items_committed": "items written to the archive",
}


@dataclass
class Verdict:
    """How a run ended: the exit status, the word the runs table keeps, and a one-line message."""

    exit_code: int
    status: str
    message: str


@dataclass(frozen=True)
class FillCheck:
    """One field's fill rate among the articles a run stored and among those stored before it (from the archive)."""

    field: str  # what filled means, for the message: "来源 (source)"
    run_filled: int
    run_articles: int  # the run's articles the field applies to
    history_filled: int
    history_articles: int

    @property
    def run_rate(self) -> float:
        """Return the share (0..1) of the run's articles with the field filled (0 when it stored none)."""
        return self.run_filled / self.run_articles if self.run_articles else 0.0

    @property
    def history_rate(self) -> float:
        """Return the share (0..1) of the earlier articles with the field filled (0 when there are none)."""
        return self.history_filled / self.history_articles if self.history_articles else 0.0

    def dropped(self, min_run_articles: int) -> bool:
        """Return whether the run's rate fell far below the history's (the rule above :class:`FillCheck`)."""
        return (
            min_run_articles > 0
            and self.run_articles >= min_run_articles
            and self.history_articles >= FILL_MIN_HISTORY
            and self.history_rate >= FILL_MIN_HISTORY_RATE
            and self.run_rate < FILL_DROP_FACTOR * self.history_rate
        )


@dataclass
class RunReport:
    """The typed record of one crawl run, filled in by its components while it runs."""

    start_urls: list[str] = field(default_factory=list)
    run_id: int | None = None
    locked: str | None = None  # the holder, when another crawl had the archive
    fatal: tuple[int, str] | None = None  # (exit status, message) of an archive that could not be opened
    write_error: str | None = None  # the first write that failed for good
    uncommitted: int = 0  # items still not written when the run ended
    close_reason: str | None = None  # Scrapy's reason (finished, shutdown, timeout, write_failed …)
    timed_out: bool = False
    start_failures: int = 0
    start_error: str | None = None
    counts: Counter = field(default_factory=Counter)
    archived_urls: set[str] = field(default_factory=set)  # listed or fetched URLs the archive already held
    fill_checks: list[FillCheck] = field(default_factory=list)  # set at the end of the run, from the archive
    fill_min_articles: int = 20  # INVESTCHN_FILL_DRIFT_MIN_ARTICLES (0: no fill-rate check)

    def count(self, name: str, n: int = 1) -> None:
        """Add ``n`` to the count ``name`` (one of :data:`COUNTS`)."""
        if name not in COUNTS:
            raise KeyError(f"unknown run count {name!r}")
        self.counts[name] += n

    def get(self, name: str) -> int:
        """Return the count ``name`` (0 when nothing was counted)."""
        return self.counts[name]

    @property
    def already_archived(self) -> int:
        """Return how many distinct article URLs this run found the archive already held.

        One definition for the crawl summary, ``investchn runs`` and ``investchn stats``: URLs listed
        and not fetched because the archive holds them, plus URLs fetched whose content it already held.
        """
        return len(self.archived_urls)

    def run_counts(self) -> dict[str, int]:
        """Return the counts the runs table keeps for this run."""
        return {
            "new_articles": self.get("articles_new"),
            "seen_articles": self.already_archived,
            "merged_urls": self.get("urls_merged"),
            "changed_articles": self.get("articles_changed"),
            "failures": self.get("failures"),
        }


def judge(report: RunReport) -> Verdict:
    """Return the :class:`Verdict` of a finished run: its exit status, status word and one-line message."""
    code, message = _judge(report)
    return Verdict(code, STATUS_WORDS[code], message)


def _judge(report: RunReport) -> tuple[int, str]:
    starts = ", ".join(report.start_urls)
    if report.locked:
        return exitcodes.LOCKED, f"{report.locked}; not starting a second crawl"
    if report.fatal:
        return report.fatal
    if report.write_error:
        lost = f"; {report.uncommitted} item(s) were not written and the next run fetches them again"
        return exitcodes.WRITE_FAILED, (
            f"the archive could not be written: {report.write_error}{lost if report.uncommitted else ''}"
        )
    if report.timed_out:
        return exitcodes.TIMED_OUT, "stopped at the --timeout limit; the next run continues where this one stopped"
    if report.close_reason == "shutdown":
        return exitcodes.INTERRUPTED, "interrupted by a signal; the next run continues where this one stopped"
    zone_pages = report.get("pages_listing") + report.get("pages_article")
    if report.start_urls and report.start_failures >= len(report.start_urls) and not zone_pages:
        return exitcodes.UNREACHABLE, f"could not reach {starts}: {report.start_error or 'no response'}"
    if not zone_pages:
        return exitcodes.NOT_THE_PORTAL, f"{starts} leads to no 开发区新闻 (zone news) list or article page"
    failed = report.get("extraction_failed")
    article_pages = report.get("pages_article") + report.get("listed_not_article")
    if failed >= DRIFT_MIN_PAGES and failed >= DRIFT_SHARE * article_pages:
        return exitcodes.LAYOUT_DRIFT, (
            f"layout drift: {failed} of {article_pages} article pages could not be extracted "
            "(see the failures table and the log)"
        )
    if empty := report.get("listings_without_articles"):
        return exitcodes.LAYOUT_DRIFT, f"layout drift: {empty} list page(s) show no article links (see the log)"
    if dropped := [check for check in report.fill_checks if check.dropped(report.fill_min_articles)]:
        falls = "; ".join(
            f"{check.field} filled in {check.run_rate:.0%} of the {check.run_articles} articles this run stored, "
            f"against {check.history_rate:.0%} of the {check.history_articles} stored before"
            for check in dropped
        )
        return exitcodes.LAYOUT_DRIFT, f"layout drift: {falls} (see investchn quality)"
    return exitcodes.OK, "ok"
