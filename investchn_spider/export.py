"""Write archive rows as CSV, Excel-safe CSV, JSON Lines or Parquet, streaming.

Rows come from :func:`investchn_spider.store.queries.iter_articles` one at a time; CSV and JSON Lines
hold one article in memory, Parquet one row group (:data:`PARQUET_BATCH_ROWS` articles), so an
export of any size runs in flat memory. Every export carries its provenance: whatever columns are
chosen, each row keeps the article's URLs and when crawls first and last saw it.
"""

from __future__ import annotations

import csv
import fcntl
import json
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, TextIO

from .store.queries import SELECTABLE_COLUMNS
from .store.views import DEFAULT_EXPORT_COLUMNS

EXPORT_COLUMNS = DEFAULT_EXPORT_COLUMNS  # the export_articles view's first columns
PROVENANCE_COLUMNS = ("urls", "first_seen_at", "last_seen_at")
FORMATS = ("csv", "jsonl", "parquet")
PARQUET_BATCH_ROWS = 2000
# Excel runs a cell starting with one of these as a formula (or DDE command): =cmd|' /C calc'!A0.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel holds at most this many characters (UTF-16 code units) in a cell: a longer CSV field does
# not come through intact, so the Excel CSV cuts it and says so in the cell.
EXCEL_CELL_LIMIT = 32_767
EXCEL_CUT_MARK = " …[{} characters cut: Excel holds 32,767 in a cell; the plain CSV has them all]"
PARQUET_MISSING = "Parquet export needs pyarrow: pip install 'investchn[parquet]'"


class ExportError(ValueError):
    """The export cannot be made as asked; the message is meant for the user, in one line."""


def choose_columns(names: Iterable[str] | None) -> tuple[str, ...]:
    """Return the columns to export: ``names`` in order (default :data:`EXPORT_COLUMNS`) plus provenance.

    The provenance columns (``urls``, ``first_seen_at``, ``last_seen_at``) are appended when not
    chosen. Raise :class:`ExportError` for an unknown or repeated name.
    """
    if names is None:
        return EXPORT_COLUMNS
    chosen = [name.strip() for name in names if name.strip()]
    unknown = [name for name in chosen if name not in SELECTABLE_COLUMNS]
    if unknown:
        raise ExportError(f"unknown column {unknown[0]!r}; choose from {', '.join(SELECTABLE_COLUMNS)}")
    repeated = sorted({name for name in chosen if chosen.count(name) > 1})
    if repeated:
        raise ExportError(f"column {repeated[0]!r} is given twice")
    if not chosen:
        raise ExportError("no columns given")
    return (*chosen, *(name for name in PROVENANCE_COLUMNS if name not in chosen))


def export_rows(
    rows: Iterable[dict],
    out: TextIO,
    fmt: str,
    columns: tuple[str, ...] = EXPORT_COLUMNS,
    *,
    excel: bool = False,
    progress: Callable[[int], None] | None = None,
    on_cut: Callable[[str], None] | None = None,
) -> int:
    """Write ``rows`` to the text stream ``out`` as ``csv`` or ``jsonl``; return how many were written.

    CSV follows RFC 4180 (UTF-8, CRLF line ends, quotes where needed); list columns (breadcrumb,
    images, attachments, urls, sections) hold JSON arrays. ``excel=True`` (CSV only) starts with a
    UTF-8 byte order mark, so Excel reads the Chinese text as UTF-8, prefixes ``'`` to every cell
    that Excel would take for a formula (see :data:`FORMULA_STARTS`), and cuts a cell longer than
    Excel can hold (:data:`EXCEL_CELL_LIMIT`), ending it with a note of how much was cut and calling
    ``on_cut(column)``. JSON Lines holds one object per article. ``out`` must not translate
    newlines (open it with ``newline=""``). ``progress(n)`` is called after every row with the rows
    written since the last call.
    """
    if fmt not in ("csv", "jsonl"):
        raise ExportError(f"{fmt!r} is not a text format (csv, jsonl)")
    if excel and fmt != "csv":
        raise ExportError("--excel applies to CSV only")
    if fmt == "csv":
        if excel:
            out.write("\ufeff")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(columns)
    written = 0
    for row in rows:
        if fmt == "csv":
            cells = [_csv_cell(row.get(column)) for column in columns]
            if excel:
                cells = [_excel_safe(cell, column, on_cut) for cell, column in zip(cells, columns, strict=True)]
            writer.writerow(cells)
        else:
            out.write(json.dumps({column: row.get(column) for column in columns}, ensure_ascii=False) + "\n")
        written += 1
        if progress:
            progress(1)
    return written


def export_parquet(
    rows: Iterable[dict],
    path: str | Path | IO[bytes],
    columns: tuple[str, ...] = EXPORT_COLUMNS,
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write ``rows`` to a Parquet file at ``path`` or to a binary stream (zstd-compressed); return how many
    were written.

    Columns are typed: dates as ``date32``, times as timestamps (``published_at`` at +08:00, the
    crawler's times in UTC), lists as lists (``images`` and ``attachments`` of structs), ids as
    int64, the rest as strings. Raise :class:`ExportError` when pyarrow is not installed.
    """
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ExportError(PARQUET_MISSING) from None
    schema = pa.schema([(column, _arrow_type(pa, column)) for column in columns])
    written = 0
    batch: list[dict] = []
    where = str(path) if isinstance(path, str | Path) else path
    with pq.ParquetWriter(where, schema, compression="zstd") as writer:
        for row in rows:
            batch.append({column: _parquet_value(column, row.get(column)) for column in columns})
            if len(batch) == PARQUET_BATCH_ROWS:
                writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
                written += len(batch)
                if progress:
                    progress(len(batch))
                batch = []
        if batch or not written:  # an empty export still gets its schema and one (empty) row group
            writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
            written += len(batch)
            if progress:
                progress(len(batch))
    return written


# --- the output file ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Output:
    """Where an export to a file goes (see :func:`plan_output`).

    ``path``: the file as given. ``target``: the file written, which is ``path`` or, when ``path``
    is a symbolic link, the regular file it points to (the link itself stays). ``in_place``: the
    target is a device or a FIFO (``/dev/null``, a named pipe), written as it is, not replaced.
    """

    path: Path
    target: Path
    in_place: bool


def plan_output(output: str, protected: Iterable[Path] = ()) -> Output:
    """Return the :class:`Output` of ``-o output``; raise :class:`ExportError` for one an export must not write.

    Refused: an empty name; a file that is one of ``protected`` (the archive and its ``-wal``,
    ``-shm``, ``-journal`` and ``.lock``: compared by resolved path and, for files that exist, by
    device and inode, so through symbolic and hard links); a folder; a symbolic link that points to
    nothing or to a folder; a file in a missing folder.
    """
    if not output:
        raise ExportError("the output file name is empty (give -o FILE, or -o - for standard output)")
    path = Path(output)
    for other in protected:
        if _same_file(path, other):
            raise ExportError(f"{output} is the archive's own file {other}: choose another output file")
    target = path
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            raise ExportError(f"{output} is a symbolic link to a file that does not exist") from None
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and stat.S_ISDIR(mode):
        raise ExportError(f"{output} is a folder")
    if mode is not None and not stat.S_ISREG(mode):
        return Output(path, target, in_place=True)
    if not target.parent.is_dir():
        raise ExportError(f"cannot write {output}: folder {target.parent} does not exist")
    return Output(path, target, in_place=False)


def _same_file(path: Path, other: Path) -> bool:
    if path.resolve() == other.resolve():
        return True
    try:
        return os.path.samefile(path, other)
    except OSError:  # one of them does not exist
        return False


@contextmanager
def write_output(output: Output, *, binary: bool = False) -> Iterator[IO]:
    """Yield a stream that writes ``output``: the file appears whole when the block ends, or not at all.

    A regular file is written to a ``<name>.<random>.partial`` file beside it, locked (``flock``)
    while it is written, synced and renamed over the target at the end: a reader never sees half
    an export, and an export that fails (disk full) or raises removes its partial file. One that
    was killed leaves it behind, unlocked: :func:`remove_stale_partials` recognises it. A device or
    FIFO is written in place. Text streams are UTF-8 with no newline translation.
    """
    mode = "wb" if binary else "w"
    text = {} if binary else {"encoding": "utf-8", "newline": ""}
    if output.in_place:
        with open(output.target, mode, **text) as stream:
            yield stream
        return
    target = output.target
    fd, name = tempfile.mkstemp(prefix=f"{target.name}.", suffix=".partial-new", dir=target.parent)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # tells a later export this partial file is being written
        # Named .partial only once locked, so that no export ever finds it unlocked while it is written.
        os.rename(name, name.removesuffix("-new"))
        name = name.removesuffix("-new")
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # the permissions a plain open() gives, not mkstemp's 0600
        with open(fd, mode, closefd=False, **text) as stream:
            yield stream
            stream.flush()
            os.fsync(fd)  # the data on disk before the name: a crash leaves the old file, not an empty one
            os.replace(name, target)  # still locked: no other export can take it for a stale partial
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(name)
        raise
    finally:
        os.close(fd)


_PARTIAL_MIDDLE = re.compile(r"[a-z0-9_]{8}")  # what tempfile puts between prefix and suffix


def remove_stale_partials(output: Output) -> list[Path]:
    """Remove the partial files that earlier exports to ``output`` left when killed; return their paths.

    A partial file is stale when no process holds its lock: the kernel released it when the export
    died. Partial files of exports still running are left alone.
    """
    if output.in_place:
        return []
    target = output.target
    prefix, suffix = f"{target.name}.", ".partial"
    removed = []
    try:
        names = os.listdir(target.parent)
    except OSError:
        return []
    for name in sorted(names):
        if not (name.startswith(prefix) and name.endswith(suffix)):
            continue
        if not _PARTIAL_MIDDLE.fullmatch(name[len(prefix) : -len(suffix)]):
            continue
        path = target.parent / name
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue  # gone already, or not ours to open
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue  # an export is writing it right now
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                path.unlink()
                removed.append(path)
        except FileNotFoundError:
            pass
        finally:
            os.close(fd)
    return removed


def parquet_available() -> bool:
    """Return whether pyarrow (the ``parquet`` extra) can be imported."""
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        return False
    return True


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _excel_safe(cell: str, column: str, on_cut: Callable[[str], None] | None) -> str:
    # The apostrophe is Excel's own "this is text" mark: shown as the cell's text, never computed.
    if cell.startswith(FORMULA_STARTS):
        cell = "'" + cell
    # A character takes one or two UTF-16 units: most cells are short enough not to count them.
    if len(cell) * 2 <= EXCEL_CELL_LIMIT or _utf16_length(cell) <= EXCEL_CELL_LIMIT:
        return cell
    if on_cut:
        on_cut(column)
    return _cut_for_excel(cell)


def _cut_for_excel(cell: str) -> str:
    """Return the start of ``cell`` that fits in an Excel cell with the note of what was cut."""
    total = _utf16_length(cell)
    # Room for the note with the largest number it can hold (the note is all in the BMP: one unit a character).
    keep = EXCEL_CELL_LIMIT - len(EXCEL_CUT_MARK.format(f"{total:,}"))
    kept = cell[:keep]
    while (excess := _utf16_length(kept) - keep) > 0:  # characters outside the BMP take two units
        kept = kept[: len(kept) - excess]
    return kept + EXCEL_CUT_MARK.format(f"{total - _utf16_length(kept):,}")


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2


_TIMESTAMP_COLUMNS = {"published_at": "+08:00", "first_seen_at": "UTC", "last_seen_at": "UTC", "updated_at": "UTC"}
_STRUCT_FIELDS = {"images": ("src", "alt"), "attachments": ("url", "text")}
_LIST_COLUMNS = ("breadcrumb", "images", "attachments", "urls", "sections")


def _arrow_type(pa, column: str):
    if column in ("id", "capture_id", "position"):
        return pa.int64()
    if column == "value":  # an amount in its currency's base unit; a fraction of a yuan is possible
        return pa.float64()
    if column == "approximate":
        return pa.bool_()
    if column == "published_date":
        return pa.date32()
    if column in _TIMESTAMP_COLUMNS:
        return pa.timestamp("s", tz=_TIMESTAMP_COLUMNS[column])
    if column in _STRUCT_FIELDS:
        return pa.list_(pa.struct([(name, pa.string()) for name in _STRUCT_FIELDS[column]]))
    if column in _LIST_COLUMNS:
        return pa.list_(pa.string())
    return pa.string()


def _parquet_value(column: str, value):
    if column in _LIST_COLUMNS:
        return value or []
    if column == "published_date":
        return date.fromisoformat(value) if value else None
    if column in _TIMESTAMP_COLUMNS:
        return datetime.fromisoformat(value) if value else None
    return value
