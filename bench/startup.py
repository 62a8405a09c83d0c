"""Start-up time of the read-only commands, against the floor of importing what they cannot do without.

Run by hand:
    python bench/startup.py --db data/demo.db [--repeat 15]

Each command is run ``--repeat`` times as a fresh process (``python -m investchn_spider …``, output
thrown away) after one warm-up; the table shows the best and median wall time, and the median as a
multiple of the floor, ``python -c "import sqlite_utils, click"`` in the same interpreter. The
target of [7]: ``search``, ``stats`` and ``export`` within 2x of the floor.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path


def timed(command: list[str], repeat: int) -> list[float]:
    """Return the wall times of ``repeat`` runs of ``command`` (after one run not counted)."""
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    """Print the start-up table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="data/demo.db")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    if not Path(args.db).is_file():
        sys.exit(f"no archive at {args.db}: run `investchn demo` first, or give --db")
    program = [sys.executable, "-m", "investchn_spider"]
    cases = [
        ("floor: import sqlite_utils, click", [sys.executable, "-c", "import sqlite_utils, click"]),
        ("investchn --help", [*program, "--help"]),
        ("investchn stats", [*program, "stats", "--db", args.db]),
        ("investchn search 园区", [*program, "search", "园区", "--db", args.db]),
        ("investchn export --columns title", [*program, "export", "--columns", "title", "--db", args.db]),
    ]
    floor = None
    print(f"{'command':36} {'best s':>8} {'median s':>9} {'x floor':>8}")
    for name, command in cases:
        times = timed(command, args.repeat)
        median = statistics.median(times)
        floor = floor or median
        print(f"{name:36} {min(times):8.3f} {median:9.3f} {median / floor:8.2f}")


if __name__ == "__main__":
    main()
