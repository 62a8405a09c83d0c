"""What every command shares: the user-facing error, the --db option, opening the archive, dates."""

from __future__ import annotations

import calendar
import os
import re
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

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


def progress_option():
    """Return the shared ``--progress/--no-progress`` option (default: when stderr is a terminal)."""
    return click.option(
        "--progress/--no-progress",
        default=None,
        help="A live status line on stderr [default: when stderr is a terminal, so never under cron].",
    )


def show_progress(choice: bool | None) -> bool:
    """Return whether to draw the status line: ``choice`` if given, else whether stderr is a terminal."""
    return sys.stderr.isatty() if choice is None else choice


def open_archive(db_path: str, *, readonly: bool = True, create: bool = False, created_by: str = "investchn"):
    """Return the open :class:`Archive` at ``db_path``, read-only unless asked; fail with one line.

    The commands that only read open it read-only: nothing is created, converted or migrated, and
    anything but an investchn archive (a missing, empty or foreign file) is refused unchanged.
    """
    try:
        return Archive(db_path, readonly=readonly, create=create, created_by=created_by)
    except ArchiveError as error:
        raise CommandError(str(error)) from None


def require_facts(archive, db_path: str) -> None:
    """Fail with one line when ``archive`` has no facts tables (made before investchn stored facts)."""
    from ..store.facts import has_facts

    if not has_facts(archive.db):
        raise CommandError(
            f"the archive {db_path} has no facts yet (it was made before investchn stored them): "
            f"run `investchn reparse --db {db_path}` to compute them"
        )


def take_lock(db_path: str) -> ArchiveLock:
    """Return the archive's write lock, taken; exit with status LOCKED when another crawl holds it."""
    try:
        return ArchiveLock(db_path).acquire()
    except ArchiveLocked as error:
        raise CommandError(f"{error}; not starting a second crawl", exitcodes.LOCKED) from None


def refuse_unless_archive(db_path: str) -> None:
    """Return when ``db_path`` is an investchn archive; otherwise fail as a reader does (one line),
    before anything (a lock file) is written beside another application's file."""
    from ..store.archive import identify

    try:
        found = identify(db_path)
    except ArchiveError as error:
        raise CommandError(str(error)) from None
    if found.kind != "archive":
        open_archive(db_path).close()


@dataclass
class RecordedRun:
    """A writing command's run, as :func:`recorded_run` yields it: the archive open for writing, the
    run's id, and what the command sets: its exit ``code`` and ``report``, called once the work ended
    (finished or not) to return the run's ``(stats, counts)``."""

    archive: Archive
    run_id: int
    code: int = exitcodes.OK
    message: str | None = None
    report: Callable[[], tuple[dict, dict]] = field(default=lambda: ({}, {}))


@contextmanager
def recorded_run(db_path: str, args: dict, *, interrupted: str) -> Iterator[RecordedRun]:
    """Yield a :class:`RecordedRun` on the archive at ``db_path``, opened for writing under its lock,
    and record the run in ``runs`` when the block ends.

    A Ctrl+C in the block ends the run ``interrupted`` (with the message ``interrupted``), a failed
    write ends it ``write_failed``; either way the run is recorded and the message is left in
    ``run.message`` for the command to raise once it has said what was done.
    """
    from .. import __version__
    from ..report import STATUS_WORDS
    from ..store.archive import check_writable

    lock = take_lock(db_path)
    try:
        try:
            check_writable(db_path)
        except ArchiveError as error:
            raise CommandError(str(error), exitcodes.WRITE_FAILED) from None
        with open_archive(db_path, readonly=False) as archive:
            run = RecordedRun(archive, archive.start_run(args, pid=os.getpid(), version=__version__))
            try:
                yield run
            except KeyboardInterrupt:
                run.code, run.message = exitcodes.INTERRUPTED, interrupted
            except (sqlite3.Error, OSError) as error:
                run.code, run.message = exitcodes.WRITE_FAILED, f"the archive {db_path} could not be written: {error}"
            stats, counts = run.report()
            try:
                archive.finish_run(
                    run.run_id, status=STATUS_WORDS[run.code], exit_code=run.code, stats=stats, counts=counts
                )
            except sqlite3.Error:
                if run.message is None:  # the run's own failure is the one to report
                    raise
    finally:
        lock.release()


# --- dates --------------------------------------------------------------------------------------

DATE_FORMS = "YYYY-MM-DD, YYYYMMDD, YYYY/MM/DD, YYYY.MM.DD, YYYY年M月D日, YYYY-MM or YYYY"
_DAY = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})|(\d{4})(\d{2})(\d{2})|(\d{4})年(\d{1,2})月(\d{1,2})日?")
_MONTH = re.compile(r"(\d{4})([-/.])(\d{1,2})|(\d{4})(\d{2})|(\d{4})年(\d{1,2})月?")
_YEAR = re.compile(r"(\d{4})年?")


def parse_date(text: str, *, end: bool = False) -> str:
    """Return the ``YYYY-MM-DD`` day that ``text`` names; raise ValueError when it names none.

    ``text`` is a day (``2024-01-05``, ``20240105``, ``2024/1/5``, ``2024.01.05``, ``2024年1月5日``),
    a month (``2024-01``, ``202401``, ``2024/1``, ``2024年1月``) or a year (``2024``). A month or a
    year stands for its first day, or with ``end=True`` (an inclusive upper bound) for its last.
    """
    text = text.strip()
    if match := _DAY.fullmatch(text):
        year, month, day = (int(group) for group in match.groups() if group and group not in "-/.")
        return date(year, month, day).isoformat()
    if match := _MONTH.fullmatch(text):
        year, month = (int(group) for group in match.groups() if group and group not in "-/.")
        if not 1 <= month <= 12:
            raise ValueError(f"month {month}")
        return date(year, month, calendar.monthrange(year, month)[1] if end else 1).isoformat()
    if match := _YEAR.fullmatch(text):
        year = int(match.group(1))
        return date(year, 12, 31).isoformat() if end else date(year, 1, 1).isoformat()
    raise ValueError(text)


class DateParam(click.ParamType):
    """A date in any of :data:`DATE_FORMS`; the value becomes ``YYYY-MM-DD`` (a month's or year's first
    day, or with ``end=True`` its last). The one date parser of every command's ``--since`` and
    ``--until``."""

    name = "DATE"

    def __init__(self, *, end: bool = False) -> None:
        self.end = end

    def convert(self, value, param, ctx):
        """Return the ``YYYY-MM-DD`` day of ``value``; fail with one line (exit status 2) when it is none."""
        try:
            return parse_date(str(value), end=self.end)
        except ValueError:
            option = param.opts[0] if param is not None else "date"
            # One line, not click's usage block: a date is the commonest thing to get wrong.
            raise CommandError(f"{option} {value!r} is not a date (use {DATE_FORMS})", exitcodes.USAGE) from None


def since_option(help_text: str = "Published on or after this date (YYYY-MM-DD, YYYYMMDD, YYYY-MM, YYYY …)."):
    """Return the ``--since`` option (:class:`DateParam`)."""
    return click.option("--since", type=DateParam(), metavar="DATE", help=help_text)


def until_option():
    """Return the ``--until`` option (:class:`DateParam`, a month or year meaning its last day)."""
    return click.option(
        "--until", type=DateParam(end=True), metavar="DATE", help="Published on or before this date (inclusive)."
    )
