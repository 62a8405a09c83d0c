"""``investchn reparse``: run the current extractor over every stored capture and report what changed."""

from __future__ import annotations

import json
import sys

import click

from .. import exitcodes
from ..progress import Progress
from ..store import utc_now
from .common import (
    CommandError,
    db_option,
    open_archive,
    recorded_run,
    refuse_unless_archive,
    since_option,
    until_option,
)

_EXAMPLE_WIDTH = 70  # characters of a value shown around its first difference


@click.command()
@db_option()
@since_option()
@until_option()
@click.option("--dry-run", is_flag=True, help="Write nothing; show what would change, with examples.")
@click.option(
    "--examples",
    default=3,
    show_default=True,
    type=click.IntRange(min=0),
    help="Before/after examples shown per changed field (with --dry-run).",
)
def reparse(db_path: str, since: str | None, until: str | None, dry_run: bool, examples: int) -> None:
    """Extract every archived article again from its stored page, with the current extractor.

    Each host's template profile (learnt by `investchn profile`) is applied to its pages. A
    record that changed replaces the stored one, which is kept in article_versions; two
    articles that now have the same content become one, keeping every URL and section; a page
    that no longer extracts keeps its record and is listed (exit status 6). Records the run in
    `investchn runs`, unless --dry-run, which writes nothing.

    \b
    Example:
        investchn reparse --db data/investchn.db --dry-run
        investchn reparse --db data/investchn.db --since 2024-01
    """
    from ..reparse import Reparser
    from ..store.profiles import load_profiles

    refuse_unless_archive(db_path)  # nothing to re-extract: refused as a reader refuses it
    args = {"command": "reparse", "db": db_path, "since": since, "until": until}
    progress = ReparseProgress()
    if dry_run:
        with open_archive(db_path) as archive:
            reparser = Reparser(
                archive,
                at=utc_now(),
                since=since,
                until=until,
                dry_run=True,
                profiles=load_profiles(archive.db),
                examples=examples,
                on_progress=progress,
            )
            summary = reparser.run()
        progress.close()
        _print_summary(summary, dry_run=True)
        _print_examples(summary)
        sys.exit(_exit_code(summary))
    reparser = None
    with recorded_run(db_path, args, interrupted="interrupted; the batches done are kept") as run:
        reparser = Reparser(
            run.archive,
            at=utc_now(),
            since=since,
            until=until,
            profiles=load_profiles(run.archive.db),
            on_progress=progress,
        )
        run.report = lambda: _run_report(reparser.summary)
        run.code = _exit_code(reparser.run())
    progress.close()
    if reparser is not None:
        _print_summary(reparser.summary, dry_run=False)
    if run.message:
        raise CommandError(run.message, run.code)
    sys.exit(run.code)


def _run_report(summary) -> tuple[dict, dict]:
    """Return the ``(stats, counts)`` a reparse records in ``runs``."""
    counts = {"changed_articles": summary.changed, "merged_urls": summary.merged, "failures": len(summary.failing)}
    return {"investchn/reparse": summary.counts()}, counts


def _exit_code(summary) -> int:
    return exitcodes.LAYOUT_DRIFT if summary.failing else exitcodes.OK


def _print_summary(summary, *, dry_run: bool) -> None:
    would = "would change" if dry_run else "changed"
    click.echo(f"Reparse{' (dry run, nothing written)' if dry_run else ''}: {summary.selected} articles")
    click.echo(f"  pages re-extracted {summary.pages:>8}")
    click.echo(f"  unchanged          {summary.unchanged:>8}")
    click.echo(f"  records {would:13}{summary.changed:>6}   (earlier record kept in article_versions)")
    for name, count in sorted(summary.fields.items(), key=lambda item: (-item[1], item[0])):
        click.echo(f"    {name:17}{count:>8}")
    click.echo(f"  merged             {summary.merged:>8}   (articles that became part of another)")
    click.echo(f"  version only       {summary.version_only:>8}   (same record, older extractor_version)")
    click.echo(f"  without a page     {summary.without_capture:>8}   (no stored capture: kept as they are)")
    click.echo(f"  facts computed     {summary.facts:>8}   (amounts and zone: a new body or zone, older facts rules)")
    click.echo(f"  failing now        {len(summary.failing):>8}   (records kept unchanged)")
    for url, reason in summary.failing:
        click.echo(f"    {url}  {reason}")


def _print_examples(summary) -> None:
    for name, examples in sorted(summary.examples.items()):
        click.echo(f"\n{name}:")
        for example in examples:
            before, after = _around_difference(_shown(example.before), _shown(example.after))
            click.echo(f"  {example.url}")
            click.echo(f"    before: {before}")
            click.echo(f"    after:  {after}")


def _shown(value) -> str:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return "null" if value is None else repr(value) if not isinstance(value, str) else value


def _around_difference(before: str, after: str) -> tuple[str, str]:
    """Return both texts cut to a window that starts a little before their first difference."""
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    start = max(0, start - 20)

    def window(text: str) -> str:
        piece = text[start : start + _EXAMPLE_WIDTH].replace("\n", "\\n").replace("\t", "\\t")
        return ("…" if start else "") + piece + ("…" if start + _EXAMPLE_WIDTH < len(text) else "")

    return window(before), window(after)


class ReparseProgress:
    """The reparse's status line: called as ``on_progress(done, total)``, it shows the articles done,
    the articles left, the rate and the elapsed time (on a terminal only; see ``progress.Progress``)."""

    def __init__(self, stream=None) -> None:
        self.progress = Progress("reparse", rate="articles", stream=stream)

    def __call__(self, done: int, total: int) -> None:
        self.progress.update(articles=done, left=total - done, force=done >= total)

    def close(self) -> None:
        """Erase the line; return None."""
        self.progress.close()
