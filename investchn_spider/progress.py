"""One live status line on a terminal: counts, a rate and the elapsed time, redrawn in place.

Generic: the crawl (``extensions.CrawlProgress``), ``reparse`` and long exports feed it counts with
:meth:`Progress.update`. It draws only when its stream is a terminal; under cron, in a pipe or a
test's captured output it writes nothing at all, so the command's own summary is all there is.
"""

from __future__ import annotations

import shutil
import sys
import time
from typing import TextIO

CLEAR_LINE = "\r\x1b[K"  # back to the line's start, erase to its end


class Progress:
    """A status line such as ``crawl: 412 pages, 120 new articles, 2 failures, 38.1 pages/s, 0:11``.

    ``update(**counts)`` records the latest counts (names with ``_`` shown as spaces, in the order
    given) and redraws at most every ``interval`` seconds; ``rate`` names the count whose per-second
    rate is shown. ``clear()`` erases the line (before other output is written); ``close()`` erases it
    for good. ``enabled=None`` means: when ``stream`` is a terminal.
    """

    def __init__(
        self,
        label: str,
        *,
        rate: str | None = None,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        interval: float = 0.2,
    ) -> None:
        self.label = label
        self.rate = rate
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _is_terminal(self.stream) if enabled is None else enabled
        self.interval = interval
        self.counts: dict[str, int] = {}
        self.started = time.monotonic()
        self._drawn_at: float | None = None
        self._shown = False
        self._closed = False

    def update(self, *, force: bool = False, **counts: int) -> None:
        """Record ``counts`` and redraw the line if ``interval`` has passed (or ``force``); return None."""
        self.counts.update(counts)
        if not self.enabled or self._closed:
            return
        now = time.monotonic()
        if force or self._drawn_at is None or now - self._drawn_at >= self.interval:
            self._drawn_at = now
            self._write(CLEAR_LINE + self.line(now))
            self._shown = True

    def line(self, now: float | None = None) -> str:
        """Return the status line for the latest counts (cut to the terminal's width, so it never wraps)."""
        elapsed = (time.monotonic() if now is None else now) - self.started
        parts = [f"{value} {name.replace('_', ' ')}" for name, value in self.counts.items()]
        if self.rate is not None and elapsed > 0:
            parts.append(f"{self.counts.get(self.rate, 0) / elapsed:.1f} {self.rate.replace('_', ' ')}/s")
        minutes, seconds = divmod(int(elapsed), 60)
        parts.append(f"{minutes}:{seconds:02d}")
        text = f"{self.label}: {', '.join(parts)}"
        width = shutil.get_terminal_size((80, 24)).columns - 1
        return text if len(text) <= width else text[: max(width - 1, 0)] + "…"

    def clear(self) -> None:
        """Erase the line if it is shown (the next update draws it again); return None."""
        if self._shown:
            self._write(CLEAR_LINE)
            self._shown = False
            self._drawn_at = None  # redraw at the next update, not an interval later

    def close(self) -> None:
        """Erase the line for good: later updates draw nothing; return None."""
        self.clear()
        self._closed = True

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a terminal that went away must not end the work
            self.enabled = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
