"""``investchn export``: stream a selection of the archive as CSV, Excel CSV, JSON Lines or Parquet."""

from __future__ import annotations

import io
import sys
from contextlib import nullcontext

import click

from .common import CommandError, db_option, open_archive, require_facts
from .filters import build_filter, date_options, field_options

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
@field_options
@click.option("--search", "search_query", metavar="QUERY", help="Only articles containing every word of QUERY.")
@click.option(
    "--facts",
    is_flag=True,
    help="One row per money amount found in the selected articles (with date, district, zone, province, type).",
)
def export(
    db_path, fmt, excel, output, columns, since, until, districts, zones, sources, categories, search_query, facts
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
        investchn export --facts --since 2024-01 -o amounts.csv
    """
    from ..export import (
        ExportError,
        choose_columns,
        export_parquet,
        export_rows,
        parquet_available,
        plan_output,
        remove_stale_partials,
        write_output,
    )
    from ..store.archive import archive_files
    from ..store.facts import FACT_EXPORT_COLUMNS
    from ..store.queries import count_amounts, count_articles, iter_amount_facts, iter_articles

    if excel and fmt != "csv":
        raise click.UsageError("--excel applies to --format csv only")
    if fmt == "parquet" and output == "-":
        raise click.UsageError("Parquet is binary: give -o FILE")
    if facts and columns is not None:
        raise click.UsageError("--columns chooses article columns; --facts exports the amounts' own columns")
    try:
        chosen = FACT_EXPORT_COLUMNS if facts else choose_columns(columns.split(",") if columns is not None else None)
    except ExportError as error:
        raise click.BadParameter(str(error), param_hint="--columns") from None
    if fmt == "parquet" and not parquet_available():
        from ..export import PARQUET_MISSING

        raise CommandError(PARQUET_MISSING)
    selection = build_filter(since, until, districts, zones, sources, categories, search_query)
    target = None
    if output != "-":
        try:  # before the archive is even opened: an export never overwrites the archive or its files
            target = plan_output(output, archive_files(db_path))
        except ExportError as error:
            raise CommandError(str(error)) from None
    with open_archive(db_path) as archive:  # read-only
        if facts:
            require_facts(archive, db_path)
        rows = iter_amount_facts(archive.db, selection) if facts else iter_articles(archive.db, selection, chosen)
        noun = "amounts" if facts else "articles"
        if target is None:
            # UTF-8 whatever the locale, and CSV's CRLF untouched by newline translation.
            stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
            cut: list[str] = []
            try:
                export_rows(rows, stream, fmt, chosen, excel=excel, on_cut=cut.append)
                stream.flush()
            except BrokenPipeError:
                raise  # the reader has all it wanted (| head): the command ends quietly
            except OSError as error:
                raise CommandError(f"could not write to standard output: {_reason(error)}") from None
            finally:
                stream.detach()
            _report_cut(cut)
            return
        for stale in remove_stale_partials(target):
            click.echo(f"Removed {stale}, left by an export to {target.path} that did not finish", err=True)
        counter = count_amounts if facts else count_articles
        total = counter(archive.db, selection) if _show_progress() else 0
        cut = []
        bar = (
            click.progressbar(length=total, label=f"Exporting to {target.path.name}", file=sys.stderr)
            if total >= PROGRESS_MIN_ROWS
            else nullcontext()
        )
        try:
            with bar as progress, write_output(target, binary=fmt == "parquet") as stream:
                update = progress.update if progress else None
                if fmt == "parquet":
                    written = export_parquet(rows, stream, chosen, progress=update)
                else:
                    written = export_rows(rows, stream, fmt, chosen, excel=excel, progress=update, on_cut=cut.append)
        except OSError as error:  # disk full, file too large, a FIFO closed by its reader …
            raise CommandError(f"could not write {target.path}: {_reason(error)}; nothing was written") from None
        click.echo(f"{written} {noun} written to {target.path}", err=True)
        _report_cut(cut)


def _reason(error: OSError) -> str:
    return error.strerror or str(error) or type(error).__name__


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
