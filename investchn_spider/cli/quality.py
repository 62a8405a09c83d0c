"""``investchn quality``: how complete the extracted records are, over time, and which look mis-extracted."""

from __future__ import annotations

import json

import click

from .common import db_option, open_archive
from .filters import build_filter, date_options, table
from .filters import echo_table as _echo

# The short column headers of the per-month and per-run tables, per field key.
FIELD_HEADERS = {
    "source": "no source",
    "zone": "no zone",
    "time": "no time",
    "district": "no district",
    "short_body": "short body",
    "photo_image": "photo, no image",
}
NO_PROFILE = "no template profile learned yet (run investchn profile)"


def percent(share: float | None) -> str:
    """Return ``share`` (0..1) as a percentage with one decimal, or ``-`` when there is none."""
    return "-" if share is None else f"{100 * share:.1f}%"


@click.command()
@db_option()
@date_options
@click.option(
    "--limit", default=10, show_default=True, type=click.IntRange(min=0), help="Likely mis-extracted articles shown."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object on standard output, for scripts.")
def quality(db_path: str, since, until, limit: int, as_json: bool) -> None:
    """Print how complete the records are: fill rates overall, per month and per run, lines that recur
    across bodies (leaked page chrome), the template profile's lines, and the articles most likely
    mis-extracted, with the reasons.

    --since and --until look only at the articles published in that range.

    \b
    Example:
        investchn quality --db data/investchn.db
        investchn quality --since 2024-06 --limit 20 --json
    """
    from ..store import quality as q

    selection = build_filter(since=since, until=until)
    with open_archive(db_path) as archive:
        db = archive.db
        overall = q.fill_rates(db, selection)
        months = q.fill_rates_by_month(db, selection)
        runs = q.fill_rates_by_run(db, selection)
        recurring = q.recurring_lines(db, selection)
        scored, suspects = q.likely_misextracted(db, selection, limit, recurring)
        profiles = q.template_profile_lines(db)
    if as_json:
        data = {
            "archive": db_path,
            "since": since,
            "until": until,
            "thresholds": {
                "short_body_chars": q.SHORT_BODY_CHARS,
                "recurring_share": q.RECURRING_SHARE,
                "recurring_min_bodies": q.RECURRING_MIN_BODIES,
            },
            "overall": overall.as_dict(),
            "months": [{"month": month, **rates.as_dict()} for month, rates in months],
            "runs": [
                {"run": run.run_id, "started_at": run.started_at, "status": run.status, **run.rates.as_dict()}
                for run in runs
            ],
            "template_profiles": profiles,
            "recurring_lines": [
                {"district": r.district, "line": r.line, "bodies": r.bodies, "district_articles": r.district_articles}
                for r in recurring
            ],
            "likely_misextracted": {
                "scored": scored,
                "top": [{"url": s.url, "title": s.title, "score": s.score, "reasons": s.reasons} for s in suspects],
            },
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    name = db_path if not (since or until) else f"{db_path} (published {since or '…'} to {until or '…'})"
    if not overall.articles:
        click.echo(f"Archive {name}: no articles{'' if since or until else ' yet'}.")
        return
    click.echo(f"Archive {name}: {overall.articles:,} articles, {overall.incomplete:,} with a gap")
    click.echo("\nFill rates (articles missing each field)")
    _echo(fill_table(overall))
    click.echo("\nPer month (share of the month's articles missing each field; published month)")
    _echo(rates_table(["month"], [([month], rates) for month, rates in months]))
    click.echo("\nPer run (the articles whose record the run stored)")
    if runs:
        _echo(rates_table(["run", "status"], [([run.run_id, run.status or ""], run.rates) for run in runs]))
    else:
        click.echo("  none (no record came from a crawl)")
    click.echo("\nTemplate lines (the learned template profile)")
    if not profiles:
        click.echo(f"  {NO_PROFILE}")
    else:
        for host, lines in profiles.items():
            click.echo(f"  {host}: {len(lines)} line(s)")
            for line in lines:
                click.echo(f"    {line}")
    click.echo(
        f"\nLines recurring in many bodies (in ≥ {q.RECURRING_SHARE:.0%} of a district's bodies, "
        f"at least {q.RECURRING_MIN_BODIES}; digits shown as #)"
    )
    if recurring:
        rows = [
            [r.district or "(none)", f"{r.bodies}/{r.district_articles}", percent(r.share), r.line] for r in recurring
        ]
        _echo(table(["district", "bodies", "share", "line"], rows, "<>><"))
    else:
        click.echo("  none")
    click.echo(f"\nLikely mis-extracted ({scored:,} article(s) show a sign; the top {len(suspects)} by score)")
    if not suspects:
        click.echo("  none")
    for suspect in suspects:
        click.echo(f"  {suspect.score:>3}  {suspect.url}")
        click.echo(f"       {suspect.title}")
        for reason in suspect.reasons:
            click.echo(f"       - {reason}")


def fill_table(rates) -> list[str]:
    """Return the lines of the table of ``rates`` (a :class:`~investchn_spider.store.quality.FillRates`)."""
    from ..store.quality import FIELDS

    rows = [
        [f.label, f"{rates.missing[f.key]:,}", f"{rates.eligible[f.key]:,}", percent(rates.missing_share(f.key))]
        for f in FIELDS
    ]
    return table(["field", "missing", "of", "share"], rows, "<>>>")


def rates_table(keys: list[str], rows: list[tuple[list, object]]) -> list[str]:
    """Return a table with the ``keys`` columns, the article count and each field's missing share."""
    headers = [*keys, "articles", *FIELD_HEADERS.values()]
    cells = [
        [*key, f"{rates.articles:,}", *(percent(rates.missing_share(k)) for k in FIELD_HEADERS)] for key, rates in rows
    ]
    return table(headers, cells, "<" * len(keys) + ">" * (1 + len(FIELD_HEADERS)))


def worst_month(months) -> tuple[str, float] | None:
    """Return ``(month, share of its articles with a gap)`` of the month with the largest such share
    (ties: the earliest); None without months."""
    shares = [(rates.incomplete / rates.articles, month) for month, rates in months if rates.articles]
    if not shares:
        return None
    share, month = min(shares, key=lambda item: (-item[0], item[1]))
    return month, share
