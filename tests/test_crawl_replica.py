"""End to end: the real Scrapy engine crawls the local replica into a real SQLite archive."""

from __future__ import annotations

import json
import sqlite3
from urllib.parse import urlsplit

import pytest
from conftest import run_investchn

from investchn_spider.store import Archive

SEED, ARTICLES = 5, 120  # a site with cross-listed, reposted and dead-linked articles


@pytest.fixture(scope="module")
def crawled(replica_factory, tmp_path_factory):
    """One replica crawled twice into one archive; returns (server, site, db path, first run, second run)."""
    server = replica_factory(seed=SEED, articles=ARTICLES)
    db = tmp_path_factory.mktemp("crawl") / "archive.db"
    first = run_investchn("crawl", "--start-url", server.url, "--delay", "0", "--db", str(db))
    first_log = list(server.access_log)
    second = run_investchn("crawl", "--start-url", server.url, "--delay", "0", "--db", str(db))
    return server, db, first, second, first_log


def _articles(db) -> list[dict]:
    with Archive(db, create=False) as archive:
        return list(archive.iter_articles())


def _by_url(rows: list[dict]) -> dict[str, dict]:
    """Archived articles keyed by every URL they were seen at (titles repeat on a real portal)."""
    return {url: row for row in rows for url in row["urls"]}


def _site(server):
    return server.site


def test_replica_under_test_has_every_kind_of_duplicate(crawled):
    counts = _site(crawled[0]).duplicate_counts()
    assert counts["crosslisted"] and counts["reposted"] and counts["dead_links"]


def test_crawl_exits_zero_with_summary(crawled):
    _, _, first, second, _ = crawled
    assert first.returncode == 0, first.stderr[-3000:]
    assert second.returncode == 0, second.stderr[-3000:]
    assert "new articles" in first.stdout


def test_crawl_archives_exactly_the_expected_articles(crawled):
    server, db, *_ = crawled
    expected = _site(server).expected_articles()
    archived = _articles(db)
    assert len(archived) == len(expected)
    by_url = _by_url(archived)
    base = server.url.rstrip("/")
    for article in expected:
        row = by_url[base + article["urls"][0]]
        assert row["title"] == article["title"]
        for field in ("published_date", "published_at", "source", "zone", "body_text", "district", "category"):
            assert row[field] == article[field], (article["title"], field)
        # A repost's pages show their own sections: the record is its smallest URL's, whatever came first.
        assert row["url"] == base + article["url"] == min(row["urls"])


def test_crawl_records_every_url_and_section_once(crawled):
    server, db, *_ = crawled
    base = server.url.rstrip("/")
    archived = _articles(db)
    by_url = _by_url(archived)
    for article in _site(server).expected_articles():
        row = by_url[base + article["urls"][0]]
        assert sorted(row["urls"]) == sorted(base + path for path in article["urls"]), article["title"]
        assert sorted(row["sections"]) == sorted(f"{d}/{c}" for d, c in article["sections"]), article["title"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM article_urls").fetchone()[0] == sum(
            len(article["urls"]) for article in _site(server).expected_articles()
        )
        assert conn.execute("SELECT count(DISTINCT content_hash) FROM articles").fetchone()[0] == len(archived)


def test_crawl_merges_reposts_into_one_article(crawled):
    server, db, *_ = crawled
    reposted = [article for article in _site(server).expected_articles() if len(article["urls"]) > 1]
    assert reposted, "the replica should serve reposts at a second URL"
    with Archive(db, create=False) as archive:
        runs = archive.recent_runs()
    assert runs[-1]["merged_urls"] == len(reposted)


def test_crawl_requests_stay_on_host_and_obey_robots(crawled):
    server, _, _, _, first_log = crawled
    site = _site(server)
    host = urlsplit(server.url).netloc
    assert first_log, "the replica saw no request"
    assert {entry["host"] for entry in first_log} == {host}
    disallowed = site.disallowed_paths()
    assert not [entry["path"] for entry in first_log if entry["path"].startswith(tuple(disallowed))]
    assert all("investchn/" in entry["user_agent"] for entry in first_log)


def test_crawl_records_dead_links_as_failures(crawled):
    server, db, *_ = crawled
    base = server.url.rstrip("/")
    with sqlite3.connect(db) as conn:
        failures = {url: (kind, status) for url, kind, status in conn.execute("SELECT url, kind, status FROM failures")}
    for path in _site(server).dead_links():
        assert failures.get(base + path) == ("http", 404)


def test_second_crawl_adds_nothing(crawled):
    server, db, *_ = crawled
    with Archive(db, create=False) as archive:
        counts = archive.counts()
        runs = archive.recent_runs()
    assert counts["articles"] == len(_site(server).expected_articles())
    assert [run["new_articles"] for run in runs] == [0, len(_site(server).expected_articles())]
    assert [run["exit_code"] for run in runs] == [0, 0]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_crawl_parses_each_page_once(crawled):
    """Each fetched HTML page is parsed once: the spider's parse is the one extraction reads."""
    _, db, *_ = crawled
    with sqlite3.connect(db) as conn:
        runs = conn.execute("SELECT id, stats FROM runs ORDER BY id").fetchall()
        first_id, stats = runs[0][0], json.loads(runs[0][1])
        captured = conn.execute("SELECT COUNT(*) FROM captures WHERE run_id = ?", (first_id,)).fetchone()[0]
    pages = {name: stats.get(f"investchn/{name}", 0) for name in ("pages_article", "pages_listing", "pages_other")}
    more = stats.get("investchn/article_pages_more", 0)  # page 2 on of the articles split over pages
    parsed_by_spider = sum(pages.values()) + stats.get("investchn/listed_not_article", 0) + more
    assert more > 0
    assert pages["pages_article"] + more == captured > 0  # every article page fetched was archived from its one parse
    assert stats["investchn/documents_parsed"] == parsed_by_spider
