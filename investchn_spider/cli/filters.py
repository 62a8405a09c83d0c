"""Options that select articles, shared by ``search``, ``export`` and ``stats``; and terminal tables.

Dates are parsed by :class:`.common.DateParam` (the one parser of every command); the selection
itself is built by :class:`investchn_spider.store.queries.ArticleFilter`.
"""

from __future__ import annotations

import unicodedata

import click

from ..store.queries import FILTER_COLUMNS, ArticleFilter, field_values
from ..store.search import SearchError, parse_query
from .common import CommandError, since_option, until_option


def date_options(command):
    """Add ``--since`` and ``--until`` (inclusive publish dates) to ``command``."""
    return since_option()(until_option()(command))


def field_options(command):
    """Add ``--district``, ``--zone``, ``--source`` and ``--category`` (each repeatable) to ``command``."""
    options = [
        click.option("--district", "districts", multiple=True, metavar="D", help="Only this district (repeatable)."),
        click.option("--zone", "zones", multiple=True, metavar="Z", help="Only this zone, 发布开发区 (repeatable)."),
        click.option("--source", "sources", multiple=True, metavar="S", help="Only this source, 来源 (repeatable)."),
        click.option("--category", "categories", multiple=True, metavar="C", help="Only this category (repeatable)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def values_not_found(db, selection: ArticleFilter, shown: int = 8) -> list[str]:
    """Return one line per filter value that no article has, naming the values that do exist."""
    lines = []
    for attribute, column in FILTER_COLUMNS.items():
        wanted = getattr(selection, attribute)
        if not wanted:
            continue
        existing = field_values(db, column)
        names = {value for value, _ in existing}
        for value in wanted:
            if value in names:
                continue
            listed = ", ".join(f"{name} ({count})" for name, count in existing[:shown])
            more = f" and {len(existing) - shown} more" if len(existing) > shown else ""
            lines.append(f"No article has {column} {value!r}; the archive's {column} values: {listed or 'none'}{more}")
    return lines


def build_filter(
    since=None, until=None, districts=(), zones=(), sources=(), categories=(), search: str | None = None
) -> ArticleFilter:
    """Return the :class:`ArticleFilter` of the options; fail with a usage or input error when they clash."""
    if since and until and since > until:
        raise click.UsageError(f"--since {since} is after --until {until}")
    try:
        query = parse_query(search) if search is not None else None
    except SearchError as error:
        raise CommandError(str(error)) from None
    return ArticleFilter(
        since=since,
        until=until,
        districts=tuple(districts),
        zones=tuple(zones),
        sources=tuple(sources),
        categories=tuple(categories),
        search=query,
    )


def display_width(text: str) -> int:
    """Return how many terminal columns ``text`` takes (CJK and full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def table(headers: list[str], rows: list[list], align: str = "") -> list[str]:
    """Return the lines of a plain-text table; ``align`` has one ``<`` or ``>`` per column (default ``<``)."""
    cells = [[str(header) for header in headers]]
    cells += [["" if cell is None else str(cell) for cell in row] for row in rows]
    widths = [max(display_width(row[column]) for row in cells) for column in range(len(headers))]
    lines = []
    for number, row in enumerate(cells):
        parts = []
        for column, cell in enumerate(row):
            padding = " " * (widths[column] - display_width(cell))
            parts.append(padding + cell if align[column : column + 1] == ">" else cell + padding)
        lines.append("  ".join(parts).rstrip())
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return lines


def echo_table(lines: list[str]) -> None:
    """Print the lines of a :func:`table`, indented by two spaces."""
    for line in lines:
        click.echo("  " + line)
