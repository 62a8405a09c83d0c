"""Speed of `investchn reparse` against extraction alone on the same stored pages.

Run by hand:  python bench/reparse.py [--pages 100000] [--db data/bench-reparse-100000.db] [--stale 0.1]

Builds (once; kept for later runs) an archive of replica article pages stored as a crawl stores
them: the raw page of each as a capture, its extracted record. Then, each in a process of its own
on one core:

1. extraction alone: ``extract_article`` over every article's stored page, decompressed beforehand,
   only the calls timed (what ``bench/extract.py`` measures, on these pages);
2. ``investchn reparse`` on the archive as built (nothing changes), timed whole (start-up, reads,
   decompression, comparison);
3. the same after ``--stale`` of the records were made stale in SQL (their ``source``), so that
   reparse replaces them and keeps the earlier ones.

Prints pages, wall seconds, CPU seconds, pages per CPU second, the ratio to extraction alone (by
CPU time: other work on the machine slows the wall clock of one run and not the other's) and each
process's peak RSS. This process imports nothing of investchn, so that the peak RSS a child inherits
from it at fork stays small (Linux counts it in the child's).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ARTICLES_PER_SITE = 4_000


def site_pages(job: tuple[int, int]) -> list:
    """Return every article page of one generated site as (capture, record, facts) (runs in a worker process)."""
    from investchn_spider.extraction import NotAnArticle, charset_from_content_type, extract_article
    from investchn_spider.facts.record import facts_of
    from investchn_spider.replica import ReplicaSite
    from investchn_spider.replica.pages import render
    from investchn_spider.store import Capture, utc_now

    seed, articles = job
    site = ReplicaSite(seed=seed, articles=articles)
    base = f"http://replica-{seed}.investchn.test"
    pages = []
    for article in site.expected_articles():
        for path in article["urls"]:
            page = render(site, path)
            headers = dict(page.headers)
            charset = charset_from_content_type(headers.get("Content-Type"))
            capture = Capture(
                url=base + path,
                status=page.status,
                headers={key: [value] for key, value in headers.items()},
                body=page.body,
                fetched_at=utc_now(),
                http_charset=charset,
            )
            try:
                record = extract_article(page.body, capture.url, charset)
            except NotAnArticle:
                record = None
            pages.append((capture, record, facts_of(record) if record else None))
    return pages


def build(path: Path, pages: int, first_seed: int) -> None:
    """Fill a new archive at ``path`` with about ``pages`` article pages (all cores)."""
    from multiprocessing import Pool

    from investchn_spider import __version__
    from investchn_spider.extraction import EXTRACTOR_VERSION
    from investchn_spider.facts import FACTS_VERSION
    from investchn_spider.store import Archive

    articles = max(1, int(pages / 1.03))  # about 3% of the replica's articles have a second page
    sizes = [ARTICLES_PER_SITE] * (articles // ARTICLES_PER_SITE)
    if articles % ARTICLES_PER_SITE:
        sizes.append(articles % ARTICLES_PER_SITE)
    started = time.perf_counter()
    with Archive(path) as archive, Pool(os.cpu_count()) as pool:
        run_id = archive.start_run({"command": "bench"}, pid=os.getpid(), version=__version__)
        for number, site in enumerate(pool.imap(site_pages, [(first_seed + n, size) for n, size in enumerate(sizes)])):
            with archive.transaction():
                for capture, record, facts in site:
                    capture_id = archive.add_capture(capture, run_id)
                    if record is not None:
                        seen_at, version = capture.fetched_at, EXTRACTOR_VERSION
                        # As a crawl stores it, facts included: reparse then has no facts to compute.
                        archive.save_article(
                            record,
                            capture_id=capture_id,
                            seen_at=seen_at,
                            extractor_version=version,
                            facts=facts,
                            facts_version=FACTS_VERSION,
                        )
            print(f"  built site {number + 1}/{len(sizes)} ({time.perf_counter() - started:.0f} s)", flush=True)
        archive.finish_run(run_id, status="ok", exit_code=0, stats={}, counts={})
        archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def extraction_alone(path: Path) -> None:
    """Print ``pages seconds`` of ``extract_article`` over every article's stored page, only the calls timed."""
    import contextlib
    import zlib

    from investchn_spider.extraction import NotAnArticle, extract_article

    conn = sqlite3.connect(path)
    seconds, count = 0.0, 0
    rows = conn.execute(
        "SELECT c.body, c.url, c.http_charset FROM articles a JOIN captures c ON c.id = a.capture_id ORDER BY a.id"
    )
    for body, url, charset in rows:
        body = zlib.decompress(body)
        started = time.process_time()
        with contextlib.suppress(NotAnArticle):
            extract_article(body, url, charset)
        seconds += time.process_time() - started
        count += 1
    conn.close()
    print(count, seconds)


def measured(command: list[str]) -> tuple[str, float, float, float]:
    """Run ``command``; return (its standard output, wall seconds, CPU seconds, peak RSS in MiB)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True)
        out = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)  # this child's own resource use
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        process.stdout.close()
        errors.seek(0)
        if process.returncode not in (0, 6):
            sys.exit(f"{' '.join(command[1:4])} failed ({process.returncode}): {errors.read().strip()}")
    return out, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def timed_reparse(path: Path) -> tuple[float, float, float, str]:
    """Run ``investchn reparse`` on ``path``; return (wall s, CPU s, peak RSS MiB, its summary's main lines)."""
    out, wall, cpu, rss = measured([sys.executable, "-m", "investchn_spider", "reparse", "--db", str(path)])
    return wall, cpu, rss, " / ".join(" ".join(line.split("  (")[0].split()) for line in out.splitlines()[1:5])


def main() -> None:
    """Build if needed, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100_000, help="stored pages to build (default 100000)")
    parser.add_argument("--db", help="archive (built when missing) [default: data/bench-reparse-<pages>.db]")
    parser.add_argument("--stale", type=float, default=0.1, help="share of records made stale for the third row")
    parser.add_argument("--first-seed", type=int, default=2000, help="seed of the first replica site")
    parser.add_argument("--step", choices=["build", "alone"], help=argparse.SUPPRESS)  # run in a child process
    options = parser.parse_args()
    path = Path(options.db or f"data/bench-reparse-{options.pages}.db")
    if options.step == "build":
        return build(path, options.pages, options.first_seed)
    if options.step == "alone":
        return extraction_alone(path)
    myself = [sys.executable, __file__, "--db", str(path), "--pages", str(options.pages)]
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"building {path} ({options.pages} pages) …", flush=True)
        subprocess.run([*myself, "--first-seed", str(options.first_seed), "--step", "build"], check=True)
    out, wall, cpu, rss = measured([*myself, "--step", "alone"])
    pages, alone = int(out.split()[0]), float(out.split()[1])
    rows = [("extract_article alone (calls only)", wall, alone, rss, "")]
    rows.append(("reparse, nothing changed", *timed_reparse(path)))
    if options.stale > 0:
        conn = sqlite3.connect(path)
        with conn:
            stale = conn.execute(
                "UPDATE articles SET source = coalesce(source, '') || '（旧）' WHERE id % ? = 0",
                [max(1, round(1 / options.stale))],
            ).rowcount
        conn.close()
        rows.append((f"reparse, {stale} records stale", *timed_reparse(path)))
    print(f"\n{path}: {pages} articles with a stored page, {path.stat().st_size / 2**20:.0f} MiB\n")
    print(f"{'run':36} {'wall s':>7} {'CPU s':>7} {'pages/CPU s':>11} {'x alone':>8} {'peak RSS':>9}")
    for name, wall, cpu, peak, _ in rows:
        print(f"{name:36} {wall:>7.1f} {cpu:>7.1f} {pages / cpu:>11.0f} {alone / cpu:>8.2f} {peak:>5.0f} MiB")
    for name, *_, summary in rows[1:]:
        print(f"\n{name}: {summary}")


if __name__ == "__main__":
    main()
