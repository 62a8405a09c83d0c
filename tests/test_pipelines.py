"""The extraction pipeline on real pages: it extracts from the spider's parse and lets the tree go."""

from __future__ import annotations

import json
from pathlib import Path

from scrapy.utils.test import get_crawler

from investchn_spider.extraction import NotAnArticle, extract_article, parse_count, parse_document
from investchn_spider.items import ArticlePage
from investchn_spider.pipelines import ExtractionPipeline
from investchn_spider.store import Capture

FIXTURES = Path(__file__).parent / "fixtures"


def _capture(name: str, folder: str = "articles") -> tuple[Capture, dict]:
    spec = json.loads((FIXTURES / folder / f"{name}.json").read_text(encoding="utf-8"))
    body = (FIXTURES / folder / f"{name}.html").read_bytes()
    capture = Capture(
        url=spec["url"],
        status=200,
        headers={},
        body=body,
        fetched_at="2026-01-01T00:00:00+00:00",
        http_charset=spec.get("http_charset"),
        list_url=None,
        redirected_from=[],
    )
    return capture, spec


def _pipeline() -> ExtractionPipeline:
    return ExtractionPipeline.from_crawler(get_crawler())


def _first(folder: str) -> str:
    return sorted((FIXTURES / folder).glob("*.json"))[0].stem


def test_pipeline_extracts_from_the_document_without_parsing_again_and_drops_it():
    capture, spec = _capture(_first("articles"))
    item = ArticlePage(capture, parse_document(capture.body, capture.url, capture.http_charset))
    before = parse_count()
    pipeline = _pipeline()
    assert pipeline.process_item(item) is item
    assert parse_count() == before  # no second parse
    assert item.document is None  # the tree does not wait in the archive's batch
    assert item.record == spec["expected"] == extract_article(capture.body, capture.url, capture.http_charset)


def test_pipeline_without_a_document_parses_the_capture_once():
    capture, spec = _capture(_first("articles"))
    item = ArticlePage(capture)
    pipeline = _pipeline()
    pipeline.open_spider()
    pipeline.process_item(item)
    pipeline.close_spider()
    assert item.record == spec["expected"]
    assert pipeline.stats.get_value("investchn/documents_parsed") == 1


def test_pipeline_keeps_the_reason_of_a_page_that_is_not_an_article():
    capture, _ = _capture("list-table-fabushijian", "not_articles")  # dated 发布时间 lines, yet a list
    item = ArticlePage(capture, parse_document(capture.body, capture.url, capture.http_charset))
    _pipeline().process_item(item)
    assert isinstance(item.record, NotAnArticle) and str(item.record)
    assert item.document is None
