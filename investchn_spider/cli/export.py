"""``investchn export``: stream the archive as CSV or JSON Lines."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import click

from .common import CommandError, db_option, open_archive


@click.command()
@db_option()
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    help="Output file (default: stdout).",
)
def export(db_path: str, fmt: str, output: str) -> None:
    """Export one row per article, with every URL and section it was seen under.

    \b
    Example:
        investchn export --db data/investchn.db --format csv -o articles.csv
    """
    from ..export import export_rows

    with open_archive(db_path) as archive:
        if output == "-":
            # UTF-8 whatever the locale, and CSV's CRLF untouched by newline translation.
            stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
            export_rows(archive.iter_articles(), stream, fmt)
            stream.flush()
            stream.detach()
            return
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"cannot write {target}: folder {target.parent} does not exist")
        partial = target.with_name(target.name + ".partial")
        with partial.open("w", encoding="utf-8", newline="") as stream:
            written = export_rows(archive.iter_articles(), stream, fmt)
        partial.replace(target)  # a reader never sees half an export
        click.echo(f"{written} articles written to {target}", err=True)
