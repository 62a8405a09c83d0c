"""The zone-news spider: walks 开发区新闻 > district > type lists and their pages, captures articles.

It only crawls and classifies (by page content, through :mod:`investchn_spider.extraction.listing`);
extraction and storage happen in the pipelines. Start URLs and allowed domains are settings, so the
same spider crawls the live portal and the local replica.

Incremental by default: article URLs the archive holds are not fetched again, and a list whose last
walk completed is paged only until a page brings nothing new (lists are newest first). A list whose
walk never completed (first crawl, or a crawl killed halfway) is walked to its end.
"""

from __future__ import annotations

import logging
from pathlib import Path

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from ..extraction import NotAnArticle, charset_from_content_type, parse_document
from ..extraction.listing import PageAnalysis, analyse_page
from ..items import ArticlePage, FetchFailure, SectionWalk, Sighting
from ..store import Archive, Capture, utc_now
from ..store.archive import CrawlState, FailureState
from ..urls import canonical_url, directory_url, registered_domain

logger = logging.getLogger(__name__)

ROLE = "investchn_role"  # start | page | article
LISTED_BY = "investchn_listed_by"  # the list page context an article request came from
# Statuses worth asking again on a later run; any other 4xx is the site's answer, not an accident.
RETRYABLE_STATUSES = frozenset((408, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524))


def is_retryable(failure: FailureState, max_attempts: int) -> bool:
    """Return True when a failed URL should be requested again by this run."""
    if failure.attempts >= max_attempts:
        return False
    return failure.kind != "http" or failure.status in RETRYABLE_STATUSES


class ZoneNewsSpider(scrapy.Spider):
    """Crawl 开发区新闻 from the start URLs; yield ArticlePage, Sighting, SectionWalk and FetchFailure items."""

    name = "zone_news"

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        """Build the spider from the INVESTCHN_* settings (``-a start_url=`` overrides the start URLs)."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        start_urls = [kwargs["start_url"]] if kwargs.get("start_url") else settings.getlist("INVESTCHN_START_URLS")
        spider.start_urls = start_urls
        spider.allowed_domains = settings.getlist("INVESTCHN_ALLOWED_DOMAINS") or sorted(
            {registered_domain(url) for url in start_urls}
        )
        spider.db_path = settings.get("INVESTCHN_DB")
        spider.full = settings.getbool("INVESTCHN_FULL")
        spider.refresh = settings.getbool("INVESTCHN_REFRESH")
        spider.since = settings.get("INVESTCHN_SINCE") or None
        spider.max_attempts = settings.getint("INVESTCHN_MAX_ATTEMPTS")
        spider.state = CrawlState()
        spider.walking: set[tuple[str, str]] = set()
        spider.requested_pages: set[str] = set()
        return spider

    async def start(self):
        """Yield the start URLs, then the failed article URLs that are due for another attempt."""
        self.state = self._load_state()
        for url in self.start_urls:
            self.requested_pages.add(directory_url(url))
            yield scrapy.Request(url, callback=self.parse, errback=self.on_error, meta={ROLE: "start"})
        for url, failure in self.state.failures.items():
            if failure.role == "article" and (self.full or is_retryable(failure, self.max_attempts)):
                listed_by = None
                if failure.list_url:
                    listed_by = {
                        "list_url": failure.list_url,
                        "district": failure.district,
                        "category": failure.category,
                    }
                self.crawler.stats.inc_value("investchn/retried")
                yield self._request(url, "article", listed_by)

    def _load_state(self) -> CrawlState:
        if not self.db_path or not Path(self.db_path).exists():
            return CrawlState()
        with Archive(self.db_path, create=False) as archive:
            return archive.crawl_state()

    def parse(self, response: Response):
        """Classify a fetched page and yield what follows from it."""
        stats = self.crawler.stats
        if not isinstance(response, TextResponse):
            stats.inc_value("investchn/pages_not_html")
            return
        charset = charset_from_content_type(response.headers.get("Content-Type", b"").decode("latin-1"))
        listed_by = response.meta.get(LISTED_BY)
        try:
            analysis = analyse_page(parse_document(response.body, response.url, charset))
        except NotAnArticle as error:
            analysis = None
            reason = str(error)
        if analysis is not None and analysis.kind == "article":
            if analysis.in_section or listed_by:
                stats.inc_value("investchn/pages_article")
                yield ArticlePage(self._capture(response, charset, listed_by))
            else:
                stats.inc_value("investchn/pages_article_off_section")
            return
        if response.meta.get(ROLE) == "article":
            # Listed as an article but not one: the site's article template may have changed.
            stats.inc_value("investchn/listed_not_article")
            reason = "listed as an article but the page shows no 发布时间 block" if analysis else reason
            logger.warning("not an article page: %s (%s)", response.url, reason)
            yield FetchFailure(response.url, "extraction", reason, response.status, "article", utc_now())
            return
        if analysis is None:
            stats.inc_value("investchn/pages_empty")
            return
        stats.inc_value(f"investchn/pages_{analysis.kind}")
        if analysis.kind == "listing":
            yield from self._follow_listing(response, analysis)
        else:
            for url in analysis.entry_links:
                yield self._request(url, "page")

    def _follow_listing(self, response: Response, analysis: PageAnalysis):
        seen_at = utc_now()
        section = (analysis.district, analysis.category) if analysis.district and analysis.category else None
        listed_by = {"list_url": response.url, "district": analysis.district, "category": analysis.category}
        fetch, new_here, too_old = [], 0, 0
        for article in analysis.articles:
            if self.since and article.date and article.date < self.since:
                too_old += 1
                continue
            url = canonical_url(article.url)
            if url not in self.state.known_urls and url not in self.state.failures:
                new_here += 1  # a URL that failed before is not news: its retries are scheduled at start
            if self._should_fetch(url):
                fetch.append(article.url)
        if section and (new_here or self.refresh or self.full) and section not in self.walking:
            self.walking.add(section)
            yield SectionWalk(*section, response.url, "started")  # stored before what it leads to
        if section:
            for article in analysis.articles:
                yield Sighting(article.url, response.url, *section, article.title, article.date, seen_at)
        for url in fetch:
            yield self._request(url, "article", listed_by)
        # Pages this run already asked for are no way on (a pager linking back, or to itself).
        next_pages = [url for url in analysis.next_pages if directory_url(url) not in self.requested_pages]
        if next_pages and self._keep_paging(section, new_here, too_old):
            for url in next_pages:
                yield self._request(url, "page")
        elif section:
            yield SectionWalk(*section, response.url, "finished")
        for url in analysis.section_links:
            yield self._request(url, "page")
        if section and not analysis.articles and not analysis.empty_notice:
            self.crawler.stats.inc_value("investchn/listings_without_articles")
            logger.warning("list page shows no article links: %s", response.url)

    def _should_fetch(self, url: str) -> bool:
        if self.refresh:
            return True
        if url in self.state.known_urls:
            self.crawler.stats.inc_value("investchn/skipped_known")
            return False
        failure = self.state.failures.get(url)
        if failure and not (self.full or is_retryable(failure, self.max_attempts)):
            self.crawler.stats.inc_value("investchn/skipped_given_up")
            return False
        return True

    def _keep_paging(self, section, new_here: int, too_old: int) -> bool:
        if too_old:
            return False  # the list has gone past --since
        if self.full or self.refresh or section is None:
            return True
        if section not in self.state.complete_sections:
            return True  # never walked to the end (or a crawl was killed halfway): walk on
        return new_here > 0

    def _request(self, url: str, role: str, listed_by: dict | None = None) -> scrapy.Request:
        if role == "page":
            url = directory_url(url)
            self.requested_pages.add(url)
        meta = {ROLE: role}
        if listed_by:
            meta[LISTED_BY] = listed_by
        return scrapy.Request(url, callback=self.parse, errback=self.on_error, meta=meta)

    @staticmethod
    def _capture(response: Response, charset: str | None, listed_by: dict | None) -> Capture:
        headers = {
            key.decode("latin-1"): [value.decode("latin-1") for value in values]
            for key, values in response.headers.items()
        }
        return Capture(
            url=response.url,
            status=response.status,
            headers=headers,
            body=response.body,
            fetched_at=utc_now(),
            http_charset=charset,
            list_url=listed_by["list_url"] if listed_by else None,
        )

    def on_error(self, failure: Failure):
        """Turn a request that failed for good into a FetchFailure item (robots/offsite drops excepted)."""
        request = failure.request
        role = request.meta.get(ROLE, "page")
        if failure.check(HttpError):
            status = failure.value.response.status
            kind, reason = "http", f"HTTP {status}"
        elif failure.check(scrapy.exceptions.IgnoreRequest):
            return
        else:
            status, kind = None, "network"
            reason = f"{failure.type.__name__}: {failure.getErrorMessage()}"[:500]
        self.crawler.stats.inc_value(f"investchn/fetch_failed/{role}")
        if role == "start":
            self.crawler.stats.set_value("investchn/start_error", reason)
        logger.info("failed %s (%s): %s", request.url, role, reason)
        yield FetchFailure(request.url, kind, reason, status, role, utc_now())
