"""`investchn reparse` on a real archive from a replica crawl: no change on a fresh one; stale records
(as an older extractor stored them, made in SQL) restored exactly, with versions kept; merges; pages
that no longer extract; --dry-run; --since/--until."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import zlib

import pytest
from click.testing import CliRunner
from conftest import run_investchn

from investchn_spider.cli import cli
from investchn_spider.cli.reparse import ReparseProgress
from investchn_spider.extraction import EXTRACTOR_VERSION, content_hash
from investchn_spider.reparse import changed_fields, extract_page
from investchn_spider.store import Archive
from investchn_spider.store.lock import ArchiveLock

# What a merge may change besides the articles: the index's segments (its answers are checked instead).
UNINDEXED = ("runs", "article_versions", "search_pending", "article_search_data", "article_search_idx")
LEAK = "分享到：微信 微博 泄漏装饰甲乙"  # chrome an older extractor left in the body


@pytest.fixture(scope="module")
def crawled(replica_factory, tmp_path_factory):
    """An archive of a full crawl of a 150-article replica (some of its articles are split over pages)."""
    server = replica_factory(seed=31, articles=150)
    path = tmp_path_factory.mktemp("reparse") / "crawled.db"
    result = run_investchn("crawl", "--start-url", server.url, "--delay", "0", "--db", str(path))
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def db(crawled, tmp_path):
    """A copy of the crawled archive for one test."""
    path = tmp_path / "archive.db"
    shutil.copy(crawled, path)
    return path


def reparse(db, *args: str):
    return CliRunner().invoke(cli, ["reparse", "--db", str(db), *args])


def connect(db) -> sqlite3.Connection:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    return conn


def tables(db, skip=("runs",)) -> dict[str, list[tuple]]:
    """Every table's rows (sorted), the search index's shadow tables included."""
    with connect(db) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'"
            )
        ]
        return {name: sorted(map(tuple, conn.execute(f"SELECT * FROM {name}"))) for name in names if name not in skip}


def article(db, article_id: int) -> dict:
    with connect(db) as conn:
        return dict(conn.execute("SELECT * FROM articles WHERE id = ?", [article_id]).fetchone())


def make_stale(conn, article_id: int, **values) -> None:
    """Store values as an older extractor would have (the content hash following title, date and body)."""
    row = dict(conn.execute("SELECT * FROM articles WHERE id = ?", [article_id]).fetchone())
    row.update(values)
    row["content_hash"] = content_hash(row["title"], row["published_date"], row["body_text"])
    assignments = ", ".join(f"{column} = ?" for column in [*values, "content_hash"])
    conn.execute(f"UPDATE articles SET {assignments} WHERE id = ?", [*values.values(), row["content_hash"], article_id])


def search_total(db, query: str) -> int:
    result = CliRunner().invoke(cli, ["search", query, "--db", str(db), "--limit", "1"])
    assert result.exit_code == 0, result.output
    first = result.output.split()[0]
    return 0 if first == "No" else int(first)


def file_sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- pure ------------------------------------------------------------------------------------


def test_changed_fields_compares_json_columns_decoded():
    record = {"title": "标题", "breadcrumb": ["首页", "开发区新闻"], "images": [], "source": None}
    row = {"title": "标题", "breadcrumb": json.dumps(["首页", "开发区新闻"]), "images": "[]", "source": None}
    assert "breadcrumb" not in changed_fields(row, record)  # \u-escaped JSON: the same list
    assert changed_fields({**row, "images": '[{"src": "a"}]'}, record)[-1:] == ["images"]
    assert "title" in changed_fields({**row, "title": "[1]"}, {**record, "title": "[1] "})


def test_progress_draws_one_line_on_a_terminal_only():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        progress = ReparseProgress(stream=stream)
        progress.progress.interval = 0
        progress(5, 10)
        progress(10, 10)
        progress.close()
    assert pipe.getvalue() == ""
    assert "reparse: 5 articles, 5 left" in terminal.getvalue()
    assert "reparse: 10 articles, 0 left" in terminal.getvalue()
    assert "\n" not in terminal.getvalue()


# --- on a crawled archive -----------------------------------------------------------------------


def test_fresh_archive_changes_nothing(db):
    before = tables(db)
    result = reparse(db)
    assert result.exit_code == 0, result.output
    assert "records changed           0" in result.output
    with connect(db) as conn:  # every page of the split articles is read again, not only their first
        pages = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        pages += conn.execute("SELECT count(*) FROM article_pages WHERE page_no > 1").fetchone()[0]
    assert pages > 150
    assert f"pages re-extracted {pages:>8}" in result.output
    assert tables(db) == before  # row for row, updated_at and the search index included
    with connect(db) as conn:
        run = dict(conn.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1").fetchone())
    assert json.loads(run["args"])["command"] == "reparse"
    assert (run["status"], run["exit_code"], run["changed_articles"]) == ("ok", 0, 0)


def test_split_article_is_restored_from_all_its_pages(db):
    with connect(db) as conn:
        article_id, body = conn.execute(
            """SELECT a.id, a.body_text FROM articles a JOIN article_pages p ON p.first_capture_id = a.capture_id
               WHERE p.page_no = 2 ORDER BY a.id LIMIT 1"""
        ).fetchone()
        first_line = body.split("\n")[0]
        conn.execute("UPDATE articles SET body_text = ? WHERE id = ?", [first_line, article_id])
    result = reparse(db)
    assert result.exit_code == 0, result.output
    assert "records changed           1" in result.output
    with connect(db) as conn:
        assert conn.execute("SELECT body_text FROM articles WHERE id = ?", [article_id]).fetchone()[0] == body
        kept = conn.execute("SELECT body_text FROM article_versions WHERE article_id = ?", [article_id]).fetchall()
    assert [row[0] for row in kept] == [first_line]


def test_stale_records_are_restored_and_kept_as_versions(db):
    original = {article_id: article(db, article_id) for article_id in (2, 3, 4, 5)}
    with connect(db) as conn:
        make_stale(conn, 2, body_text=original[2]["body_text"] + "\n" + LEAK)
        make_stale(conn, 3, source="错误来源", extractor_version="0")
        conn.execute("UPDATE articles SET extractor_version = '0' WHERE id = 4")
        # The same list spelt another way is no change: nothing written for it.
        breadcrumb = json.dumps(json.loads(original[5]["breadcrumb"]))
        conn.execute("UPDATE articles SET breadcrumb = ? WHERE id = 5", [breadcrumb])
    stale = {article_id: article(db, article_id) for article_id in (2, 3)}
    assert search_total(db, "泄漏装饰甲乙") == 1
    result = reparse(db)
    assert result.exit_code == 0, result.output
    assert "records changed           2" in result.output
    assert "    body_text               1" in result.output
    assert "    content_hash            1" in result.output
    assert "    source                  1" in result.output
    assert "version only              1" in result.output
    for article_id in (2, 3, 4):
        now = article(db, article_id)
        assert now["extractor_version"] == EXTRACTOR_VERSION
        assert {**now, "updated_at": None} == {**original[article_id], "updated_at": None}
    assert article(db, 4)["updated_at"] == original[4]["updated_at"]  # same record: not stored again
    assert article(db, 5) == {**original[5], "breadcrumb": breadcrumb}
    with connect(db) as conn:
        versions = {row["article_id"]: dict(row) for row in conn.execute("SELECT * FROM article_versions")}
    assert sorted(versions) == [2, 3]
    for article_id in (2, 3):
        kept, was = versions[article_id], stale[article_id]
        assert {column: kept[column] for column in ("body_text", "source", "content_hash", "extractor_version")} == {
            column: was[column] for column in ("body_text", "source", "content_hash", "extractor_version")
        }
        assert kept["valid_until"] == article(db, article_id)["updated_at"]
    assert search_total(db, "泄漏装饰甲乙") == 0  # the index follows
    with connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM search_pending").fetchone()[0] == 0
    again = tables(db)
    assert reparse(db).exit_code == 0
    assert tables(db) == again  # a second reparse finds nothing left to do


@pytest.mark.parametrize("leaky", ["repost", "original"])
def test_two_articles_that_are_one_are_merged(db, leaky):
    """A repost's page that an older extractor made a second article (chrome leaked into one of the two
    bodies) becomes one article again, whichever of the two is stale: as the crawl stored it."""
    with connect(db) as conn:
        article_id, second_url = conn.execute(
            "SELECT u.article_id, u.url FROM article_urls u JOIN articles a ON a.id = u.article_id "
            "WHERE u.url != a.url AND u.url IN (SELECT url FROM captures)"
        ).fetchone()
        row = dict(conn.execute("SELECT * FROM articles WHERE id = ?", [article_id]).fetchone())
        sections = sorted(map(tuple, conn.execute("SELECT * FROM article_sections WHERE article_id = ?", [article_id])))
        before = tables(db, skip=UNINDEXED)
        capture_id, page, charset = conn.execute(
            "SELECT id, body, http_charset FROM captures WHERE url = ?", [second_url]
        ).fetchone()
        record = extract_page(zlib.decompress(page), second_url, charset)  # the repost's page shows its section
        body = (row if leaky == "original" else record)["body_text"] + "\n" + LEAK
        if leaky == "repost":
            digest = content_hash(row["title"], row["published_date"], body)
            record = {**record, "body_text": body, "content_hash": digest}
        if leaky == "original":
            make_stale(conn, article_id, body_text=body)
        copy = {
            **{key: row[key] for key in ("extractor_version", "first_seen_at", "last_seen_at", "updated_at")},
            **{key: json.dumps(value) if isinstance(value, list) else value for key, value in record.items()},
            "capture_id": capture_id,
        }
        new_id = conn.execute(
            f"INSERT INTO articles ({', '.join(copy)}) VALUES ({', '.join('?' * len(copy))})", list(copy.values())
        ).lastrowid
        conn.execute("UPDATE article_urls SET article_id = ? WHERE url = ?", [new_id, second_url])
    assert second_url > row["url"] and new_id > article_id
    digest = file_sha(db)
    dry = reparse(db, "--dry-run")
    assert "merged                    1" in dry.output and "records would change      1" in dry.output
    assert file_sha(db) == digest
    before_title_hits = search_total(db, row["title"])
    with Archive(db) as archive:  # what a crawl reads: two articles, one section each
        assert archive.counts()["articles"] == 151
    result = reparse(db)
    assert result.exit_code == 0, result.output
    assert "merged                    1" in result.output
    assert "records changed           1" in result.output
    with connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles WHERE id = ?", [new_id]).fetchone()[0] == 0
        urls = {r[0] for r in conn.execute("SELECT url FROM article_urls WHERE article_id = ?", [article_id])}
        merged_sections = sorted(
            map(tuple, conn.execute("SELECT * FROM article_sections WHERE article_id = ?", [article_id]))
        )
        versions = [dict(r) for r in conn.execute("SELECT * FROM article_versions WHERE article_id = ?", [article_id])]
    assert second_url in urls and row["url"] in urls
    assert merged_sections == sections and len(sections) == 2
    assert [v["body_text"] for v in versions if v["body_text"] != row["body_text"]] == [body]
    after = tables(db, skip=UNINDEXED)
    # The archive is the crawl's again, but for the survivor's updated_at (its record was stored anew).
    updated_at = list(dict(connect(db).execute("SELECT * FROM articles LIMIT 1").fetchone())).index("updated_at")
    strip = lambda rows: [r[:updated_at] + r[updated_at + 1 :] for r in rows]  # noqa: E731
    assert strip(after.pop("articles")) == strip(before.pop("articles"))
    assert after == before
    assert search_total(db, "泄漏装饰甲乙") == 0
    assert search_total(db, row["title"]) == before_title_hits - 1  # the copy is gone from the index


def test_a_page_that_no_longer_extracts_keeps_its_record(db):
    with connect(db) as conn:
        url, capture_id = conn.execute("SELECT url, capture_id FROM articles WHERE id = 7").fetchone()
        conn.execute(
            "UPDATE captures SET body = ? WHERE id = ?",
            [zlib.compress("<html><body><p>页面已删除</p></body></html>".encode()), capture_id],
        )
    before = tables(db)
    result = run_investchn("reparse", "--db", str(db))
    assert result.returncode == 6, result.stdout + result.stderr
    assert "failing now               1" in result.stdout
    assert url in result.stdout
    assert tables(db) == before
    with connect(db) as conn:
        run = dict(conn.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1").fetchone())
    assert (run["status"], run["exit_code"], run["failures"]) == ("layout_drift", 6, 1)


def test_dry_run_writes_nothing_and_shows_examples(db):
    with connect(db) as conn:
        make_stale(conn, 2, body_text=article(db, 2)["body_text"] + "\n" + LEAK)
        make_stale(conn, 3, source="错误来源")
    digest = file_sha(db)
    result = reparse(db, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run, nothing written" in result.output
    assert "records would change      2" in result.output
    assert "错误来源" in result.output and LEAK in result.output  # before/after examples
    assert file_sha(db) == digest
    with connect(db) as conn:
        reparses = "SELECT count(*) FROM runs WHERE json_extract(args, '$.command') = 'reparse'"
        assert conn.execute(reparses).fetchone()[0] == 0
    assert "records changed           2" in reparse(db).output  # what the dry run said


def test_since_until_limit_the_articles(db):
    with connect(db) as conn:
        dates = [r[0] for r in conn.execute("SELECT published_date FROM articles ORDER BY published_date")]
        day = dates[len(dates) // 2]
        inside = conn.execute("SELECT id FROM articles WHERE published_date = ?", [day]).fetchone()[0]
        outside = conn.execute("SELECT id FROM articles WHERE published_date < ?", [day]).fetchone()[0]
        for article_id in (inside, outside):
            conn.execute("UPDATE articles SET source = '错误来源' WHERE id = ?", [article_id])
    result = reparse(db, "--since", day, "--until", day)
    assert result.exit_code == 0, result.output
    assert f"Reparse: {dates.count(day)} articles" in result.output
    assert "records changed           1" in result.output
    assert article(db, inside)["source"] != "错误来源"
    assert article(db, outside)["source"] == "错误来源"


def test_refuses_a_foreign_file_and_a_locked_archive(db, tmp_path):
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE notes (text)")
    result = run_investchn("reparse", "--db", str(foreign))
    assert result.returncode == 1 and "not an investchn archive" in result.stderr
    assert not (tmp_path / "other.db.lock").exists()
    result = run_investchn("reparse", "--db", str(tmp_path / "missing.db"))
    assert result.returncode == 1 and "no archive at" in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["archive.db", "other.db"]  # no .lock left
    digest = file_sha(db)
    with ArchiveLock(db):
        result = run_investchn("reparse", "--db", str(db))
    assert result.returncode == 5, result.stderr
    assert file_sha(db) == digest
