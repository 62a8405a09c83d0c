"""Measure the zone resolver (investchn_spider/facts/zones.py) and, when installed, the libraries it was chosen over.

    python bench/zones.py [--python PATH]

Prints one table: per-field accuracy and precision of non-null answers on tests/fixtures/facts/zones.jsonl (all,
held out), the time to import the module and make the first call (data loaded), and the time of one call.
With --python PATH (an interpreter that has cpca-linch and/or jionlp installed, e.g. a scratch venv) it also
scores those libraries' province/city/district on the same corpus, and their import time, in that interpreter.
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "facts" / "zones.jsonl"
FIELDS = ("province", "city", "district", "type")

# Runs in the other interpreter: resolves every corpus name with a library, prints JSON {name: fields}.
_LIBRARY_PROBE = r"""
import contextlib, io, json, sys, time
names = json.loads(sys.stdin.read())
kind = sys.argv[1]
t0 = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()):
    if kind == "cpca":
        import cpca
    else:
        import jionlp
t1 = time.perf_counter()
out = {}
for name in names:
    if not name.strip():
        out[name] = None
        continue
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            if kind == "cpca":
                row = cpca.transform([name]).iloc[0]
                got = {"province": row["省"], "city": row["市"], "district": row["区"]}
            else:
                loc = jionlp.parse_location(name)
                got = {"province": loc["province"], "city": loc["city"], "district": loc["county"]}
    except Exception:
        got = None
    out[name] = {k: (v if isinstance(v, str) and v else None) for k, v in got.items()} if got else None
t2 = time.perf_counter()
result = {"import_s": t1 - t0, "per_call_ms": (t2 - t1) * 1000 / len(names), "answers": out}
print(json.dumps(result, ensure_ascii=False))
"""


def _records() -> list[dict]:
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


def _score(records: list[dict], answers: dict, fields: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    """Return {field: (accuracy, precision of non-null answers)} of answers against the labels."""
    out = {}
    for field in fields:
        right = answered = wrong = 0
        for record in records:
            got = answers.get(record["name"])
            want = record["expect"]
            got_value = got.get(field) if got else None
            want_value = want[field] if want else None
            right += got_value == want_value
            if got_value is not None:
                answered += 1
                wrong += got_value != want_value
        out[field] = (right / len(records), 1 - wrong / answered if answered else 1.0)
    return out


def _ours(records: list[dict]) -> tuple[dict, float, float]:
    """Return (answers, import + first call in s, median ms per call) of resolve_zone."""
    code = (
        "import time; t = time.perf_counter(); from investchn_spider.facts.zones import resolve_zone; "
        "resolve_zone('苏州工业园区'); print(time.perf_counter() - t)"
    )
    start = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    from investchn_spider.facts.zones import resolve_zone

    answers = {r["name"]: resolve_zone(r["name"]) for r in records}
    rounds = []
    for _ in range(5):
        t = time.perf_counter()
        for record in records:
            resolve_zone(record["name"])
        rounds.append((time.perf_counter() - t) * 1000 / len(records))
    return answers, start, statistics.median(rounds)


def _library(python: str, kind: str, records: list[dict]) -> tuple[dict, float, float] | None:
    """Return (answers, import s, ms per call) of a library in another interpreter, None when it is missing."""
    names = json.dumps([r["name"] for r in records], ensure_ascii=False)
    done = subprocess.run([python, "-c", _LIBRARY_PROBE, kind], input=names, capture_output=True, text=True)
    if done.returncode != 0:
        return None
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["answers"], result["import_s"], result["per_call_ms"]


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", help="an interpreter with cpca-linch and/or jionlp installed")
    args = parser.parse_args()
    records = _records()
    held_out = [r for r in records if r["split"].startswith("held_out")]
    rows = [("investchn facts.zones", *_ours(records), FIELDS)]
    if args.python:
        for kind, label in (("cpca", "cpca-linch 0.5.2"), ("jionlp", "jionlp parse_location")):
            found = _library(args.python, kind, records)
            if found:
                rows.append((label, *found, FIELDS[:3]))
    print(f"corpus: {len(records)} names, {len(held_out)} held out (accuracy / precision of non-null answers)")
    header = f"{'resolver':<24}{'set':<10}" + "".join(f"{f:<14}" for f in FIELDS) + "start-up  per call"
    print(header)
    for label, answers, start, per_call, fields in rows:
        for subset, recs in (("all", records), ("held out", held_out)):
            scores = _score(recs, answers, fields)
            cells = "".join(f"{scores[f][0]:.3f}/{scores[f][1]:.3f}  " if f in scores else f"{'-':<14}" for f in FIELDS)
            timing = f"{start:6.2f} s  {per_call:6.3f} ms" if subset == "all" else ""
            print(f"{label:<24}{subset:<10}{cells}{timing}")


if __name__ == "__main__":
    main()
