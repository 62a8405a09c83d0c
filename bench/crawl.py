"""Crawl speed, memory and request counts against the local replica: full vs incremental runs.

Run by hand:  python bench/crawl.py [--articles 300] [--new 10]
Each crawl is the real `investchn crawl` in a subprocess (--delay 0); the table counts the requests
the replica's access log saw, by kind, and the crawl's CPU time (user + system) and peak RSS. CPU time
is the figure to compare on a busy machine: the wall time also counts the replica's work and other load.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from investchn_spider.replica import ReplicaServer, ReplicaSite


def run(server: ReplicaServer, db: Path, *options: str) -> dict:
    """Crawl once; return elapsed seconds, CPU seconds, peak RSS (MiB) and the request counts by kind."""
    server.clear_access_log()
    command = [sys.executable, "-m", "investchn_spider", "crawl", "--start-url", server.url, "--delay", "0"]
    started = time.perf_counter()
    process = subprocess.Popen([*command, "--db", str(db), *options], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"crawl failed: {process.stderr.read().decode()[-2000:]}")
    site = server.site
    lists = {page["path"] for page in site.list_pages()} | {p["alias"] for p in site.list_pages() if p["alias"]}
    articles = {path for a in site.expected_articles() for path in a["urls"]} | set(site.dead_links())
    paths = [entry["path"] for entry in server.access_log]
    return {
        "elapsed": elapsed,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss": usage.ru_maxrss / 1024,
        "requests": len(paths),
        "lists": sum(path in lists for path in paths),
        "articles": sum(path in articles for path in paths),
    }


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--new", type=int, default=10, help="articles added before the third run")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder, ReplicaServer(ReplicaSite(args.seed, args.articles)) as server:
        db = Path(folder) / "bench.db"
        rows.append(("first crawl (empty archive)", run(server, db)))
        rows.append(("incremental, nothing new", run(server, db)))
        server.site = ReplicaSite(args.seed, args.articles + args.new)
        rows.append((f"incremental, {args.new} new articles", run(server, db)))
        rows.append(("--full", run(server, db, "--full")))
        sections = len({(p["district"], p["type"]) for p in server.site.list_pages()})
    print(f"replica: {args.articles} articles (+{args.new}), {sections} list sections, seed {args.seed}\n")
    header = f"{'run':32} {'requests':>8} {'lists':>6} {'articles':>8} {'seconds':>8} {'pages/s':>8}"
    print(f"{header} {'CPU s':>6} {'peak RSS':>9}")
    for name, row in rows:
        print(
            f"{name:32} {row['requests']:>8} {row['lists']:>6} {row['articles']:>8} {row['elapsed']:>8.1f} "
            f"{row['requests'] / row['elapsed']:>8.1f} {row['cpu']:>6.1f} {row['rss']:>7.0f} MiB"
        )


if __name__ == "__main__":
    main()
