"""``investchn profile``: learn each host's template profile from the archive's captures and store it."""

from __future__ import annotations

import click

from ..store import utc_now
from .common import CommandError, db_option, open_archive, recorded_run, refuse_unless_archive

_SHOWN_TEXT = 70  # characters of a learnt line shown


@click.command()
@db_option()
@click.option("--host", help="Learn only this host's profile (as in the archived URLs: www.investchn.com).")
@click.option(
    "--sample",
    default=500,
    show_default=True,
    type=click.IntRange(min=1),
    help="Pages read per host: the newest archived articles' pages.",
)
@click.option("--dry-run", is_flag=True, help="Write nothing; show what would be learnt.")
def profile(db_path: str, host: str | None, sample: int, dry_run: bool) -> None:
    """Learn each host's template profile from the archive's captures: the lines that stand on many of
    its article pages in the same place (a column banner, a promotion), with only a number varying.

    A line is template when it is on at least max(5, 5% of the pages read) of them; fewer than 20
    pages give no profile. The profile is stored in the archive (template_profiles, shown by
    `investchn quality`) and applied by `investchn reparse` to the archived records and by later
    crawls to the pages they store. Records the run in `investchn runs`, unless --dry-run.

    \b
    Example:
        investchn profile --db data/investchn.db --dry-run
        investchn profile --db data/investchn.db && investchn reparse --db data/investchn.db
    """
    from ..profiling import archive_hosts, learn_profiles

    refuse_unless_archive(db_path)  # nothing to learn from: refused as a reader refuses it
    with open_archive(db_path) as archive:
        hosts = _hosts(archive_hosts(archive.db), host)  # an unknown --host fails before any run is recorded
        if dry_run:
            profiles = learn_profiles(archive.db, hosts, sample)
    if dry_run:
        _print_profiles(profiles, db_path, dry_run=True)
        return
    from ..store.profiles import save_profile

    args = {"command": "profile", "db": db_path, "host": host, "sample": sample}
    profiles: list[dict] = []
    with recorded_run(db_path, args, interrupted="interrupted; no profile was stored") as run:
        run.report = lambda: ({"investchn/profile": {p["host"]: _summary(p) for p in profiles}}, {})
        profiles = learn_profiles(run.archive.db, hosts, sample)
        with run.archive.transaction():
            for learnt in profiles:
                if _learnt_enough(learnt):  # too few pages: an earlier profile stays
                    save_profile(run.archive.db, learnt, utc_now())
    if run.message:
        raise CommandError(run.message, run.code)
    _print_profiles(profiles, db_path, dry_run=False)


def _hosts(known: dict[str, int], host: str | None) -> list[str]:
    """Return the hosts to learn: ``host`` alone, or every host of the archive; fail when ``host`` has no article."""
    if host is None:
        return list(known)
    wanted = host.strip().lower()
    if wanted not in known:
        have = ", ".join(known) or "none"
        raise CommandError(f"no archived article page of host {host!r} (hosts in the archive: {have})")
    return [wanted]


def _learnt_enough(profile: dict) -> bool:
    from ..extraction.profile import MIN_SAMPLE

    return profile["pages"] >= MIN_SAMPLE


def _summary(profile: dict) -> dict:
    return {"pages": profile["pages"], "threshold": profile["threshold"], "lines": len(profile["lines"])}


def _print_profiles(profiles: list[dict], db_path: str, *, dry_run: bool) -> None:
    from ..extraction.profile import MIN_PAGES, MIN_SAMPLE, SHARE

    click.echo(f"Template profiles{' (dry run, nothing written)' if dry_run else ''}: {len(profiles)} host(s)")
    if not profiles:
        click.echo("  no archived article page to learn from")
    for learnt in profiles:
        pages = learnt["pages"]
        if pages < MIN_SAMPLE:
            click.echo(f"  {learnt['host']}: {pages} page(s) read, fewer than {MIN_SAMPLE}: nothing learnt")
            continue
        rule = f"on ≥ {learnt['threshold']} pages: max({MIN_PAGES}, {SHARE:.0%} of {pages})"
        click.echo(f"  {learnt['host']}: {pages} pages read, {len(learnt['lines'])} template line(s) ({rule})")
        for line in learnt["lines"]:
            text = line["text"] if len(line["text"]) <= _SHOWN_TEXT else line["text"][:_SHOWN_TEXT] + "…"
            click.echo(f"    {line['position']:4} {line['pages']:>5} pages  {text}")
    if dry_run:
        click.echo(f"Run `investchn profile --db {db_path}` to store them.")
    elif any(learnt["pages"] >= MIN_SAMPLE for learnt in profiles):
        click.echo(
            f"Stored in template_profiles. Run `investchn reparse --db {db_path}` to apply them to the archived "
            "records (later crawls apply them to the pages they store)."
        )
