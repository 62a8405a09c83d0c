"""``investchn demo --serve``: the replica and the web view stay up after the crawl, until Ctrl+C."""

from __future__ import annotations

import queue
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

from conftest import free_port, run_investchn

from investchn_spider import exitcodes


def _is_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _status(url: str) -> int:
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()
        return response.status


def _lines(stream) -> queue.Queue:
    lines: queue.Queue = queue.Queue()

    def read() -> None:
        for line in stream:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    return lines


def test_demo_serve_keeps_replica_and_web_view_up_until_ctrl_c(tmp_path):
    db, port, web_port = tmp_path / "demo.db", free_port(), free_port()
    command = [sys.executable, "-m", "investchn_spider", "demo", "--serve", "--articles", "12", "--db", str(db)]
    command += ["--port", str(port), "--web-port", str(web_port)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        lines, seen, web_url = _lines(process.stdout), [], None
        deadline = time.monotonic() + 120
        while web_url is None:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.1))
            assert line is not None, ("demo ended before serving", seen, process.stderr.read())
            seen.append(line)
            if line.startswith("Web view: "):
                web_url = line.removeprefix("Web view: ").strip()
        assert f"Replica (the archived URLs): http://127.0.0.1:{port}/\n" in seen
        assert web_url.startswith(f"http://127.0.0.1:{web_port}/")
        article_url = sqlite3.connect(db).execute("SELECT url FROM article_urls ORDER BY url LIMIT 1").fetchone()[0]
        assert article_url.startswith(f"http://127.0.0.1:{port}/")
        assert _status(article_url) == 200  # the archived URL opens: the replica is still up
        while not _is_open(web_port):  # the URL is printed just before the web server binds
            assert process.poll() is None and time.monotonic() < deadline, process.stderr.read()
            time.sleep(0.05)
        assert _status(web_url) == 200
        assert _status(f"{web_url}?_search=" + urllib.parse.quote("园区")) == 200
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=60)
        rest = "".join(iter(lambda: lines.get(timeout=10), None))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    stderr = process.stderr.read()
    assert code == 0, stderr[-2000:]
    assert "Traceback" not in stderr
    assert "Stopped the web view and the replica." in rest
    assert not _is_open(port) and not _is_open(web_port)


def test_demo_serve_without_datasette_says_how_to_install_it_before_crawling(tmp_path):
    db = tmp_path / "demo.db"
    # A Python where `import datasette` fails, as without the serve extra.
    program = (
        "import sys; sys.modules['datasette'] = None; from investchn_spider.cli import cli; "
        "cli(sys.argv[1:], prog_name='investchn')"
    )
    result = subprocess.run(
        [sys.executable, "-c", program, "demo", "--serve", "--articles", "3", "--db", str(db)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    assert result.returncode == exitcodes.ERROR
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert errors == ["Error: the web view needs Datasette: pip install 'investchn[serve]'"], result.stderr
    assert not db.exists()  # nothing crawled, nothing made


def test_demo_serve_on_a_taken_web_port_fails_in_one_line_before_crawling(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        web_port = taken.getsockname()[1]
        result = run_investchn("demo", "--serve", "--web-port", str(web_port), "--db", str(tmp_path / "demo.db"))
    assert result.returncode == exitcodes.ERROR
    assert "Traceback" not in result.stderr
    assert f"Error: cannot listen on 127.0.0.1:{web_port}" in result.stderr
    assert not (tmp_path / "demo.db").exists()
