"""Make a large archive from generated replica content, for the search benchmark and for trying things.

Run by hand:  python bench/make_archive.py [--articles 100000] [--db data/bench-100k.db]

Articles come from several replica sites (seeds) of equal size, so that dates span a few years
with many articles a day as on the real portal; each site gets its own host name. Content is
generated on every core; the records are stored through the archive's own writes (not by
crawling), so the search index is built exactly as a crawl builds it. Prints what it made.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from multiprocessing import Pool
from pathlib import Path

from investchn_spider import __version__
from investchn_spider.replica import ReplicaSite
from investchn_spider.replica.records import article_records, store_records
from investchn_spider.store import Archive, utc_now

ARTICLES_PER_SITE = 4_000


def site_records(job: tuple[int, int]) -> tuple[int, str, list]:
    """Return (seed, base URL, records) of one generated site (runs in a worker process)."""
    seed, articles = job
    base_url = f"http://replica-{seed}.investchn.test/"
    return seed, base_url, list(article_records(ReplicaSite(seed=seed, articles=articles), base_url))


def main() -> None:
    """Generate, store and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000, help="how many articles (default 100000)")
    parser.add_argument("--db", default="data/bench-100k.db", help="archive to create (must not exist)")
    parser.add_argument("--first-seed", type=int, default=1000, help="seed of the first site")
    options = parser.parse_args()
    path = Path(options.db)
    if path.exists():
        sys.exit(f"{path} exists; remove it or choose another --db")
    path.parent.mkdir(parents=True, exist_ok=True)
    sizes = [ARTICLES_PER_SITE] * (options.articles // ARTICLES_PER_SITE)
    if options.articles % ARTICLES_PER_SITE:
        sizes.append(options.articles % ARTICLES_PER_SITE)
    jobs = [(options.first_seed + number, size) for number, size in enumerate(sizes)]
    started = time.perf_counter()
    totals: dict[str, int] = {}
    with Archive(path) as archive, Pool(os.cpu_count()) as pool:
        for seed, base_url, records in pool.imap(site_records, jobs):
            run_id = archive.start_run({"command": "bench", "seed": seed}, pid=os.getpid(), version=__version__)
            with archive.transaction():
                counts = store_records(archive, records, utc_now(), base_url)
            archive.finish_run(
                run_id,
                status="ok",
                exit_code=0,
                stats={},
                counts={"new_articles": counts.get("new", 0), "merged_urls": counts.get("merged", 0)},
            )
            for key, value in counts.items():
                totals[key] = totals.get(key, 0) + value
            print(f"  site {seed}: {len(records)} articles ({time.perf_counter() - started:.0f} s)", flush=True)
        archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        article_count = archive.counts()["articles"]
    elapsed = time.perf_counter() - started
    size = path.stat().st_size / 2**20
    print(f"\n{path}: {article_count} articles, {size:.0f} MiB, made in {elapsed:.0f} s ({totals})")


if __name__ == "__main__":
    main()
