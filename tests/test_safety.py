"""Commands never destroy or convert what they were not made for; read-only commands write nothing.

Export never overwrites the archive, writes devices in place and files whole or not at all; the
demo replaces only its own archive, and only under the lock; read-only commands open the archive
read-only and refuse foreign files unchanged; search stays exact after another program changed
rows; one date parser for every command; stats shows each run's "already archived" number.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import replica_archive, run_investchn

from investchn_spider import exitcodes
from investchn_spider.cli import cli
from investchn_spider.cli.common import DateParam, parse_date
from investchn_spider.store import Archive
from investchn_spider.store.archive import APPLICATION_ID, SCHEMA_VERSION
from investchn_spider.store.lock import ArchiveLock

READ_ONLY_COMMANDS = [
    ["search", "园区"],
    ["stats"],
    ["quality", "--json"],
    ["runs"],
    ["failures"],
    ["export"],
    ["export", "--search", "园区", "--format", "jsonl"],
    ["serve", "--port", "1"],  # refused before it would listen
]


def file_state(path: Path) -> tuple[str, int, int]:
    """The file's content hash, size and mtime: what a command that only reads must leave as it was."""
    stat = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), stat.st_size, stat.st_mtime_ns


def one_error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), output
    assert "Traceback" not in output
    return lines[0]


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def made_archive(tmp_path_factory) -> Path:
    """An archive of 40 replica articles, as a crawl stores them (created by investchn, not by the demo)."""
    path = tmp_path_factory.mktemp("made") / "archive.db"
    replica_archive(path, seed=21, articles=40)
    return path


@pytest.fixture
def archive_copy(made_archive, tmp_path) -> Path:
    """A private copy of :func:`made_archive` in its own folder."""
    folder = tmp_path / "store"
    folder.mkdir()
    path = folder / "archive.db"
    shutil.copyfile(made_archive, path)
    return path


# --- export: the output file ----------------------------------------------------------------------


def _link_outputs(archive: Path) -> dict[str, Path]:
    folder = archive.parent
    (folder / "link.db").symlink_to(archive)
    os.link(archive, folder / "hard.db")
    (folder / "sub").mkdir()
    return {
        "the archive": archive,
        "its -wal (missing)": Path(f"{archive}-wal"),
        "its -shm": Path(f"{archive}-shm"),
        "its -journal": Path(f"{archive}-journal"),
        "its .lock": Path(f"{archive}.lock"),
        "a symlink to it": folder / "link.db",
        "a hard link to it": folder / "hard.db",
        "a detour to it": folder / "sub" / ".." / "archive.db",
    }


def test_export_refuses_to_write_the_archive_or_its_files(archive_copy):
    Path(f"{archive_copy}-shm").write_bytes(b"")  # as SQLite leaves it beside an archive in use
    for name, output in _link_outputs(archive_copy).items():
        before = file_state(archive_copy)
        result = invoke("export", "--db", str(archive_copy), "-o", str(output))
        assert result.exit_code == exitcodes.ERROR, (name, result.output)
        assert "the archive's own file" in one_error_line(result.output), name
        assert file_state(archive_copy) == before, name
    assert not Path(f"{archive_copy}-wal").exists() and not Path(f"{archive_copy}-journal").exists()
    assert not list(archive_copy.parent.glob("*.partial*"))
    # The archive given through a symlink: its real file is protected as well.
    link = archive_copy.parent / "via-link.db"
    link.symlink_to(archive_copy)
    result = invoke("export", "--db", str(link), "-o", str(archive_copy))
    assert result.exit_code == exitcodes.ERROR and "the archive's own file" in one_error_line(result.output)


def test_export_to_an_empty_file_name_is_one_clear_error(archive_copy):
    result = invoke("export", "--db", str(archive_copy), "-o", "")
    assert result.exit_code == exitcodes.ERROR
    assert "file name is empty" in one_error_line(result.output)


def test_export_to_dev_null_writes_in_place(archive_copy):
    result = invoke("export", "--db", str(archive_copy), "-o", "/dev/null")
    assert result.exit_code == 0, result.output
    assert "40 articles written to /dev/null" in result.output
    assert Path("/dev/null").is_char_device()
    result = invoke("export", "--db", str(archive_copy), "--format", "parquet", "-o", "/dev/null")
    assert result.exit_code == 0, result.output


def test_export_to_a_fifo_writes_into_it(archive_copy, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = invoke("export", "--db", str(archive_copy), "-o", str(fifo))
    reader.join(timeout=60)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(received[0].decode("utf-8"), newline="")))
    assert len(rows) == 40
    assert fifo.is_fifo() and sorted(path.name for path in tmp_path.iterdir()) == ["pipe", "store"]


def test_export_through_a_symlink_replaces_its_target_and_keeps_the_link(archive_copy, tmp_path):
    target = tmp_path / "real.csv"
    target.write_text("old\n")
    link = tmp_path / "latest.csv"
    link.symlink_to(target)
    result = invoke("export", "--db", str(archive_copy), "-o", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == target
    assert len(list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"), newline="")))) == 40
    assert not list(tmp_path.glob("*.partial*"))
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to(tmp_path / "nowhere" / "x.csv")
    result = invoke("export", "--db", str(archive_copy), "-o", str(dangling))
    assert result.exit_code == exitcodes.ERROR and "does not exist" in one_error_line(result.output)
    assert dangling.is_symlink()


def test_export_to_a_file_is_atomic_with_the_usual_permissions(archive_copy, tmp_path):
    out = tmp_path / "a.csv"
    result = invoke("export", "--db", str(archive_copy), "-o", str(out))
    assert result.exit_code == 0, result.output
    plain = tmp_path / "plain"
    plain.write_text("")
    assert out.stat().st_mode == plain.stat().st_mode  # what open() gives, not a temporary file's 0600
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.csv", "plain", "store"]


def _limited_file_size(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead of killing

    return apply


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_onto_a_full_disk_is_one_error_line_and_leaves_no_partial(archive_copy, tmp_path, fmt):
    out = tmp_path / f"a.{fmt}"
    out.write_text("the previous export\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "investchn_spider",
            "export",
            "--db",
            str(archive_copy),
            "--format",
            fmt,
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        preexec_fn=_limited_file_size(34_000),  # above SQLite's 32 KiB -shm, below either export
        check=False,
    )
    assert result.returncode == exitcodes.ERROR, result.stderr
    line = one_error_line(result.stderr)
    assert f"could not write {out}" in line and "File too large" in line
    assert out.read_text() == "the previous export\n"  # the earlier file is untouched
    assert sorted(path.name for path in tmp_path.iterdir()) == [out.name, "store"]


def _partial_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.iterdir() if path.name.endswith(".partial"))


def test_export_removes_the_partial_files_of_killed_exports_only(archive_copy, tmp_path):
    out = tmp_path / "a.csv"
    stale = tmp_path / "a.csv.k1ll3d_x.partial"  # what a killed export leaves: nobody holds its lock
    stale.write_text("half an exp")
    live = tmp_path / "a.csv.running.partial"
    live.write_text("being written")
    other = tmp_path / "b.csv.zzzzzzzz.partial"  # another output's
    other.write_text("not ours")
    fd = os.open(live, os.O_RDONLY)
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_EX)  # an export still writing
    try:
        result = invoke("export", "--db", str(archive_copy), "-o", str(out))
    finally:
        os.close(fd)
    assert result.exit_code == 0, result.output
    assert f"Removed {stale}, left by an export to {out} that did not finish" in result.output
    assert not stale.exists() and live.exists() and other.exists()
    assert len(list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))) == 40


def test_an_export_killed_mid_write_leaves_a_partial_that_the_next_export_removes(tmp_path):
    db = tmp_path / "big.db"
    replica_archive(db, seed=22, articles=400)
    out = tmp_path / "a.jsonl"
    for _ in range(5):  # an export that ended before it could be caught is tried again
        process = subprocess.Popen(
            [sys.executable, "-m", "investchn_spider", "export", "--db", str(db), "--format", "jsonl", "-o", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        partials = []
        while process.poll() is None and not (partials := _partial_files(tmp_path)):
            time.sleep(0.001)
        if partials and process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait()
            break
        process.wait()
        out.unlink(missing_ok=True)
    else:
        pytest.fail("every export finished before it could be killed")
    assert process.returncode == -signal.SIGKILL and _partial_files(tmp_path) and not out.exists()
    result = run_investchn("export", "--db", str(db), "--format", "jsonl", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "left by an export to" in result.stderr and "that did not finish" in result.stderr
    assert _partial_files(tmp_path) == []
    assert len(out.read_text(encoding="utf-8").splitlines()) == 400


# --- demo -------------------------------------------------------------------------------------------


def test_demo_refuses_an_archive_it_did_not_make_and_leaves_it_byte_identical(archive_copy):
    before = file_state(archive_copy)
    result = run_investchn("demo", "--articles", "5", "--db", str(archive_copy))
    assert result.returncode == exitcodes.ERROR, result.stdout + result.stderr
    assert "not an archive investchn demo made" in one_error_line(result.stderr)
    assert result.stdout == ""
    assert file_state(archive_copy) == before


@pytest.mark.parametrize("content", [b"", b"my notes\n"], ids=["empty file", "text file"])
def test_demo_refuses_a_file_that_is_no_archive(tmp_path, content):
    path = tmp_path / "demo.db"
    path.write_bytes(content)
    result = run_investchn("demo", "--articles", "5", "--db", str(path))
    assert result.returncode == exitcodes.ERROR
    assert "not an archive investchn demo made" in one_error_line(result.stderr)
    assert path.read_bytes() == content and sorted(p.name for p in tmp_path.iterdir()) == ["demo.db", "demo.db.lock"]


def test_demo_twice_replaces_its_own_archive_but_not_once_a_crawl_wrote_to_it(tmp_path):
    db = tmp_path / "demo.db"
    for _ in range(2):
        result = run_investchn("demo", "--articles", "6", "--db", str(db))
        assert result.returncode == 0, result.stderr
        assert "Explore it:" in result.stdout
        with sqlite3.connect(db) as conn:  # the demo shows the facts the archive now holds
            amounts, articles = conn.execute("SELECT count(*), count(DISTINCT article_id) FROM amounts").fetchone()
        assert f"Facts: {amounts:,} money amounts in {articles:,} of 6 articles" in result.stdout
        assert "The replica has stopped" in result.stdout  # the archived URLs point at a port that is gone
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 1  # a fresh archive each time
            assert conn.execute("SELECT value FROM investchn_meta WHERE key = 'created_by'").fetchone() == ("demo",)
    # A crawl into the demo's archive makes it one like any other (the run row a crawl records).
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO runs (started_at, status, args) VALUES ('t', 'ok', '{\"command\": \"crawl\"}')")
    before = file_state(db)
    result = run_investchn("demo", "--articles", "6", "--db", str(db))
    assert result.returncode == exitcodes.ERROR and "not an archive investchn demo made" in result.stderr
    assert file_state(db) == before


def test_demo_while_a_crawl_holds_the_lock_refuses_and_deletes_nothing(tmp_path):
    db = tmp_path / "demo.db"
    assert run_investchn("demo", "--articles", "5", "--db", str(db)).returncode == 0
    before = file_state(db)
    with ArchiveLock(db):  # a crawl is writing this archive
        result = run_investchn("demo", "--articles", "5", "--db", str(db))
    assert result.returncode == exitcodes.LOCKED
    assert "another crawl" in one_error_line(result.stderr)
    assert file_state(db) == before


# --- read-only commands and foreign files -----------------------------------------------------------


def _foreign_files(folder: Path) -> dict[str, Path]:
    files = {}
    files["empty file"] = folder / "empty.db"
    files["empty file"].write_bytes(b"")
    files["another app's database"] = folder / "notes.db"
    with sqlite3.connect(files["another app's database"]) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        conn.execute("INSERT INTO notes (text) VALUES ('keep me')")
    conn.close()
    files["another app's WAL database with an articles table"] = folder / "cms.db"
    conn = sqlite3.connect(files["another app's WAL database with an articles table"])
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, title TEXT)")
    conn.execute("INSERT INTO articles (title) VALUES ('园区')")
    conn.commit()
    conn.close()
    files["a database with an application id"] = folder / "app.db"
    with sqlite3.connect(files["a database with an application id"]) as conn:
        conn.execute("PRAGMA application_id = 1234")
        conn.execute("PRAGMA user_version = 2")
        conn.execute("CREATE TABLE articles (id INTEGER)")
    conn.close()
    return files


@pytest.mark.parametrize("command", READ_ONLY_COMMANDS, ids=lambda command: " ".join(command))
def test_read_only_commands_refuse_foreign_and_empty_files_unchanged(tmp_path, command):
    for kind, path in _foreign_files(tmp_path).items():
        listing = sorted(p.name for p in tmp_path.iterdir())
        before = file_state(path)
        result = invoke(*command, "--db", str(path))
        assert result.exit_code == exitcodes.ERROR, (kind, result.output)
        assert "not an investchn archive" in one_error_line(result.output), kind
        assert file_state(path) == before, kind
        assert sorted(p.name for p in tmp_path.iterdir()) == listing, kind  # no -wal, -shm or .lock


def test_crawl_refuses_another_applications_database_unchanged(tmp_path):
    files = _foreign_files(tmp_path)
    listing = sorted(p.name for p in tmp_path.iterdir())
    for kind in ("another app's database", "another app's WAL database with an articles table"):
        path = files[kind]
        before = file_state(path)
        result = run_investchn("crawl", "--db", str(path), "--start-url", "http://127.0.0.1:9/", "--delay", "0")
        assert result.returncode == exitcodes.ERROR, (kind, result.stderr)
        assert "not an investchn archive" in one_error_line(result.stderr), kind
        assert file_state(path) == before, kind
    assert sorted(p.name for p in tmp_path.iterdir()) == listing


@pytest.mark.parametrize("command", READ_ONLY_COMMANDS[:-1], ids=lambda command: " ".join(command))
def test_read_only_commands_leave_the_archive_byte_identical(archive_copy, command):
    before = file_state(archive_copy)
    result = invoke(*command, "--db", str(archive_copy))
    assert result.exit_code == 0, result.output
    assert file_state(archive_copy) == before


def test_read_only_commands_read_an_archive_in_a_folder_nobody_may_write(archive_copy):
    folder = archive_copy.parent
    for suffix in ("-wal", "-shm"):
        Path(f"{archive_copy}{suffix}").unlink(missing_ok=True)
    # chattr +i: no file can be made in the folder, even by root (file permissions would not stop root).
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False).returncode != 0:
        pytest.skip("chattr +i is not available on this file system")
    try:
        total, urls, _ = _search(archive_copy, "园区")
        stats = invoke("stats", "--db", str(archive_copy))
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    assert total == len(urls) > 0 and urls == _brute_force(archive_copy, ["园区"])
    assert stats.exit_code == 0 and "40 articles" in stats.output
    assert sorted(path.name for path in folder.iterdir()) == ["archive.db"]


def _make_schema(path: Path, version: int) -> None:
    """Turn a fresh archive into what an archive of schema ``version`` (1 or 3) looked like."""
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE investchn_meta")
        conn.execute("PRAGMA application_id = 0")
        if version == 1:  # before search, and before failures.role
            for trigger in ("articles_search_insert", "articles_search_update", "articles_search_delete"):
                conn.execute(f"DROP TRIGGER {trigger}")
            conn.execute("DROP TABLE article_search")
            conn.execute("DROP TABLE search_pending")
            conn.execute("ALTER TABLE failures DROP COLUMN role")
            conn.execute("ALTER TABLE captures DROP COLUMN redirected_from")
            conn.execute(
                "INSERT INTO failures (url, kind, status, reason, attempts, last_failed_at) "
                "VALUES ('http://x.test/404', 'http', 404, 'HTTP 404', 1, 't')"
            )
        conn.execute(f"PRAGMA user_version = {version}")
    conn.close()


def _brute_force(db: Path, words: list[str], since: str = "", until: str = "9999") -> list[str]:
    """The URLs of the articles containing every word, newest first: the definition, by a plain scan."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT url, title, body_text FROM articles WHERE published_date BETWEEN ? AND ? "
            "ORDER BY published_date DESC, id DESC",
            [since, until],
        ).fetchall()
    conn.close()
    return [
        url
        for url, title, body in rows
        if all(word.lower() in title.lower() or word.lower() in (body or "").lower() for word in words)
    ]


def _search(db: Path, *args: str) -> tuple[int, list[str], str]:
    result = invoke("search", *args, "--db", str(db), "--limit", "1000")
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    total = 0 if first.startswith("No article") else int(first.split()[0].replace(",", ""))
    urls = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("http://")]
    return total, urls, result.stderr


@pytest.mark.parametrize("version", [1, 3])
def test_an_older_archive_is_read_as_it_is_and_upgraded_only_by_a_crawl(archive_copy, version):
    _make_schema(archive_copy, version)
    before = file_state(archive_copy)
    for command in READ_ONLY_COMMANDS[:-1]:
        result = invoke(*command, "--db", str(archive_copy))
        assert result.exit_code == 0, (command, result.output)
    total, urls, note = _search(archive_copy, "园区")
    assert total == len(urls) and urls == _brute_force(archive_copy, ["园区"]) and total > 0
    assert ("has no search index" in note and "investchn crawl" in note) == (version == 1)
    assert "1 unresolved failures" in invoke("failures", "--db", str(archive_copy)).output or version == 3
    assert file_state(archive_copy) == before
    with Archive(archive_copy) as archive:  # what the next crawl does when it opens the archive to write
        assert archive.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert archive.db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert archive.meta() == {}  # who created it is not known
    assert _search(archive_copy, "园区")[1] == _brute_force(archive_copy, ["园区"])


def test_a_newer_archive_is_refused_by_every_command(archive_copy):
    with sqlite3.connect(archive_copy) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = file_state(archive_copy)
    for command in READ_ONLY_COMMANDS:
        result = invoke(*command, "--db", str(archive_copy))
        assert result.exit_code == exitcodes.ERROR and "newer investchn" in one_error_line(result.output)
    assert file_state(archive_copy) == before


# --- search stays exact after another program changed the articles ----------------------------------


def _change_articles_as_another_program(db: Path) -> None:
    """Delete, edit and add articles with the plain sqlite3 module, as any other program would."""
    with sqlite3.connect(db) as conn:
        matching = [row[0] for row in conn.execute("SELECT id FROM articles WHERE body_text LIKE '%园区%' LIMIT 3")]
        assert len(matching) == 3
        conn.execute("DELETE FROM articles WHERE id = ?", [matching[0]])
        conn.execute(
            "UPDATE articles SET title = replace(title, '园区', '--'), body_text = replace(body_text, '园区', '--') "
            "WHERE id = ?",
            [matching[1]],
        )
        conn.execute(
            "UPDATE articles SET title = '麒麟园区新政', published_date = '2031-01-01' WHERE id = "
            "(SELECT min(id) FROM articles WHERE title NOT LIKE '%园区%' AND body_text NOT LIKE '%园区%')"
        )
        conn.execute(
            "INSERT INTO articles (url, title, published_date, content_hash, body_text, district) "
            "VALUES ('http://x.test/added', '外部写入', '2024-05-05', 'added', '新建园区', '杨浦区')"
        )
    conn.close()


def test_search_after_another_program_changed_rows_equals_a_brute_force_scan(archive_copy):
    _change_articles_as_another_program(archive_copy)
    with sqlite3.connect(archive_copy) as conn:
        queued = conn.execute("SELECT count(*) FROM search_pending").fetchone()[0]
    conn.close()
    assert queued in (3, 4)  # the triggers queued every change (the insert may reuse the deleted id)
    before = file_state(archive_copy)
    for words, since, until in (
        (["园区"], "", "9999"),
        (["麒麟"], "", "9999"),
        (["园区", "新政"], "", "9999"),
        (["园"], "2024-03-10", "2031-01-01"),
        (["新建园区"], "2024-05-05", "2024-05-05"),
    ):
        args = (
            [" ".join(words)] + (["--since", since] if since else []) + (["--until", until] if until != "9999" else [])
        )
        total, urls, _ = _search(archive_copy, *args)
        expected = _brute_force(archive_copy, words, since, until)
        assert (total, urls) == (len(expected), expected), words
        exported = invoke(
            "export", "--db", str(archive_copy), "--format", "jsonl", "--search", " ".join(words), *args[1:]
        )
        assert sorted(json.loads(line)["url"] for line in exported.stdout.splitlines()) == sorted(expected)
    assert file_state(archive_copy) == before  # the read-only search indexed nothing
    with Archive(archive_copy) as archive, archive.transaction():  # a crawl's next write brings the index up to date
        pass
    with sqlite3.connect(archive_copy) as conn:
        assert conn.execute("SELECT count(*) FROM search_pending").fetchone()[0] == 0
    conn.close()
    assert _search(archive_copy, "园区")[1] == _brute_force(archive_copy, ["园区"])


def test_the_web_view_search_is_exact_after_another_program_changed_rows(archive_copy):
    pytest.importorskip("datasette", reason="the web view needs Datasette (the test extra installs it)")
    import socket
    import urllib.parse
    import urllib.request

    _change_articles_as_another_program(archive_copy)
    before = file_state(archive_copy)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "investchn_spider", "serve", "--db", str(archive_copy), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert "Serving" in process.stdout.readline()
        for word in ("园区", "麒麟"):
            query = urllib.parse.urlencode({"_search": word, "_shape": "objects", "_size": "max"})
            for _ in range(100):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/archive/articles.json?{query}") as reply:
                        page = json.load(reply)
                    break
                except OSError:
                    time.sleep(0.1)  # uvicorn is still binding
            expected = _brute_force(archive_copy, [word])
            assert page["filtered_table_rows_count"] == len(expected), word
            assert sorted(row["url"] for row in page["rows"]) == sorted(expected), word
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert file_state(archive_copy) == before


# --- one date parser ---------------------------------------------------------------------------------

DATES = [
    ("2024-03-15", "2024-03-15", "2024-03-15"),
    ("20240315", "2024-03-15", "2024-03-15"),
    ("2024/03/15", "2024-03-15", "2024-03-15"),
    ("2024/3/5", "2024-03-05", "2024-03-05"),
    ("2024.03.15", "2024-03-15", "2024-03-15"),
    ("2024年3月15日", "2024-03-15", "2024-03-15"),
    ("2024-03", "2024-03-01", "2024-03-31"),
    ("2024/3", "2024-03-01", "2024-03-31"),
    ("202402", "2024-02-01", "2024-02-29"),
    ("2024年2月", "2024-02-01", "2024-02-29"),
    ("2024", "2024-01-01", "2024-12-31"),
    (" 2024-03-15 ", "2024-03-15", "2024-03-15"),
]
BAD_DATES = ["yesterday", "2024-13-01", "2024-02-30", "2024-3-15-1", "2024/03-15", "24-03-15", "2024-00", "", "0000"]


@pytest.mark.parametrize(("text", "since", "until"), DATES)
def test_parse_date_accepts_the_documented_forms(text, since, until):
    assert parse_date(text) == since and parse_date(text, end=True) == until


@pytest.mark.parametrize("text", BAD_DATES)
def test_parse_date_rejects_garbage(text):
    with pytest.raises(ValueError):
        parse_date(text)


def test_every_date_option_is_the_one_parser():
    options = {
        (name, param.opts[0]): param.type
        for name, command in cli.commands.items()
        for param in command.params
        if param.name in ("since", "until")
    }
    assert {name for name, _ in options} == {"crawl", "export", "quality", "reparse", "search", "stats"}
    assert all(
        isinstance(kind, DateParam) and kind.end == (option == "--until") for (_, option), kind in options.items()
    )


def test_every_command_reads_dates_the_same_way(made_archive):
    db = str(made_archive)
    for text, since, until in DATES:
        for command in (["export", "--format", "jsonl"], ["search", "园区", "--limit", "1000"], ["stats"]):
            given = invoke(*command, "--db", db, "--since", text, "--until", text)
            iso = invoke(*command, "--db", db, "--since", since, "--until", until)
            assert given.exit_code == iso.exit_code == 0, (command, text, given.output)
            assert given.output == iso.output, (command, text)


@pytest.mark.parametrize("text", ["yesterday", "2024-13-01", "20240230"])
def test_every_command_rejects_a_bad_date_in_one_line(made_archive, tmp_path, text):
    for command in (["export"], ["search", "园区"], ["stats"]):
        for option in ("--since", "--until"):
            result = invoke(*command, "--db", str(made_archive), option, text)
            assert result.exit_code == exitcodes.USAGE, (command, result.output)
            assert f"{option} {text!r} is not a date" in one_error_line(result.output)
    db = tmp_path / "new.db"
    result = run_investchn("crawl", "--db", str(db), "--since", text)
    assert result.returncode == exitcodes.USAGE
    assert f"--since {text!r} is not a date" in one_error_line(result.stderr)
    assert not db.exists()


def test_crawl_records_its_since_as_the_day_it_names(tmp_path):
    db = tmp_path / "a.db"
    result = run_investchn("crawl", "--db", str(db), "--since", "2024/3", "--start-url", "http://127.0.0.1:9/")
    assert result.returncode == exitcodes.UNREACHABLE, result.stderr[-2000:]
    with sqlite3.connect(db) as conn:
        (args,) = conn.execute("SELECT args FROM runs").fetchone()
    conn.close()
    assert json.loads(args)["since"] == "2024-03-01"


# --- stats shows what the crawl called "already archived" --------------------------------------------


def test_stats_shows_each_runs_already_archived_number_as_runs_and_the_crawl_do(replica_factory, tmp_path):
    server = replica_factory(seed=31, articles=24)
    db = tmp_path / "a.db"
    printed = []
    for extra in ([], ["--full"]):
        result = run_investchn("crawl", "--start-url", server.url, "--delay", "0", "--db", str(db), *extra)
        assert result.returncode == 0, result.stderr[-2000:]
        printed.append(int(next(line for line in result.stdout.splitlines() if "already archived" in line).split()[2]))
    assert printed[0] == 0 and printed[1] > 0
    # The tables' cells hold no blanks (times are ISO 8601), so rows split on blanks; the headers'
    # "(UTC)" is the only header word of its own.
    runs_lines = invoke("runs", "--db", str(db)).output.splitlines()
    column = [word for word in runs_lines[0].split() if word != "(UTC)"].index("seen")
    seen_by_runs = {int(line.split()[0]): int(line.split()[column]) for line in runs_lines[1:]}
    stats = invoke("stats", "--db", str(db)).output.split("Last runs", 1)[1].splitlines()
    column = [word for word in stats[1].split() if word != "(UTC)"].index("seen")
    seen_by_stats = {int(line.split()[0]): int(line.split()[column]) for line in stats[3:] if line.strip()}
    assert seen_by_stats == seen_by_runs == {1: printed[0], 2: printed[1]}
