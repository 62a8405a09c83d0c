"""The zone-news spider: walks 开发区新闻 > district > type lists and their pages, captures articles.

It only crawls and classifies (by page content, through :mod:`investchn_spider.extraction.listing`);
extraction and storage happen in the pipelines. Start URLs and allowed domains are settings, so the
same spider crawls the live portal and the local replica.
"""

from __future__ import annotations

import logging

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from ..extraction import NotAnArticle, charset_from_content_type, parse_document
from ..extraction.listing import PageAnalysis, analyse_page
from ..items import ArticlePage, FetchFailure, Sighting
from ..store import Capture, utc_now
from ..urls import registered_domain

logger = logging.getLogger(__name__)

ROLE = "investchn_role"  # start | page | article
LISTED_BY = "investchn_listed_by"  # the list page context an article request came from


class ZoneNewsSpider(scrapy.Spider):
    """Crawl the 开发区新闻 section from the start URLs; yield ArticlePage, Sighting and FetchFailure items."""

    name = "zone_news"

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        """Build the spider with start URLs and allowed domains from settings (or ``-a start_url=``)."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        start_urls = [kwargs["start_url"]] if kwargs.get("start_url") else settings.getlist("INVESTCHN_START_URLS")
        spider.start_urls = start_urls
        spider.allowed_domains = settings.getlist("INVESTCHN_ALLOWED_DOMAINS") or sorted(
            {registered_domain(url) for url in start_urls}
        )
        return spider

    async def start(self):
        """Yield one request per start URL."""
        for url in self.start_urls:
            yield scrapy.Request(url, callback=self.parse, errback=self.on_error, meta={ROLE: "start"})

    def parse(self, response: Response):
        """Classify a fetched page and yield what follows from it."""
        stats = self.crawler.stats
        if not isinstance(response, TextResponse):
            stats.inc_value("investchn/pages_not_html")
            return
        charset = charset_from_content_type(response.headers.get("Content-Type", b"").decode("latin-1"))
        try:
            analysis = analyse_page(parse_document(response.body, response.url, charset))
        except NotAnArticle:
            stats.inc_value("investchn/pages_empty")
            return
        listed_by = response.meta.get(LISTED_BY)
        if analysis.kind == "article":
            if analysis.in_section or listed_by:
                stats.inc_value("investchn/pages_article")
                yield ArticlePage(self._capture(response, charset, listed_by))
            else:
                stats.inc_value("investchn/pages_article_off_section")
            return
        stats.inc_value(f"investchn/pages_{analysis.kind}")
        if analysis.kind == "listing":
            yield from self._follow_listing(response, analysis)
        else:
            for url in analysis.entry_links:
                yield self._request(url, "page")

    def _follow_listing(self, response: Response, analysis: PageAnalysis):
        seen_at = utc_now()
        listed_by = {"list_url": response.url, "district": analysis.district, "category": analysis.category}
        for article in analysis.articles:
            if analysis.category:
                yield Sighting(
                    article.url,
                    response.url,
                    analysis.district,
                    analysis.category,
                    article.title,
                    article.date,
                    seen_at,
                )
            yield self._request(article.url, "article", listed_by)
        for url in (*analysis.next_pages, *analysis.section_links):
            yield self._request(url, "page")
        if not analysis.articles and not analysis.next_pages and not analysis.section_links:
            self.crawler.stats.inc_value("investchn/listings_without_links")
            logger.warning("list page without article or section links: %s", response.url)

    def _request(self, url: str, role: str, listed_by: dict | None = None) -> scrapy.Request:
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
