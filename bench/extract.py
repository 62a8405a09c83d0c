"""Extraction speed over the fixture corpus, beside the bare lxml parse (the floor) and trafilatura.

Run by hand:  python bench/extract.py [--rounds 60] [--stages]

One process, one core. The methods take turns, one pass over all pages each per round, so that a
busy moment of the machine hits them alike; the table gives each method's best round (the least
disturbed) and its median round, in pages/second, and the time of each against the floor's.
``--stages`` adds the cost of extraction's steps, each row the pipeline up to that step.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import lxml.html

from investchn_spider.extraction import decode_html, extract_article, extract_from_document, parse_document
from investchn_spider.extraction.lines import parse_html, render_lines

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "articles"
Page = tuple[bytes, str, str | None]


def load_pages() -> list[Page]:
    """Return (bytes, url, http charset) of every article fixture."""
    pages = []
    for spec_path in sorted(FIXTURES.glob("*.json")):
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        pages.append((spec_path.with_suffix(".html").read_bytes(), spec["url"], spec.get("http_charset")))
    return pages


def methods(stages: bool) -> dict[str, Callable[[Page], object]]:
    """Return the methods to time, by name: the floor first, then ours, then trafilatura if installed."""
    timed: dict[str, Callable[[Page], object]] = {
        "lxml.html parse (floor)": lambda page: lxml.html.document_fromstring(page[0])
    }
    if stages:
        timed["  decode"] = lambda page: decode_html(page[0], page[2])
        timed["  + parse"] = lambda page: parse_html(decode_html(page[0], page[2])[0].encode("utf-8"))
        timed["  + render lines"] = lambda page: render_lines(
            parse_html(decode_html(page[0], page[2])[0].encode("utf-8")), page[1]
        )
        timed["  parse_document"] = lambda page: parse_document(*page)
        timed["  + extract_from_document"] = lambda page: extract_from_document(parse_document(*page))
    timed["investchn extract_article"] = lambda page: extract_article(*page)
    try:
        import trafilatura

        timed["trafilatura.extract"] = lambda page: trafilatura.extract(page[0], url=page[1])
    except ImportError:
        pass
    return timed


def one_pass(function: Callable[[Page], object], pages: list[Page]) -> float:
    """Return the seconds ``function`` takes over all ``pages`` once."""
    started = time.perf_counter()
    for page in pages:
        function(page)
    return time.perf_counter() - started


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60, help="passes over the corpus per method")
    parser.add_argument("--stages", action="store_true", help="also time extraction step by step")
    options = parser.parse_args()
    pages = load_pages()
    timed = methods(options.stages)
    passes: dict[str, list[float]] = {name: [] for name in timed}
    slow = {name for name in timed if name.startswith("trafilatura")}
    for round_number in range(options.rounds):
        for name, function in timed.items():
            if name in slow and round_number % 10:  # 30x slower: a tenth of the rounds is plenty
                continue
            passes[name].append(one_pass(function, pages))
    best = {name: len(pages) / min(seconds) for name, seconds in passes.items()}
    typical = {name: len(pages) / statistics.median(seconds) for name, seconds in passes.items()}
    floor = "lxml.html parse (floor)"
    print(f"{len(pages)} fixture pages, {sum(len(p[0]) for p in pages) / len(pages) / 1024:.1f} KiB average\n")
    print(f"{'method':28} {'best p/s':>9} {'x floor':>8} {'median p/s':>11} {'x floor':>8}")
    for name in timed:
        print(
            f"{name:28} {best[name]:>9.0f} {best[floor] / best[name]:>8.2f}"
            f" {typical[name]:>11.0f} {typical[floor] / typical[name]:>8.2f}"
        )
    ours = best["investchn extract_article"]
    if "trafilatura.extract" in best:
        print(f"\nextract_article is {ours / best['trafilatura.extract']:.1f}x faster than trafilatura (best rounds)")
    else:
        print("\ntrafilatura not installed (pip install trafilatura) - comparison skipped")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
