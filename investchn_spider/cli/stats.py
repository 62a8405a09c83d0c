"""``investchn stats``: what the archive holds, per district and per month, and where it has gaps."""

from __future__ import annotations

import click

from .common import db_option, open_archive, require_facts
from .filters import build_filter, date_options, table
from .filters import echo_table as _echo


@click.command()
@db_option()
@click.option("--runs", "run_count", default=5, show_default=True, type=click.IntRange(min=0), help="Last runs shown.")
@date_options
@click.option(
    "--facts", "show_facts", is_flag=True, help="Money amounts by kind, and investment by province, zone type, month."
)
def stats(db_path: str, run_count: int, since, until, show_facts: bool) -> None:
    """Print articles per district and per month, the date range, the last runs and the gaps.

    A gap is a month without any article for a district that has articles in earlier and in
    later months: a list the crawl may have missed, or a quiet month on the site. --since and
    --until count only the articles published in that range (the runs are listed whatever).

    \b
    Example:
        investchn stats --db data/investchn.db
        investchn stats --since 2024-01 --until 2024-06
        investchn stats --facts --since 2024-01
    """
    from ..store.quality import fill_rates, fill_rates_by_month
    from ..store.queries import archive_stats

    selection = build_filter(since=since, until=until)
    if show_facts:
        _print_facts(db_path, selection.since, selection.until)
        return
    with open_archive(db_path) as archive:
        summary = archive_stats(archive.db, selection.since, selection.until)
        runs = archive.recent_runs(run_count) if run_count else []
        rates = fill_rates(archive.db, selection) if summary.articles else None
        months = fill_rates_by_month(archive.db, selection) if summary.articles else []
    name = db_path if not (since or until) else f"{db_path} (published {since or '…'} to {until or '…'})"
    if not summary.articles:
        click.echo(f"Archive {name}: no articles{'' if since or until else ' yet'}.")
    else:
        click.echo(
            f"Archive {name}: {summary.articles:,} articles published {summary.first_date} to {summary.last_date}, "
            f"{len(summary.districts)} districts, {len(summary.months)} months"
        )
        click.echo("\nArticles per district")
        rows = [[district or "(none)", f"{count:,}", first, last] for district, count, first, last in summary.districts]
        _echo(table(["district", "articles", "first", "last"], rows, "<><<"))
        click.echo("\nArticles per month")
        _echo(table(["month", "articles"], [[month, f"{count:,}"] for month, count in summary.months], "<>"))
        click.echo("\nGaps (months without an article between a district's first and last month)")
        if summary.gaps:
            rows = [
                [district, first if first == last else f"{first} to {last}", months]
                for district, gaps in sorted(summary.gaps.items())
                for first, last, months in gaps
            ]
            _echo(table(["district", "missing", "months"], rows, "<<>"))
        else:
            click.echo("  none")
        _quality_section(db_path, rates, months)
    if run_count:
        click.echo("\nLast runs")
        if runs:
            rows = [
                [
                    run["id"],
                    run["started_at"],
                    run["finished_at"] or "",
                    run["status"],
                    run["new_articles"] or 0,
                    run["seen_articles"] or 0,
                    run["merged_urls"] or 0,
                    run["changed_articles"] or 0,
                    run["failures"] or 0,
                ]
                for run in runs
            ]
            headers = [
                "run",
                "started (UTC)",
                "finished (UTC)",
                "status",
                "new",
                "seen",
                "merged",
                "changed",
                "failures",
            ]
            _echo(table(headers, rows, "><<<>>>>>"))
        else:
            click.echo("  none")


def _quality_section(db_path: str, rates, months) -> None:
    """Print the overall fill rates, the month with the most incomplete records and where to look further."""
    from .quality import fill_table, worst_month

    click.echo(f"\nQuality ({rates.incomplete:,} of {rates.articles:,} articles miss a field)")
    _echo(fill_table(rates))
    worst = worst_month(months)
    if worst and rates.incomplete:
        click.echo(f"  Worst month: {worst[0]} ({worst[1]:.1%} of its articles miss a field)")
    click.echo(f"  More: investchn quality --db {db_path}")


def _print_facts(db_path: str, since: str | None, until: str | None) -> None:
    """Print what ``stats --facts`` shows: amounts by kind and currency, then CNY investment by place and month."""
    from ..store.queries import facts_summary

    with open_archive(db_path) as archive:
        require_facts(archive, db_path)
        summary = facts_summary(archive.db, since, until)
    click.echo(
        f"Facts in {db_path}: {summary.amounts:,} money amounts in {summary.articles_with_amounts:,} of "
        f"{summary.articles:,} articles; {summary.zones_resolved:,} of {summary.zones:,} zone names resolved"
    )
    click.echo("\nAmounts by kind and currency (sums in the currency's base unit)")
    rows = [[kind, currency, f"{count:,}", _money(total)] for kind, currency, count, total in summary.by_kind]
    _echo(table(["kind", "currency", "amounts", "sum"], rows, "<<>>") if rows else ["none"])
    for title, key, pairs in (
        ("province", "province", summary.investment_by_province),
        ("zone type", "zone type", summary.investment_by_zone_type),
        ("month", "month", summary.investment_by_month),
    ):
        click.echo(f"\nInvestment and contracts in CNY by {title} (other currencies are not converted)")
        rows = [[name, f"{count:,}", _money(total)] for name, count, total in pairs]
        _echo(table([key, "amounts", "CNY"], rows, "<>>") if rows else ["none"])


def _money(total: float | None) -> str:
    """Return a sum with thousands separators and, from 亿 up, its value in 亿 (1e8) as Chinese reports write it."""
    if total is None:
        return ""
    text = f"{total:,.0f}"
    return f"{text} ({total / 1e8:,.2f}亿)" if abs(total) >= 1e8 else text
