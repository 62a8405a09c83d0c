"""Template profiles end to end, on the replica's template E (a column whose bodies carry chrome no
single-page rule knows): a real crawl into a real archive, `investchn profile`, `investchn reparse`,
`investchn quality`, and a crawl into an archive that already has a profile."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3

import pytest
from click.testing import CliRunner
from conftest import run_investchn

from investchn_spider.cli import cli
from investchn_spider.extraction import EXTRACTOR_VERSION
from investchn_spider.extraction.profile import normalise
from investchn_spider.replica import ReplicaSite
from investchn_spider.replica.article_templates import column_lines
from investchn_spider.replica.content import CHROME_TEMPLATE, SHARED_LEAD, SHARED_LEAD_IDS
from investchn_spider.store import Archive
from investchn_spider.store.profiles import load_profiles, save_profile

SEED, ARTICLES = 5, 120
HOST = "127.0.0.1"


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def bodies(db) -> dict[str, str]:
    """The archived body_text by every URL path the article was seen at."""
    with Archive(db, create=False) as archive:
        return {url.split("/", 3)[3]: row["body_text"] for row in archive.iter_articles() for url in row["urls"]}


def count(output: str, label: str) -> int:
    """The number a command's summary prints after ``label``."""
    return int(re.search(rf"^  {label} +(\d+)", output, re.MULTILINE).group(1))


def rows(db, query: str, *params) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in conn.execute(query, params)]
    finally:
        conn.close()


def tables(db) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(db)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'runs' "
                "AND sql NOT LIKE 'CREATE VIRTUAL%'"
            )
        ]
        return {name: sorted(conn.execute(f"SELECT * FROM {name}").fetchall()) for name in names}
    finally:
        conn.close()


def column_articles(site: ReplicaSite) -> list[dict]:
    return [e for e in site.expected_articles() if site.meta(e["id"]).template == CHROME_TEMPLATE]


@pytest.fixture(scope="module")
def crawled(replica_factory, tmp_path_factory):
    """(server, archive) of a crawl of a template_chrome replica."""
    server = replica_factory(seed=SEED, articles=ARTICLES, template_chrome=True)
    db = tmp_path_factory.mktemp("profile") / "crawled.db"
    result = run_investchn("crawl", "--start-url", server.url, "--delay", "0", "--db", str(db))
    assert result.returncode == 0, result.stderr[-3000:]
    return server, db


@pytest.fixture(scope="module")
def profiled(crawled, tmp_path_factory):
    """(server, archive, the command's output): the crawled archive after `investchn profile`."""
    server, crawled_db = crawled
    db = tmp_path_factory.mktemp("profiled") / "profiled.db"
    shutil.copy(crawled_db, db)
    result = invoke("profile", "--db", str(db))
    assert result.exit_code == 0, result.output
    return server, db, result.output


@pytest.fixture
def copy_of(tmp_path):
    def copy(path):
        target = tmp_path / "copy.db"
        shutil.copy(path, target)
        return target

    return copy


# --- the replica ----------------------------------------------------------------------------------


def test_the_template_chrome_site_is_the_default_site_but_for_template_e_and_the_shared_lead():
    plain, column = (
        ReplicaSite(seed=SEED, articles=ARTICLES),
        ReplicaSite(seed=SEED, articles=ARTICLES, template_chrome=True),
    )
    templates = [column.meta(e["id"]).template for e in column.expected_articles()]
    assert 0.15 < templates.count(CHROME_TEMPLATE) / ARTICLES < 0.4
    for before, after in zip(plain.expected_articles(), column.expected_articles(), strict=True):
        if after["id"] in SHARED_LEAD_IDS:  # the reused lead opens the body, the rest is the article's
            assert after["body_text"] == SHARED_LEAD + "\n" + before["body_text"]
            after = {**after, "body_text": before["body_text"], "amounts": before["amounts"]}
            assert [
                a["start"] - len(SHARED_LEAD) - 1 for a in column.expected_articles()[after["id"] - 1]["amounts"]
            ] == [a["start"] for a in before["amounts"]]
        if column.meta(after["id"]).template == CHROME_TEMPLATE and after["published_at"]:
            # Template E shows the time to the minute (template A, which it may replace, to the second).
            assert after["published_at"][:16] == before["published_at"][:16]
            after = {**after, "published_at": before["published_at"]}
        assert after == before  # the ground truth has no column chrome: it is not the article


# --- the single-page rules do not know the column's chrome ----------------------------------------


def test_after_a_crawl_every_template_e_body_holds_the_column_lines_and_every_other_is_right(crawled):
    server, db = crawled
    site, archived = server.site, bodies(db)
    columns = column_articles(site)
    assert len(columns) >= 20 and any(e["pages"] > 1 for e in columns)  # some split over pages too
    for expected in site.expected_articles():
        body = archived[expected["urls"][0].lstrip("/")]
        if site.meta(expected["id"]).template == CHROME_TEMPLATE:
            banner, more = column_lines(expected["id"])
            assert body.count(banner) == body.count(more) == expected["pages"], expected["id"]  # on every page
            if expected["pages"] == 1 and not expected["attachments"]:
                assert body == "\n".join([banner, expected["body_text"], more])
        else:
            assert body == expected["body_text"], expected["id"]


# --- learning -------------------------------------------------------------------------------------


def test_profile_learns_the_column_lines_on_every_template_e_page_and_nothing_else(profiled):
    server, db, output = profiled
    columns = len(column_articles(server.site))
    banner, more = column_lines(1)
    (stored,) = rows(db, "SELECT * FROM template_profiles")
    profile = json.loads(stored["profile"])
    assert (stored["host"], stored["pages"], stored["profile_version"]) == (HOST, ARTICLES, 1)
    assert [(line["pattern"], line["position"], line["pages"]) for line in profile["lines"]] == [
        (normalise(banner), "head", columns),
        (normalise(more), "tail", columns),
    ]
    assert profile["threshold"] == 6  # max(5, 5% of 120)
    assert normalise(SHARED_LEAD) not in {line["pattern"] for line in profile["lines"]}  # 3 pages: not template
    assert f"{HOST}: {ARTICLES} pages read, 2 template line(s) (on ≥ 6 pages: max(5, 5% of 120))" in output
    assert (
        f"head {columns:>5} pages  ◆ 园区观察 第" in output
        and f"tail {columns:>5} pages  ▲ 点击进入「园区观察」专栏" in output
    )
    assert f"Run `investchn reparse --db {db}`" in output
    (run,) = rows(db, "SELECT * FROM runs WHERE json_extract(args, '$.command') = 'profile'")
    assert (run["status"], run["exit_code"]) == ("ok", 0)
    assert json.loads(run["stats"])["investchn/profile"][HOST] == {"pages": ARTICLES, "threshold": 6, "lines": 2}


def test_quality_shows_the_learnt_lines(profiled):
    _, db, _ = profiled
    result = invoke("quality", "--db", str(db), "--json")
    assert result.exit_code == 0, result.output
    lines = json.loads(result.output)["template_profiles"][HOST]
    assert [normalise(line) for line in lines] == [normalise(text) for text in column_lines(1)]
    assert "no template profile learned yet" not in invoke("quality", "--db", str(db)).output


def test_a_dry_run_learns_the_same_and_writes_nothing(crawled, copy_of):
    _, db = crawled
    db = copy_of(db)
    before = db.read_bytes()
    result = invoke("profile", "--db", str(db), "--dry-run", "--host", HOST)
    assert result.exit_code == 0, result.output
    assert "dry run, nothing written" in result.output and "2 template line(s)" in result.output
    assert (
        db.read_bytes() == before and rows(db, "SELECT name FROM sqlite_master WHERE name = 'template_profiles'") == []
    )


def test_too_small_a_sample_stores_no_profile(crawled, copy_of):
    _, db = crawled
    db = copy_of(db)
    result = invoke("profile", "--db", str(db), "--sample", "19")
    assert result.exit_code == 0, result.output
    assert "19 page(s) read, fewer than 20: nothing learnt" in result.output
    with Archive(db, readonly=True) as archive:
        assert load_profiles(archive.db) == {}


def test_profile_refuses_what_is_not_an_archive_in_one_line(tmp_path):
    (tmp_path / "notes.db").write_text("not a database")
    for path, message in (("missing.db", "no archive at"), ("notes.db", "is not an investchn archive")):
        result = invoke("profile", "--db", str(tmp_path / path))
        assert result.exit_code == 1 and message in result.output
        assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "missing.db").exists() and not (tmp_path / "notes.db.lock").exists()


def test_an_unknown_host_is_refused_naming_the_archive_s_hosts(profiled):
    _, db, _ = profiled
    result = invoke("profile", "--db", str(db), "--host", "www.investchn.com", "--dry-run")
    assert result.exit_code == 1 and f"hosts in the archive: {HOST}" in result.output


# --- applying -------------------------------------------------------------------------------------


def test_reparse_removes_the_learnt_lines_from_every_page_and_a_second_reparse_changes_nothing(profiled, copy_of):
    server, db, _ = profiled
    db = copy_of(db)
    site = server.site
    columns = column_articles(site)
    result = invoke("reparse", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert (count(result.output, "records changed"), count(result.output, "merged")) == (len(columns), 0)
    archived = bodies(db)
    for expected in site.expected_articles():  # every article is now what a reader reads, lead sentence kept
        assert archived[expected["urls"][0].lstrip("/")] == expected["body_text"], expected["id"]
    for lead in SHARED_LEAD_IDS:
        assert archived[site.expected_articles()[lead - 1]["urls"][0].lstrip("/")].startswith(SHARED_LEAD)
    versions = rows(db, "SELECT article_id, body_text, extractor_version FROM article_versions")
    assert len(versions) == len(columns)
    assert all(column_lines(1)[0][:8] in version["body_text"] for version in versions)  # the bodies before
    assert {row["extractor_version"] for row in rows(db, "SELECT extractor_version FROM articles")} == {
        EXTRACTOR_VERSION
    }
    before = tables(db)
    again = invoke("reparse", "--db", str(db))
    assert again.exit_code == 0 and count(again.output, "records changed") == 0
    assert tables(db) == before


def test_a_crawl_into_an_archive_with_a_profile_stores_clean_records(profiled, replica_factory, tmp_path):
    _, profiled_db, _ = profiled
    with Archive(profiled_db, readonly=True) as archive:
        (profile,) = load_profiles(archive.db).values()
    # A larger site: its 40 newer articles carry issue numbers the profile never saw.
    server = replica_factory(seed=SEED, articles=ARTICLES + 40, template_chrome=True)
    db = tmp_path / "fresh.db"
    with Archive(db) as archive, archive.transaction():
        save_profile(archive.db, profile, "2026-11-01T08:00:00+00:00")
    result = run_investchn("crawl", "--start-url", server.url, "--delay", "0", "--db", str(db))
    assert result.returncode == 0, result.stderr[-3000:]
    archived = bodies(db)
    site = server.site
    assert len(column_articles(site)) > len([e for e in column_articles(site) if e["id"] <= ARTICLES])
    for expected in site.expected_articles():
        assert archived[expected["urls"][0].lstrip("/")] == expected["body_text"], expected["id"]
    (run,) = rows(db, "SELECT stats FROM runs")
    assert json.loads(run["stats"])["investchn/template_profiles"] == [HOST]
