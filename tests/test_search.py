"""Search: the index returns exactly what a brute-force substring scan returns, for words of any length."""

from __future__ import annotations

import random
import sqlite3

import pytest
from click.testing import CliRunner
from conftest import article_record, replica_archive

from investchn_spider import exitcodes
from investchn_spider.cli import cli
from investchn_spider.extraction import EXTRACTOR_VERSION
from investchn_spider.store import Archive, search
from investchn_spider.store.queries import ArticleFilter, search_articles

# Articles made to trip an index: words split by a line break, by the title/body boundary or by a
# space; Latin letters in both cases; FTS5 syntax and quotes inside the text; one-character texts.
EDGE_ARTICLES = [
    article_record(
        "http://x.test/e1", "5G基站与AI园", "区第一行园\n区第二行。Hello World", "2024-05-06", district="浦东新区"
    ),
    article_record(
        "http://x.test/e2", "招商", '标点：“四个结合”*AND(OR)-"引号" NOT ^x', "2023-01-02", district="青浦区"
    ),
    article_record("http://x.test/e3", "港", "港", "2022-02-02", district="嘉定区"),
    article_record(
        "http://x.test/e4", "开创新局面 苏州工业园区", "ai ＡＩ Ａi 全角与半角", "2024-05-06", district="浦东新区"
    ),
    article_record("http://x.test/e5", "空正文", "", "2025-12-31", district="青浦区", zone="青浦工业园区"),
]
FIXED_QUERIES = [
    "园区",
    "招商",
    "基层",
    "园",
    "港",
    "区",
    "人工智能",
    "张江科学城",
    "园区 人工智能",
    "基层 医疗 签约",
    "ai",
    "AI",
    "hello world",
    "HELLO",
    "5g",
    "ＡＩ",
    "“四个结合”",
    '"引号"',
    "*AND(OR)-",
    "AND",
    "OR",
    "NOT",
    "-",
    "^x",
    '"',
    "园\n区",
    "与AI园区",
    "行园区",
    "面苏",
    "区块链",
    "氢",
    "开创新局面 苏州",
]


def brute_force(rows, words, since=None, until=None, districts=()):
    """Return the ids of the articles that contain every word in title or body: a plain scan, no index."""
    words = [word.lower() for word in words]
    return {
        article_id
        for article_id, title, body, published_date, district in rows
        if all(word in title.lower() or word in (body or "").lower() for word in words)
        and (not since or published_date >= since)
        and (not until or published_date <= until)
        and (not districts or district in districts)
    }


def newest_first(rows, ids):
    order = {row[0]: (row[3], row[0]) for row in rows}
    return sorted(ids, key=lambda article_id: order[article_id], reverse=True)


def all_rows(db):
    return db.execute("SELECT id, title, body_text, published_date, district FROM articles").fetchall()


def sampled_queries(rows, count: int, seed: int) -> list[str]:
    """Return ``count`` queries cut from the archive's own texts: 1 to 6 characters, one to three words."""
    rng = random.Random(seed)
    queries = []
    while len(queries) < count:
        words = []
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            _, title, body, _, _ = rng.choice(rows)
            text = rng.choice((title, body or title))
            length = rng.choice((1, 2, 2, 2, 3, 4, 6))
            start = rng.randrange(max(1, len(text) - length + 1))
            words.append(text[start : start + length])
        if " ".join(words).split():  # a cut of only whitespace is no query
            queries.append(" ".join(words))
    return queries


def index_ids(db, query):
    sql, params = search.match_sql(search.parse_query(query))
    return {row[0] for row in db.execute(f"SELECT id FROM articles WHERE id IN ({sql})", params)}


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("search") / "archive.db"
    replica_archive(path, seed=11, articles=300, extra=EDGE_ARTICLES)
    with Archive(path, create=False) as opened:
        yield opened


def test_search_matches_brute_force_for_fixed_and_sampled_queries(archive):
    rows = all_rows(archive.db)
    queries = FIXED_QUERIES + sampled_queries(rows, 250, seed=7)
    assert any(len(query) <= 2 for query in queries) and any(len(query) >= 3 for query in queries)
    for query in queries:
        words = search.parse_query(query).words
        expected = brute_force(rows, words)
        assert index_ids(archive.db, query) == expected, query
        assert search.count_matches(archive.db, search.parse_query(query)) == len(expected), query


def test_search_two_character_words_are_found_and_common(archive):
    rows = all_rows(archive.db)
    for word in ("园区", "招商", "基层"):
        expected = brute_force(rows, [word])
        assert len(expected) > 20, word  # the case trigram indexes cannot answer: common two-character words
        assert index_ids(archive.db, word) == expected


def test_search_does_not_match_across_a_line_break_a_space_or_title_and_body(archive):
    ids = {row[1]: row[0] for row in archive.db.execute("SELECT id, url FROM articles")}
    assert ids["http://x.test/e1"] not in index_ids(archive.db, "园区")  # 园 + title end / 园\n区
    assert ids["http://x.test/e4"] not in index_ids(archive.db, "面苏")  # 新局面 苏州
    assert ids["http://x.test/e4"] in index_ids(archive.db, "局面 苏州")
    assert ids["http://x.test/e2"] in index_ids(archive.db, '*AND(OR)-"引号"')


def test_search_newest_first_with_filters_matches_brute_force(archive):
    rows = all_rows(archive.db)
    cases = [
        ("园区", {}),
        ("园区", {"districts": ("青浦区",)}),
        ("招商 签约", {"districts": ("浦东新区", "嘉定区")}),
        ("人工智能", {"since": "2024-06-01", "until": "2024-09-30"}),
        ("港", {"since": "2022-02-02", "until": "2022-02-02"}),
        ("园", {"until": "2024-05-06", "districts": ("浦东新区",)}),
    ]
    for text, filters in cases:
        query = search.parse_query(text)
        expected = newest_first(rows, brute_force(rows, query.words, **filters))
        results = search_articles(archive.db, ArticleFilter(search=query, **filters), limit=7)
        assert results.total == len(expected), (text, filters)
        assert [hit.id for hit in results.hits] == expected[:7], (text, filters)


def test_search_with_zone_filter_uses_the_general_path(archive):
    query = search.parse_query("正文")
    results = search_articles(archive.db, ArticleFilter(search=query, zones=("青浦工业园区",)))
    assert [hit.title for hit in results.hits] == ["空正文"] and results.total == 1


def test_search_snippet_marks_the_words(archive):
    query = search.parse_query("园区")
    results = search_articles(archive.db, ArticleFilter(search=query), limit=5)
    for hit in results.hits:
        assert len(hit.snippet) <= 42 and "\n" not in hit.snippet
        assert all(hit.snippet[start:end] == "园区" for start, end in hit.marks)
        assert hit.marks or "园区" in hit.title


def test_search_index_follows_changed_and_deleted_articles(tmp_path):
    path = tmp_path / "a.db"
    replica_archive(path, seed=2, articles=30)
    with Archive(path) as archive:
        first, second, third = (row[0] for row in archive.db.execute("SELECT id FROM articles ORDER BY id LIMIT 3"))
        url, title, date = archive.db.execute(
            "SELECT url, title, published_date FROM articles WHERE id = ?", [first]
        ).fetchone()
        with archive.transaction():  # the same URL now shows other content: a changed article
            outcome = archive.save_article(
                article_record(url, title, "独角兽企业落户", date),
                capture_id=None,
                seen_at="2026-11-03T00:00:00+00:00",
                extractor_version=EXTRACTOR_VERSION,
            )
        assert outcome == "changed"
        assert index_ids(archive.db, "独角兽") == {first}
        # Another program writes the archive directly: its changes are queued, then indexed.
        archive.db.execute(
            "UPDATE articles SET title = '麒麟计划', published_date = '2030-01-01' WHERE id = ?", [second]
        )
        archive.db.execute("DELETE FROM articles WHERE id = ?", [third])
        assert search.sync_index(archive.db) == 2
        assert index_ids(archive.db, "麒麟") == {second}
        assert search.newest_matches(archive.db, search.parse_query("麒麟"), 1, since="2030-01-01") == [second]
        rows = all_rows(archive.db)
        for query in [*FIXED_QUERIES, *sampled_queries(rows, 60, seed=3)]:
            assert index_ids(archive.db, query) == brute_force(rows, search.parse_query(query).words), query
        assert archive.db.execute("SELECT count(*) FROM search_pending").fetchone()[0] == 0


def test_an_archive_from_before_search_is_indexed_when_opened(tmp_path):
    path = tmp_path / "old.db"
    replica_archive(path, seed=4, articles=40)
    with Archive(path) as archive:  # make it what an archive of schema 1 looked like: no search tables
        for trigger in ("articles_search_insert", "articles_search_update", "articles_search_delete"):
            archive.db.execute(f"DROP TRIGGER {trigger}")
        archive.db.execute("DROP TABLE article_search")
        archive.db.execute("DROP TABLE search_pending")
        archive.db.execute("PRAGMA user_version = 1")
    with Archive(path) as archive:
        rows = all_rows(archive.db)
        assert "article_search" in archive.db.table_names()
        for query in ("园区", "招商 人工智能", "港"):
            expected = brute_force(rows, search.parse_query(query).words)
            assert expected and index_ids(archive.db, query) == expected


def test_create_index_twice_changes_nothing(tmp_path):
    path = tmp_path / "a.db"
    replica_archive(path, seed=6, articles=20)
    with Archive(path) as archive:
        before = search.count_matches(archive.db, search.parse_query("园区"))
        search.create_index(archive.db)
        assert search.count_matches(archive.db, search.parse_query("园区")) == before > 0


def test_parse_query_rejects_an_empty_query():
    with pytest.raises(search.SearchError):
        search.parse_query("   \u3000 ")


# --- the command ------------------------------------------------------------------------------


def test_search_command_prints_newest_hits_with_date_district_zone_title_snippet(archive):
    rows = all_rows(archive.db)
    expected = newest_first(rows, brute_force(rows, ["园区"]))[:3]
    result = CliRunner().invoke(cli, ["search", "园区", "--db", str(archive.path), "--limit", "3"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        f'{len(brute_force(rows, ["园区"])):,} articles contain "园区", the newest 3 shown.'
    )
    info = {
        row[0]: row[1:]
        for row in archive.db.execute("SELECT id, published_date, district, zone, title, url FROM articles")
    }
    positions = []
    for article_id in expected:
        published_date, district, zone, title, url = info[article_id]
        heading = "  ".join(part for part in (published_date, district, zone) if part)
        assert heading in result.output and title in result.output and url in result.output
        positions.append(result.output.index(url))
    assert positions == sorted(positions)  # newest first


def test_search_command_filters_by_district_and_dates(archive):
    result = CliRunner().invoke(
        cli, ["search", "港", "--db", str(archive.path), "--district", "嘉定区", "--until", "2022-12-31"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith('1 article contains "港".')
    assert "http://x.test/e3" in result.output


def test_search_command_without_match_says_so(archive):
    result = CliRunner().invoke(cli, ["search", "区块链", "--db", str(archive.path)])
    assert result.exit_code == 0 and result.output == 'No article contains "区块链".\n'


@pytest.mark.parametrize(
    ("args", "code", "phrase"),
    [
        (["search", "  "], exitcodes.ERROR, "empty"),
        (["search", "园区", "--since", "2024-13-01"], exitcodes.USAGE, "YYYY-MM-DD"),
        (["search", "园区", "--since", "yesterday"], exitcodes.USAGE, "YYYY-MM-DD"),
        (["search", "园区", "--since", "2024-05-01", "--until", "2024-04-01"], exitcodes.USAGE, "after --until"),
        (["search", "园区", "--limit", "0"], exitcodes.USAGE, "--limit"),
    ],
)
def test_search_command_bad_input_is_one_clear_error(archive, args, code, phrase):
    result = CliRunner().invoke(cli, [*args, "--db", str(archive.path)])
    assert result.exit_code == code, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and phrase in errors[0]
    assert "Traceback" not in result.output


def test_search_command_missing_archive_exits_1(tmp_path):
    result = CliRunner().invoke(cli, ["search", "园区", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == exitcodes.ERROR and "no archive" in result.output


def test_search_index_survives_sqlite_integrity_check(archive):
    # FTS5's own check of the index structure (segments, doclists) after all the writes above.
    try:
        archive.db.execute("INSERT INTO article_search (article_search) VALUES ('integrity-check')")
    except sqlite3.DatabaseError as error:  # pragma: no cover - shown when it fails
        pytest.fail(f"FTS5 integrity-check failed: {error}")


def _cli_ids(archive, result) -> set[int]:
    """The ids of the articles whose URLs a search command printed."""
    urls = {line.strip() for line in result.output.splitlines() if line.startswith("  http")}
    return {row[0] for row in archive.db.execute("SELECT id, url FROM articles") if row[1] in urls}


@pytest.mark.parametrize(("option", "column"), [("--zone", "zone"), ("--source", "source"), ("--category", "category")])
def test_search_command_takes_exports_field_filters(archive, option, column):
    value, count = archive.db.execute(
        f"SELECT {column}, count(*) FROM articles WHERE {column} IS NOT NULL AND body_text LIKE '%园区%' "
        f"GROUP BY {column} ORDER BY 2 DESC, 1 LIMIT 1"
    ).fetchone()
    result = CliRunner().invoke(cli, ["search", "园区", option, value, "--limit", "1000", "--db", str(archive.path)])
    assert result.exit_code == 0, result.output
    rows = all_rows(archive.db)
    wanted = {
        row[0] for row in archive.db.execute(f"SELECT id FROM articles WHERE {column} = ?", [value])
    } & brute_force(rows, ["园区"])
    assert len(wanted) >= count and _cli_ids(archive, result) == wanted


def test_a_filter_value_no_article_has_is_named_with_the_values_that_exist(archive):
    result = CliRunner().invoke(cli, ["search", "园区", "--zone", "无此开发区", "--db", str(archive.path)])
    assert result.exit_code == 0
    top = archive.db.execute(
        "SELECT zone FROM articles WHERE zone IS NOT NULL GROUP BY zone ORDER BY count(*) DESC, zone LIMIT 1"
    ).fetchone()[0]
    notice = [line for line in result.output.splitlines() if line.startswith("No article has zone")]
    assert notice and "'无此开发区'" in notice[0] and f"{top} (" in notice[0]


@pytest.mark.parametrize(
    ("typed", "echoed"),
    [("Park 园区", '"Park 园区"'), ('"园区" 招商', "'\"园区\" 招商'"), ("-区块链", '"-区块链"')],
)
def test_search_command_echoes_the_query_as_typed(archive, typed, echoed):
    # A query starting with "-" goes after "--", the options before it.
    result = CliRunner().invoke(cli, ["search", "--db", str(archive.path), "--", typed])
    assert result.exit_code == 0, result.output
    assert f"contain {echoed}" in result.output or f"contains {echoed}" in result.output
