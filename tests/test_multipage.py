"""Articles split over several pages (第1页 / 下一页): found by their pager, fetched whole, stored as one record."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_investchn

from investchn_spider.extraction import content_hash, extract_from_document, parse_document
from investchn_spider.extraction.chrome import is_pager_line
from investchn_spider.extraction.lines import Line, Link
from investchn_spider.extraction.pager import combine_pages, continuation_pages, page_number
from investchn_spider.store import Archive

ROOT = Path(__file__).resolve().parent.parent
SEED, ARTICLES = 5, 40  # 5 articles split over pages: 2 and 3 pages, two pager styles, one reposted
ARTICLE_URL = "http://zone.example.cn/kfqxw/ypq/wzxw/202409/t20240927_4000897.html"
TEXT = [
    "9月27日，杨浦区举行重大项目集中签约仪式，十个项目落户园区，总投资超过五十亿元。",
    "签约企业代表表示，将在园区设立研发总部，带动上下游企业集聚发展。",
]


def _page(pager: str, url: str = ARTICLE_URL, body: list[str] = TEXT, extra: str = "") -> str:
    paragraphs = "".join(f"<p>{text}</p>" for text in body)
    return f"""<html><head><meta charset="utf-8"><title>重大项目集中签约 - 投促中国</title></head><body>
<div>您现在的位置：<a href="/">首页</a> &gt; <a href="/kfqxw/">开发区新闻</a> &gt;
<a href="/kfqxw/ypq/">杨浦区</a> &gt; <a href="/kfqxw/ypq/wzxw/">文字新闻</a></div>
<h1>重大项目集中签约</h1><div>发布时间：2024-09-27 10:20 来源：杨浦区人民政府</div>
<div class="content">{paragraphs}</div>
{pager}
<p>上一条：<a href="t20240926_4000894.html">园区召开企业服务座谈会</a></p>
<p>下一条：<a href="t20240928_4000900.html">滨江创新带发布产业政策</a></p>
{extra}
<div>Copyright © 投促中国</div></body></html>"""


def _continuations(html: str, url: str = ARTICLE_URL, first_url: str | None = None) -> list[str]:
    return continuation_pages(parse_document(html, url, "utf-8"), first_url)


def _stem(url: str = ARTICLE_URL) -> str:
    return url.removesuffix(".html")


# -- the pager, in the styles of the CMSs ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("pager", "numbers"),
    [
        (
            '<div>第1页 <a href="t20240927_4000897_1.html">第2页</a> '
            '<a href="t20240927_4000897_2.html">第3页</a></div>',
            [1, 2],
        ),
        (
            '<div class="pages">上一页 1 <a href="./t20240927_4000897_2.html">2</a> '
            '<a href="./t20240927_4000897_3.html">3</a> <a href="./t20240927_4000897_2.html">下一页</a></div>',
            [2, 3],
        ),
        ('<p>[1] <a href="t20240927_4000897_2.html">[2]</a> <a href="t20240927_4000897_3.html">[3]</a></p>', [2, 3]),
        (
            '<div>共3页&nbsp;首页&nbsp;上一页&nbsp;<a href="t20240927_4000897_1.html">下一页</a>&nbsp;'
            '<a href="t20240927_4000897_2.html">尾页</a></div>',
            [1, 2],
        ),
        # <li> per page, each a line of its own, the current one linked to "#" (DedeCMS pagelist)
        (
            '<ul class="pagelist"><li><a href="#">1</a></li><li><a href="t20240927_4000897_2.html">2</a></li>'
            '<li><a href="t20240927_4000897_2.html">下一页</a></li></ul>',
            [2],
        ),
    ],
    ids=["di-n-ye", "prev-numbers-next", "bracketed", "gong-n-ye-chain", "dede-pagelist"],
)
def test_pager_styles_give_the_continuation_pages_in_order(pager, numbers):
    assert _continuations(_page(pager)) == [f"{_stem()}_{number}.html" for number in numbers]


def test_query_string_pages_and_folder_pages():
    url = "http://zone.example.cn/news/show.php?id=57&cid=3"
    pager = (
        '<div>第1页 <a href="show.php?cid=3&id=57&page=2">第2页</a> '
        '<a href="show.php?id=57&cid=3&page=3">第3页</a></div>'
    )
    assert _continuations(_page(pager, url), url) == [
        "http://zone.example.cn/news/show.php?cid=3&id=57&page=2",
        "http://zone.example.cn/news/show.php?id=57&cid=3&page=3",
    ]
    folder = "http://zone.example.cn/news/2024/0927/"
    assert _continuations(_page('<div>[1] <a href="index_1.html">[2]</a></div>', folder), folder) == [
        folder + "index_1.html"
    ]


def test_a_continuation_page_gives_the_pages_after_it_not_page_one_nor_itself():
    page2 = f"{_stem()}_1.html"
    pager = (
        f'<div>共3页 <a href="{ARTICLE_URL}">首页</a> <a href="{ARTICLE_URL}">上一页</a> '
        f'<a href="{_stem()}_2.html">下一页</a> <a href="{_stem()}_2.html">尾页</a> <a href="{page2}">2</a></div>'
    )
    assert _continuations(_page(pager, page2), page2, ARTICLE_URL) == [f"{_stem()}_2.html"]


@pytest.mark.parametrize(
    "look_alike",
    [
        "",  # 上一条 / 下一条 only (in every page here)
        # a 相关新闻 list whose titles are numbered, linking other articles
        '<div><h3>相关新闻</h3><ul><li><a href="t20240920_4000800.html">1</a></li>'
        '<li><a href="t20240921_4000803.html">2</a></li></ul></div>',
        # page tokens linking another article's pages, or another host
        '<div>第1页 <a href="t20240928_4000900_1.html">第2页</a></div>',
        '<div>第1页 <a href="http://other.example.cn/kfqxw/ypq/wzxw/202409/t20240927_4000897_1.html">第2页</a></div>',
        # a continuation-shaped link whose text is a title, not a page token
        '<div><a href="t20240927_4000897_1.html">园区召开企业服务座谈会</a></div>',
    ],
    ids=["prev-next-article", "related-numbered", "other-article", "other-host", "titled-link"],
)
def test_links_that_only_look_like_a_pager_are_not_pages(look_alike):
    assert _continuations(_page(look_alike)) == []


def test_a_list_page_pager_is_not_an_article_pager():
    items = "".join(
        f'<li><a href="202409/t202409{day:02d}_40008{day:02d}.html">园区重大项目第{day}批集中签约仪式举行</a>'
        f"<span>2024-09-{day:02d}</span></li>"
        for day in range(1, 16)
    )
    listing = f"""<html><body><div>您现在的位置：<a href="/">首页</a> &gt; <a href="/kfqxw/">开发区新闻</a> &gt;
    <a href="/kfqxw/ypq/">杨浦区</a> &gt; 文字新闻</div><ul>{items}</ul>
    <div>共5页 首页 上一页 <a href="index_1.html">2</a> <a href="index_1.html">下一页</a> 尾页</div></body></html>"""
    url = "http://zone.example.cn/kfqxw/ypq/wzxw/index.html"
    assert _continuations(listing, url) == []


def test_pager_lines_stay_out_of_the_body_and_figures_stay_in():
    pagers = [
        '<div>第1页 <a href="t20240927_4000897_1.html">第2页</a></div>',
        '<div>共2页 首页 上一页 <a href="t20240927_4000897_1.html">下一页</a> '
        '<a href="t20240927_4000897_1.html">尾页</a></div>',
        '<ul><li>第1页</li><li><a href="t20240927_4000897_1.html">第2页</a></li></ul>',
    ]
    for pager in pagers:
        record = extract_from_document(parse_document(_page(pager), ARTICLE_URL, "utf-8"))
        assert record["body_text"] == "\n".join(TEXT), pager
    figures = [*TEXT, "1 2 3"]  # a row of figures, no links: data
    record = extract_from_document(parse_document(_page("", body=figures), ARTICLE_URL, "utf-8"))
    assert record["body_text"] == "\n".join(figures)
    assert not is_pager_line(Line("1 2 3"))
    assert is_pager_line(Line("上一页 1 2 3 下一页", [Link("x_2.html", "2", ARTICLE_URL)]))


def test_page_numbers_follow_the_cms_schemes():
    assert page_number(f"{_stem()}_12.html", ARTICLE_URL) == 12
    assert page_number(f"{_stem()}_1.htm", ARTICLE_URL) is None  # another extension
    assert page_number("http://zone.example.cn/a/123_2.html", "http://zone.example.cn/a/123.html") == 2
    assert page_number("http://zone.example.cn/a/show-1-5-2.html", "http://zone.example.cn/a/show-1-5.html") == 2
    assert page_number("http://zone.example.cn/a/123_2.html", "http://zone.example.cn/b/123.html") is None
    assert page_number("http://zone.example.cn/a/s.php?id=5&page=1", "http://zone.example.cn/a/s.php?id=5") is None
    assert page_number("http://zone.example.cn/a/s.php?id=6&page=2", "http://zone.example.cn/a/s.php?id=5") is None


def test_combined_record_is_the_whole_article():
    image = {"src": "http://zone.example.cn/a.png", "alt": "签约现场"}
    file = {"url": "http://zone.example.cn/f.pdf", "text": "项目清单.pdf"}
    first = {"url": ARTICLE_URL, "title": "T", "published_date": "2024-09-27", "body_text": "一\n二"}
    first.update(images=[image], attachments=[file], content_hash=content_hash("T", "2024-09-27", "一\n二"))
    second = {**first, "url": f"{_stem()}_1.html", "body_text": "三", "images": [image], "attachments": [file]}
    combined = combine_pages([first, second])
    assert combined["url"] == ARTICLE_URL and combined["body_text"] == "一\n二\n三"
    assert combined["images"] == [image, image] and combined["attachments"] == [file]
    assert combined["content_hash"] == content_hash("T", "2024-09-27", "一\n二\n三")


# -- end to end: the replica's split articles --------------------------------------------------------------


def _crawl(server, db, *options: str):
    server.clear_access_log()
    return run_investchn("crawl", "--start-url", server.url, "--delay", "0", "--db", str(db), *options)


def _split_articles(site) -> list[dict]:
    return [article for article in site.expected_articles() if article["pages"] > 1]


def _counts(db) -> dict:
    with sqlite3.connect(db) as conn:
        return json.loads(conn.execute("SELECT stats FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0])


@pytest.fixture(scope="module")
def crawled(replica_factory, tmp_path_factory):
    server = replica_factory(seed=SEED, articles=ARTICLES)
    db = tmp_path_factory.mktemp("multipage") / "archive.db"
    result = _crawl(server, db)
    return server, db, result, list(server.access_log)


def test_replica_has_split_articles_in_two_pager_styles(crawled):
    site = crawled[0].site
    split = _split_articles(site)
    assert {article["pages"] for article in split} == {2, 3}
    assert len({site.meta(article["id"]).template for article in split}) >= 2
    assert any(len(article["urls"]) > 1 for article in split)  # a reposted one, with pages at each URL


def test_each_split_article_is_one_record_with_every_page_captured_in_order(crawled):
    server, db, result, log = crawled
    assert result.returncode == 0, result.stderr[-3000:]
    site, base = server.site, server.url.rstrip("/")
    with Archive(db, create=False) as archive:
        rows = {row["url"]: row for row in archive.iter_articles()}
        assert len(rows) == len(site.expected_articles())
        for article in _split_articles(site):
            row = rows[base + article["url"]]
            assert row["body_text"] == article["body_text"]
            assert row["content_hash"] == content_hash(
                article["title"], article["published_date"], article["body_text"]
            )
            captures = archive.article_page_captures(row["id"])
            assert captures[0] == row["capture_id"] and len(captures) == article["pages"]
            pages = [base + path for path in site.page_paths(article["id"], article["url"])]
            urls = [archive.db.execute("SELECT url FROM captures WHERE id = ?", [c]).fetchone()[0] for c in captures]
            assert urls == pages
            for path, capture in zip(site.page_paths(article["id"], article["url"]), captures, strict=True):
                assert archive.capture_body(capture) == _served(server, path)
    requested = [entry["path"] for entry in log]
    continuations = {path for article in _split_articles(site) for path in site.continuation_paths(article["id"])}
    assert all(requested.count(path) == 1 for path in continuations)  # each page fetched once


def _served(server, path: str) -> bytes:
    from investchn_spider.replica.pages import render

    return render(server.site, path).body


def test_continuation_urls_are_not_articles_of_their_own(crawled):
    server, db, _, _ = crawled
    site, base = server.site, server.url.rstrip("/")
    continuations = {
        base + path for article in _split_articles(site) for path in site.continuation_paths(article["id"])
    }
    with sqlite3.connect(db) as conn:
        article_urls = {row[0] for row in conn.execute("SELECT url FROM article_urls")}
        assert not continuations & article_urls
        assert article_urls == {base + path for article in site.expected_articles() for path in article["urls"]}
        paged = {row[0] for row in conn.execute("SELECT url FROM article_pages WHERE page_no > 1")}
    assert paged == continuations
    stats = _counts(db)
    assert stats["investchn/articles_new"] == len(site.expected_articles())
    assert stats["investchn/article_pages_more"] == len(continuations)


def test_a_failing_continuation_page_leaves_no_truncated_record_and_a_rerun_completes_it(replica_factory, tmp_path):
    server = replica_factory(seed=SEED, articles=ARTICLES)
    site, base = server.site, server.url.rstrip("/")
    victim = next(article for article in _split_articles(site) if article["pages"] == 3)
    last_page = site.continuation_paths(victim["id"])[-1]
    server.set_faults([{"kind": "status", "status": 500, "match": last_page.replace(".", r"\.") + "$"}])
    db = tmp_path / "archive.db"
    first = _crawl(server, db)
    assert first.returncode == 0, first.stderr[-3000:]
    with sqlite3.connect(db) as conn:
        titles = {row[0] for row in conn.execute("SELECT url FROM articles")}
        failure = conn.execute(
            "SELECT kind, status, role, reason, resolved_at FROM failures WHERE url = ?", [base + victim["url"]]
        ).fetchone()
        captured = {row[0] for row in conn.execute("SELECT url FROM captures")}
    assert base + victim["url"] not in titles
    assert len(titles) == len(site.expected_articles()) - 1
    assert failure[:3] == ("http", 500, "article") and last_page in failure[3] and failure[4] is None
    assert base + victim["url"] not in captured  # nothing of it is stored: the next run fetches it whole
    assert _counts(db)["investchn/articles_incomplete"] == 1

    server.set_faults([])
    second = _crawl(server, db)
    assert second.returncode == 0, second.stderr[-3000:]
    with Archive(db, create=False) as archive:
        row = next(row for row in archive.iter_articles() if row["url"] == base + victim["url"])
        assert row["body_text"] == victim["body_text"]
        assert len(archive.article_page_captures(row["id"])) == 3
        assert archive.db.execute(
            "SELECT resolved_at IS NOT NULL FROM failures WHERE url = ?", [base + victim["url"]]
        ).fetchone()[0]
    assert _counts(db)["investchn/articles_new"] == 1


def test_a_pager_linking_to_itself_or_back_ends_the_walk(replica_factory, tmp_path):
    server = replica_factory(seed=SEED, articles=ARTICLES)
    site, base = server.site, server.url.rstrip("/")
    three = next(
        article
        for article in _split_articles(site)
        if article["pages"] == 3 and site.meta(article["id"]).template == "B"
    )
    pages = site.page_paths(three["id"], three["url"])
    # Page 3 links to itself where it linked page 1; page 2 links back to page 1 and on to page 3.
    rule = {
        "kind": "rewrite",
        "match": pages[2].replace(".", r"\.") + "$",
        "old": f'"{pages[0]}"',
        "new": f'"{pages[2]}"',
    }
    server.set_faults([rule])
    db = tmp_path / "archive.db"
    result = _crawl(server, db)
    assert result.returncode == 0, result.stderr[-3000:]
    requested = [entry["path"] for entry in server.access_log]
    assert requested.count(pages[1]) == 1 and requested.count(pages[2]) == 1
    with Archive(db, create=False) as archive:
        row = next(row for row in archive.iter_articles() if row["url"] == base + three["url"])
        assert row["body_text"] == three["body_text"]
        assert len(archive.article_page_captures(row["id"])) == 3


def test_an_article_over_the_page_cap_is_not_stored_truncated(replica_factory, tmp_path):
    server = replica_factory(seed=SEED, articles=ARTICLES)
    site, base = server.site, server.url.rstrip("/")
    db = tmp_path / "archive.db"
    args = ["crawl", "zone_news", "-s", f"INVESTCHN_DB={db}", "-s", f"INVESTCHN_START_URLS={server.url}"]
    args += ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING"]
    args += ["-s", "INVESTCHN_MAX_ARTICLE_PAGES=2"]
    command = [sys.executable, "-m", "scrapy", *args]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    with sqlite3.connect(db) as conn:
        stored = {row[0] for row in conn.execute("SELECT url FROM articles")}
        failed = {row[0]: row[1] for row in conn.execute("SELECT url, kind FROM failures WHERE resolved_at IS NULL")}
    over_cap = {base + article["url"] for article in _split_articles(site) if article["pages"] > 2}
    assert over_cap and not over_cap & stored
    assert all(failed[url] == "paging_limit" for url in over_cap)
    assert {base + article["url"] for article in _split_articles(site) if article["pages"] == 2} <= stored
    assert len(stored) == len(site.expected_articles()) - len(over_cap)


def test_a_schema_4_archive_gets_article_pages_in_place(tmp_path):
    from conftest import article_record

    from investchn_spider.store import SCHEMA_VERSION, Capture

    db = tmp_path / "archive.db"
    with Archive(db) as archive, archive.transaction():
        first = archive.add_capture(Capture(ARTICLE_URL, 200, {}, b"<p>1</p>", "2026-12-01T00:00:00+00:00"), None)
        record = article_record(ARTICLE_URL, "重大项目集中签约", "一")
        archive.save_article(record, capture_id=first, seen_at="2026-12-01T00:00:00+00:00", extractor_version="1")
        article_id = archive.db.execute("SELECT id FROM articles").fetchone()[0]
    with sqlite3.connect(db) as conn:  # the archive as schema 4 left it
        conn.execute("DROP TABLE article_pages")
        conn.execute("PRAGMA user_version = 4")
    conn.close()
    with Archive(db, readonly=True) as archive:  # read as it is: one page, its capture
        assert "article_pages" not in archive.db.table_names()
        assert archive.article_page_captures(article_id) == [first]
    with Archive(db) as archive:  # a crawl opening it upgrades it, keeping what it holds
        assert archive.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
        assert archive.article_page_captures(article_id) == [first]
        with archive.transaction():
            second = archive.add_capture(
                Capture(f"{_stem()}_1.html", 200, {}, b"<p>2</p>", "2026-12-01T00:00:01+00:00"), None
            )
            archive.add_article_pages(first, [(ARTICLE_URL, first), (f"{_stem()}_1.html", second)])
        assert archive.article_page_captures(article_id) == [first, second]
