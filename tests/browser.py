"""A headless Chromium the tests drive over the DevTools protocol, through a pipe (no WebDriver,
no browser download, no extra package): open a page at a window size, wait for it, evaluate
JavaScript in it, take a screenshot.

Chromium's ``--remote-debugging-pipe`` reads commands on file descriptor 3 and writes replies and
events on 4, each a JSON message ended by a NUL byte.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import subprocess
import tempfile
import time

FLAGS = [
    "--headless",
    "--no-sandbox",  # needed as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def _high_fds(fds: tuple[int, int]) -> tuple[int, int]:
    """Return copies of ``fds`` numbered 10 or more (so that making them 3 and 4 in the child cannot
    overwrite one with the other), the originals closed."""
    high = tuple(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in fds)
    for fd in fds:
        os.close(fd)
    return high


class BrowserError(RuntimeError):
    """The browser answered a command with an error, or did not answer in time."""


class Browser:
    """One headless Chromium with one page; use as a context manager."""

    def __init__(self, executable: str, width: int = 1280, height: int = 800, timeout: float = 60) -> None:
        self.timeout = timeout
        self._profile = tempfile.TemporaryDirectory()
        to_browser_read, to_browser_write = _high_fds(os.pipe())
        from_browser_read, from_browser_write = _high_fds(os.pipe())

        def fds_3_and_4():  # the child's ends of the pipes become 3 (commands) and 4 (replies)
            os.dup2(to_browser_read, 3)
            os.dup2(from_browser_write, 4)

        self.process = subprocess.Popen(
            [
                executable,
                *FLAGS,
                "--remote-debugging-pipe",
                f"--user-data-dir={self._profile.name}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            pass_fds=(3, 4),  # kept open in the child (the rest is closed after preexec_fn)
            preexec_fn=fds_3_and_4,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._out = os.fdopen(to_browser_write, "wb", buffering=0)
        self._in = os.fdopen(from_browser_read, "rb", buffering=0)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []
        target = self.command("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.command("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.command("Page.enable", session=True)
        self.command("Runtime.enable", session=True)
        self.command(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop the browser and remove its profile."""
        with contextlib.suppress(OSError):  # already gone
            self._send({"id": self._new_id(), "method": "Browser.close"})
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._out.close()
        self._in.close()
        self._profile.cleanup()

    def command(self, method: str, session: bool = False, **params) -> dict:
        """Send one DevTools command and return its result (raise BrowserError on an error reply)."""
        message_id = self._new_id()
        message = {"id": message_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        self._send(message)
        while True:
            reply = self._receive()
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def open(self, url: str, settle: float = 0.3) -> None:
        """Load ``url`` and return when its load event fired (and ``settle`` seconds more for scripts)."""
        self.events.clear()
        self.command("Page.navigate", session=True, url=url)
        self._wait_for_event("Page.loadEventFired")
        time.sleep(settle)

    def evaluate(self, expression: str):
        """Return the value of the JavaScript ``expression`` in the page (awaited if it is a promise)."""
        result = self.command(
            "Runtime.evaluate", session=True, expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_until(self, expression: str, timeout: float = 30) -> object:
        """Return the first truthy value of ``expression``, tried every 0.2 s (raise BrowserError after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"never true: {expression}")
            time.sleep(0.2)

    def screenshot(self, path) -> None:
        """Write a PNG of the visible page (the window, not the whole page) to ``path``."""
        data = self.command("Page.captureScreenshot", session=True, format="png")["data"]
        with open(path, "wb") as file:
            file.write(base64.b64decode(data))

    def console_errors(self) -> list[str]:
        """Return the JavaScript exceptions and console errors the page reported since it was opened."""
        errors = []
        for event in self.events:
            if event.get("method") == "Runtime.exceptionThrown":
                errors.append(json.dumps(event["params"]["exceptionDetails"])[:500])
            elif event.get("method") == "Runtime.consoleAPICalled" and event["params"].get("type") == "error":
                errors.append(json.dumps(event["params"]["args"])[:500])
        return errors

    def _wait_for_event(self, method: str) -> dict:
        for event in self.events:
            if event.get("method") == method:
                return event
        while True:
            message = self._receive()
            self.events.append(message)
            if message.get("method") == method:
                return message

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _send(self, message: dict) -> None:
        self._out.write(json.dumps(message).encode() + b"\0")

    def _receive(self) -> dict:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise BrowserError("the browser did not answer")
            chunk = self._in.read(65536)
            if not chunk:
                raise BrowserError("the browser closed its pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)
