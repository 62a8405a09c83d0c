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
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from ..downloads import Refused
from ..extensions import RunLifecycle
from ..extraction import NotAnArticle, charset_from_content_type, parse_document
from ..extraction.listing import PageAnalysis, analyse_page
from ..extraction.pager import continuation_pages, page_number
from ..items import ArticlePage, FetchFailure, SectionWalk, Sighting
from ..middlewares import ROLE, is_retryable
from ..store import Capture, utc_now
from ..urls import canonical_url, directory_url, registered_domain

logger = logging.getLogger(__name__)

LISTED_BY = "investchn_listed_by"  # the list page context an article request came from
SPLIT = "investchn_split"  # the first page's URL of the article a continuation page request belongs to


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
        spider.full = settings.getbool("INVESTCHN_FULL")
        spider.refresh = settings.getbool("INVESTCHN_REFRESH")
        spider.since = settings.get("INVESTCHN_SINCE") or None
        spider.max_attempts = settings.getint("INVESTCHN_MAX_ATTEMPTS")
        spider.max_repeat_pages = settings.getint("INVESTCHN_MAX_REPEAT_PAGES")
        spider.max_list_pages = settings.getint("INVESTCHN_MAX_LIST_PAGES")
        spider.max_article_pages = max(1, settings.getint("INVESTCHN_MAX_ARTICLE_PAGES"))
        # Articles split over pages whose pages are being fetched, by first page URL. Kept here, not in
        # the requests' meta, so that requests stay picklable (a disk queue) without the parsed pages.
        spider.splits: dict[str, _SplitArticle] = {}
        spider.walking: set[tuple[str, str]] = set()
        spider.requested_pages: set[str] = set()
        spider.skipped_links: set[str] = set()  # links that cannot be requested, counted once each
        # Per list (a section, or the folder of a list page with no section), in this run: the canonical
        # article URLs it listed, its pages fetched, and its pages in a row that listed none it had not.
        # Per list, not per run, so where paging is cut does not depend on what other pages listed first.
        spider.listed_by_list: defaultdict[tuple, set[str]] = defaultdict(set)
        spider.list_pages: Counter = Counter()
        spider.repeat_pages: Counter = Counter()
        return spider

    @property
    def run(self) -> RunLifecycle:
        """The run's lifecycle extension: the archive's state at start and the run's report."""
        return self.crawler.get_extension(RunLifecycle)

    async def start(self):
        """Yield the start URLs, then the failed article URLs that are due for another attempt."""
        self.run.report.start_urls = list(self.start_urls)
        for url in self.start_urls:
            self.requested_pages.add(directory_url(url))
            yield scrapy.Request(url, callback=self.parse, errback=self.on_error, meta={ROLE: "start"})
        for url, failure in sorted(self.run.state.failures.items()):
            if failure.role == "article" and (self.full or is_retryable(failure, self.max_attempts)):
                listed_by = None
                if failure.list_url:
                    listed_by = {
                        "list_url": failure.list_url,
                        "district": failure.district,
                        "category": failure.category,
                    }
                if request := self._request(url, "article", listed_by):
                    self.run.count("retried")
                    yield request

    def parse(self, response: Response):
        """Classify a fetched page and yield what follows from it."""
        run = self.run
        if not isinstance(response, TextResponse):
            run.count("pages_not_html")
            return
        charset = charset_from_content_type(response.headers.get("Content-Type", b"").decode("latin-1"))
        listed_by = response.meta.get(LISTED_BY)
        try:
            document = parse_document(response.body, response.url, charset)
            analysis = analyse_page(document)
        except NotAnArticle as error:
            document = analysis = None
            reason = str(error)
        for url in analysis.skipped_links if analysis else ():
            self._skip(url, response.url)
        if analysis is not None and analysis.kind == "article":
            if analysis.in_section or listed_by:
                run.count("pages_article")
                # The parsed page goes with the item: the extraction pipeline reads it, not the bytes again.
                page = ArticlePage(self._capture(response, charset, listed_by), document)
                if (more := continuation_pages(document)) and response.url in self.splits:
                    # Two listed URLs redirected to one article that is already being fetched: that
                    # walk stores it (the dupe filter would drop this one's page requests anyway).
                    logger.info("article split over pages already being fetched: %s", response.url)
                elif more:
                    split = _SplitArticle(page, response.url, listed_by, response.request.priority)
                    self.splits[split.first_url] = split
                    yield from self._next_page(split, more)
                else:
                    yield page
            else:
                run.count("pages_other")
            return
        if response.meta.get(ROLE) == "article":
            # Listed as an article but not one: the site's article template may have changed.
            run.count("listed_not_article")
            reason = "listed as an article but the page shows no 发布时间 block" if analysis else reason
            logger.warning("not an article page: %s (%s)", response.url, reason)
            yield FetchFailure(response.url, "extraction", reason, response.status, "article", utc_now())
            return
        if analysis is None or analysis.kind != "listing":
            run.count("pages_other")
            for url in analysis.entry_links if analysis else ():
                if request := self._request(url, "page"):
                    yield request
            return
        run.count("pages_listing")
        yield from self._follow_listing(response, analysis)

    def _next_page(self, split: _SplitArticle, found: list[str]):
        """Queue the continuation pages ``found`` on a page of ``split``, then yield the request for the
        next page not fetched yet, or the whole article once every page is in (or its failure)."""
        for url in found:
            if url not in split.queued:  # a pager linking to itself, back, or in a cycle adds nothing
                split.queued[url] = page_number(url, split.first_url) or 0
        if len(split.queued) + 1 > self.max_article_pages:
            reason = f"more than {self.max_article_pages} pages in one article (the limit); not stored"
            yield from self._split_failed(split, "paging_limit", reason, None)
            return
        pending = sorted((number, url) for url, number in split.queued.items() if url not in split.pages)
        if pending:
            url = pending[0][1]
            meta = {ROLE: "continuation", SPLIT: split.first_url}
            # Not through the dupe filter: a request it dropped would leave the article waiting, silently
            # lost. Each page is asked for once anyway (``queued``), on the first page's host (page_number).
            yield scrapy.Request(
                url,
                callback=self.parse_page,
                errback=self.on_page_error,
                meta=meta,
                priority=split.priority,
                dont_filter=True,
            )
            return
        del self.splits[split.first_url]
        first = split.first
        first.more_pages = [split.pages[url] for url in sorted(split.pages, key=split.queued.__getitem__)]
        yield first

    def parse_page(self, response: Response):
        """Read a continuation page of an article split over several pages; yield what follows from it."""
        split = self.splits.get(response.meta[SPLIT])
        url = response.request.url
        if split is None:  # a request of an earlier process (a resumed job): its first page is not here
            logger.info("continuation page of an article this run is not fetching: %s", url)
            return
        self.run.count("article_pages_more")
        if not isinstance(response, TextResponse):
            yield from self._split_failed(split, "extraction", f"page {url} is not HTML", response.status)
            return
        charset = charset_from_content_type(response.headers.get("Content-Type", b"").decode("latin-1"))
        try:
            document = parse_document(response.body, response.url, charset)
        except NotAnArticle as error:
            yield from self._split_failed(split, "extraction", f"page {url}: {error}", response.status)
            return
        split.pages[url] = ArticlePage(self._capture(response, charset, split.listed_by), document)
        yield from self._next_page(split, continuation_pages(document, split.first_url))

    def on_page_error(self, failure: Failure):
        """A continuation page failed for good: the article is recorded as failed, not stored truncated."""
        request = failure.request
        status, kind, reason = _failure_reason(failure)
        if kind is None:  # dropped before download: robots.txt, off-site
            kind, reason = "network", "not fetched (robots.txt or off-site)"
        if split := self.splits.get(request.meta[SPLIT]):
            yield from self._split_failed(split, kind, f"page {request.url}: {reason}", status)

    def _split_failed(self, split: _SplitArticle, kind: str, reason: str, status: int | None):
        """Yield the failure of an article split over pages, under its first page's URL (so the next
        run, which does not hold the URL, fetches it again), and count it."""
        self.splits.pop(split.first_url, None)
        self.run.count("articles_incomplete")
        logger.warning("article split over pages not stored: %s (%s)", split.first_url, reason)
        yield FetchFailure(split.first_url, kind, reason[:500], status, "article", utc_now())

    def closed(self, reason: str) -> None:
        """Log the articles split over pages still being fetched when the run stopped (not stored: the
        next run, which does not hold their URLs, fetches them again)."""
        if self.splits:
            logger.warning(
                "%d article(s) split over pages not stored, the run stopped (%s) before all their pages came: %s",
                len(self.splits),
                reason,
                ", ".join(sorted(self.splits)),
            )

    def _follow_listing(self, response: Response, analysis: PageAnalysis):
        seen_at = utc_now()
        state = self.run.state
        section = (analysis.district, analysis.category) if analysis.district and analysis.category else None
        listed_by = {"list_url": response.url, "district": analysis.district, "category": analysis.category}
        fetch, new_here, unlisted, too_old = [], 0, 0, 0
        list_key = _list_key(section, response.url)
        listed = self.listed_by_list[list_key]
        for article in analysis.articles:
            if self.since and article.date and article.date < self.since:
                too_old += 1
                continue
            url = canonical_url(article.url)
            if url not in listed:
                unlisted += 1
                listed.add(url)
                if url not in state.known_urls and url not in state.failures:
                    new_here += 1  # a URL that failed before is not news: its retries are scheduled at start
            fetch.append(article.url)
        if section and (new_here or self.refresh or self.full) and section not in self.walking:
            self.walking.add(section)
            yield SectionWalk(*section, response.url, "started")  # stored before what it leads to
        if section:
            for article in analysis.articles:
                yield Sighting(article.url, response.url, *section, article.title, article.date, seen_at)
        for url in fetch:  # the archive's middleware drops those it holds already
            if request := self._request(url, "article", listed_by):
                yield request
        # Pages this run already asked for are no way on (a pager linking back, or to itself).
        next_pages = [url for url in analysis.next_pages if directory_url(url) not in self.requested_pages]
        keep_paging = bool(next_pages) and self._keep_paging(section, new_here, too_old)
        cut = self._paging_cut(list_key, response.url, unlisted) if keep_paging else None
        if keep_paging and cut is None:
            for url in next_pages:
                if request := self._request(url, "page"):
                    yield request
        elif section:
            yield SectionWalk(*section, response.url, "finished")
        for url in analysis.section_links:
            if request := self._request(url, "page"):
                yield request
        if section and not analysis.articles and not analysis.empty_notice:
            self.run.count("listings_without_articles")
            logger.warning("list page shows no article links: %s", response.url)
        if cut:
            yield FetchFailure(response.url, "paging_limit", cut, response.status, "page", seen_at)

    def _paging_cut(self, key: tuple, url: str, unlisted: int) -> str | None:
        """Return why a list's paging must stop although it shows a next page (None: page on).

        Two bounds, both settings, counted per list (``key``, see :func:`_list_key`): pages in a row that
        list nothing the list has not listed already in this run (a pager that links on with a new query
        string forever), and the list's pages in one run.
        """
        self.list_pages[key] += 1
        self.repeat_pages[key] = 0 if unlisted else self.repeat_pages[key] + 1
        if self.repeat_pages[key] >= self.max_repeat_pages:
            reason = f"{self.repeat_pages[key]} list pages in a row listed nothing new; paging stopped"
        elif self.list_pages[key] >= self.max_list_pages:
            reason = f"{self.list_pages[key]} list pages of this list walked in one run (the limit); paging stopped"
        else:
            return None
        self.run.count("lists_cut")
        logger.warning("%s: %s", url, reason)
        return reason

    def _keep_paging(self, section, new_here: int, too_old: int) -> bool:
        if too_old:
            return False  # the list has gone past --since
        if self.full or self.refresh or section is None:
            return True
        if section not in self.run.state.complete_sections:
            return True  # never walked to the end (or a crawl was killed halfway): walk on
        return new_here > 0

    def _request(self, url: str, role: str, listed_by: dict | None = None) -> scrapy.Request | None:
        """Return the request for ``url``, or None (counted as a skipped link) when none can be built."""
        meta = {ROLE: role}
        if listed_by:
            meta[LISTED_BY] = listed_by
        try:
            if role == "page":
                url = directory_url(url)
            request = scrapy.Request(url, callback=self.parse, errback=self.on_error, meta=meta)
        except ValueError:  # extraction set aside what it knows cannot be requested; this is the backstop
            self._skip(url, listed_by["list_url"] if listed_by else None)
            return None
        if role == "page":
            self.requested_pages.add(url)
        return request

    def _skip(self, url: str, page_url: str | None) -> None:
        """Count a link that cannot be requested (once per run, whatever the pages showing it)."""
        if url not in self.skipped_links:
            self.skipped_links.add(url)
            self.run.count("links_skipped")
            # INFO, not WARNING: a share link (weixin:, sms:) on every list page is the site's, not news for cron.
            logger.info("link skipped, it cannot be requested (not http(s), or malformed): %r on %s", url, page_url)

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
            redirected_from=list(response.meta.get("redirect_urls", [])),
        )

    def on_error(self, failure: Failure):
        """Turn a request that failed for good into a FetchFailure item (robots/offsite drops excepted)."""
        request = failure.request
        role = request.meta.get(ROLE, "page")
        status, kind, reason = _failure_reason(failure)
        if kind is None:
            return
        if role == "start":
            self.run.report.start_failures += 1
            self.run.report.start_error = reason
        logger.info("failed %s (%s): %s", request.url, role, reason)
        yield FetchFailure(request.url, kind, reason, status, role, utc_now())


def _failure_reason(failure: Failure) -> tuple[int | None, str | None, str]:
    """Return ``(status, kind, reason)`` of a failed request; kind None for a request dropped on
    purpose before download (robots.txt, off-site)."""
    if failure.check(HttpError):
        status = failure.value.response.status
        return status, "http", f"HTTP {status}"
    if failure.check(Refused):  # too large, or a redirect off the allowed hosts (downloads.py)
        return failure.value.status, failure.value.kind, failure.value.reason[:500]
    if failure.check(scrapy.exceptions.IgnoreRequest):
        return None, None, ""
    return None, "network", f"{failure.type.__name__}: {failure.getErrorMessage()}"[:500]


@dataclass
class _SplitArticle:
    """An article split over several pages while its pages are fetched, one after the other.

    ``queued``: every continuation URL its pagers linked, with its page number (the order); ``pages``:
    those fetched, as items without a record.
    """

    first: ArticlePage
    first_url: str
    listed_by: dict | None
    priority: int
    queued: dict[str, int] = field(default_factory=dict)
    pages: dict[str, ArticlePage] = field(default_factory=dict)


def _list_key(section: tuple[str, str] | None, url: str) -> tuple:
    """Return what identifies the list a list page belongs to: its section, else its folder (query dropped)."""
    return section or ("", urlsplit(url).path.rsplit("/", 1)[0])
