"""Nothing lost under storage faults and signals: every run either writes what it fetched or says it did not,
and a plain rerun then ends with the archive an uninterrupted crawl gives."""

from __future__ import annotations

import resource
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import archive_snapshot, run_investchn, wait_for_requests

from investchn_spider import exitcodes

ROOT = Path(__file__).resolve().parents[1]
SEED, ARTICLES = 5, 60
ARTICLE_PAGES = r"/t\d{8}_\d+\.html$"


PROGRAM = [sys.executable, "-m", "investchn_spider"]


def crawl_args(server, db, *options: str) -> list[str]:
    """The arguments of ``investchn crawl`` against the replica into ``db``."""
    return ["crawl", "--start-url", server.url, "--delay", "0", "--db", str(db), *options]


def scrapy_crawl(server, db, *settings: str, **popen) -> list[str]:
    """The ``scrapy crawl zone_news`` command line against the replica, with ``-s`` settings."""
    command = [sys.executable, "-m", "scrapy", "crawl", "zone_news", "-s", f"INVESTCHN_DB={db}"]
    command += ["-s", f"INVESTCHN_START_URLS={server.url}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0"]
    command += ["-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "LOG_LEVEL=WARNING"]
    for setting in settings:
        command += ["-s", setting]
    return command


def runs(db) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute("SELECT status, exit_code FROM runs ORDER BY id"))


def assert_no_traceback(result) -> None:
    assert "Traceback" not in result.stderr, result.stderr[-3000:]


@pytest.fixture(scope="module")
def server(replica_factory):
    return replica_factory(seed=SEED, articles=ARTICLES)


@pytest.fixture
def slow_articles(server):
    server.set_faults([{"match": ARTICLE_PAGES, "kind": "slow", "seconds": 0.05}])
    server.clear_access_log()
    yield
    server.set_faults([])


@pytest.fixture(scope="module")
def reference(server, tmp_path_factory):
    """The archive of one uninterrupted crawl."""
    db = tmp_path_factory.mktemp("reference") / "archive.db"
    result = run_investchn(*crawl_args(server, db))
    assert result.returncode == 0, result.stderr[-2000:]
    return archive_snapshot(db)


def test_a_write_lock_held_by_another_program_mid_crawl_is_waited_for(server, reference, slow_articles, tmp_path):
    db = tmp_path / "archive.db"
    # Small batches: the crawl writes often, so it meets the held lock.
    process = subprocess.Popen(scrapy_crawl(server, db, "INVESTCHN_BATCH_SIZE=5"), cwd=ROOT, stderr=subprocess.PIPE)
    wait_for_requests(server, 30, process)
    holder = sqlite3.connect(db, timeout=30, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    requests_when_taken = len(server.access_log)
    time.sleep(5)
    still_running = process.poll() is None
    holder.execute("ROLLBACK")
    holder.close()
    _, stderr = process.communicate(timeout=120)
    assert still_running, "the crawl ended while the lock was held: the test did not hold it mid-crawl"
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert len(server.access_log) > requests_when_taken
    assert archive_snapshot(db) == reference
    assert runs(db) == [("ok", 0)]


def test_a_write_lock_held_before_the_crawl_and_past_the_write_timeout_exits_7_and_loses_nothing(
    server, reference, tmp_path
):
    db = tmp_path / "archive.db"
    first = run_investchn(*crawl_args(server, db, "--max-requests", "20"))
    assert first.returncode in (exitcodes.OK, exitcodes.LAYOUT_DRIFT), first.stderr[-2000:]
    before = archive_snapshot(db)
    holder = sqlite3.connect(db, timeout=30, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program's write transaction, held for the whole crawl
    try:
        held = subprocess.run(
            scrapy_crawl(server, db, "INVESTCHN_WRITE_TIMEOUT=1"), cwd=ROOT, capture_output=True, text=True, timeout=120
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert held.returncode == exitcodes.WRITE_FAILED, held.stderr[-2000:]
    assert "could not be written" in held.stderr and "locked" in held.stderr
    assert_no_traceback(held)
    assert archive_snapshot(db) == before  # nothing written, nothing lost
    rerun = run_investchn(*crawl_args(server, db))
    assert rerun.returncode == exitcodes.OK, rerun.stderr[-2000:]
    assert archive_snapshot(db) == reference


def _limit_file_size(size: int):
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG), as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return limit


def test_a_disk_that_fills_mid_crawl_exits_7_and_a_rerun_fetches_exactly_what_is_missing(server, reference, tmp_path):
    db = tmp_path / "archive.db"
    full = subprocess.run(
        PROGRAM + crawl_args(server, db, "--log-level", "WARNING"),
        capture_output=True,
        text=True,
        preexec_fn=_limit_file_size(1_100_000),  # about 2/3 of the whole archive (1.6 MB)
        timeout=120,
        check=False,
    )
    assert full.returncode == exitcodes.WRITE_FAILED, full.stderr[-2000:]
    assert_no_traceback(full)
    assert "Error: the archive could not be written" in full.stderr
    partial = archive_snapshot(db)
    assert 0 < len(partial) < len(reference)  # some batches committed before the disk filled
    assert runs(db)[-1] in (("write_failed", 7), ("running", None))
    server.clear_access_log()
    rerun = run_investchn(*crawl_args(server, db))
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert archive_snapshot(db) == reference
    fetched = [entry["path"] for entry in server.access_log if entry["status"] == 200]
    assert len([path for path in fetched if path.endswith(".html") and "/t" in path]) >= len(reference) - len(partial)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_sigterm_mid_crawl_ends_the_run_as_interrupted_with_status_8(server, reference, slow_articles, tmp_path):
    db = tmp_path / "archive.db"
    process = subprocess.Popen(
        PROGRAM + crawl_args(server, db), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    wait_for_requests(server, 40, process)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == exitcodes.INTERRUPTED, stderr[-2000:]
    assert "Error: interrupted by a signal" in stderr
    assert runs(db) == [("interrupted", exitcodes.INTERRUPTED)]
    assert len(archive_snapshot(db)) < len(reference)
    rerun = run_investchn(*crawl_args(server, db))
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert archive_snapshot(db) == reference


def test_timeout_bounds_the_run_and_the_next_run_completes(server, reference, tmp_path):
    db = tmp_path / "archive.db"
    server.set_faults([{"match": ARTICLE_PAGES, "kind": "slow", "seconds": 0.5}])
    try:
        result = run_investchn(*crawl_args(server, db, "--timeout", "1.5"))
    finally:
        server.set_faults([])
    assert result.returncode == exitcodes.TIMED_OUT, result.stderr[-2000:]
    assert_no_traceback(result)
    assert "--timeout" in result.stderr
    assert runs(db) == [("timed_out", exitcodes.TIMED_OUT)]
    rerun = run_investchn(*crawl_args(server, db))
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert archive_snapshot(db) == reference


def test_a_run_that_does_not_stop_at_its_timeout_is_ended_by_the_watchdog(server, tmp_path):
    # Pages slower than the whole time limit: closing the spider waits for them, the watchdog does not.
    db = tmp_path / "archive.db"
    server.set_faults([{"match": ARTICLE_PAGES, "kind": "slow", "seconds": 30}])
    try:
        result = subprocess.run(
            scrapy_crawl(
                server, db, "INVESTCHN_RUN_TIMEOUT=1", "INVESTCHN_STOP_GRACE_SECONDS=1", "DOWNLOAD_TIMEOUT=60"
            ),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        server.set_faults([])
    assert result.returncode == exitcodes.TIMED_OUT, result.stderr[-2000:]
    assert "did not stop within 1 s" in result.stderr
    assert runs(db) == [("timed_out", exitcodes.TIMED_OUT)]


def test_scrapy_crawl_records_its_run_and_exits_with_its_status(server, tmp_path):
    db = tmp_path / "archive.db"
    ok = subprocess.run(scrapy_crawl(server, db), cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert ok.returncode == 0, ok.stderr[-2000:]
    closed = _closed_port()
    unreachable = subprocess.run(
        scrapy_crawl(server, db, f"INVESTCHN_START_URLS=http://127.0.0.1:{closed}/"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert unreachable.returncode == exitcodes.UNREACHABLE
    assert "Error: could not reach" in unreachable.stderr
    assert runs(db) == [("ok", 0), ("unreachable", exitcodes.UNREACHABLE)]


def test_scrapy_crawl_refuses_another_applications_database_before_anything_appears_beside_it(server, tmp_path):
    db = tmp_path / "notes.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("INSERT INTO notes VALUES ('keep me')")
    conn.close()
    before, listing = db.read_bytes(), sorted(p.name for p in tmp_path.iterdir())
    server.clear_access_log()
    result = subprocess.run(scrapy_crawl(server, db), cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == exitcodes.ERROR, result.stderr[-2000:]
    assert "not an investchn archive" in result.stderr
    assert_no_traceback(result)
    assert db.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == listing  # no .lock, no -wal
    assert not server.access_log


def test_two_crawls_creating_a_new_archive_at_once_one_runs_the_other_exits_5(server, reference, tmp_path):
    db = tmp_path / "archive.db"
    results: list[subprocess.CompletedProcess] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        results.append(run_investchn(*crawl_args(server, db)))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(result.returncode for result in results) == [0, exitcodes.LOCKED]
    for result in results:
        assert_no_traceback(result)
    loser = next(result for result in results if result.returncode == exitcodes.LOCKED)
    assert loser.stderr.strip().count("\n") == 0 and "another crawl" in loser.stderr
    assert archive_snapshot(db) == reference
    assert runs(db) == [("ok", 0)]


def test_a_read_only_archive_exits_7_in_one_line_and_is_left_as_it_was(server, tmp_path):
    db = tmp_path / "archive.db"
    assert run_investchn(*crawl_args(server, db)).returncode == 0
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    before = db.read_bytes()
    # chattr +i: read-only even for root (file permissions are not, and the tests may run as root).
    if subprocess.run(["chattr", "+i", str(db)], capture_output=True, check=False).returncode != 0:
        pytest.skip("chattr +i is not available on this file system")
    try:
        result = run_investchn(*crawl_args(server, db))
    finally:
        subprocess.run(["chattr", "-i", str(db)], check=True)
    assert result.returncode == exitcodes.WRITE_FAILED, (result.stdout, result.stderr[-2000:])
    assert_no_traceback(result)
    assert result.stderr.strip().startswith("Error:") and result.stderr.strip().count("\n") == 0
    assert db.read_bytes() == before


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_report_counts_already_archived_once_per_url(server, tmp_path):
    db = tmp_path / "archive.db"
    assert run_investchn(*crawl_args(server, db)).returncode == 0
    again = run_investchn(*crawl_args(server, db, "--full"))
    assert again.returncode == 0
    summary = next(line for line in again.stdout.splitlines() if "already archived" in line)
    with sqlite3.connect(db) as conn:
        seen, urls = conn.execute(
            "SELECT seen_articles, (SELECT count(*) FROM article_urls) FROM runs ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert int(summary.split()[2]) == seen == urls  # --full lists every archived URL; each counts once
