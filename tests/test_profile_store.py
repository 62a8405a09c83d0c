"""The archive's template_profiles table: created when first written, read back by host, and the
pages a profile is learnt from sampled whatever order they were archived in."""

from __future__ import annotations

from conftest import article_record

from investchn_spider.store import Archive, Capture
from investchn_spider.store.profiles import TABLE, article_hosts, load_profiles, sample_pages, save_profile
from investchn_spider.store.quality import template_profile_lines

AT = "2026-11-01T08:00:00+00:00"


def profile(host: str, *texts: str) -> dict:
    lines = [{"text": text, "pattern": text, "position": "head", "pages": 9} for text in texts]
    return {"version": 1, "host": host, "pages": 40, "min_pages": 5, "share": 0.05, "threshold": 5, "lines": lines}


def test_profiles_are_stored_by_host_replaced_and_read_back_as_quality_reads_them(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        db = archive.db
        assert TABLE not in db.table_names() and load_profiles(db) == {}  # none learnt yet
        save_profile(db, profile("b.test", "◆ 园区观察第#期 ◆"), AT)
        save_profile(db, profile("a.test", "旧的一行"), AT)
        save_profile(db, profile("a.test", "新的一行"), "2026-11-02T08:00:00+00:00")
        expected = {"a.test": profile("a.test", "新的一行"), "b.test": profile("b.test", "◆ 园区观察第#期 ◆")}
        assert load_profiles(db) == expected
        assert template_profile_lines(db) == {"a.test": ["新的一行"], "b.test": ["◆ 园区观察第#期 ◆"]}
        row = next(db[TABLE].rows_where("host = 'a.test'"))
        assert (row["pages"], row["learned_at"], row["profile_version"]) == (40, "2026-11-02T08:00:00+00:00", 1)
        db.execute(f"INSERT INTO {TABLE} (host, profile) VALUES ('c.test', '{{not json'), ('d.test', '[1]')")
        assert set(load_profiles(db)) == {"a.test", "b.test"}  # what cannot be a profile is left out


def _archive_pages(archive: Archive, pages: list[tuple[str, str]]) -> None:
    with archive.transaction():
        for url, day in pages:
            capture_id = archive.add_capture(Capture(url, 200, {}, f"<p>{url}</p>".encode(), AT), None)
            record = article_record(url, f"标题{url}", f"正文{url}", published_date=day)
            archive.save_article(record, capture_id=capture_id, seen_at=AT, extractor_version="1")


def test_the_sample_is_the_newest_articles_of_the_host_whatever_the_crawl_order(tmp_path):
    pages = [(f"http://a.test/{n}.html", f"2024-05-{10 + n % 3:02d}") for n in range(9)]
    pages += [("http://B.test/x.html", "2024-06-01")]
    orders = [pages, pages[::-1]]
    samples = []
    for number, order in enumerate(orders):
        with Archive(tmp_path / f"{number}.db") as archive:
            _archive_pages(archive, order)
            assert article_hosts(archive.db) == {"a.test": 9, "b.test": 1}
            samples.append([url for url, _, _ in sample_pages(archive.db, "a.test", 4)])
            body = next(sample_pages(archive.db, "b.test", 5))[2]
            assert body == b"<p>http://B.test/x.html</p>"  # the capture's bytes, decompressed
    assert samples[0] == samples[1]
    # The newest day first (2024-05-12: pages 2, 5, 8), then the next day's smallest URL.
    assert samples[0] == [
        "http://a.test/2.html",
        "http://a.test/5.html",
        "http://a.test/8.html",
        "http://a.test/1.html",
    ]
