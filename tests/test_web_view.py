"""The web view as an analyst uses it, served by ``investchn serve`` on loopback: ordinary pages answer
200 with nothing in the server log; in headless Chromium (driven over DevTools, tests/browser.py) the
first row is on the first screen at 1280×800, paging returns every article exactly once with and without
a search, the charts render; the Atom feed, the xlsx download, the article page, the facts facets and
the investment query are checked against the archive.
"""

from __future__ import annotations

import json
import re
import sqlite3
import urllib.request
import zipfile
from collections import defaultdict
from io import BytesIO
from urllib.parse import quote, urljoin
from xml.etree import ElementTree

import pytest
from browser import Browser
from conftest import article_record, replica_archive, serving
from test_serve_browser import CHROMIUM, requires_chromium

from investchn_spider.web import cells

WORD = "园区"
ATOM = "{http://www.w3.org/2005/Atom}"
XLSX = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
FORMULA_TITLE = '=HYPERLINK("http://example.com","看这里") 园区招商推介会'


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Serve an archive of 120 replica articles (one more whose title looks like an Excel formula);
    yield (base URL of the database, path of the archive, path of the server's stderr)."""
    pytest.importorskip("datasette", reason="the web view needs Datasette (the test extra installs it)")
    folder = tmp_path_factory.mktemp("web")
    path = folder / "archive.db"
    extra = article_record(
        "http://127.0.0.1:8000/kfqxw/formula.html", FORMULA_TITLE, "一段正文。" * 40, published_date="2024-01-02"
    )
    replica_archive(path, seed=21, articles=120, extra=[extra])
    from investchn_spider.extraction import EXTRACTOR_VERSION
    from investchn_spider.store import Archive

    # The formula article is corrected at the same URL: its first record becomes a version.
    corrected = article_record(extra["url"], FORMULA_TITLE, "一段更正后的正文，总投资12亿元。" * 20, "2024-01-02")
    with Archive(path) as archive, archive.transaction():
        archive.save_article(
            corrected, capture_id=None, seen_at="2026-11-03T08:00:00+00:00", extractor_version=EXTRACTOR_VERSION
        )
    stderr = folder / "serve.err"
    with serving(path, stderr) as base:
        yield f"{base}/archive", path, stderr


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def rows_of(path, sql: str, params=()) -> list[dict]:
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute(sql, params)]


def test_ordinary_pages_answer_200_and_leave_the_server_log_empty(site):
    db, _, stderr = site
    base = db.rsplit("/", 1)[0]
    pages = [
        "/",
        "/archive",
        "/archive/articles",
        f"/archive/articles?_search={quote(WORD)}",
        "/archive/articles/1",
        "/archive/article_urls",
        "/archive/article_versions",
        "/archive/export_articles",
        "/archive/monthly_counts",
        "/archive/amounts",
        "/archive/zones",
        "/archive/amount_facts",
        "/archive/investment_per_month_by_province",
        "/archive/newest_articles",
        "/archive/newest_articles.atom",
        "/archive/articles.xlsx?_size=10",
        "/-/dashboards",
        "/-/dashboards/archive",
    ]
    statuses = {page: get(base + page)[0] for page in pages}
    assert statuses == dict.fromkeys(pages, 200)
    assert stderr.read_text() == ""


def test_hidden_tables_are_the_ones_analysts_do_not_need(site):
    db, _, _ = site
    tables = {table["name"]: table["hidden"] for table in json.loads(get(db + ".json")[1])["tables"]}
    assert {name for name, hidden in tables.items() if hidden} >= {"captures", "runs", "article_search"}
    assert not any(tables[name] for name in ("articles", "article_urls", "amounts", "zones", "article_versions"))


def test_no_facet_is_suggested_and_the_configured_ones_are_shown(site):
    db, _, _ = site
    data = json.loads(get(db + "/articles.json?_extra=suggested_facets&_extra=facet_results")[1])
    assert data["suggested_facets"] == []
    facts = json.loads(get(db + "/amount_facts.json?_extra=facet_results")[1])["facet_results"]
    shown = facts.get("results", facts)
    assert {"province", "zone_type", "kind"} <= set(shown)


def test_table_cells_show_a_snippet_of_the_body_and_mark_the_search_words(site):
    db, path, _ = site
    status, html = get(f"{db}/articles?_search={quote(WORD)}&_size=max")
    text = html.decode()
    assert status == 200
    snippets = re.findall(r'<span class="snippet"[^>]*>(.*?)</span>', text, re.S)
    assert snippets and all(len(re.sub(r"<[^>]+>", "", s)) <= cells.SNIPPET_CHARS + 2 for s in snippets)
    in_body = rows_of(path, "SELECT id FROM articles WHERE instr(body_text, ?)", [WORD])
    # each body with the word is cut around a hit, which is marked
    assert sum(f"<mark>{WORD}</mark>" in s for s in snippets) == len(in_body) > 0
    bodies = [row["body_text"] for row in rows_of(path, "SELECT body_text FROM articles")]
    assert not any(body in text for body in bodies if len(body) > cells.SNIPPET_CHARS)  # no whole body


def test_the_article_page_reads_as_the_article_with_its_urls_sections_versions_and_amounts(site):
    db, path, _ = site
    (article,) = rows_of(
        path,
        """SELECT a.* FROM articles a WHERE (SELECT count(*) FROM amounts m WHERE m.article_id = a.id) > 1
           ORDER BY a.id LIMIT 1""",
    )
    status, html = get(f"{db}/articles/{article['id']}")
    assert status == 200
    page = html.decode()
    from lxml import html as lxml_html

    root = lxml_html.fromstring(page)
    body = root.cssselect("article.investchn .article-body p")
    assert [p.text_content() for p in body] == [line for line in article["body_text"].split("\n") if line.strip()]
    assert root.cssselect("article.investchn h1")[0].text_content() == article["title"]
    urls = [row["url"] for row in rows_of(path, "SELECT url FROM article_urls WHERE article_id = ?", [article["id"]])]
    listed = [a.get("href") for a in root.cssselect("article.investchn h2 + ul a")]
    assert sorted(urls) == sorted(u for u in listed if u in urls) and urls
    sections = rows_of(path, "SELECT district, category FROM article_sections WHERE article_id = ?", [article["id"]])
    assert f"{sections[0]['district']} › {sections[0]['category']}" in page
    amounts = rows_of(path, "SELECT text FROM amounts WHERE article_id = ? ORDER BY position", [article["id"]])
    shown = [tr.cssselect("td")[0].text_content() for tr in root.cssselect("article.investchn table tr")[1:]]
    assert [a["text"] for a in amounts] == shown[-len(amounts) :]
    meta = {
        dt.text_content(): dd.text_content()
        for dt, dd in zip(root.cssselect("dl.article-meta dt"), root.cssselect("dl.article-meta dd"), strict=True)
    }
    assert meta["Source (来源)"] == (article["source"] or "–")
    assert (article["zone"] or "–") in meta["Zone (发布开发区)"]
    assert "Earlier versions (0)" in page


def test_the_article_page_lists_the_earlier_versions(site):
    db, path, _ = site
    (article,) = rows_of(path, "SELECT id FROM articles WHERE title = ?", [FORMULA_TITLE])
    versions = rows_of(path, "SELECT id, valid_until FROM article_versions WHERE article_id = ?", [article["id"]])
    assert len(versions) == 1
    page = get(f"{db}/articles/{article['id']}")[1].decode()
    assert "Earlier versions (1)" in page and f"/archive/article_versions/{versions[0]['id']}" in page
    assert versions[0]["valid_until"] in page


def test_atom_feed_is_valid_and_lists_the_newest_articles(site):
    db, path, _ = site
    status, body = get(db + "/newest_articles.atom")
    assert status == 200
    feed = ElementTree.fromstring(body)
    assert feed.tag == ATOM + "feed"
    assert feed.find(ATOM + "id") is not None and feed.find(ATOM + "updated") is not None
    entries = feed.findall(ATOM + "entry")
    newest = rows_of(path, "SELECT title, url, content_hash FROM articles ORDER BY sort_key DESC LIMIT 100")
    assert [e.find(ATOM + "title").text for e in entries] == [row["title"] for row in newest]
    assert [e.find(ATOM + "link").get("href") for e in entries] == [row["url"] for row in newest]
    ids = [e.find(ATOM + "id").text for e in entries]
    assert len(set(ids)) == len(ids) == len(newest)
    assert all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", e.find(ATOM + "updated").text) for e in entries)


def read_xlsx(data: bytes) -> list[list[str | None]]:
    """Return the first sheet's rows (inline or shared strings, numbers as text), read from the XML."""
    with zipfile.ZipFile(BytesIO(data)) as book:
        shared = []
        if "xl/sharedStrings.xml" in book.namelist():
            root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(XLSX + "t")) for si in root.iter(XLSX + "si")]
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.iter(XLSX + "row"):
        values = []
        for cell in row.iter(XLSX + "c"):
            column = re.match(r"[A-Z]+", cell.get("r")).group()
            index = sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(column))) - 1
            values.extend([None] * (index - len(values)))
            assert cell.find(XLSX + "f") is None, "no cell is a formula"
            if cell.get("t") == "s":
                values.append(shared[int(cell.find(XLSX + "v").text)])
            elif cell.get("t") == "inlineStr":
                values.append("".join(t.text or "" for t in cell.iter(XLSX + "t")))
            else:
                values.append(cell.find(XLSX + "v").text)
        rows.append(values)
    return rows


def test_xlsx_download_has_every_filtered_row_and_keeps_text_as_text(site):
    db, path, _ = site
    (district,) = rows_of(path, "SELECT district FROM articles GROUP BY district ORDER BY count(*) DESC LIMIT 1")
    expected = rows_of(path, "SELECT id, title FROM articles WHERE district = ? ORDER BY id", [district["district"]])
    status, data = get(f"{db}/articles.xlsx?district={quote(district['district'])}&_size=7")  # pages of 7
    assert status == 200
    rows = read_xlsx(data)
    header, body = rows[0], rows[1:]
    assert header[:3] == ["id", "url", "title"]
    assert sorted((int(r[0]), r[2]) for r in body) == [(r["id"], r["title"]) for r in expected]
    _, data = get(f"{db}/articles.xlsx?title__startswith={quote('=')}")
    (formula,) = read_xlsx(data)[1:]
    assert formula[2] == FORMULA_TITLE


def test_investment_query_sums_the_amounts_per_month_and_province(site):
    db, path, _ = site
    status, body = get(db + "/investment_per_month_by_province.json?_shape=array")
    assert status == 200
    shown = {(row["month"], row["province"]): row["yi_yuan"] for row in json.loads(body)}
    expected = defaultdict(int)
    for row in rows_of(
        path,
        """SELECT substr(a.published_date, 1, 7) AS month, z.province, m.value FROM amounts m
           JOIN articles a ON a.id = m.article_id LEFT JOIN zones z ON z.name = a.zone
           WHERE m.kind IN ('investment', 'contract') AND m.currency = 'CNY'""",
    ):
        expected[(row["month"], row["province"] or "(unresolved)")] += row["value"]
    assert expected and shown == {key: round(value / 1e8, 2) for key, value in expected.items()}


def test_snippet_and_marks_unit():
    text = "开头" + "字" * 200 + "园区招商" + "尾" * 200
    cut = cells.snippet(text, ("园区",))
    assert cut.startswith("…") and cut.endswith("…") and "园区" in cut
    assert cells.snippet("短文本", ("园区",)) == "短文本"
    assert cells.snippet(text).startswith("开头") and cells.snippet(text).endswith("…")
    assert str(cells.marked("<b>园区</b> Park park", ("园区", "park"))) == (
        "&lt;b&gt;<mark>园区</mark>&lt;/b&gt; <mark>Park</mark> <mark>park</mark>"
    )


@requires_chromium
def test_browser_first_row_on_the_first_screen_and_the_dictionary_a_click_away(site, tmp_path):
    db, _, _ = site
    with Browser(CHROMIUM, width=1280, height=800) as browser:
        browser.open(db + "/articles")
        box = browser.evaluate(
            "JSON.stringify(document.querySelector('table.rows-and-columns tbody tr').getBoundingClientRect())"
        )
        box = json.loads(box)
        assert box["top"] > 0 and box["bottom"] <= 800, box
        title = json.loads(
            browser.evaluate(
                "JSON.stringify(document.querySelector('table.rows-and-columns tbody td.col-title')"
                ".getBoundingClientRect())"
            )
        )
        assert title["width"] >= 300  # wide enough for a title on one or two lines
        assert browser.evaluate("document.querySelector('details.data-dictionary').open") is False
        browser.evaluate("document.querySelector('details.data-dictionary summary').click()")
        assert browser.evaluate("document.querySelector('details.data-dictionary dl').offsetHeight") > 100
        browser.screenshot(tmp_path / "articles.png")
        assert browser.console_errors() == []


def follow_pages(browser: Browser, url: str) -> list[str]:
    """Return the ids of every row shown, following the page's next link until there is none."""
    ids = []
    while url:
        browser.open(url, settle=0)
        ids += browser.evaluate(
            "[...document.querySelectorAll('table.rows-and-columns tbody td.col-id')].map(td => td.textContent.trim())"
        )
        url = browser.evaluate(
            "(() => { const a = [...document.querySelectorAll('a')].find(a => a.textContent.trim() === 'Next page');"
            " return a ? a.href : null; })()"
        )
    return ids


@requires_chromium
def test_browser_paging_returns_every_article_exactly_once(site):
    db, path, _ = site
    every = sorted(str(row["id"]) for row in rows_of(path, "SELECT id FROM articles"))
    matching = sorted(
        str(row["id"])
        for row in rows_of(path, "SELECT id FROM articles WHERE instr(title, ?) OR instr(body_text, ?)", [WORD, WORD])
    )
    assert 10 < len(matching) < len(every)
    with Browser(CHROMIUM) as browser:
        shown = follow_pages(browser, db + "/articles?_size=9")
        assert sorted(shown) == every and len(shown) == len(set(shown))
        shown = follow_pages(browser, urljoin(db + "/", f"articles?_search={quote(WORD)}&_size=4"))
        assert sorted(shown) == matching and len(shown) == len(set(shown))


@requires_chromium
def test_browser_renders_the_charts(site, tmp_path):
    db, _, _ = site
    base = db.rsplit("/", 1)[0]
    with Browser(CHROMIUM) as browser:
        browser.open(base + "/-/dashboards/archive")
        charts = browser.wait_until(
            "document.querySelectorAll('.dashboard-card svg.marks, .dashboard-card canvas.marks').length >= 4"
            " && document.querySelectorAll('.dashboard-card svg.marks, .dashboard-card canvas.marks').length"
        )
        assert charts == 4
        marks = browser.evaluate("document.querySelectorAll('svg.marks path, svg.marks rect, svg.marks line').length")
        browser.screenshot(tmp_path / "dashboard.png")
        assert marks > 10 or browser.evaluate("document.querySelectorAll('canvas.marks').length") == 4
        assert browser.console_errors() == []
