"""Write archive rows as CSV, Excel-safe CSV, JSON Lines or Parquet, streaming.

Rows come from :func:`investchn_spider.store.queries.iter_articles` one at a time; CSV and JSON Lines
hold one article in memory, Parquet one row group (:data:`PARQUET_BATCH_ROWS` articles), so an
export of any size runs in flat memory. Every export carries its provenance: whatever columns are
chosen, each row keeps the article's URLs and when crawls first and last saw it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from .extraction import RECORD_FIELDS
from .store.queries import SELECTABLE_COLUMNS

EXPORT_COLUMNS = (*RECORD_FIELDS, "urls", "sections", "first_seen_at", "last_seen_at")
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
    path: str | Path,
    columns: tuple[str, ...] = EXPORT_COLUMNS,
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write ``rows`` to a Parquet file at ``path`` (zstd-compressed); return how many were written.

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
    with pq.ParquetWriter(str(path), schema, compression="zstd") as writer:
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
    if column in ("id", "capture_id"):
        return pa.int64()
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
