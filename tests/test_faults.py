"""Faults of the site: failed pages are recorded, tried again by the next run, and reported when they keep failing."""

from __future__ import annotations

import sqlite3
import time

import pytest
from conftest import run_investchn

from investchn_spider import exitcodes
from investchn_spider.replica import ReplicaSite
from investchn_spider.store import Archive

SEED, ARTICLES = 5, 60


def crawl(server, db, *options: str):
    server.clear_access_log()
    return run_investchn("crawl", "--start-url", server.url, "--delay", "0", "--db", str(db), *options)


def failures(db) -> dict[str, tuple]:
    with sqlite3.connect(db) as conn:
        return {
            row[0]: row[1:]
            for row in conn.execute("SELECT url, kind, status, attempts, resolved_at IS NOT NULL FROM failures")
        }


def victims(site: ReplicaSite, count: int = 3) -> list[str]:
    """Primary paths of a few articles that are listed once (so their fate is easy to follow)."""
    return [a["urls"][0] for a in site.expected_articles() if len(a["urls"]) == 1][:count]


def archived_titles(db) -> set[str]:
    with Archive(db, create=False) as archive:
        return {row["title"] for row in archive.iter_articles()}


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        ({"kind": "status", "status": 500}, "http"),
        ({"kind": "drop"}, "network"),
        ({"kind": "truncate"}, "network"),
        ({"kind": "slow", "seconds": 2}, "network"),
    ],
    ids=["http-500", "dropped-connection", "truncated-body", "timeout"],
)
def test_failed_pages_are_recorded_and_fetched_by_the_next_run(replica_factory, tmp_path, fault, kind):
    server = replica_factory(seed=SEED, articles=ARTICLES)
    site = server.site
    paths = victims(site)
    pattern = "|".join(path.replace(".", r"\.") + "$" for path in paths)
    server.set_faults([{**fault, "match": pattern}])
    db = tmp_path / "archive.db"
    first = crawl(server, db, "--page-timeout", "1")
    assert first.returncode == 0, first.stderr[-2000:]
    base = server.url.rstrip("/")
    recorded = failures(db)
    for path in paths:
        assert recorded[base + path][:1] == (kind,)
        assert recorded[base + path][2:] == (1, False)
    assert len(archived_titles(db)) == len(site.expected_articles()) - len(paths)

    server.set_faults([])
    time.sleep(fault.get("seconds", 0))  # let the timed-out answers of the first run reach the log first
    second = crawl(server, db)
    assert second.returncode == 0, second.stderr[-2000:]
    assert archived_titles(db) == {a["title"] for a in site.expected_articles()}
    assert all(failures(db)[base + path][3] for path in paths)  # resolved
    assert sorted(e["path"] for e in server.access_log if e["path"] in paths) == sorted(paths)


def test_a_page_that_keeps_failing_is_given_up_and_reported(replica_factory, tmp_path):
    server = replica_factory(seed=SEED, articles=ARTICLES)
    path = victims(server.site, 1)[0]
    server.set_faults([{"kind": "status", "status": 503, "match": path.replace(".", r"\.") + "$"}])
    db = tmp_path / "archive.db"
    requests_per_run = []
    for _ in range(5):
        assert crawl(server, db).returncode == 0
        requests_per_run.append(sum(1 for entry in server.access_log if entry["path"] == path))
    assert requests_per_run == [3, 3, 3, 0, 0]  # 1 + 2 Scrapy retries per run, 3 runs, then given up
    base = server.url.rstrip("/")
    assert failures(db)[base + path] == ("http", 503, 3, False)
    report = run_investchn("failures", "--db", str(db))
    assert report.returncode == 0 and base + path in report.stdout and "HTTP 503" in report.stdout
    assert crawl(server, db, "--full").returncode == 0  # --full tries given-up pages again
    assert sum(1 for entry in server.access_log if entry["path"] == path) == 3


def test_dead_links_are_not_fetched_again_by_incremental_runs(replica_factory, tmp_path):
    server = replica_factory(seed=SEED, articles=ARTICLES)
    dead = set(server.site.dead_links())
    assert dead
    db = tmp_path / "archive.db"
    assert crawl(server, db).returncode == 0
    assert dead <= {entry["path"] for entry in server.access_log}
    assert crawl(server, db, "--full").returncode == 0
    assert dead <= {entry["path"] for entry in server.access_log}
    assert crawl(server, db).returncode == 0
    assert not dead & {entry["path"] for entry in server.access_log}


def test_article_template_change_exits_6_layout_drift(replica_factory, tmp_path):
    server = replica_factory(seed=SEED, articles=ARTICLES)
    # Labels the extractor does not know: it reads 日期：, 时间： and a bare date beside 来源：, so a
    # redesign it cannot read has to change them all.
    articles = r"/t\d{8}_\d+\.html$"
    server.set_faults(
        [
            {"kind": "rewrite", "match": articles, "old": old, "new": new}
            for old, new in (("发布时间", "Published"), ("发布开发区", "Zone"), ("来源", "Source"))
        ]
    )
    db = tmp_path / "archive.db"
    result = crawl(server, db)
    assert result.returncode == exitcodes.LAYOUT_DRIFT, result.stderr[-2000:]
    assert "layout drift" in result.stderr and "Traceback" not in result.stderr
    assert archived_titles(db) == set()
    kinds = {row[0] for row in failures(db).values()}
    assert kinds == {"extraction", "http"}  # pages that lost their 发布时间 block, and the dead links


def test_list_pages_without_article_links_exit_6_layout_drift(replica_factory, tmp_path):
    server = replica_factory(seed=SEED, articles=ARTICLES)
    lists = r"/(wzxw|tpxw)/(index(_\d+)?\.html)?$"
    server.set_faults([{"kind": "rewrite", "match": lists, "old": "<a href", "new": "<a data-href"}])
    result = crawl(server, tmp_path / "archive.db")
    assert result.returncode == exitcodes.LAYOUT_DRIFT, result.stderr[-2000:]
    assert "list page(s) show no article links" in result.stderr


def test_a_healthy_run_that_finds_nothing_new_exits_0(replica_factory, tmp_path):
    server = replica_factory(seed=SEED, articles=ARTICLES)
    db = tmp_path / "archive.db"
    assert crawl(server, db).returncode == 0
    second = crawl(server, db)
    assert second.returncode == exitcodes.OK
    assert "new articles            0" in second.stdout
