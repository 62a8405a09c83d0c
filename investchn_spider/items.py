"""What the spider hands to the pipelines: plain dataclasses, no Scrapy types inside."""

from __future__ import annotations

from dataclasses import dataclass, field

from .extraction import Document
from .store import Capture


@dataclass
class ArticlePage:
    """A fetched page that shows an article under 开发区新闻, to be extracted and archived.

    ``document`` is the page as the spider parsed it to classify it, so that the extraction
    pipeline extracts from it without parsing the page again; the pipeline drops it once extracted
    (the item then waits, with its capture, for its batch to commit). ``record`` is filled in by the
    extraction pipeline: the extracted record, or the reason the page is not an article
    (:class:`~investchn_spider.extraction.NotAnArticle`), and ``facts`` with the record's facts
    (money amounts, the zone resolved: :func:`~investchn_spider.facts.record.facts_of`).
    """

    capture: Capture
    document: Document | None = field(default=None, repr=False, compare=False)
    record: dict | Exception | None = None
    # An article split over several pages: its continuation pages (page 2 on), in page order, each
    # with its own capture and document; ``record`` is then the one record of all of them.
    more_pages: list[ArticlePage] = field(default_factory=list)
    facts: dict | None = None


@dataclass
class Sighting:
    """An article link seen on a list page of a section (district, category)."""

    url: str
    list_url: str
    district: str | None
    category: str | None
    listed_title: str | None
    listed_date: str | None
    seen_at: str


@dataclass
class FetchFailure:
    """A request that failed for good (after retries): HTTP error status or network error."""

    url: str
    kind: str  # http, network, extraction, too_large, redirect_offsite, paging_limit …
    reason: str
    status: int | None
    role: str  # "start", "listing" or "article": what the request was for
    failed_at: str


@dataclass
class SectionWalk:
    """The walk of a list section (district, category) started (with news) or reached its end.

    ``started`` is stored at once, before the articles it leads to, so a killed crawl leaves the
    section marked unfinished; ``finished`` is stored only when the run ends cleanly.
    """

    district: str
    category: str
    list_url: str
    event: str  # "started" or "finished"
