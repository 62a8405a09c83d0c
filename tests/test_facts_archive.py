"""Facts in the archive, from a real crawl of the replica: the amounts table holds exactly the amounts the
replica's text generator put in each body; zones hold what each zone name resolves to; `export --facts`
and `stats --facts` agree with the tables; reparse computes facts an archive lacks and no others; an
archive made before facts existed is refused by the readers in one line and upgraded by a writer."""

from __future__ import annotations

import csv
import shutil
import sqlite3
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from conftest import run_investchn

from investchn_spider.cli import cli
from investchn_spider.facts import FACTS_VERSION
from investchn_spider.facts.zones import resolve_zone
from investchn_spider.store import Archive
from investchn_spider.store.facts import FACT_EXPORT_COLUMNS

AMOUNT_KEYS = ("text", "value", "currency", "approximate", "kind")


@pytest.fixture(scope="module")
def crawl(replica_factory, tmp_path_factory):
    """(archive path, the replica's ground truth) of a full crawl of a 120-article replica."""
    server = replica_factory(seed=43, articles=120)
    path = tmp_path_factory.mktemp("facts") / "crawled.db"
    result = run_investchn("crawl", "--start-url", server.url, "--delay", "0", "--db", str(path))
    assert result.returncode == 0, result.stderr
    return path, server.site.expected_articles()


@pytest.fixture
def db(crawl, tmp_path):
    """A copy of the crawled archive for one test."""
    path = tmp_path / "archive.db"
    shutil.copy(crawl[0], path)
    return path


def connect(path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    return conn


def stored_amounts(path) -> dict[str, list[tuple]]:
    """URL path of each article -> its stored amounts, in position order, as (text, value, ..., start, end)."""
    with connect(path) as conn:
        found: dict[str, list[tuple]] = {urlsplit(url).path: [] for (url,) in conn.execute("SELECT url FROM articles")}
        for row in conn.execute(
            "SELECT a.url, m.* FROM amounts m JOIN articles a ON a.id = m.article_id ORDER BY m.article_id, m.position"
        ):
            key = (*(row[k] for k in AMOUNT_KEYS), row["start_offset"], row["end_offset"])
            found[urlsplit(row["url"]).path].append(key)
    return found


def expected_amounts(truth) -> dict[str, list[tuple]]:
    return {
        article["url"]: [(*(a[k] for k in AMOUNT_KEYS), a["start"], a["end"]) for a in article["amounts"]]
        for article in truth
    }


def test_the_crawl_stores_exactly_the_replicas_known_amounts(crawl):
    path, truth = crawl
    expected = expected_amounts(truth)
    assert sum(len(amounts) for amounts in expected.values()) > 100  # the check has something to check
    assert stored_amounts(path) == expected
    with connect(path) as conn:
        versions = {row[0] for row in conn.execute("SELECT DISTINCT facts_version FROM articles")}
        orphans = conn.execute("SELECT count(*) FROM amounts WHERE article_id NOT IN (SELECT id FROM articles)")
        assert orphans.fetchone()[0] == 0
    assert versions == {FACTS_VERSION}


def test_every_zone_name_is_stored_with_what_it_resolves_to(crawl):
    path, truth = crawl
    with connect(path) as conn:
        rows = {row["name"]: dict(row) for row in conn.execute("SELECT * FROM zones")}
    names = {article["zone"] for article in truth if article["zone"]}
    assert set(rows) == names
    resolved = 0
    for name in names:
        zone = resolve_zone(name) or {}
        for field in ("province", "city", "district", "type"):
            assert rows[name][field] == zone.get(field), (name, field)
        resolved += rows[name]["province"] is not None
    assert resolved >= 0.9 * len(names)


def test_export_facts_writes_one_row_per_amount_with_its_article_and_place(db):
    out = db.parent / "amounts.csv"
    result = CliRunner().invoke(cli, ["export", "--db", str(db), "--facts", "-o", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames) == FACT_EXPORT_COLUMNS
        rows = list(reader)
    with connect(db) as conn:
        count, total = conn.execute("SELECT count(*), sum(value) FROM amounts").fetchone()
        zone_of = {row["name"]: dict(row) for row in conn.execute("SELECT * FROM zones")}
    assert len(rows) == count > 0
    assert sum(int(row["value"]) for row in rows) == total
    for row in rows:
        assert row["text"] in row["sentence"]
        assert row["month"] == row["published_date"][:7]
        if row["zone"]:
            assert row["province"] == (zone_of[row["zone"]]["province"] or "")
    result = CliRunner().invoke(cli, ["export", "--db", str(db), "--facts", "--columns", "title"])
    assert result.exit_code == 2 and "--facts exports the amounts' own columns" in result.output


def test_stats_facts_sums_investment_by_province_as_the_tables_do(db):
    result = CliRunner().invoke(cli, ["stats", "--db", str(db), "--facts"])
    assert result.exit_code == 0, result.output
    with connect(db) as conn:
        count, articles = conn.execute("SELECT count(*), count(DISTINCT article_id) FROM amounts").fetchone()
        province, number, total = conn.execute(
            """SELECT z.province, count(*), sum(m.value) FROM amounts m JOIN articles a ON a.id = m.article_id
               JOIN zones z ON z.name = a.zone
               WHERE m.kind IN ('investment', 'contract') AND m.currency = 'CNY' AND z.province IS NOT NULL
               GROUP BY z.province ORDER BY sum(m.value) DESC LIMIT 1"""
        ).fetchone()
    assert f"{count:,} money amounts in {articles:,} of 120 articles" in result.output
    line = next(line for line in result.output.splitlines() if line.strip().startswith(province))
    assert line.split()[1:3] == [f"{number:,}", f"{total:,}"]


def test_reparse_computes_the_facts_an_archive_lacks_and_no_others(db):
    before = stored_amounts(db)
    result = CliRunner().invoke(cli, ["reparse", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "facts computed            0" in result.output  # a crawl's archive is up to date
    with connect(db) as conn:
        conn.execute("DELETE FROM amounts")
        conn.execute("DELETE FROM zones")
        conn.execute("UPDATE articles SET facts_version = NULL WHERE id % 2 = 0")
        stale = conn.execute("SELECT count(*) FROM articles WHERE facts_version IS NULL").fetchone()[0]
    dry = CliRunner().invoke(cli, ["reparse", "--db", str(db), "--dry-run"])
    assert f"facts computed     {stale:>8}" in dry.output
    assert sum(map(len, stored_amounts(db).values())) == 0  # a dry run writes nothing
    result = CliRunner().invoke(cli, ["reparse", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert f"facts computed     {stale:>8}" in result.output
    after = stored_amounts(db)
    for url, amounts in before.items():  # the odd ids were not recomputed: their amounts stay deleted
        assert after[url] in (amounts, [])
    with connect(db) as conn:
        recomputed = {urlsplit(url).path for (url,) in conn.execute("SELECT url FROM articles WHERE id % 2 = 0")}
        zones = conn.execute("SELECT count(*) FROM zones").fetchone()[0]
    assert all(after[url] == before[url] for url in recomputed)
    assert zones > 0


def test_an_archive_from_before_facts_is_refused_by_readers_and_upgraded_by_writers(db):
    with connect(db) as conn:
        conn.execute("DROP VIEW amount_facts")
        conn.execute("DROP TABLE amounts")
        conn.execute("DROP TABLE zones")
        conn.execute("ALTER TABLE articles DROP COLUMN facts_version")
        conn.execute("PRAGMA user_version = 4")  # the schema before facts
    for args in (["stats", "--facts"], ["export", "--facts"]):
        result = CliRunner().invoke(cli, [*args, "--db", str(db)])
        assert result.exit_code == 1
        assert "has no facts yet" in result.output and "investchn reparse" in result.output
        assert "Traceback" not in result.output
    result = CliRunner().invoke(cli, ["reparse", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "facts computed          120" in result.output
    with Archive(db, readonly=True) as archive:
        assert archive.db.execute("SELECT count(*) FROM amount_facts").fetchone()[0] > 100


def test_reparse_recomputes_facts_only_where_the_body_or_zone_changed(db):
    before = stored_amounts(db)
    with connect(db) as conn:
        ids = [row[0] for row in conn.execute("SELECT DISTINCT article_id FROM amounts ORDER BY article_id LIMIT 12")]
        source_only, body_too = ids[:8], ids[8:]
        marks = ",".join(map(str, ids))
        # A marker in the stored amounts shows whether reparse computed them again.
        conn.execute(f"UPDATE amounts SET text = 'marker' WHERE article_id IN ({marks})")
        conn.execute(f"UPDATE articles SET source = 'stale' WHERE id IN ({marks})")
        conn.execute(f"UPDATE articles SET body_text = 'stale' WHERE id IN ({','.join(map(str, body_too))})")
        urls = {i: urlsplit(u).path for i, u in conn.execute(f"SELECT id, url FROM articles WHERE id IN ({marks})")}
    result = CliRunner().invoke(cli, ["reparse", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert f"facts computed     {len(body_too):>8}" in result.output
    after = stored_amounts(db)
    assert all(after[urls[i]] == before[urls[i]] for i in body_too)  # computed again from the restored body
    assert all(after[urls[i]] and {a[0] for a in after[urls[i]]} == {"marker"} for i in source_only)  # kept
