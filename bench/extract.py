"""Extraction speed over the fixture corpus, beside the bare lxml parse (the floor) and trafilatura.

Run by hand:  python bench/extract.py [--seconds 3]
Prints a table of pages/second per method, one process, one core.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

import lxml.html

from investchn_spider.extraction import extract_article

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "articles"


def load_pages() -> list[tuple[bytes, str, str | None]]:
    """Return (bytes, url, http charset) of every article fixture."""
    pages = []
    for spec_path in sorted(FIXTURES.glob("*.json")):
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        pages.append((spec_path.with_suffix(".html").read_bytes(), spec["url"], spec.get("http_charset")))
    return pages


def rate(function, pages, seconds: float) -> float:
    """Return pages/second of ``function`` over ``pages``, repeated for about ``seconds``."""
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for page in pages:
            function(page)
        done += len(pages)
    return done / (time.perf_counter() - started)


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per method")
    seconds = parser.parse_args().seconds
    pages = load_pages()
    methods = {
        "lxml.html parse (floor)": lambda page: lxml.html.document_fromstring(page[0]),
        "investchn extract_article": lambda page: extract_article(*page),
    }
    try:
        import trafilatura

        methods["trafilatura.extract"] = lambda page: trafilatura.extract(page[0], url=page[1])
    except ImportError:
        pass
    results = {name: rate(function, pages, seconds) for name, function in methods.items()}
    floor = results["lxml.html parse (floor)"]
    ours = results["investchn extract_article"]
    print(f"{len(pages)} fixture pages, {sum(len(p[0]) for p in pages) / len(pages) / 1024:.1f} KiB average\n")
    print(f"{'method':28} {'pages/s':>9} {'x floor time':>13}")
    for name, value in results.items():
        print(f"{name:28} {value:>9.0f} {floor / value:>13.2f}")
    if "trafilatura.extract" in results:
        print(f"\nextract_article is {ours / results['trafilatura.extract']:.1f}x faster than trafilatura")
    else:
        print("\ntrafilatura not installed (pip install trafilatura) - comparison skipped")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
