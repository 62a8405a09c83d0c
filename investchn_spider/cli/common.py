"""What every command shares: the user-facing error, the --db option, opening the archive."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from .. import exitcodes
from ..store import Archive, ArchiveError
from ..store.lock import ArchiveLock, ArchiveLocked

DEFAULT_DB = "data/investchn.db"
DEMO_DB = "data/demo.db"


class CommandError(click.ClickException):
    """A user-facing failure: one line on stderr and a documented exit status."""

    def __init__(self, message: str, exit_code: int = exitcodes.ERROR) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def db_option(default: str = DEFAULT_DB):
    """Return the shared ``--db`` option."""
    return click.option(
        "--db",
        "db_path",
        default=default,
        show_default=True,
        type=click.Path(dir_okay=False),
        help="The SQLite archive file.",
    )


def prepare_archive(db_path: str, *, create_folder: bool, fresh: bool = False) -> None:
    """Check (and create) the archive before Scrapy starts, so bad paths fail with one clear line."""
    path = Path(db_path)
    if create_folder:
        path.parent.mkdir(parents=True, exist_ok=True)
    if fresh:
        for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            stale.unlink(missing_ok=True)
    with open_archive(db_path, create=True):
        pass


def open_archive(db_path: str, create: bool = False) -> Archive:
    try:
        return Archive(db_path, create=create)
    except ArchiveError as error:
        raise CommandError(str(error)) from None


def ensure_unlocked(db_path: str) -> None:
    """Exit with status LOCKED when another crawl holds the archive (checked before anything is written)."""
    try:
        ArchiveLock(db_path).acquire().release()
    except ArchiveLocked as error:
        raise CommandError(f"{error}; not starting a second crawl", exitcodes.LOCKED) from None


def validate_date(ctx, param, value: str | None) -> str | None:
    """Click callback: return ``value`` when it is a YYYY-MM-DD date (or None); raise BadParameter otherwise."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None
