"""Command line: ``python -m investchn_spider.replica [--port 0] [--seed S] [--articles N] ...``.

Prints exactly one first line, ``Replica serving at http://127.0.0.1:PORT/`` (flushed, so a parent
process can read the port), then serves until SIGTERM or SIGINT and exits 0.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .content import ReplicaSite
from .faults import load_rules
from .server import ReplicaServer


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the replica command."""
    parser = argparse.ArgumentParser(
        prog="python -m investchn_spider.replica",
        description="Serve the deterministic local replica of investchn.com's zone news (开发区新闻).",
        epilog="Example: python -m investchn_spider.replica --port 8000 --articles 500 "
        '--faults \'[{"match": "index_2", "kind": "status", "status": 503, "times": 1}]\'',
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default)")
    parser.add_argument("--seed", type=int, default=2024, help="site seed (default 2024)")
    parser.add_argument("--articles", type=int, default=300, help="number of zone-news articles (default 300)")
    parser.add_argument("--revision", type=int, default=0, help="content revision: >0 edits ~5%% of bodies each")
    parser.add_argument(
        "--template-chrome",
        action="store_true",
        help="also serve template E, whose bodies carry chrome no single-page rule knows (see content.py)",
    )
    parser.add_argument("--access-log", metavar="FILE", help="append one JSON line per request to FILE")
    parser.add_argument("--faults", metavar="JSON|@FILE", help="fault rules as JSON text or @file (see faults.py)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the replica until SIGTERM/SIGINT; return the exit status (0 on a clean stop)."""
    args = build_parser().parse_args(argv)
    try:
        faults = load_rules(args.faults) if args.faults else None
    except (ValueError, OSError) as exc:
        print(f"invalid --faults: {exc}", file=sys.stderr)
        return 2
    site = ReplicaSite(
        seed=args.seed, articles=args.articles, revision=args.revision, template_chrome=args.template_chrome
    )
    stop = threading.Event()
    # Handlers only set the event; the main thread does the shutdown, outside signal context.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with ReplicaServer(site, args.host, args.port, faults=faults, access_log_path=args.access_log) as server:
        print(f"Replica serving at {server.url}", flush=True)
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
