"""A one-line progress display on a terminal: done/total, rate and time left; silent when not a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Rewrites one line of ``stream`` (standard error by default) as work advances, if it is a terminal.

    Call :meth:`update` as often as convenient (it redraws at most ``interval`` seconds apart) and
    :meth:`close` at the end (it clears the line). When ``stream`` is not a terminal (cron, a pipe,
    a test) nothing is ever written.
    """

    def __init__(self, unit: str = "pages", stream: TextIO | None = None, interval: float = 0.2) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.unit = unit
        self.interval = interval
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self._started = time.monotonic()
        self._drawn = 0.0
        self._width = 0

    def update(self, done: int, total: int | None = None) -> None:
        """Show ``done`` of ``total`` with the rate so far and the time left (drawn at most every ``interval`` s)."""
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._drawn < self.interval and (total is None or done < total):
            return
        self._drawn = now
        elapsed = max(now - self._started, 1e-9)
        rate = done / elapsed
        text = f"{done}/{total} {self.unit}" if total is not None else f"{done} {self.unit}"
        text += f"  {rate:.0f}/s"
        if total is not None and rate > 0 and done < total:
            text += f"  {_duration((total - done) / rate)} left"
        self._draw(text)

    def close(self) -> None:
        """Clear the line (on a terminal)."""
        if self.enabled and self._width:
            self._draw("")
            self.stream.write("\r")
            self.stream.flush()

    def _draw(self, text: str) -> None:
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = len(text)


def _duration(seconds: float) -> str:
    """Return ``seconds`` as ``1:02:03`` or ``2:03``."""
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
