"""``investchn serve``: browse and search the archive in Datasette."""

from __future__ import annotations

import socket

import click

from .common import CommandError, db_option, open_archive

DATASETTE_MISSING = "the web view needs Datasette: pip install 'investchn[serve]'"


@click.command()
@db_option()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every one).")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(min=1, max=65535), help="Port.")
def serve(db_path: str, host: str, port: int) -> None:
    """Open the archive in Datasette: facets, search of any length, canned queries.

    The articles table is faceted by district, zone, source, category and month; its search box
    finds words of any length (园区 included), as `investchn search` does. Canned queries:
    articles per month per district, latest articles, duplicates merged. Stop with Ctrl+C.

    \b
    Example:
        investchn serve --db data/investchn.db --port 8001
    """
    check_web_view(host, port)
    # Fails clearly on a missing, empty or foreign file. Datasette itself opens the file read-only.
    open_archive(db_path).close()
    run_web_view(db_path, host, port, on_ready=lambda url: click.echo(f"Serving {db_path} at {url} (Ctrl+C stops)"))


def check_web_view(host: str, port: int) -> None:
    """Return None if the web view can start on ``host:port``; else fail with one line (Datasette missing,
    the port taken)."""
    try:
        import datasette  # noqa: F401
    except ImportError:
        raise CommandError(DATASETTE_MISSING) from None
    _check_port(host, port)


def run_web_view(db_path: str, host: str, port: int, on_ready) -> None:
    """Serve the archive in Datasette until Ctrl+C; return None once it has stopped."""
    from ..web import serve as serve_archive

    serve_archive(db_path, host, port, on_ready=on_ready)


def _check_port(host: str, port: int) -> None:
    # uvicorn would log a bind failure and exit; one clear line instead.
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise CommandError(f"cannot listen on {host}: {error.strerror}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            raise CommandError(f"cannot listen on {host}:{port}: {error.strerror}") from None
