"""One writer per archive: an OS file lock beside the archive, released by the kernel if the holder dies.

``flock`` rather than a PID file: a crawl killed with SIGKILL leaves no stale lock behind, so cron
never needs a human to delete anything before the next run.
"""

from __future__ import annotations

import fcntl
import json
import os
from datetime import UTC, datetime
from pathlib import Path


class ArchiveLocked(Exception):
    """Another process holds the archive's write lock; the message names it."""


class ArchiveLock:
    """The exclusive write lock of the archive at ``db_path`` (a ``<db>.lock`` file beside it)."""

    def __init__(self, db_path: str | Path) -> None:
        self.path = Path(f"{db_path}.lock")
        self._fd: int | None = None

    def acquire(self) -> ArchiveLock:
        """Take the lock without waiting; raise :class:`ArchiveLocked` when another process holds it."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise ArchiveLocked(f"another crawl {holder}is writing to {str(self.path)[:-5]}") from None
        os.ftruncate(fd, 0)
        started = datetime.now(UTC).isoformat(timespec="seconds")
        os.write(fd, json.dumps({"pid": os.getpid(), "started_at": started}).encode())
        self._fd = fd
        return self

    def held_for(self, db_path: str | Path) -> bool:
        """Return whether this lock is held, and is the lock of the archive at ``db_path``."""
        return self._fd is not None and self.path.resolve() == Path(f"{db_path}.lock").resolve()

    def release(self) -> None:
        """Give the lock up (closing the file releases it)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> ArchiveLock:
        return self.acquire()

    def __exit__(self, *exc_info) -> None:
        self.release()


def _read_holder(fd: int) -> str:
    try:
        holder = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return f"(pid {holder['pid']}, started {holder['started_at']}) "
    except (ValueError, KeyError, OSError):
        return ""
