"""Money amounts: accuracy on the labelled corpus and speed, ours beside jionlp when it is installed.

Run by hand:  python bench/amounts.py [--articles 2000]

Prints one table: per extractor, precision / recall / F1 of amounts (a found amount matches a
labelled one of its sentence with the same value and currency) on the corpus's tune and held-out
parts, the accuracy of ``approximate`` and ``kind`` over matched amounts (jionlp gives no kind),
its import time, and replica article bodies per second. jionlp prints a banner on import; it is
imported here with standard output redirected, as anything using it would have to. Its install
size is printed when it is found (``jionlp`` and its segmenter ``jiojio``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # runs from a checkout with any Python that has jionlp, without installing us

from investchn_spider.facts.amounts import CURRENCIES  # noqa: E402 (jionlp names currencies as the text does)
from investchn_spider.replica.content import ReplicaSite  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "facts" / "amounts.jsonl"
Found = list[dict]  # value, currency, approximate, kind (None when the extractor gives none)


def ours() -> tuple[Callable[[str], Found], float]:
    """Return our extractor as a function over text, and its import time in seconds (a fresh process)."""
    from investchn_spider.facts import extract_amounts

    def run(text: str) -> Found:
        return [
            {"value": a.value, "currency": a.currency, "approximate": a.approximate, "kind": a.kind}
            for a in extract_amounts(text)
        ]

    return run, _import_seconds("import investchn_spider.facts")


def jionlp() -> tuple[Callable[[str], Found], float] | None:
    """Return jionlp's money extractor as a function over text and its import time, or None when not installed."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            import jionlp as jio
    except ImportError:
        return None

    def run(text: str) -> Found:
        found = []
        for item in jio.ner.extract_money(text, with_parsing=True):
            detail = item["detail"]
            number = detail["num"][0] if isinstance(detail["num"], list) else detail["num"]
            value = float(number)
            found.append(
                {
                    "value": int(value) if value.is_integer() else value,
                    "currency": CURRENCIES.get(detail["case"], detail["case"]),
                    "approximate": detail["definition"] != "accurate",
                    "kind": None,
                }
            )
        return found

    return run, _import_seconds("import contextlib, io\nwith contextlib.redirect_stdout(io.StringIO()): import jionlp")


def _import_seconds(statement: str) -> float:
    """Return the best of 3 wall times of ``statement`` in a fresh interpreter, minus the bare interpreter's."""

    def best(code: str) -> float:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, capture_output=True)
            times.append(time.perf_counter() - started)
        return min(times)

    return best(statement) - best("pass")


def score(run: Callable[[str], Found], rows: list[dict]) -> dict[str, float]:
    """Return precision, recall, F1, approximate and kind accuracy of ``run`` on ``rows``."""
    tp = fp = fn = approximate = kind = 0
    for row in rows:
        found = run(row["text"])
        for gold in row["amounts"]:
            match = next((a for a in found if a["value"] == gold["value"] and a["currency"] == gold["currency"]), None)
            if match is None:
                fn += 1
                continue
            found.remove(match)
            tp += 1
            approximate += match["approximate"] == gold["approximate"]
            kind += match["kind"] == gold["kind"]
        fp += len(found)
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return {
        "P": precision,
        "R": recall,
        "F1": 2 * precision * recall / max(precision + recall, 1e-9),
        "approx": approximate / max(tp, 1),
        "kind": kind / max(tp, 1),
    }


def bodies_per_second(run: Callable[[str], Found], bodies: list[str]) -> float:
    """Return how many article bodies ``run`` reads per second (best of 3 passes)."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for body in bodies:
            run(body)
        best = min(best, time.perf_counter() - started)
    return len(bodies) / best


def install_size() -> str:
    """Return the installed size of jionlp and jiojio, when they are installed."""
    try:
        import jionlp as _  # noqa: F401 (already imported, silently)
    except ImportError:
        return ""
    sizes = []
    for name in ("jionlp", "jiojio"):
        module = sys.modules.get(name)
        if module is None:
            continue
        folder = Path(module.__file__).parent
        sizes.append(f"{name} {sum(f.stat().st_size for f in folder.rglob('*') if f.is_file()) / 2**20:.0f} MB")
    return ", ".join(sizes)


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000, help="replica articles to time (default 2000)")
    args = parser.parse_args()
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    parts = {part: [row for row in rows if row["part"] == part] for part in ("tune", "heldout")}
    bodies = [article["body_text"] for article in ReplicaSite(articles=args.articles).expected_articles()]
    extractors = {"investchn": ours(), "jionlp": jionlp()}
    print(f"corpus: {sum(len(r['amounts']) for r in rows)} amounts in {len(rows)} sentences; {len(bodies)} bodies")
    header = ("P", "R", "F1", "approx", "kind", "import s", "bodies/s")
    print(f"{'extractor':10} {'part':8} " + " ".join(f"{h:>{max(6, len(h))}}" for h in header))
    for name, extractor in extractors.items():
        if extractor is None:
            print(f"{name:10} not installed")
            continue
        run, imported = extractor
        speed = bodies_per_second(run, bodies)
        for part, part_rows in parts.items():
            s = score(run, part_rows)
            print(
                f"{name:10} {part:8} {s['P']:6.3f} {s['R']:6.3f} {s['F1']:6.3f} {s['approx']:6.3f} "
                f"{s['kind']:6.3f} {imported:8.2f} {speed:8.0f}"
            )
    size = install_size()
    if size:
        print(f"jionlp installed: {size}")


if __name__ == "__main__":
    main()
