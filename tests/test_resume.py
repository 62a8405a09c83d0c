"""Crawls survive SIGKILL at any moment and refuse to run twice on one archive."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys

import pytest
from conftest import archive_snapshot, run_investchn, wait_for_requests

from investchn_spider import exitcodes
from investchn_spider.store import Archive
from investchn_spider.store.lock import ArchiveLock

SEED, ARTICLES = 5, 80
SLOW_ARTICLES = [{"match": r"/t\d{8}_\d+\.html$", "kind": "slow", "seconds": 0.03}]


def start_crawl(server, db) -> subprocess.Popen:
    """Start ``investchn crawl`` against the replica in the background."""
    return subprocess.Popen(
        [sys.executable, "-m", "investchn_spider", "crawl", "--start-url", server.url, "--delay", "0", "--db", str(db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def server(replica_factory):
    replica = replica_factory(seed=SEED, articles=ARTICLES)
    replica.set_faults(SLOW_ARTICLES)
    return replica


@pytest.fixture(scope="module")
def reference(server, tmp_path_factory):
    """The archive of one uninterrupted crawl."""
    db = tmp_path_factory.mktemp("reference") / "archive.db"
    result = run_investchn("crawl", "--start-url", server.url, "--delay", "0", "--db", str(db))
    assert result.returncode == 0, result.stderr[-2000:]
    return archive_snapshot(db)


@pytest.mark.parametrize("kill_after", [3, 25, 70, 110])
def test_crawl_killed_then_rerun_equals_an_uninterrupted_crawl(server, reference, tmp_path, kill_after):
    db = tmp_path / "archive.db"
    server.clear_access_log()
    process = start_crawl(server, db)
    wait_for_requests(server, kill_after, process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    partial = archive_snapshot(db) if db.exists() else {}
    print(f"killed after {kill_after} requests: {len(partial)} of {len(reference)} articles archived")
    assert len(partial) < len(reference)
    if kill_after >= 70:  # late kills leave committed batches behind: the resume path is exercised
        assert partial
    result = run_investchn("crawl", "--start-url", server.url, "--delay", "0", "--db", str(db))
    assert result.returncode == 0, result.stderr[-2000:]
    assert archive_snapshot(db) == reference
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        statuses = [row[0] for row in conn.execute("SELECT status FROM runs ORDER BY id")]
    if len(statuses) == 2:  # the killed run had started writing: it is marked, not left "running"
        assert statuses == ["interrupted", "ok"]


def test_second_crawl_while_one_runs_exits_5_and_writes_nothing(server, tmp_path):
    db = tmp_path / "archive.db"
    server.clear_access_log()
    first = start_crawl(server, db)
    try:
        wait_for_requests(server, 10, first)
        with sqlite3.connect(db) as conn:
            runs_before = conn.execute("SELECT count(*) FROM runs").fetchone()[0]
        logs_before = sorted((tmp_path / "logs").iterdir())
        second = run_investchn("crawl", "--start-url", server.url, "--delay", "0", "--db", str(db))
        assert second.returncode == exitcodes.LOCKED
        assert "another crawl" in second.stderr and f"pid {first.pid}" in second.stderr
        assert "Traceback" not in second.stderr
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == runs_before == 1
        assert sorted((tmp_path / "logs").iterdir()) == logs_before
    finally:
        first.wait(timeout=120)
    assert first.returncode == 0


# The crawl as the command runs it, without the command's own check of the lock beforehand.
CRAWL_WITHOUT_CHECK = """
import sys
from investchn_spider.crawl import CrawlOptions, run_crawl
result = run_crawl(CrawlOptions(db=sys.argv[1], start_urls=[sys.argv[2]], delay=0))
print(result.exit_code, result.message)
"""


def test_a_crawl_that_loses_the_lock_after_the_check_stops_before_fetching_anything(server, tmp_path):
    # The command checks the lock before it starts Scrapy; another crawl may take it in between.
    db = tmp_path / "archive.db"
    server.clear_access_log()
    with ArchiveLock(db):
        result = subprocess.run(
            [sys.executable, "-c", CRAWL_WITHOUT_CHECK, str(db), server.url],
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    exit_code, message = result.stdout.strip().split(" ", 1)
    assert int(exit_code) == exitcodes.LOCKED
    assert message.startswith(f"another crawl (pid {os.getpid()}, started ")
    assert "Traceback" not in result.stderr
    assert server.access_log == []
    assert not db.exists()


def test_each_run_writes_its_own_log_file(server, tmp_path):
    db = tmp_path / "archive.db"
    for _ in range(2):
        result = run_investchn("crawl", "--start-url", server.url, "--delay", "0", "--db", str(db))
        assert result.returncode == 0
    logs = sorted((tmp_path / "logs").glob("crawl-*.log"))
    assert len(logs) == 2
    for log in logs:
        text = log.read_text(encoding="utf-8")
        assert "Spider opened" in text and "Spider closed (finished)" in text
    assert str(logs[-1]) in result.stdout


def test_runs_lists_every_run_with_counts(server, tmp_path):
    db = tmp_path / "archive.db"
    run_investchn("crawl", "--start-url", server.url, "--delay", "0", "--db", str(db))
    run_investchn("crawl", "--start-url", server.url, "--delay", "0", "--db", str(db))
    result = run_investchn("runs", "--db", str(db))
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert lines[1].split()[0] == "2" and lines[2].split()[0] == "1"
    with Archive(db, create=False) as archive:
        first = archive.recent_runs()[-1]
    assert f" {first['new_articles']} " in lines[2]
