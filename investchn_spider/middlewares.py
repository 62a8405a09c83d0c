"""Spider middleware: article requests for what the archive already holds are not sent.

Incremental crawling as a component of its own: the spider lists what it finds, this middleware drops
the article requests whose canonical URL the archive holds (unless ``INVESTCHN_REFRESH``) and those
that failed too often before (unless ``INVESTCHN_FULL``), counting both in the run's report. The
archive's state is the one the run's lifecycle extension read at start.
"""

from __future__ import annotations

import logging

import scrapy

from .downloads import REFUSAL_KINDS
from .extensions import RunLifecycle
from .store.archive import FailureState
from .urls import canonical_url

logger = logging.getLogger(__name__)

ROLE = "investchn_role"  # request meta: start | page | article | continuation (page 2 on of an article)
# Statuses worth asking again on a later run; any other 4xx is the site's answer, not an accident.
RETRYABLE_STATUSES = frozenset((408, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524))


def is_retryable(failure: FailureState, max_attempts: int) -> bool:
    """Return True when a failed URL should be requested again by this run."""
    if failure.attempts >= max_attempts or failure.kind in REFUSAL_KINDS:
        return False  # a page refused for its size or its redirect would be refused again
    return failure.kind != "http" or failure.status in RETRYABLE_STATUSES


class ArchivedUrlFilter:
    """Drop article requests the archive makes unnecessary: archived URLs, and failures given up on."""

    def __init__(self, lifecycle: RunLifecycle, *, refresh: bool, full: bool, max_attempts: int) -> None:
        self.lifecycle = lifecycle
        self.refresh = refresh
        self.full = full
        self.max_attempts = max_attempts
        self._given_up: set[str] = set()  # counted once each, however many lists show them

    @classmethod
    def from_crawler(cls, crawler) -> ArchivedUrlFilter:
        """Build the middleware from the INVESTCHN_* settings and the run's lifecycle extension."""
        settings = crawler.settings
        return cls(
            crawler.get_extension(RunLifecycle),
            refresh=settings.getbool("INVESTCHN_REFRESH"),
            full=settings.getbool("INVESTCHN_FULL"),
            max_attempts=settings.getint("INVESTCHN_MAX_ATTEMPTS"),
        )

    async def process_spider_output(self, response, result):
        """Yield the spider's output less the article requests the archive makes unnecessary."""
        async for output in result:
            if isinstance(output, scrapy.Request) and output.meta.get(ROLE) == "article" and not self.wanted(output):
                continue
            yield output

    def wanted(self, request: scrapy.Request) -> bool:
        """Return whether an article request should be sent (counting the ones that are not)."""
        if self.refresh:
            return True
        url = canonical_url(request.url)
        state = self.lifecycle.state
        if url in state.known_urls:
            self.lifecycle.report.archived_urls.add(url)
            return False
        failure = state.failures.get(url)
        if failure and not (self.full or is_retryable(failure, self.max_attempts)):
            if url not in self._given_up:
                self._given_up.add(url)
                self.lifecycle.count("skipped_given_up")
            return False
        return True
