"""The archive's SQL views and sort key, read with plain sqlite3 (as pandas or DuckDB would read them).

``export_articles`` must be what ``investchn export`` writes, ``monthly_counts`` what ``investchn
stats`` counts, and ``articles.sort_key`` unique and kept right by any write, upgrade included.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest
from click.testing import CliRunner
from conftest import article_record, replica_archive

from investchn_spider.cli import cli
from investchn_spider.extraction import EXTRACTOR_VERSION
from investchn_spider.store import Archive
from investchn_spider.store.queries import SELECTABLE_COLUMNS, archive_stats
from investchn_spider.store.views import DEFAULT_EXPORT_COLUMNS, EXPORT_VIEW_COLUMNS

JSON_COLUMNS = ("breadcrumb", "images", "attachments", "urls", "sections")
EXTRA = [
    article_record("http://x.test/a", "无区的文章", "正文一", "2024-02-10", district=None, zone=None, breadcrumb=[]),
    article_record("http://x.test/b", "同日第二篇", "正文二", "2024-02-10", district="青浦区", zone="西虹桥商务区"),
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """An archive of 50 replica articles (reposts and cross-listings included) plus two edge articles."""
    path = tmp_path_factory.mktemp("views") / "archive.db"
    replica_archive(path, seed=11, articles=50, extra=EXTRA)
    return path


def plain_rows(path, sql: str) -> list[dict]:
    """Rows of ``sql`` from a plain sqlite3 connection (no investchn function registered)."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in conn.execute(sql)]
    finally:
        conn.close()


def _comparable(row: dict) -> dict:
    return {
        column: (json.loads(value) if value else []) if column in JSON_COLUMNS else (value or "")
        for column, value in row.items()
    }


def test_export_articles_is_what_export_writes(archive):
    result = CliRunner().invoke(cli, ["export", "--db", str(archive)])
    assert result.exit_code == 0, result.output
    exported = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    viewed = plain_rows(archive, "SELECT * FROM export_articles ORDER BY published_date, url, content_hash")
    assert list(viewed[0]) == list(EXPORT_VIEW_COLUMNS) and set(EXPORT_VIEW_COLUMNS) == set(SELECTABLE_COLUMNS)
    assert list(exported[0]) == list(DEFAULT_EXPORT_COLUMNS) == list(viewed[0])[: len(DEFAULT_EXPORT_COLUMNS)]
    assert len(exported) == len(viewed) == 52
    shown = [{column: row[column] for column in DEFAULT_EXPORT_COLUMNS} for row in viewed]
    assert [_comparable(row) for row in exported] == [_comparable(row) for row in shown]
    assert any(len(json.loads(row["urls"])) > 1 for row in viewed)  # reposts: several URLs in one row
    assert any(len(json.loads(row["sections"])) > 1 for row in viewed)  # cross-listed


def test_export_articles_with_every_column_is_the_view(archive):
    columns = ",".join(EXPORT_VIEW_COLUMNS)
    result = CliRunner().invoke(cli, ["export", "--db", str(archive), "--format", "jsonl", "--columns", columns])
    assert result.exit_code == 0, result.output
    exported = [json.loads(line) for line in result.stdout.splitlines()]
    viewed = plain_rows(archive, "SELECT * FROM export_articles ORDER BY published_date, url, content_hash")
    for row in viewed:
        for column in JSON_COLUMNS:
            row[column] = json.loads(row[column]) if row[column] else []
    assert exported == viewed


def test_monthly_counts_are_the_stats_both_ways(archive):
    counts = plain_rows(archive, "SELECT * FROM monthly_counts")
    assert list(counts[0]) == ["month", "district", "zone", "articles"]
    with Archive(archive, readonly=True) as opened:
        stats = archive_stats(opened.db)
    per_month: dict[str, int] = {}
    per_district: dict[str | None, int] = {}
    for row in counts:
        per_month[row["month"]] = per_month.get(row["month"], 0) + row["articles"]
        per_district[row["district"]] = per_district.get(row["district"], 0) + row["articles"]
    assert per_month == dict(stats.months)  # the view's months are the stats' months
    assert per_district == {district: n for district, n, _, _ in stats.districts}  # and its districts
    assert None in per_district and sum(per_month.values()) == stats.articles == 52
    # And the other way: every article is counted once, under its own month, district and zone.
    articles = plain_rows(archive, "SELECT published_date, district, zone FROM articles")
    expected: dict[tuple, int] = {}
    for row in articles:
        key = (row["published_date"][:7], row["district"], row["zone"])
        expected[key] = expected.get(key, 0) + 1
    assert {(r["month"], r["district"], r["zone"]): r["articles"] for r in counts} == expected


def test_sort_key_is_unique_and_follows_every_write(tmp_path):
    path = tmp_path / "a.db"
    replica_archive(path, seed=3, articles=20, extra=EXTRA)
    rows = plain_rows(path, "SELECT published_date, content_hash, sort_key FROM articles")
    assert all(r["sort_key"] == f"{r['published_date']} {r['content_hash']}" for r in rows)
    assert len({r["sort_key"] for r in rows}) == len(rows)
    # New content at a known URL (a --refresh that found a change): the key follows the new date.
    changed = article_record("http://x.test/a", "无区的文章", "改过的正文", "2024-03-01", district=None, breadcrumb=[])
    with Archive(path) as opened, opened.transaction():
        outcome = opened.save_article(
            changed, capture_id=None, seen_at="2026-11-03T00:00:00+00:00", extractor_version=EXTRACTOR_VERSION
        )
    assert outcome == "changed"
    (row,) = plain_rows(path, "SELECT sort_key FROM articles WHERE url = 'http://x.test/a'")
    assert row["sort_key"] == "2024-03-01 " + changed["content_hash"]
    # Another program's write keeps it too (a trigger does it, not investchn's code).
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE articles SET published_date = '2020-01-01' WHERE url = 'http://x.test/b'")
        conn.execute("UPDATE articles SET sort_key = 'tampered' WHERE url = 'http://x.test/a'")
    conn.close()
    keys = {r["url"]: r["sort_key"] for r in plain_rows(path, "SELECT url, sort_key FROM articles")}
    assert keys["http://x.test/b"] == "2020-01-01 " + EXTRA[1]["content_hash"]
    assert keys["http://x.test/a"] == "2024-03-01 " + changed["content_hash"]


def _make_schema_4(path) -> None:
    conn = sqlite3.connect(path)
    with conn:
        for view in ("export_articles", "monthly_counts"):
            conn.execute(f"DROP VIEW {view}")
        for trigger in ("articles_sort_key_insert", "articles_sort_key_update"):
            conn.execute(f"DROP TRIGGER {trigger}")
        conn.execute("DROP INDEX idx_articles_sort_key")
        conn.execute("ALTER TABLE articles DROP COLUMN sort_key")
        conn.execute("PRAGMA user_version = 4")
    conn.close()


def test_an_archive_of_schema_4_exports_as_it_is_and_a_writer_upgrades_it(archive, tmp_path):
    path = tmp_path / "old.db"
    path.write_bytes(archive.read_bytes())
    before = CliRunner().invoke(cli, ["export", "--db", str(archive)]).stdout
    _make_schema_4(path)
    old = CliRunner().invoke(cli, ["export", "--db", str(path)])
    assert old.exit_code == 0 and old.stdout == before  # read-only: the view's SELECT, read in place
    assert plain_rows(path, "PRAGMA user_version")[0]["user_version"] == 4
    with Archive(path) as opened:
        assert opened.schema_version == 5
    rows = plain_rows(path, "SELECT published_date, content_hash, sort_key FROM articles")
    assert all(r["sort_key"] == f"{r['published_date']} {r['content_hash']}" for r in rows)
    assert plain_rows(path, "SELECT count(*) AS n FROM export_articles")[0]["n"] == 52
    assert CliRunner().invoke(cli, ["export", "--db", str(path)]).stdout == before
