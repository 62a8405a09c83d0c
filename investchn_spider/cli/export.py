"""``investchn export``: stream a selection of the archive as CSV, Excel CSV, JSON Lines or Parquet."""

from __future__ import annotations

import io
import sys
from contextlib import nullcontext
from pathlib import Path

import click

from .common import CommandError, db_option, open_archive
from .filters import build_filter, date_options

PROGRESS_MIN_ROWS = 1000  # below this an export is over before a bar is worth drawing


@click.command()
@db_option()
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "parquet"]), default="csv", show_default=True)
@click.option("--excel", is_flag=True, help="CSV for Excel: UTF-8 byte order mark, formula-like cells made text.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    help="Output file (default: stdout; Parquet needs a file).",
)
@click.option("--columns", metavar="A,B,…", help="Columns to export, in order (provenance columns are always added).")
@date_options
@click.option("--district", "districts", multiple=True, metavar="D", help="Only this district (repeatable).")
@click.option("--zone", "zones", multiple=True, metavar="Z", help="Only this zone, 发布开发区 (repeatable).")
@click.option("--source", "sources", multiple=True, metavar="S", help="Only this source, 来源 (repeatable).")
@click.option("--category", "categories", multiple=True, metavar="C", help="Only this category (repeatable).")
@click.option("--search", "search_query", metavar="QUERY", help="Only articles containing every word of QUERY.")
def export(
    db_path, fmt, excel, output, columns, since, until, districts, zones, sources, categories, search_query
) -> None:
    """Export one row per article with every URL and section it was seen under, oldest first.

    Filters combine (all must hold); a repeated filter option means any of its values. Every row
    carries its provenance: urls, first_seen_at and last_seen_at. A file is written whole or not
    at all.

    \b
    Example:
        investchn export --db data/investchn.db --format csv -o articles.csv
        investchn export --excel --district 浦东新区 --since 2024-01-01 -o pudong.csv
        investchn export --format parquet --search 招商 --columns title,published_date -o zs.parquet
    """
    from ..export import ExportError, choose_columns, export_parquet, export_rows, parquet_available
    from ..store.queries import count_articles, iter_articles
    from ..store.search import ensure_index

    if excel and fmt != "csv":
        raise click.UsageError("--excel applies to --format csv only")
    if fmt == "parquet" and output == "-":
        raise click.UsageError("Parquet is binary: give -o FILE")
    try:
        chosen = choose_columns(columns.split(",") if columns is not None else None)
    except ExportError as error:
        raise click.BadParameter(str(error), param_hint="--columns") from None
    if fmt == "parquet" and not parquet_available():
        from ..export import PARQUET_MISSING

        raise CommandError(PARQUET_MISSING)
    selection = build_filter(since, until, districts, zones, sources, categories, search_query)
    with open_archive(db_path) as archive:
        if selection.search:
            ensure_index(archive.db)
        rows = iter_articles(archive.db, selection, chosen)
        if output == "-":
            # UTF-8 whatever the locale, and CSV's CRLF untouched by newline translation.
            stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
            cut: list[str] = []
            export_rows(rows, stream, fmt, chosen, excel=excel, on_cut=cut.append)
            stream.flush()
            stream.detach()
            _report_cut(cut)
            return
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"cannot write {target}: folder {target.parent} does not exist")
        total = count_articles(archive.db, selection) if _show_progress() else 0
        partial = target.with_name(target.name + ".partial")
        cut = []
        bar = (
            click.progressbar(length=total, label=f"Exporting to {target.name}", file=sys.stderr)
            if total >= PROGRESS_MIN_ROWS
            else nullcontext()
        )
        try:
            with bar as progress:
                update = progress.update if progress else None
                if fmt == "parquet":
                    written = export_parquet(rows, partial, chosen, progress=update)
                else:
                    with partial.open("w", encoding="utf-8", newline="") as stream:
                        written = export_rows(
                            rows, stream, fmt, chosen, excel=excel, progress=update, on_cut=cut.append
                        )
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(target)  # a reader never sees half an export
        click.echo(f"{written} articles written to {target}", err=True)
        _report_cut(cut)


def _report_cut(columns: list[str]) -> None:
    """Say on stderr how many cells the Excel CSV had to cut, and in which columns."""
    if columns:
        names = ", ".join(sorted(set(columns)))
        click.echo(
            f"{len(columns)} cell(s) ({names}) were longer than the 32,767 characters an Excel cell holds and were"
            " cut, with a note in the cell; the plain CSV and JSON Lines keep them whole",
            err=True,
        )


def _show_progress() -> bool:
    return sys.stderr.isatty()
