"""Time the quality queries on an archive: what ``investchn quality`` and the end of every crawl cost.

Run by hand:  python bench/quality.py --db data/bench-100k.db [--rounds 3]

Prints one row per query: the best and the median of the rounds, in seconds. ``run_fill_comparison``
is what every crawl adds at its end (the fill-rate drift check); the others are ``investchn quality``.
"""

from __future__ import annotations

import argparse
import statistics
import time

from investchn_spider.store import Archive
from investchn_spider.store import quality as q


def main() -> None:
    """Time each query and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="data/bench-100k.db", help="the archive to read")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per query (default 3)")
    args = parser.parse_args()
    with Archive(args.db, readonly=True) as archive:
        db = archive.db
        articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        last_run = db.execute("SELECT coalesce(max(id), 1) FROM runs").fetchone()[0]
        queries = {
            "fill_rates": lambda: q.fill_rates(db),
            "fill_rates_by_month": lambda: q.fill_rates_by_month(db),
            "fill_rates_by_run": lambda: q.fill_rates_by_run(db),
            "run_fill_comparison (every crawl)": lambda: q.run_fill_comparison(db, last_run),
            "recurring_lines": lambda: q.recurring_lines(db),
            "likely_misextracted": lambda: q.likely_misextracted(db, limit=10),
        }
        print(f"{args.db}: {articles:,} articles, {args.rounds} rounds")
        print(f"{'query':<36}{'best s':>9}{'median s':>10}")
        for name, query in queries.items():
            times = []
            for _ in range(args.rounds):
                started = time.perf_counter()
                query()
                times.append(time.perf_counter() - started)
            print(f"{name:<36}{min(times):>9.3f}{statistics.median(times):>10.3f}")


if __name__ == "__main__":
    main()
