"""``investchn crawl``, ``demo`` and ``runs``: run crawls and report on them."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import click

from .. import exitcodes
from .common import DEFAULT_DB, DEMO_DB, db_option, open_archive, prepare_archive


@click.command()
@click.option(
    "--start-url",
    "start_urls",
    multiple=True,
    metavar="URL",
    help="Where to start (repeatable). Default: the live portal's home page.",
)
@db_option()
@click.option("--delay", type=click.FloatRange(min=0), help="Seconds between requests to a host (0: no throttling).")
@click.option("--max-requests", type=click.IntRange(min=1), help="Stop after about this many pages.")
@click.option(
    "--allowed-domain",
    "allowed_domains",
    multiple=True,
    metavar="DOMAIN",
    help="A domain the crawl may visit (repeatable). Default: the start URLs' registered domains.",
)
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]), help="Scrapy's log level.")
def crawl(start_urls, db_path, delay, max_requests, allowed_domains, log_level) -> None:
    """Crawl 开发区新闻 into the archive and print a summary.

    \b
    Example:
        investchn crawl --db data/investchn.db
        investchn crawl --start-url http://127.0.0.1:8000/ --delay 0
    """
    for url in start_urls:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise click.BadParameter(f"{url!r} is not an http(s) URL", param_hint="--start-url")
    prepare_archive(db_path, create_folder=db_path == DEFAULT_DB)
    args = {
        "command": "crawl",
        "start_urls": list(start_urls),
        "db": db_path,
        "delay": delay,
        "max_requests": max_requests,
        "allowed_domains": list(allowed_domains),
    }
    _crawl_and_report(db_path, list(start_urls), list(allowed_domains), delay, max_requests, log_level, args)


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
def demo(db_path: str, articles: int, seed: int) -> None:
    """Crawl the bundled replica of the portal into a fresh archive, then show how to explore it.

    \b
    Example:
        investchn demo
    """
    from ..replica import ReplicaServer, ReplicaSite

    path = Path(db_path)
    prepare_archive(db_path, create_folder=db_path == DEMO_DB, fresh=True)
    with ReplicaServer(ReplicaSite(seed=seed, articles=articles)) as server:
        click.echo(f"Replica of the portal serving at {server.url} ({articles} articles, seed {seed})")
        args = {"command": "demo", "start_urls": [server.url], "db": db_path, "articles": articles, "seed": seed}
        code = _crawl_and_report(db_path, [server.url], [], 0.0, None, "WARNING", args, exit_on_finish=False)
    click.echo("\nExplore it:")
    query = "SELECT published_date, district, title FROM articles ORDER BY published_date DESC LIMIT 5"
    click.echo(f'  sqlite-utils {path} "{query}" --table')
    click.echo(f"  investchn export --db {path} --format csv -o articles.csv")
    click.echo(f"  datasette {path}        # if Datasette is installed")
    sys.exit(code)


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


def _crawl_and_report(
    db_path, start_urls, allowed_domains, delay, max_requests, log_level, args, exit_on_finish: bool = True
) -> int:
    from ..crawl import CrawlOptions, run_crawl

    options = CrawlOptions(
        db=db_path,
        start_urls=start_urls,
        allowed_domains=allowed_domains,
        delay=delay,
        max_requests=max_requests,
        log_level=log_level,
        run_args=args,
    )
    started = time.monotonic()
    result = run_crawl(options)
    elapsed = time.monotonic() - started
    with open_archive(db_path) as archive:
        run_id = result.stats.get("investchn/run_id")
        if run_id:
            archive.set_run_exit(run_id, result.exit_code, "ok" if result.exit_code == exitcodes.OK else "failed")
        counts = archive.counts()
    requests = int(result.stats.get("downloader/request_count", 0))
    pages = int(result.stats.get("response_received_count", 0))
    click.echo(f"\nCrawl finished in {elapsed:.1f} s: {requests} requests, {pages / max(elapsed, 1e-9):.1f} pages/s")
    click.echo(f"  new articles      {result.count('articles_new'):>7}")
    click.echo(f"  duplicates merged {result.count('urls_merged'):>7}   (another URL of an archived article)")
    click.echo(f"  seen again        {result.count('articles_seen'):>7}")
    click.echo(f"  changed           {result.count('articles_changed'):>7}")
    click.echo(f"  failures          {result.count('failures'):>7}   (failures table: dead links, errors)")
    click.echo(
        f"Archive {db_path}: {counts['articles']} articles, {counts['article_urls']} URLs, "
        f"{counts['captures']} captures"
    )
    if result.exit_code != exitcodes.OK:
        click.echo(f"Error: {result.message}", err=True)
    if exit_on_finish:
        sys.exit(result.exit_code)
    return result.exit_code
