"""``investchn parse``: extract saved or fetched pages to JSON Lines."""

from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path
from urllib.error import URLError
from urllib.parse import urlsplit

import click

from .. import __version__, exitcodes
from ..extraction import NotAnArticle, charset_from_content_type, extract_article


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--url", help="The page URL to record (and resolve links against) when one file is given.")
@click.option(
    "--facts",
    is_flag=True,
    help="Add a `facts` key: the money amounts of the body and the zone resolved (see README, Facts).",
)
def parse(paths: tuple[str, ...], url: str | None, facts: bool) -> None:
    """Extract article pages to JSON Lines, one object per input, in order.

    PATH is a saved HTML file or an http(s):// URL (fetched, to check the live site). A page that
    is not an article is reported on stderr and makes the exit status 1.

    \b
    Example:
        investchn parse saved/article.html --url http://www.investchn.com/kfqxw/1.html
        investchn parse --facts saved/article.html
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
        if facts:
            from ..facts.record import facts_of  # lazy: only --facts pays for the zone data

            record["facts"] = facts_of(record)
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
