"""The archive does not depend on the order pages are fetched in.

A reposted article (one content at two URLs, each page showing its own section) gets its record from
its smallest URL, whichever page came first: crawls depth first, breadth first, one request at a time
or many, killed and resumed, or spread over runs, export the same bytes and count the same articles
per district. Only the crawl times (``first_seen_at``, ``last_seen_at``) differ, because they are times.
"""

from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import run_investchn

from investchn_spider import exitcodes

SEED, ARTICLES = 69, 40  # 5 reposts (3 whose second URL sorts first), 2 cross-listed articles, 2 dead links
PROJECT = Path(__file__).resolve().parent.parent
ONE_AT_A_TIME = {"CONCURRENT_REQUESTS": 1, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}
# The project's settings crawl breadth first; Scrapy's own defaults (LIFO queues) depth first.
DEPTH_FIRST = {
    "DEPTH_PRIORITY": 0,
    "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleLifoDiskQueue",
    "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.LifoMemoryQueue",
}
BREADTH_FIRST = {
    "DEPTH_PRIORITY": 1,
    "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
    "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
}
MANY_AT_A_TIME = {"CONCURRENT_REQUESTS": 32, "CONCURRENT_REQUESTS_PER_DOMAIN": 32}
ORDERS = {
    "depth_first": {**ONE_AT_A_TIME, **DEPTH_FIRST},
    "breadth_first": {**ONE_AT_A_TIME, **BREADTH_FIRST},
    "concurrent_depth_first": {**MANY_AT_A_TIME, **DEPTH_FIRST},
    "concurrent_breadth_first": {**MANY_AT_A_TIME, **BREADTH_FIRST},
}
# A crawl's own times at the end of every exported row: the only fields that may differ between runs.
CSV_TIMES = re.compile(rb",\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00\r\n")
JSONL_TIMES = re.compile(rb', "first_seen_at": "[^"]+", "last_seen_at": "[^"]+"\}\n')
SLOW_ARTICLES = [{"match": r"/t\d{8}_\d+\.html$", "kind": "slow", "seconds": 0.03}]


@pytest.fixture(scope="module")
def server(replica_factory):
    return replica_factory(seed=SEED, articles=ARTICLES)


def scrapy_crawl(server, folder: Path, settings: dict, *start_paths: str) -> list[str]:
    """Crawl the replica into ``folder/archive.db`` with ``scrapy crawl`` and these Scrapy settings.

    Return the paths the crawl fetched, in the order the replica answered them.
    """
    starts = ",".join(server.url.rstrip("/") + path for path in start_paths) or server.url
    options = {
        "INVESTCHN_START_URLS": starts,
        "INVESTCHN_DB": str(folder / "archive.db"),
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        **settings,
    }
    server.clear_access_log()
    command = [sys.executable, "-m", "scrapy", "crawl", "zone_news"]
    for name, value in options.items():
        command += ["-s", f"{name}={value}"]
    result = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return [entry["path"] for entry in server.access_log]


def outputs(folder: Path) -> dict[str, bytes]:
    """Return what people read of ``folder/archive.db``, crawl times blanked: CSV, JSON Lines and stats."""
    found = {}
    for fmt, times in (("csv", CSV_TIMES), ("jsonl", JSONL_TIMES)):
        result = run_investchn("export", "--db", "archive.db", "--format", fmt, "-o", f"export.{fmt}", cwd=folder)
        assert result.returncode == 0, result.stderr
        raw = (folder / f"export.{fmt}").read_bytes()
        blanked, rows = times.subn(b"<crawl times>\n", raw)
        assert rows == ARTICLES, f"every {fmt} row ends with its two crawl times"
        found[fmt] = blanked
    result = run_investchn("stats", "--db", "archive.db", "--runs", "0", cwd=folder)
    assert result.returncode == 0, result.stderr
    found["stats"] = result.stdout.encode()
    return found


def article_rows(folder: Path) -> list[tuple]:
    """Return every article's url, district, category and the URL of its record's capture, by url."""
    with sqlite3.connect(folder / "archive.db") as conn:
        return conn.execute(
            """SELECT a.url, a.district, a.category, c.url FROM articles a
               LEFT JOIN captures c ON c.id = a.capture_id ORDER BY a.url"""
        ).fetchall()


@pytest.fixture(scope="module")
def crawls(server, tmp_path_factory):
    """Crawl in each order of :data:`ORDERS` once; return {order: (outputs, fetched paths, folder)}, on demand."""
    done: dict[str, tuple[dict, list[str], Path]] = {}

    def crawl(order: str) -> tuple[dict, list[str], Path]:
        if order not in done:
            folder = tmp_path_factory.mktemp(order)
            fetched = scrapy_crawl(server, folder, ORDERS[order])
            done[order] = (outputs(folder), fetched, folder)
        return done[order]

    return crawl


def repost_pairs(site) -> list[tuple[str, str]]:
    """Return the (smaller, larger) URL paths of every reposted article."""
    return [tuple(sorted(article["urls"])) for article in site.expected_articles() if len(article["urls"]) == 2]


def test_replica_under_test_has_reposts_in_both_url_orders(server):
    site = server.site
    reposted = [m.id for m in site.metas if m.repost]
    second_sorts_first = [i for i in reposted if site.repost_path(i) < site.primary_path(i)]
    assert len(reposted) >= 4 and 2 <= len(second_sorts_first) < len(reposted)
    counts = site.duplicate_counts()
    assert counts["crosslisted"] >= 2 and counts["dead_links"] >= 1
    # Each page of a repost shows its own section: the archive must choose one of them.
    for article in site.expected_articles():
        if len(article["urls"]) == 2:
            assert len(set(article["sections"])) == 2


def test_the_orders_fetch_reposts_in_different_orders(server, crawls):
    # The comparison below means something only if some repost's two pages arrive in both orders.
    # Depth first and breadth first, one request at a time, are deterministic: they must disagree.
    pairs = repost_pairs(server.site)
    firsts = {}
    for order in ORDERS:
        fetched = crawls(order)[1]
        firsts[order] = [min(pair, key=fetched.index) for pair in pairs]
    assert firsts["depth_first"] != firsts["breadth_first"], firsts
    smaller_first = [first == pair[0] for first, pair in zip(firsts["breadth_first"], pairs, strict=True)]
    assert any(smaller_first) and not all(smaller_first), firsts


def test_the_record_of_every_article_comes_from_its_smallest_url(server, crawls):
    folder = crawls("depth_first")[2]
    base = server.url.rstrip("/")
    expected = sorted(
        (base + article["url"], article["district"], article["category"], base + article["url"])
        for article in server.site.expected_articles()
    )
    assert article_rows(folder) == expected
    with sqlite3.connect(folder / "archive.db") as conn:
        for url, breadcrumb, district, category in conn.execute(
            "SELECT url, breadcrumb, district, category FROM articles"
        ):
            assert breadcrumb == f'["首页", "开发区新闻", "{district}", "{category}"]', url


@pytest.mark.parametrize("order", [order for order in ORDERS if order != "depth_first"])
def test_export_and_stats_are_the_same_whatever_the_crawl_order(crawls, order):
    reference, _, _ = crawls("depth_first")
    found, _, _ = crawls(order)
    for name in ("csv", "jsonl", "stats"):
        assert found[name] == reference[name], name


def test_a_later_run_that_adds_a_smaller_url_re_points_the_record(server, crawls, tmp_path):
    reference, _, reference_folder = crawls("depth_first")
    pairs = repost_pairs(server.site)
    # First only the larger URL of every repost (article pages as start URLs), then the whole site.
    scrapy_crawl(server, tmp_path, ONE_AT_A_TIME, *(larger for _, larger in pairs))
    base = server.url.rstrip("/")
    assert [row[0] for row in article_rows(tmp_path)] == sorted(base + larger for _, larger in pairs)
    scrapy_crawl(server, tmp_path, ONE_AT_A_TIME)
    assert article_rows(tmp_path) == article_rows(reference_folder)
    found = outputs(tmp_path)
    for name in ("csv", "jsonl", "stats"):
        assert found[name] == reference[name], name
    with sqlite3.connect(tmp_path / "archive.db") as conn:
        merged = conn.execute("SELECT merged_urls FROM runs ORDER BY id").fetchall()
    assert merged == [(0,), (len(pairs),)]


def test_a_later_run_that_adds_a_larger_url_keeps_the_record(server, crawls, tmp_path):
    reference, _, _ = crawls("depth_first")
    scrapy_crawl(server, tmp_path, ONE_AT_A_TIME, *(smaller for smaller, _ in repost_pairs(server.site)))
    scrapy_crawl(server, tmp_path, {**ONE_AT_A_TIME, **BREADTH_FIRST})
    found = outputs(tmp_path)
    for name in ("csv", "jsonl", "stats"):
        assert found[name] == reference[name], name


@pytest.mark.parametrize("stop_after", [20, 45])
def test_a_crawl_stopped_by_sigterm_then_rerun_exports_the_same(server, crawls, tmp_path, stop_after):
    reference, _, _ = crawls("depth_first")
    db = str(tmp_path / "archive.db")
    server.clear_access_log()
    server.set_faults(SLOW_ARTICLES)  # slow enough for the signal to land mid-crawl
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "investchn_spider", "crawl", "--start-url", server.url, "--delay", "0", "--db", db],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while len(server.access_log) < stop_after:
            assert process.poll() is None, "the crawl ended before the signal"
            assert time.monotonic() < deadline, "the crawl made too few requests"
            time.sleep(0.01)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=120) == exitcodes.INTERRUPTED
    finally:
        server.set_faults([])
    with sqlite3.connect(tmp_path / "archive.db") as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] < ARTICLES
    result = run_investchn("crawl", "--start-url", server.url, "--delay", "0", "--db", db)
    assert result.returncode == 0, result.stderr[-3000:]
    found = outputs(tmp_path)
    for name in ("csv", "jsonl", "stats"):
        assert found[name] == reference[name], name
