"""The extraction core against the fixture corpus: every field of every article page, and rejections."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from investchn_spider.extraction import (
    RECORD_FIELDS,
    NotAnArticle,
    content_hash,
    extract_article,
    extract_from_document,
    parse_document,
)
from investchn_spider.extraction.listing import analyse_page

FIXTURES = Path(__file__).parent / "fixtures"
ARTICLE_CASES = sorted((FIXTURES / "articles").glob("*.json"))
NOT_ARTICLE_CASES = sorted((FIXTURES / "not_articles").glob("*.json"))


def _load(case: Path) -> tuple[dict, bytes]:
    return json.loads(case.read_text(encoding="utf-8")), case.with_suffix(".html").read_bytes()


def test_fixture_corpus_is_large_enough():
    assert len(ARTICLE_CASES) >= 24
    assert len(NOT_ARTICLE_CASES) >= 5


@pytest.mark.parametrize("case", ARTICLE_CASES, ids=lambda path: path.stem)
def test_extract_article_matches_expected_record(case: Path):
    spec, body = _load(case)
    record = extract_article(body, spec["url"], spec.get("http_charset"))
    expected = spec["expected"]
    assert tuple(record) == RECORD_FIELDS
    for field in RECORD_FIELDS:
        assert record[field] == expected[field], f"{case.stem}: {field}"


@pytest.mark.parametrize("case", ARTICLE_CASES, ids=lambda path: path.stem)
def test_a_document_classified_first_gives_the_same_record(case: Path):
    # The crawl's path: the spider parses and classifies the page, the pipeline extracts from that parse.
    spec, body = _load(case)
    document = parse_document(body, spec["url"], spec.get("http_charset"))
    assert analyse_page(document).kind == "article"
    assert extract_from_document(document) == spec["expected"]


@pytest.mark.parametrize("case", ARTICLE_CASES, ids=lambda path: path.stem)
def test_extract_article_hash_covers_title_date_and_body(case: Path):
    spec, body = _load(case)
    record = extract_article(body, spec["url"], spec.get("http_charset"))
    assert record["content_hash"] == content_hash(record["title"], record["published_date"], record["body_text"])
    assert content_hash(record["title"] + "x", record["published_date"], record["body_text"]) != record["content_hash"]


@pytest.mark.parametrize("case", NOT_ARTICLE_CASES, ids=lambda path: path.stem)
def test_extract_article_rejects_pages_that_are_not_articles(case: Path):
    spec, body = _load(case)
    with pytest.raises(NotAnArticle) as error:
        extract_article(body, spec["url"], spec.get("http_charset"))
    assert str(error.value)


def test_extract_article_accepts_text_and_bytes_alike():
    spec, body = _load(ARTICLE_CASES[0])
    from investchn_spider.extraction import decode_html

    text, _ = decode_html(body, spec.get("http_charset"))
    assert extract_article(text, spec["url"]) == extract_article(body, spec["url"], spec.get("http_charset"))


def test_the_title_tag_picks_the_title_over_an_emphasised_line_nearer_the_meta_line():
    # Without the <title> the nearest emphasised line (the <h2>) would win.
    page = (
        "<html><head><title>园区签约十个项目 - 投促中国</title></head><body>"
        "<div>您现在的位置：首页 &gt; 开发区新闻 &gt; 杨浦区 &gt; 文字新闻</div>"
        "<div>园区签约十个项目</div><h2>专题报道</h2>"
        "<div>发布时间：2022-09-13 来源：杨浦区人民政府</div><p>正文第一段。</p></body></html>"
    )
    assert extract_article(page, "http://www.investchn.com/a.html")["title"] == "园区签约十个项目"
    without_title_tag = page.replace("<title>园区签约十个项目 - 投促中国</title>", "")
    assert extract_article(without_title_tag, "http://www.investchn.com/a.html")["title"] == "专题报道"
