"""Search speed on a large archive, per kind of query, checked against a brute-force substring scan.

Run by hand, after bench/make_archive.py:
    python bench/search.py [--db data/bench-100k.db] [--repeat 15] [--verify]

Each query runs what ``investchn search`` runs (the total count, the newest 20 hits with their
snippets), ``--repeat`` times after one warm-up; the table shows the median and 95th percentile
per kind of query, then over all queries. ``--verify`` also scans every article in Python for each
query and checks that the total is the same (slow: about a second per query on 100,000 articles).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from investchn_spider.store import Archive
from investchn_spider.store.queries import ArticleFilter, search_articles
from investchn_spider.store.search import contains, parse_query

# (kind, query, filter options). Words are chosen from the replica's phrase pools: common two-character
# words match most articles (the costliest case), others few or none.
QUERIES = [
    ("2 characters", "园区", {}),
    ("2 characters", "招商", {}),
    ("2 characters", "基层", {}),
    ("2 characters", "签约", {}),
    ("2 characters", "医疗", {}),
    ("2 characters", "氢能", {}),
    ("1 character", "港", {}),
    ("1 character", "芯", {}),
    ("3+ characters", "人工智能", {}),
    ("3+ characters", "集成电路", {}),
    ("3+ characters", "张江科学城", {}),
    ("3+ characters", "专精特新", {}),
    ("3+ characters", "跨境电商", {}),
    ("3+ characters", "低空经济", {}),
    ("several words", "园区 人工智能", {}),
    ("several words", "基层 医疗", {}),
    ("several words", "招商 跨境电商 签约", {}),
    ("with filters", "园区", {"districts": ("青浦区",)}),
    ("with filters", "人工智能", {"since": "2026-01-01", "until": "2026-06-30"}),
    ("with filters", "招商", {"districts": ("滨海新区",), "since": "2027-01-01", "until": "2027-03-31"}),
    ("with filters", "专精特新", {"districts": ("嘉定区",)}),
]


def percentile(values: list[float], fraction: float) -> float:
    """Return the value at ``fraction`` (0..1) of the sorted ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def brute_force_count(archive: Archive, selection: ArticleFilter) -> int:
    """Return how many articles match by a plain Python substring scan (with the other filters in SQL)."""
    plain = ArticleFilter(**{**selection.__dict__, "search": None})
    where, params = plain.where()
    rows = archive.db.execute(f"SELECT title, body_text FROM articles a WHERE {where}", params)
    return sum(1 for title, body in rows if contains(selection.search, title, body))


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="data/bench-100k.db", help="archive made by bench/make_archive.py")
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per query")
    parser.add_argument("--verify", action="store_true", help="check each total against a brute-force scan")
    options = parser.parse_args()
    path = Path(options.db)
    if not path.exists():
        sys.exit(f"no archive at {path}: run python bench/make_archive.py first")
    by_kind: dict[str, list[float]] = {}
    details = []
    with Archive(path, create=False) as archive:
        articles = archive.counts()["articles"]
        for kind, text, filters in QUERIES:
            selection = ArticleFilter(search=parse_query(text), **filters)
            search_articles(archive.db, selection)  # warm-up: the first run also reads pages from disk
            times = []
            for _ in range(options.repeat):
                started = time.perf_counter()
                results = search_articles(archive.db, selection)
                times.append((time.perf_counter() - started) * 1000)
            by_kind.setdefault(kind, []).extend(times)
            exact = ""
            if options.verify:
                exact = "yes" if brute_force_count(archive, selection) == results.total else "NO"
            details.append((kind, text, filters, results.total, statistics.median(times), exact))
    size = path.stat().st_size / 2**20
    print(f"{path}: {articles:,} articles, {size:,.0f} MiB; {options.repeat} runs per query after a warm-up\n")
    labels = [
        " ".join([text, *(f"{k}={v if isinstance(v, str) else ','.join(v)}" for k, v in filters.items())])
        for _, text, filters, *_ in details
    ]
    width = max(_width(label) for label in labels)
    print(f"{_pad('query', width)} {'matches':>8} {'median ms':>10}" + ("  exact" if options.verify else ""))
    for label, (_, _, _, total, median, exact) in zip(labels, details, strict=True):
        print(f"{_pad(label, width)} {total:>8,} {median:>10.1f}" + (f"  {exact}" if exact else ""))
    print(f"\n{'kind of query':16} {'queries':>7} {'median ms':>10} {'p95 ms':>8}")
    for kind, times in by_kind.items():
        count = sum(1 for detail in details if detail[0] == kind)
        print(f"{_pad(kind, 16)} {count:>7} {statistics.median(times):>10.1f} {percentile(times, 0.95):>8.1f}")
    every = [t for times in by_kind.values() for t in times]
    print(f"{'all':16} {len(details):>7} {statistics.median(every):>10.1f} {percentile(every, 0.95):>8.1f}")


def _width(text: str) -> int:
    # CJK characters take two columns on a terminal.
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


if __name__ == "__main__":
    main()
