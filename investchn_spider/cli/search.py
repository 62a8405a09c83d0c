"""``investchn search``: full-text search of the archive, newest first."""

from __future__ import annotations

import click

from .common import db_option, open_archive
from .filters import build_filter, date_options, field_options, values_not_found

NO_INDEX_NOTE = (
    "Note: {db} has no search index (an archive of schema 1): every article is read, which is exact but slow;"
    " the next `investchn crawl --db {db}` builds the index"
)


@click.command()
@click.argument("query")
@db_option()
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1), help="Show this many at most.")
@field_options
@date_options
def search(query: str, db_path: str, limit: int, districts, zones, sources, categories, since, until) -> None:
    """Print the articles whose title or body contains QUERY, newest first.

    QUERY is one or more words separated by spaces; an article matches when it contains every
    word (as written: no stemming, no word boundaries; letters in any case). Words of any length
    work, two-character ones (园区, 招商) included. Each hit shows its date, district, zone, title,
    a snippet around the first match and its URL. The filters are export's; a value no article
    has is named, with the values the archive holds. A query that starts with "-" goes after
    "--", the options before it: investchn search --db FILE -- -word.

    \b
    Example:
        investchn search 园区
        investchn search "人工智能 招商" --district 浦东新区 --since 2024-01-01 --limit 5
    """
    from ..store.queries import search_articles
    from ..store.search import has_index, match_spans

    selection = build_filter(
        since=since, until=until, districts=districts, zones=zones, sources=sources, categories=categories, search=query
    )
    with open_archive(db_path) as archive:  # read-only: the index is read, never built or brought up to date
        if not has_index(archive.db):
            click.echo(NO_INDEX_NOTE.format(db=db_path), err=True)
        results = search_articles(archive.db, selection, limit=limit)
        unknown = values_not_found(archive.db, selection) if not results.total else []
    typed = " ".join(query.split())
    # Echoed as typed (the match ignores case), in quotes that are not part of it.
    words = f"'{typed}'" if '"' in typed else f'"{typed}"'
    if not results.total:
        for line in unknown:
            click.echo(line, err=True)
        click.echo(f"No article contains {words}.")
        return
    shown = len(results.hits)
    more = f", the newest {shown} shown" if shown < results.total else ""
    verb = "article contains" if results.total == 1 else "articles contain"
    click.echo(f"{results.total:,} {verb} {words}{more}.\n")
    for hit in results.hits:
        place = "  ".join(part for part in (hit.district, hit.zone) if part)
        click.echo(f"{hit.published_date}  {place}")
        click.echo(f"  {_mark(hit.title, match_spans(selection.search, hit.title))}")
        click.echo(f"  {_mark(hit.snippet, hit.marks)}")
        click.echo(click.style(f"  {hit.url}", dim=True))
        click.echo()


def _mark(text: str, marks: list[tuple[int, int]]) -> str:
    # Bold the matches; click.echo drops the styling when the output is not a terminal.
    out, position = [], 0
    for start, end in marks:
        if start < position:  # overlapping words: the first mark wins
            continue
        out.append(text[position:start])
        out.append(click.style(text[start:end], bold=True, fg="yellow"))
        position = end
    out.append(text[position:])
    return "".join(out)
