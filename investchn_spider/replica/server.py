"""HTTP server of the replica: serves a ``ReplicaSite`` on a loopback port, with faults and an access log.

``ReplicaServer`` runs a ``ThreadingHTTPServer`` in a background thread. Every request is recorded
in ``access_log`` (and, if asked, appended to a JSON-lines file flushed per request, so another
process can follow it) with the Host header, so tests can tell whether a crawler left 127.0.0.1 for
the ``localhost`` off-site links. Faults (see faults.py) can be changed while it runs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import socket
import socketserver
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from . import pages
from .content import ReplicaSite
from .faults import FaultPlan


class _Handler(BaseHTTPRequestHandler):
    """Answers GET and HEAD from the site model; quiet (no per-request stderr lines)."""

    protocol_version = "HTTP/1.1"  # keep-alive, as real servers; faults close the connection
    server_version = "nginx"
    sys_version = ""
    timeout = 30  # idle keep-alive connections are dropped after this

    def log_message(self, format: str, *args) -> None:
        """Discard the base class's per-request stderr logging."""

    def do_GET(self) -> None:
        """Serve a GET request."""
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        """Serve a HEAD request: the GET headers (with Content-Length), no body."""
        self._serve(send_body=False)

    def _serve(self, send_body: bool) -> None:
        """Apply the fault plan, render the page and send it, then record the request."""
        replica: ReplicaServer = self.server.replica  # type: ignore[attr-defined]
        decision = replica.faults.decide(self.path)
        if decision.delay:
            time.sleep(decision.delay)
        if decision.action == "drop":
            self.close_connection = True
            replica.record(self, None, 0, "drop")
            return
        if decision.action == "huge":
            self._send_huge(replica, decision, send_body)
            return
        rule = decision.rule
        if decision.action == "status":
            page = pages.error(decision.status)
        elif decision.action == "redirect":
            page = pages.redirect(rule.location, rule.status)
        elif decision.action == "refresh":
            page = pages.refresh(rule.location)
        elif decision.action == "gzip_bomb":
            page = pages.gzip_bomb(rule.size)
        else:
            page = pages.render(
                replica.site, self.path, f"localhost:{replica.port}", hidden_meta=frozenset(decision.hidden_meta)
            )
            if decision.rewrites:
                page = pages.rewrite(page, decision.rewrites)
        if decision.headers:
            page = pages.with_headers(page, decision.headers)
        truncate = decision.action == "truncate"
        body = b""
        if send_body:
            body = page.body[: len(page.body) // 2] if truncate else page.body
        self.send_response(page.status)
        for name, value in page.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(page.body)))
        if truncate:
            self.send_header("Connection", "close")
            self.close_connection = True
        # Record before anything reaches the client: once it has read the response, the entry is there.
        entry = replica.record(self, page.status, len(body), decision.action)
        try:
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client went away before the end of the response
            replica.amend(entry, bytes=0, error="client disconnected")

    def _send_huge(self, replica: ReplicaServer, decision, send_body: bool) -> None:
        """Stream a page of ``rule.size`` bytes (fault ``huge``), with or without Content-Length, until
        it is all sent or the client hangs up; the log entry then says how many bytes went out."""
        size = decision.rule.size
        self.send_response(200)
        head = pages.Page(200, (("Content-Type", "text/html; charset=utf-8"),), b"")
        for name, value in pages.with_headers(head, decision.headers).headers:
            self.send_header(name, value)
        if decision.rule.declared:
            self.send_header("Content-Length", str(size))
        else:  # the body ends when the connection does
            self.send_header("Connection", "close")
        self.close_connection = True
        entry = replica.record(self, 200, 0, "huge")
        sent = 0
        try:
            self.end_headers()
            for chunk in pages.huge_body(size) if send_body else ():
                self.wfile.write(chunk)
                sent += len(chunk)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            replica.amend(entry, error="client disconnected")
        replica.amend(entry, bytes=sent)


class _Server(ThreadingHTTPServer):
    """ThreadingHTTPServer that skips the reverse DNS lookup and tracks open connections."""

    daemon_threads = True
    request_queue_size = 128  # a crawler opening many connections at once must not see refusals

    def __init__(self, address: tuple[str, int], replica: ReplicaServer):
        self.replica = replica
        self.open_connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        """Bind without HTTPServer's getfqdn(), which can stall for seconds on a machine without DNS."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = host, port

    def handle_error(self, request, client_address) -> None:
        """Stay quiet when a client breaks a connection; report anything else (a replica bug)."""
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)

    def process_request(self, request, client_address) -> None:
        """Remember the connection (so stop() can close it), then handle it in a thread."""
        with self.connections_lock:
            self.open_connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        """Forget and close a finished connection."""
        with self.connections_lock:
            self.open_connections.discard(request)
        super().shutdown_request(request)


class SilentListener:
    """A TCP listener on a loopback port that accepts connections and never says a word (nor closes them).

    What an FTP or other server that hangs looks like to a client: a crawler that connected would wait
    forever. ``connections`` counts the connections accepted; use as a context manager.
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._socket = socket.create_server((host, 0))
        self.host = host
        self.port: int = self._socket.getsockname()[1]
        self.connections = 0
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, name=f"silent-{self.port}", daemon=True)

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:  # closed by stop()
                return
            self.connections += 1
            self._held.append(connection)

    def start(self) -> SilentListener:
        """Start accepting in a daemon thread; return self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close the listener and every connection it holds."""
        with contextlib.suppress(OSError):
            self._socket.shutdown(socket.SHUT_RDWR)
        self._socket.close()
        for connection in self._held:
            connection.close()

    def __enter__(self) -> SilentListener:
        """Start accepting and return self."""
        return self.start()

    def __exit__(self, *exc_info) -> None:
        """Stop."""
        self.stop()


class ReplicaServer:
    """Serves ``site`` on http://host:port/ from a background thread; use as a context manager."""

    def __init__(
        self,
        site: ReplicaSite,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: list[dict] | None = None,
        access_log_path: str | Path | None = None,
    ):
        self.site = site
        self.host = host
        self.faults = FaultPlan.from_rules(faults)
        self._requested_port = port
        self._access_log: list[dict] = []
        self._log_lock = threading.Lock()
        self._log_file = open(access_log_path, "a", encoding="utf-8") if access_log_path else None  # noqa: SIM115
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------------

    def start(self) -> ReplicaServer:
        """Bind and start serving in a daemon thread; return self."""
        if self._httpd is not None:
            return self
        self._httpd = _Server((self.host, self._requested_port), self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, name=f"replica-{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close every open connection and the access-log file."""
        if self._httpd is None:
            return
        httpd, self._httpd = self._httpd, None
        httpd.shutdown()
        with httpd.connections_lock:
            connections = list(httpd.open_connections)
        for connection in connections:  # wake keep-alive handler threads blocked in recv()
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._log_lock:
            if self._log_file is not None:
                self._log_file.close()
                self._log_file = None

    def __enter__(self) -> ReplicaServer:
        """Start serving and return self."""
        return self.start()

    def __exit__(self, *exc_info) -> None:
        """Stop serving."""
        self.stop()

    # -- properties ---------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """Return the bound port (the requested one until started)."""
        return self._httpd.server_address[1] if self._httpd else self._requested_port

    @property
    def url(self) -> str:
        """Return the base URL, e.g. "http://127.0.0.1:8123/"."""
        return f"http://{self.host}:{self.port}/"

    @property
    def access_log(self) -> list[dict]:
        """Return a snapshot of the access log: one dict per request, oldest first."""
        with self._log_lock:
            return list(self._access_log)

    def clear_access_log(self) -> None:
        """Forget the requests recorded so far (the JSON-lines file is left as it is)."""
        with self._log_lock:
            self._access_log.clear()

    def set_faults(self, rules: list[dict] | None) -> None:
        """Replace the fault rules (and their counters) while serving."""
        self.faults = FaultPlan.from_rules(rules)

    # -- logging ------------------------------------------------------------------------------------

    def record(self, handler: BaseHTTPRequestHandler, status: int | None, sent: int, fault: str | None) -> dict:
        """Append one access-log entry and return it (status None: dropped without a response)."""
        entry = {
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
            "method": handler.command,
            "path": handler.path,
            "host": handler.headers.get("Host"),
            "status": status,
            "bytes": sent,
            "user_agent": handler.headers.get("User-Agent"),
            "cookie": handler.headers.get("Cookie"),
            "fault": fault,
        }
        with self._log_lock:
            self._access_log.append(entry)
            if self._log_file is not None:
                self._log_file.write(json.dumps(entry, ensure_ascii=False) + "\n")
                self._log_file.flush()
        return entry

    def amend(self, entry: dict, **changes) -> None:
        """Update a recorded entry in memory (its JSON line, already written, is left as it was)."""
        with self._log_lock:
            entry.update(changes)
