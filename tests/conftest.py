"""Shared fixtures: the local replica on 127.0.0.1 and a runner for the real ``investchn`` command."""

from __future__ import annotations

import subprocess
import sys
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
