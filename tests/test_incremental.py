"""Scheduled crawls fetch what is new and little else: request counts read from the replica's access log."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import run_investchn

from investchn_spider.replica import ReplicaSite
from investchn_spider.store import Archive

SEED, ARTICLES, NEW = 5, 200, 6  # several lists run to two or three pages


def crawl(server, db, *options: str):
    """Crawl the replica into ``db``; return (completed process, the replica's access log of that run)."""
    server.clear_access_log()
    result = run_investchn("crawl", "--start-url", server.url, "--delay", "0", "--db", str(db), *options)
    assert result.returncode == 0, result.stderr[-3000:]
    return result, server.access_log


def list_paths(site: ReplicaSite) -> dict[str, tuple[str, str]]:
    """Every path a list page is served at, with its (district, type) section."""
    paths = {}
    for page in site.list_pages():
        for path in (page["path"], page["alias"]):
            if path:
                paths[path] = (page["district"], page["type"])
    return paths


def article_paths(site: ReplicaSite) -> set[str]:
    """Every path an article (or a dead link) is listed at."""
    return {path for article in site.expected_articles() for path in article["urls"]} | set(site.dead_links())


def requested(log, paths) -> list[str]:
    return [entry["path"] for entry in log if entry["path"] in paths]


@pytest.fixture(scope="module")
def grown(replica_factory, tmp_path_factory):
    """A full first crawl, a second with nothing new, a third after NEW articles appeared."""
    server = replica_factory(seed=SEED, articles=ARTICLES)
    old_site = server.site
    db = tmp_path_factory.mktemp("incremental") / "archive.db"
    first = crawl(server, db)
    second = crawl(server, db)
    server.site = ReplicaSite(seed=SEED, articles=ARTICLES + NEW)
    third = crawl(server, db)
    return server, old_site, db, first, second, third


def test_incremental_run_with_nothing_new_fetches_one_list_page_per_section(grown):
    _, site, _, first, second, _ = grown
    lists = list_paths(site)
    sections = {section for section in lists.values()}
    assert not requested(second[1], article_paths(site))
    assert len(site.list_pages()) > len(sections)  # else stopping early is not being tested
    second_lists = requested(second[1], lists)
    assert len(second_lists) <= len(sections)
    assert {lists[path] for path in second_lists} == sections
    assert len(second[1]) < len(first[1]) / 3


def test_incremental_run_fetches_only_the_new_articles(grown):
    server, old_site, db, _, _, third = grown
    new_site = server.site
    new_paths = article_paths(new_site) - article_paths(old_site)
    fetched = requested(third[1], article_paths(new_site))
    assert sorted(fetched) == sorted(new_paths)
    with Archive(db, create=False) as archive:
        assert archive.counts()["articles"] == len(new_site.expected_articles())
        runs = archive.recent_runs()
    new_ids = {a["id"] for a in new_site.expected_articles()} - {a["id"] for a in old_site.expected_articles()}
    assert [run["new_articles"] for run in runs] == [len(new_ids), 0, len(old_site.expected_articles())]


def test_incremental_run_pages_only_lists_that_hold_new_articles(grown):
    server, old_site, _, _, _, third = grown
    lists = list_paths(server.site)
    fetched_lists = requested(third[1], lists)
    sections = {section for section in lists.values()}
    holding_new = set()
    old_paths = article_paths(old_site)
    for page in server.site.list_pages():
        items = server.site.list_items((page["district"], page["type"]), (page["page"] - 1) * 15, page["page"] * 15)
        if any(item.path not in old_paths for item in items):
            holding_new.add(page["path"])
    # one first page per section, plus at most one more page for each page that holds news
    assert len(fetched_lists) <= len(sections) + len(holding_new)


def test_full_crawl_walks_every_list_page(replica_factory, tmp_path):
    server = replica_factory(seed=SEED, articles=ARTICLES)
    db = tmp_path / "archive.db"
    crawl(server, db)
    _, log = crawl(server, db, "--full")
    lists = list_paths(server.site)
    walked = {(lists[path], path.removesuffix("index.html")) for path in requested(log, lists)}
    assert walked == {((page["district"], page["type"]), page["path"]) for page in server.site.list_pages()}
    assert not requested(log, {path for a in server.site.expected_articles() for path in a["urls"]})


def test_since_skips_older_articles_and_stops_paging(replica_factory, tmp_path):
    server = replica_factory(seed=SEED, articles=400)  # lists several pages long
    expected = server.site.expected_articles()
    dates = sorted(article["published_date"] for article in expected)
    since = dates[len(dates) * 3 // 4]
    db = tmp_path / "archive.db"
    _, log = crawl(server, db, "--since", since)
    with Archive(db, create=False) as archive:
        archived = {row["title"] for row in archive.iter_articles()}
    assert archived == {article["title"] for article in expected if article["published_date"] >= since}
    full_lists = len(server.site.list_pages())
    assert full_lists > 2 * len({(p["district"], p["type"]) for p in server.site.list_pages()})
    assert len(requested(log, list_paths(server.site))) < full_lists / 2


def test_refresh_keeps_the_earlier_version_of_changed_articles(replica_factory, tmp_path):
    server = replica_factory(seed=SEED, articles=ARTICLES)
    db = tmp_path / "archive.db"
    crawl(server, db)
    server.site = ReplicaSite(seed=SEED, articles=ARTICLES, revision=1)
    revised = set(server.site.revised_ids())
    assert revised
    result, log = crawl(server, db, "--refresh")
    by_id = {article["id"]: article for article in server.site.expected_articles()}
    with sqlite3.connect(db) as conn:
        versions = conn.execute("SELECT count(*), count(DISTINCT article_id) FROM article_versions").fetchone()
        bodies = dict(conn.execute("SELECT url, body_text FROM articles"))  # by URL: titles repeat
    assert versions == (len(revised), len(revised))
    base = server.url.rstrip("/")
    for article_id in revised:
        assert bodies[base + by_id[article_id]["url"]] == by_id[article_id]["body_text"]
    assert "changed" in result.stdout
    assert requested(log, {path for a in server.site.expected_articles() for path in a["urls"]})
