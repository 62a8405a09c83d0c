"""What every command shares: the user-facing error, the --db option, opening the archive."""

from __future__ import annotations

from pathlib import Path

import click

from .. import exitcodes
from ..store import Archive, ArchiveError

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
