"""Shared fixtures: the local replica on 127.0.0.1 and a runner for the real ``investchn`` command."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from investchn_spider.replica import ReplicaServer, ReplicaSite

FIXTURES = Path(__file__).parent / "fixtures"


def run_investchn(*args: str, cwd: Path | str | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the ``investchn`` command in a subprocess (a fresh Twisted reactor each time); return the result."""
    return subprocess.run(
        [sys.executable, "-m", "investchn_spider", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )


def run_on_terminal(*args: str, cwd: Path | str | None = None, timeout: float = 300) -> tuple[int, str, str]:
    """Run ``investchn`` with stderr on a pseudo-terminal (stdout a pipe); return (exit status, stdout, terminal).

    The terminal's text is every byte the command wrote to it, carriage returns and escapes included.
    """
    import os
    import pty
    import select

    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "investchn_spider", *args], cwd=cwd, stdout=subprocess.PIPE, stderr=slave
    )
    os.close(slave)
    screen = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the command closed its end
                    break
                if not chunk:
                    break
                screen += chunk
            elif process.poll() is not None:
                break
        stdout = process.communicate(timeout=max(deadline - time.monotonic(), 1))[0]
    finally:
        os.close(master)
        if process.poll() is None:
            process.kill()
    return process.returncode, stdout.decode("utf-8"), screen.decode("utf-8", "replace")


def archive_snapshot(db) -> dict:
    """What must not depend on interruptions or faults: articles by content, with their URLs and sections."""
    from investchn_spider.store import Archive

    with Archive(db, create=False) as archive:
        return {
            row["content_hash"]: (row["title"], sorted(row["urls"]), sorted(row["sections"]))
            for row in archive.iter_articles()
        }


@pytest.fixture(scope="module")
def replica_factory():
    """Start replicas on demand for a test module; every one is stopped when the module ends."""
    servers: list[ReplicaServer] = []

    def start(**site_options) -> ReplicaServer:
        server = ReplicaServer(ReplicaSite(**site_options)).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def article_record(url: str, title: str, body_text: str, published_date: str = "2024-05-06", **fields) -> dict:
    """Return an extracted-article record with these values (others as a typical page gives them)."""
    from investchn_spider.extraction import content_hash

    record = {
        "url": url,
        "title": title,
        "published_date": published_date,
        "published_at": None,
        "source": None,
        "zone": None,
        "district": "杨浦区",
        "category": "文字新闻",
        "body_text": body_text,
        "images": [],
        "attachments": [],
        **fields,
    }
    record["breadcrumb"] = ["首页", "开发区新闻", record["district"], record["category"]]
    record["content_hash"] = content_hash(title, published_date, body_text)
    return record


def replica_archive(path: Path, seed: int, articles: int, extra: list[dict] = ()) -> list[dict]:
    """Fill a new archive at ``path`` with a replica's articles (stored as a crawl stores them) and ``extra``
    records; return the replica's ground truth. Fast: no crawl."""
    from investchn_spider.extraction import EXTRACTOR_VERSION
    from investchn_spider.replica.records import fill_archive
    from investchn_spider.store import Archive

    site = ReplicaSite(seed=seed, articles=articles)
    with Archive(path) as archive:
        fill_archive(archive, site, "http://127.0.0.1:8000/", "2026-11-01T08:00:00+00:00")
        with archive.transaction():
            for record in extra:
                archive.save_article(
                    record, capture_id=None, seen_at="2026-11-02T08:00:00+00:00", extractor_version=EXTRACTOR_VERSION
                )
    return site.expected_articles()


def wait_for_requests(server, count: int, process: subprocess.Popen, timeout: float = 60) -> None:
    """Return once the replica has had ``count`` requests; fail if ``process`` (the crawl) ends first."""
    deadline = time.monotonic() + timeout
    while len(server.access_log) < count:
        assert process.poll() is None, "the crawl ended before the point the test waits for"
        assert time.monotonic() < deadline, "the crawl made too few requests"
        time.sleep(0.01)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(db: Path, stderr: Path) -> Iterator[str]:
    """Run ``investchn serve`` on the archive ``db`` (its stderr written to ``stderr``); yield its base URL
    once it answers, and stop it when the block ends."""
    port = free_port()
    with open(stderr, "w") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "investchn_spider", "serve", "--db", str(db), "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/-/versions.json", timeout=5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"investchn serve did not start: {stderr.read_text()}") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
