"""The ``investchn`` command: parses arguments and calls the library; no logic of its own."""

from __future__ import annotations

import io
import json
import sys
import time
import urllib.request
from pathlib import Path
from urllib.error import URLError
from urllib.parse import urlsplit

import click

from . import __version__, exitcodes
from .extraction import NotAnArticle, charset_from_content_type, extract_article
from .store import Archive, ArchiveError

DEFAULT_DB = "data/investchn.db"
DEMO_DB = "data/demo.db"


class CommandError(click.ClickException):
    """A user-facing failure: one line on stderr and a documented exit status."""

    def __init__(self, message: str, exit_code: int = exitcodes.ERROR) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def db_option(default: str = DEFAULT_DB):
    """Return the shared ``--db`` option."""
    return click.option(
        "--db",
        "db_path",
        default=default,
        show_default=True,
        type=click.Path(dir_okay=False),
        help="The SQLite archive file.",
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="investchn")
def cli() -> None:
    """Crawl the zone-news sections (开发区新闻) of investchn.com into a SQLite archive."""


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--url", help="The page URL to record (and resolve links against) when one file is given.")
def parse(paths: tuple[str, ...], url: str | None) -> None:
    """Extract article pages to JSON Lines, one object per input, in order.

    PATH is a saved HTML file or an http(s):// URL (fetched, to check the live site). A page that
    is not an article is reported on stderr and makes the exit status 1.

    \b
    Example:
        investchn parse saved/article.html --url http://www.investchn.com/kfqxw/1.html
    """
    if url and len(paths) > 1:
        raise click.UsageError("--url can only be used with a single PATH")
    out = sys.stdout.buffer
    failed = 0
    for path in paths:
        try:
            body, page_url, charset = _read_page(path, url)
            record = extract_article(body, page_url, charset)
        except (OSError, URLError, NotAnArticle) as error:
            click.echo(f"{path}: not extracted: {error}", err=True)
            failed += 1
            continue
        out.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
        out.flush()
    if failed:
        sys.exit(exitcodes.ERROR)


def _read_page(path: str, url: str | None) -> tuple[bytes, str, str | None]:
    if urlsplit(path).scheme in ("http", "https"):
        request = urllib.request.Request(path, headers={"User-Agent": f"investchn/{__version__}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return (
                response.read(),
                url or response.geturl(),
                charset_from_content_type(response.headers.get("Content-Type")),
            )
    file = Path(path)
    return file.read_bytes(), url or file.resolve().as_uri(), None


@cli.command()
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
    _prepare_archive(db_path, create_folder=db_path == DEFAULT_DB)
    args = {
        "command": "crawl",
        "start_urls": list(start_urls),
        "db": db_path,
        "delay": delay,
        "max_requests": max_requests,
        "allowed_domains": list(allowed_domains),
    }
    _crawl_and_report(db_path, list(start_urls), list(allowed_domains), delay, max_requests, log_level, args)


@cli.command()
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
    from .replica import ReplicaServer, ReplicaSite

    path = Path(db_path)
    _prepare_archive(db_path, create_folder=db_path == DEMO_DB, fresh=True)
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


@cli.command()
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
    from .export import export_rows

    with _open_archive(db_path) as archive:
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


@cli.command()
@db_option()
@click.option("--limit", default=10, show_default=True, type=click.IntRange(min=1))
def runs(db_path: str, limit: int) -> None:
    """List the latest crawl runs with their counts.

    \b
    Example:
        investchn runs --db data/investchn.db --limit 5
    """
    with _open_archive(db_path) as archive:
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


def _prepare_archive(db_path: str, *, create_folder: bool, fresh: bool = False) -> None:
    """Check (and create) the archive before Scrapy starts, so bad paths fail with one clear line."""
    path = Path(db_path)
    if create_folder:
        path.parent.mkdir(parents=True, exist_ok=True)
    if fresh:
        for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            stale.unlink(missing_ok=True)
    with _open_archive(db_path, create=True):
        pass


def _open_archive(db_path: str, create: bool = False) -> Archive:
    try:
        return Archive(db_path, create=create)
    except ArchiveError as error:
        raise CommandError(str(error)) from None


def _crawl_and_report(
    db_path, start_urls, allowed_domains, delay, max_requests, log_level, args, exit_on_finish: bool = True
) -> int:
    from .crawl import CrawlOptions, run_crawl

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
    with _open_archive(db_path) as archive:
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


def main() -> None:
    """Entry point of the ``investchn`` console script."""
    cli(prog_name="investchn")
