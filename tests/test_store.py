"""The archive on a real SQLite file: schema, dedup by URL and by content, versions, failures, captures."""

from __future__ import annotations

import sqlite3

import pytest

from investchn_spider.extraction import content_hash
from investchn_spider.store import Archive, ArchiveError, Capture

URL = "http://www.investchn.com/kfqxw/ypq/1.html"


def record(url: str = URL, title: str = "园区招商推介会举行", body: str = "第一段。\n第二段。") -> dict:
    """Return a record as extract_article would."""
    return {
        "url": url,
        "title": title,
        "published_date": "2022-09-13",
        "published_at": None,
        "source": "杨浦区人民政府",
        "zone": "张江高新区杨浦园",
        "breadcrumb": ["首页", "开发区新闻", "杨浦区", "文字新闻"],
        "district": "杨浦区",
        "category": "文字新闻",
        "body_text": body,
        "images": [],
        "attachments": [],
        "content_hash": content_hash(title, "2022-09-13", body),
    }


def save(archive: Archive, rec: dict, at: str = "2026-01-01T00:00:00+00:00") -> str:
    with archive.transaction():
        return archive.save_article(rec, capture_id=None, seen_at=at, extractor_version="1")


@pytest.fixture
def archive(tmp_path):
    with Archive(tmp_path / "archive.db") as opened:
        yield opened


def test_archive_creates_schema_on_first_use(tmp_path):
    path = tmp_path / "new.db"
    Archive(path).close()
    with sqlite3.connect(path) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        assert {
            "runs",
            "captures",
            "articles",
            "article_versions",
            "article_urls",
            "url_sections",
            "failures",
            "article_sections",
        } <= tables
        assert conn.execute("PRAGMA user_version").fetchone()[0] >= 1
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_archive_same_url_twice_is_one_article(archive):
    assert save(archive, record()) == "new"
    assert save(archive, record(), at="2026-01-02T00:00:00+00:00") == "seen"
    assert archive.counts()["articles"] == 1
    row = next(archive.iter_articles())
    assert (row["first_seen_at"], row["last_seen_at"]) == ("2026-01-01T00:00:00+00:00", "2026-01-02T00:00:00+00:00")


def test_archive_same_content_at_two_urls_is_one_article_with_both_urls(archive):
    assert save(archive, record()) == "new"
    assert save(archive, record(url="http://www.investchn.com/news/show.php?id=9")) == "merged"
    rows = list(archive.iter_articles())
    assert len(rows) == 1
    assert sorted(rows[0]["urls"]) == [
        "http://www.investchn.com/kfqxw/ypq/1.html",
        "http://www.investchn.com/news/show.php?id=9",
    ]


def test_archive_url_variants_are_one_url(archive):
    save(archive, record())
    assert save(archive, record(url="HTTP://WWW.INVESTCHN.COM:80/kfqxw/ypq/1.html#top")) == "seen"
    assert archive.counts()["article_urls"] == 1


def test_archive_changed_content_keeps_the_earlier_version(archive, tmp_path):
    save(archive, record())
    assert save(archive, record(body="第一段。\n第二段（更正）。"), at="2026-02-01T00:00:00+00:00") == "changed"
    rows = list(archive.iter_articles())
    assert len(rows) == 1 and rows[0]["body_text"].endswith("（更正）。")
    versions = list(archive.db.query("SELECT body_text, valid_until FROM article_versions"))
    assert versions == [{"body_text": "第一段。\n第二段。", "valid_until": "2026-02-01T00:00:00+00:00"}]


def test_archive_sightings_give_article_sections(archive):
    save(archive, record())
    with archive.transaction():
        for district, category in (("杨浦区", "文字新闻"), ("浦东新区", "图片新闻"), ("杨浦区", "文字新闻")):
            archive.record_sighting(
                URL,
                district=district,
                category=category,
                list_url="http://x/list",
                listed_title="t",
                listed_date="2022-09-13",
                seen_at="2026-01-01T00:00:00+00:00",
            )
    assert next(archive.iter_articles())["sections"] == ["杨浦区/文字新闻", "浦东新区/图片新闻"]


def test_archive_failures_count_attempts_and_resolve(archive):
    for _ in range(3):
        with archive.transaction():
            archive.record_failure(URL, kind="http", reason="HTTP 500", status=500, run_id=None, at="t")
    with archive.transaction():
        archive.resolve_failure(URL, "later")
    rows = list(archive.db.query("SELECT attempts, resolved_at FROM failures"))
    assert rows == [{"attempts": 3, "resolved_at": "later"}]


def test_archive_capture_round_trips_and_is_not_stored_twice(archive):
    body = "<html>发布时间：2022-09-13</html>".encode("gbk")
    capture = Capture(URL, 200, {"Content-Type": ["text/html; charset=gbk"]}, body, "2026-01-01T00:00:00+00:00", "gbk")
    with archive.transaction():
        first = archive.add_capture(capture, None)
        again = archive.add_capture(capture, None)
    assert first == again
    assert archive.capture_body(first) == body
    assert archive.counts()["captures"] == 1


def test_archive_rejects_a_file_that_is_not_sqlite(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("not a database at all, just text " * 100)
    with pytest.raises(ArchiveError, match="not an investchn archive"):
        Archive(path)
    assert path.read_text().startswith("not a database")  # untouched


def test_archive_rejects_an_sqlite_file_of_another_application(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE things (id INTEGER)")
    with pytest.raises(ArchiveError, match="not an investchn archive"):
        Archive(path)


def test_archive_rejects_a_missing_folder(tmp_path):
    with pytest.raises(ArchiveError, match="does not exist"):
        Archive(tmp_path / "no" / "such" / "archive.db")


SMALLER = "http://www.investchn.com/kfqxw/bhxq/tpxw/2.html"  # sorts before URL
REPOST_FIELDS = {
    "district": "滨海新区",
    "category": "图片新闻",
    "breadcrumb": ["首页", "开发区新闻", "滨海新区", "图片新闻"],
}
ORDER_FREE = ("url", "title", "breadcrumb", "district", "category", "content_hash", "body_text")


def save_page(archive: Archive, rec: dict, at: str) -> str:
    """Store ``rec`` with a capture of its own, as the crawl does; return the outcome."""
    capture = Capture(rec["url"], 200, {}, f"<html>{rec['district']}</html>".encode(), at)
    with archive.transaction():
        capture_id = archive.add_capture(capture, None)
        return archive.save_article(rec, capture_id=capture_id, seen_at=at, extractor_version="1")


def record_rows(archive: Archive) -> list[tuple]:
    """Return each article's order-free fields, its URLs and the URL of its record's capture."""
    rows = archive.db.execute(
        f"""SELECT {", ".join(f"a.{c}" for c in ORDER_FREE)}, c.url FROM articles a
            LEFT JOIN captures c ON c.id = a.capture_id ORDER BY a.url"""
    ).fetchall()
    return [(*row, next(r["urls"] for r in archive.iter_articles() if r["url"] == row[0])) for row in rows]


@pytest.mark.parametrize("smaller_first", [True, False])
def test_archive_repost_takes_the_record_of_its_smallest_url_whatever_the_order(tmp_path, smaller_first):
    from investchn_spider.store.queries import ArticleFilter, search_articles
    from investchn_spider.store.search import parse_query

    pages = [record(url=SMALLER) | REPOST_FIELDS, record()]
    with Archive(tmp_path / "archive.db") as archive:
        outcomes = [
            save_page(archive, rec, f"2026-01-0{day}T00:00:00+00:00")
            for day, rec in enumerate(pages if smaller_first else pages[::-1], start=1)
        ]
        assert outcomes == ["new", "merged"]
        [row] = record_rows(archive)
        assert row[:5] == (
            SMALLER,
            "园区招商推介会举行",
            '["首页", "开发区新闻", "滨海新区", "图片新闻"]',
            "滨海新区",
            "图片新闻",
        )
        assert row[-2] == SMALLER  # the record's capture is that page's
        assert row[-1] == [SMALLER, URL]  # every URL kept, sorted
        # The search index follows the re-pointed district.
        for district, found in (("滨海新区", 1), ("杨浦区", 0)):
            selection = ArticleFilter(search=parse_query("园区"), districts=(district,))
            assert search_articles(archive.db, selection).total == found


@pytest.mark.parametrize("smaller_first", [True, False])
def test_archive_content_changed_at_every_url_ends_with_the_smallest_urls_record(tmp_path, smaller_first):
    changed = "第一段。\n第二段（更正）。"
    with Archive(tmp_path / "archive.db") as archive:
        save_page(archive, record(), "2026-01-01T00:00:00+00:00")
        save_page(archive, record(url=SMALLER) | REPOST_FIELDS, "2026-01-01T00:00:00+00:00")
        pages = [record(url=SMALLER, body=changed) | REPOST_FIELDS, record(body=changed)]
        outcomes = [
            save_page(archive, rec, "2026-02-01T00:00:00+00:00") for rec in (pages if smaller_first else pages[::-1])
        ]
        assert outcomes == ["changed", "seen"]
        [row] = record_rows(archive)
        assert (row[0], row[3], row[-2], row[-1]) == (SMALLER, "滨海新区", SMALLER, [SMALLER, URL])
        assert row[6].endswith("（更正）。")
        assert archive.db.execute("SELECT district, body_text FROM article_versions").fetchall() == [
            ("滨海新区", "第一段。\n第二段。")
        ]
