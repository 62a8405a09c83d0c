"""``investchn crawl``, ``demo`` and ``runs``: run crawls and report on them."""

from __future__ import annotations

import contextlib
import signal
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import click

from .. import exitcodes
from ..store import ArchiveError
from ..store.archive import DEMO_CREATOR, check_writable, delete_demo_archive, identify
from ..store.lock import ArchiveLock
from .common import (
    DEFAULT_DB,
    DEMO_DB,
    CommandError,
    db_option,
    open_archive,
    progress_option,
    show_progress,
    since_option,
    take_lock,
)


@click.command()
@click.option(
    "--start-url",
    "start_urls",
    multiple=True,
    metavar="URL",
    help="Where to start (repeatable). Default: the live portal's home page.",
)
@db_option()
@click.option("--full", is_flag=True, help="Walk every list page to its end and retry every failed page.")
@since_option("Skip articles listed before this day (YYYY-MM-DD, YYYYMMDD, YYYY-MM, YYYY …).")
@click.option("--refresh", is_flag=True, help="Fetch archived articles again; changed ones keep their old version.")
@click.option("--delay", type=click.FloatRange(min=0), help="Seconds between requests to a host (0: no throttling).")
@click.option("--max-requests", type=click.IntRange(min=1), help="Stop after about this many pages.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    help="Stop the whole crawl after this many seconds, whatever hangs (exit status 9).",
)
@click.option("--page-timeout", type=click.FloatRange(min=0.1), help="Seconds to wait for a page [default: 30].")
@click.option(
    "--allowed-domain",
    "allowed_domains",
    multiple=True,
    metavar="DOMAIN",
    help="A domain the crawl may visit (repeatable). Default: the start URLs' registered domains.",
)
@click.option(
    "--log-dir",
    type=click.Path(file_okay=False),
    help="Folder of the per-run log files [default: logs/ beside the archive].",
)
@click.option(
    "--log-level",
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]),
    default="WARNING",
    show_default=True,
    help="Console log level (the log file always gets INFO).",
)
@progress_option()
def crawl(
    start_urls,
    db_path,
    full,
    since,
    refresh,
    delay,
    max_requests,
    timeout,
    page_timeout,
    allowed_domains,
    log_dir,
    log_level,
    progress,
) -> None:
    """Crawl 开发区新闻 into the archive, fetching only what is new, and print a summary.

    Safe to run from cron: incremental by default, resumes after a kill, refuses to run twice
    on one archive, and its exit status says what went wrong (see the README).

    \b
    Example:
        investchn crawl --db data/investchn.db
        investchn crawl --start-url http://127.0.0.1:8000/ --delay 0 --full
    """
    from ..crawl import CrawlOptions

    for url in start_urls:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise click.BadParameter(f"{url!r} is not an http(s) URL", param_hint="--start-url")
    if db_path == DEFAULT_DB:
        Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    args = {
        "command": "crawl",
        "start_urls": list(start_urls),
        "db": db_path,
        "full": full,
        "since": since,
        "refresh": refresh,
        "delay": delay,
        "max_requests": max_requests,
        "timeout": timeout,
        "page_timeout": page_timeout,
        "allowed_domains": list(allowed_domains),
    }
    options = CrawlOptions(
        db=db_path,
        start_urls=list(start_urls),
        allowed_domains=list(allowed_domains),
        delay=delay,
        max_requests=max_requests,
        timeout=timeout,
        page_timeout=page_timeout,
        log_level=log_level,
        progress=show_progress(progress),
        full=full,
        refresh=refresh,
        since=since,
        log_dir=log_dir,
        run_args=args,
    )
    sys.exit(crawl_and_report(options))


@click.command()
@db_option(DEMO_DB)
@click.option(
    "--articles",
    default=300,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many articles the bundled replica generates.",
)
@click.option("--seed", default=2024, show_default=True, help="Seed of the replica's generated content.")
@click.option(
    "--serve",
    "serve_after",
    is_flag=True,
    help="Then keep the replica up (the archived URLs open) and serve the archive in the web view, until Ctrl+C.",
)
@click.option(
    "--port",
    default=0,
    type=click.IntRange(min=0, max=65535),
    help="The replica's port [default: a free one]; the same port again keeps an earlier demo's URLs working.",
)
@click.option(
    "--web-port",
    default=8001,
    show_default=True,
    type=click.IntRange(min=1, max=65535),
    help="Port of the web view (with --serve).",
)
def demo(db_path: str, articles: int, seed: int, serve_after: bool, port: int, web_port: int) -> None:
    """Crawl the bundled replica of the portal into a fresh archive, then show how to explore it.

    An existing archive at --db is replaced only if an earlier demo made it (and no crawl has
    written to it since); anything else there is refused, untouched. With --serve the replica
    keeps running after the crawl, so the archived URLs open, and the archive is served in the
    web view (Datasette) at http://127.0.0.1:8001/; Ctrl+C stops both.

    \b
    Example:
        investchn demo
        investchn demo --serve --port 8000
    """
    from ..crawl import CrawlOptions
    from ..replica import ReplicaServer, ReplicaSite
    from .serve import check_web_view, run_web_view

    path = Path(db_path)
    if db_path == DEMO_DB:
        path.parent.mkdir(parents=True, exist_ok=True)
    if not path.parent.is_dir():
        raise CommandError(f"cannot create archive {path}: folder {path.parent} does not exist")
    if serve_after:  # before the crawl: a web view that cannot start is said at once, not after it
        check_web_view(WEB_HOST, web_port)
    lock = take_lock(db_path)  # before anything is read or deleted: a running crawl keeps its archive
    with contextlib.ExitStack() as running:
        try:
            try:
                delete_demo_archive(path, lock)
            except ArchiveError as error:
                raise CommandError(str(error)) from None
            open_archive(db_path, readonly=False, create=True, created_by=DEMO_CREATOR).close()
            try:
                server = running.enter_context(ReplicaServer(ReplicaSite(seed=seed, articles=articles), port=port))
            except OSError as error:
                raise CommandError(f"cannot start the replica on 127.0.0.1:{port}: {error.strerror}") from None
            replica_url = server.url  # (the port is 0 again once it has stopped)
            click.echo(f"Replica of the portal serving at {replica_url} ({articles} articles, seed {seed})")
            args = {"command": "demo", "start_urls": [replica_url], "db": db_path, "articles": articles, "seed": seed}
            options = CrawlOptions(
                db=db_path,
                start_urls=[replica_url],
                delay=0.0,
                log_level="WARNING",
                progress=show_progress(None),
                run_args=args,
            )
            code = crawl_and_report(options, lock=lock)
        finally:
            lock.release()
        if code == exitcodes.OK:
            click.echo(_facts_line(db_path))
        click.echo("\nExplore it:")
        click.echo(f"  investchn search 园区 --db {path} --limit 5")
        click.echo(f"  investchn stats --db {path}")
        click.echo(f"  investchn stats --db {path} --facts")
        click.echo(f"  investchn export --db {path} --format csv --excel -o articles.csv")
        click.echo(f"  investchn export --db {path} --facts -o amounts.csv")
        if not serve_after:
            click.echo(f"  investchn serve --db {path}        # the web view (pip install 'investchn[serve]')")
        elif code == exitcodes.OK:
            click.echo(f"\nReplica (the archived URLs): {replica_url}")
            _serve_until_interrupted(
                run_web_view, db_path, web_port, lambda url: click.echo(f"Web view: {url}\nCtrl+C stops both.")
            )
            click.echo("Stopped the web view and the replica.")
        else:
            click.echo("Not serving: the crawl did not succeed (see above).", err=True)
    if not serve_after:
        click.echo(
            f"The replica has stopped: the archived URLs ({replica_url}…) no longer answer; the archive keeps every"
            " page's raw capture. `investchn demo --serve` keeps it up, with the web view."
        )
    sys.exit(code)


WEB_HOST = "127.0.0.1"


def _facts_line(db_path: str) -> str:
    """Return the one line on the archive's facts the demo prints (amounts found, zone names resolved)."""
    from ..store.queries import facts_summary

    with open_archive(db_path) as archive:
        summary = facts_summary(archive.db)
    return (
        f"Facts: {summary.amounts:,} money amounts in {summary.articles_with_amounts:,} of {summary.articles:,}"
        f" articles; {summary.zones_resolved:,} of {summary.zones:,} zone names resolved"
    )


def _serve_until_interrupted(run_web_view, db_path: str, port: int, on_ready) -> None:
    """Run the web view until Ctrl+C (SIGINT) or SIGTERM; return None once it has stopped."""
    # The crawl's Scrapy left its own SIGINT handler behind (for a reactor now stopped); the web
    # server takes the signals while it runs and raises them again when it has stopped.
    previous = {sig: signal.signal(sig, signal.default_int_handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        run_web_view(db_path, WEB_HOST, port, on_ready)
    except KeyboardInterrupt:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@click.command()
@db_option()
@click.option("--limit", default=10, show_default=True, type=click.IntRange(min=1))
def runs(db_path: str, limit: int) -> None:
    """List the latest crawl runs with their counts.

    \b
    Example:
        investchn runs --db data/investchn.db --limit 5
    """
    with open_archive(db_path) as archive:
        rows = archive.recent_runs(limit)
    click.echo(
        f"{'run':>4}  {'started (UTC)':25} {'status':9} {'exit':>4} {'new':>5} {'seen':>5} "
        f"{'merged':>6} {'failed':>6} {'requests':>8}"
    )
    for row in rows:
        exit_code = "" if row["exit_code"] is None else row["exit_code"]
        click.echo(
            f"{row['id']:>4}  {row['started_at']:25} {row['status']:9} {exit_code:>4} "
            f"{row['new_articles'] or 0:>5} {row['seen_articles'] or 0:>5} {row['merged_urls'] or 0:>6} "
            f"{row['failures'] or 0:>6} {row['requests'] or 0:>8}"
        )


def crawl_and_report(options, lock: ArchiveLock | None = None) -> int:
    """Run the crawl, print the summary; return the exit status (the run records its own in the archive).

    ``lock``: the archive's lock when the caller holds it already (the demo); else it is taken here.
    """
    from ..crawl import run_crawl

    folder = Path(options.db).parent
    if not folder.is_dir():
        raise CommandError(f"cannot create archive {options.db}: folder {folder} does not exist")
    try:
        identify(options.db)  # another application's file is refused before anything is written beside it
    except ArchiveError as error:
        raise CommandError(str(error)) from None
    taken = take_lock(options.db) if lock is None else None  # released here; a caller's lock stays the caller's
    try:
        try:
            check_writable(options.db)
        except ArchiveError as error:
            raise CommandError(str(error), exitcodes.WRITE_FAILED) from None
        options.held_lock = lock or taken  # the run takes it over: a second crawl fails here, before Scrapy starts
        started = time.monotonic()
        result = run_crawl(options)
    finally:
        if taken is not None:
            taken.release()
    report = result.report
    if report.locked or (report.fatal and report.run_id is None):  # nothing was crawled: one line is all
        raise CommandError(result.message, result.exit_code)
    elapsed = time.monotonic() - started
    requests = int(result.stats.get("downloader/request_count", 0))
    pages = int(result.stats.get("response_received_count", 0))
    click.echo(f"\nCrawl finished in {elapsed:.1f} s: {requests} requests, {pages / max(elapsed, 1e-9):.1f} pages/s")
    click.echo(f"  new articles      {report.get('articles_new'):>7}")
    click.echo(f"  duplicates merged {report.get('urls_merged'):>7}   (another URL of an archived article)")
    click.echo(f"  changed           {report.get('articles_changed'):>7}   (earlier version kept)")
    click.echo(f"  already archived  {report.already_archived:>7}   (article URLs listed or fetched)")
    click.echo(f"  failed this run   {report.get('failures'):>7}")
    click.echo(f"  retried           {report.get('retried'):>7}   (pages that failed in earlier runs)")
    if report.get("links_skipped") or report.get("lists_cut"):
        click.echo(f"  links skipped     {report.get('links_skipped'):>7}   (not http(s), or malformed)")
        click.echo(f"  lists cut short   {report.get('lists_cut'):>7}   (paging bound reached; see failures)")
    try:
        with open_archive(options.db) as archive:
            counts = archive.counts()
        click.echo(
            f"Archive {options.db}: {counts['articles']} articles, {counts['article_urls']} URLs, "
            f"{counts['captures']} captures, {counts['unresolved_failures']} unresolved failures (investchn failures)"
        )
    except CommandError as error:
        click.echo(f"Archive {options.db}: {error.message}", err=True)
    if result.log_path:
        click.echo(f"Log: {result.log_path}")
    if result.exit_code != exitcodes.OK:
        click.echo(f"Error: {result.message}", err=True)
    return result.exit_code


@click.command()
@db_option()
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1))
def failures(db_path: str, limit: int) -> None:
    """List the pages that failed and were not archived since, most attempts first.

    Pages failing with a retryable error (network, 5xx, extraction) are tried again by the next
    runs until they have failed INVESTCHN_MAX_ATTEMPTS times; `crawl --full` tries them all again.

    \b
    Example:
        investchn failures --db data/investchn.db
    """
    with open_archive(db_path) as archive:
        rows = archive.unresolved_failures()
    click.echo(f"{len(rows)} unresolved failures")
    for row in rows[:limit]:
        status = row["status"] or ""
        click.echo(f"{row['attempts']:>3}x  {row['kind']:10} {status!s:>4}  {row['last_failed_at']}  {row['url']}")
        click.echo(f"      {row['reason']}")
