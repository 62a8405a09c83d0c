"""The ``investchn`` command: parse, export and the clear errors users get for bad input."""

from __future__ import annotations

import csv
import functools
import io
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, free_port, run_investchn

from investchn_spider import exitcodes
from investchn_spider.cli import cli
from investchn_spider.export import EXPORT_COLUMNS

ARTICLE_FIXTURES = sorted((FIXTURES / "articles").glob("*.html"))[:3]
NOT_ARTICLE = FIXTURES / "not_articles" / "home.html"


def _assert_one_clear_line(result, code: int, *phrases: str) -> None:
    assert result.returncode == code, (result.stdout, result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr[-2000:]
    for phrase in phrases:
        assert phrase in errors[0]


def test_parse_prints_one_json_line_per_page_in_order():
    result = CliRunner().invoke(cli, ["parse", *map(str, ARTICLE_FIXTURES)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == len(ARTICLE_FIXTURES)
    for line, page in zip(lines, ARTICLE_FIXTURES, strict=True):
        expected = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))["expected"]
        record = json.loads(line)
        assert record["title"] == expected["title"]
        assert expected["title"] in line  # Chinese printed as is, not \\u-escaped


def test_parse_reports_non_articles_and_goes_on():
    result = CliRunner().invoke(cli, ["parse", str(NOT_ARTICLE), str(ARTICLE_FIXTURES[0])])
    assert result.exit_code == exitcodes.ERROR
    assert len(result.stdout.splitlines()) == 1
    assert f"{NOT_ARTICLE}: not extracted:" in result.stderr


def test_parse_url_option_sets_the_record_url():
    url = "http://www.investchn.com/kfqxw/a/1.html"
    result = CliRunner().invoke(cli, ["parse", str(ARTICLE_FIXTURES[0]), "--url", url])
    assert json.loads(result.stdout)["url"] == url


def test_parse_fetches_http_pages(replica_factory):
    server = replica_factory(seed=3, articles=20)
    path = server.site.expected_articles()[0]["urls"][0]
    result = CliRunner().invoke(cli, ["parse", server.url.rstrip("/") + path])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["title"] == server.site.expected_articles()[0]["title"]


def test_crawl_unreachable_start_url_exits_3(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/"
    result = run_investchn("crawl", "--start-url", url, "--delay", "0", "--db", str(tmp_path / "a.db"))
    _assert_one_clear_line(result, exitcodes.UNREACHABLE, "could not reach", url)


def test_crawl_start_url_that_is_not_the_portal_exits_4(tmp_path):
    (tmp_path / "index.html").write_text("<html><body><p>Hello, not a news portal.</p></body></html>")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        result = run_investchn("crawl", "--start-url", url, "--delay", "0", "--db", str(tmp_path / "a.db"))
    finally:
        server.shutdown()
    _assert_one_clear_line(result, exitcodes.NOT_THE_PORTAL, "开发区新闻")


def test_crawl_db_in_missing_folder_exits_1(tmp_path):
    result = run_investchn("crawl", "--db", str(tmp_path / "missing" / "a.db"))
    _assert_one_clear_line(result, exitcodes.ERROR, "does not exist")


def test_crawl_db_that_is_not_sqlite_exits_1_and_keeps_the_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("my notes " * 500)
    result = run_investchn("crawl", "--db", str(path))
    _assert_one_clear_line(result, exitcodes.ERROR, "not an investchn archive")
    assert path.read_text() == "my notes " * 500


def test_crawl_rejects_a_start_url_that_is_not_http():
    result = CliRunner().invoke(cli, ["crawl", "--start-url", "ftp://example/"])
    assert result.exit_code == exitcodes.USAGE
    assert "not an http(s) URL" in result.output


def test_export_missing_archive_exits_1(tmp_path):
    result = run_investchn("export", "--db", str(tmp_path / "none.db"))
    _assert_one_clear_line(result, exitcodes.ERROR, "no archive")


@pytest.fixture(scope="module")
def small_archive(replica_factory, tmp_path_factory):
    server = replica_factory(seed=5, articles=40)
    db = tmp_path_factory.mktemp("export") / "archive.db"
    result = run_investchn("crawl", "--start-url", server.url, "--delay", "0", "--db", str(db))
    assert result.returncode == 0, result.stderr[-2000:]
    return server, db


def test_export_csv_reads_back_with_the_csv_module(small_archive, tmp_path):
    server, db = small_archive
    out = tmp_path / "articles.csv"
    result = run_investchn("export", "--db", str(db), "--format", "csv", "-o", str(out))
    assert result.returncode == 0, result.stderr
    raw = out.read_bytes()
    assert b"\r\n" in raw and not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    expected = server.site.expected_articles()
    assert len(rows) == len(expected)
    assert tuple(rows[0]) == EXPORT_COLUMNS
    assert {row["title"] for row in rows} == {article["title"] for article in expected}
    by_title = {row["title"]: row for row in rows}
    sample = expected[0]
    assert by_title[sample["title"]]["body_text"] == sample["body_text"]  # multi-line cells survive
    assert json.loads(by_title[sample["title"]]["urls"]) == [server.url.rstrip("/") + u for u in sample["urls"]]


def test_export_jsonl_to_stdout(small_archive):
    server, db = small_archive
    result = run_investchn("export", "--db", str(db), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == len(server.site.expected_articles())
    assert all(isinstance(row["sections"], list) and row["sections"] for row in rows)
