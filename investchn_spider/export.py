"""Write archive rows as CSV or JSON Lines, streaming: one article in memory at a time."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import TextIO

from .extraction import RECORD_FIELDS

EXPORT_COLUMNS = (*RECORD_FIELDS, "urls", "sections", "first_seen_at", "last_seen_at")
FORMATS = ("csv", "jsonl")


def export_rows(rows: Iterable[dict], out: TextIO, fmt: str) -> int:
    """Write ``rows`` (from :meth:`Archive.iter_articles`) to ``out`` in ``fmt``; return how many were written.

    CSV follows RFC 4180 (UTF-8, CRLF line ends, quotes where needed); list columns (breadcrumb,
    images, attachments, urls, sections) hold JSON arrays. JSON Lines holds one object per article.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(EXPORT_COLUMNS)
    written = 0
    for row in rows:
        values = {column: row.get(column) for column in EXPORT_COLUMNS}
        if fmt == "csv":
            writer.writerow([_csv_cell(values[column]) for column in EXPORT_COLUMNS])
        else:
            out.write(json.dumps(values, ensure_ascii=False) + "\n")
        written += 1
    return written


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
