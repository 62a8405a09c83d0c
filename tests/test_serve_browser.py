"""``investchn serve`` in a real browser: headless Chromium opens the articles table, searches a
two-character word, applies a district facet, and the rows shown are checked against the archive.

Chromium is driven with ``--dump-dom`` (the page's DOM after it loaded and ran its scripts), one
page per step. The search box and the facets are a GET form and plain links in Datasette, so each
next URL is the one a click would follow, read from the DOM just dumped: no WebDriver, no browser
download, nothing that can drift from Debian's chromium package. Skipped only when chromium is not
installed (.ci/run installs it).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.request
from urllib.parse import urlencode, urljoin

import lxml.html as lxml_html
import pytest
from browser import FLAGS as CHROMIUM_FLAGS
from conftest import replica_archive, serving

from investchn_spider import exitcodes

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
requires_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium; .ci/run does)"
)
WORD = "园区"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Serve an archive of 80 replica articles with ``investchn serve``; yield (base URL, ground truth, folder)."""
    pytest.importorskip("datasette", reason="the web view needs Datasette (the test extra installs it)")
    folder = tmp_path_factory.mktemp("serve")
    path = folder / "archive.db"
    truth = replica_archive(path, seed=8, articles=80)
    with serving(path, folder / "serve.err") as base:
        yield base, truth, folder


def dump_dom(url: str, profile) -> lxml_html.HtmlElement:
    """Return the DOM Chromium shows for ``url``, parsed."""
    result = subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0 and "<html" in result.stdout, result.stderr[-2000:]
    return lxml_html.fromstring(result.stdout)


def shown_rows(page) -> list[dict]:
    """Return the rows of the table on a Datasette table page, as {column: text}."""
    columns = [th.get("data-column") for th in page.cssselect("table.rows-and-columns thead th")]
    return [
        {column: td.text_content().strip() for column, td in zip(columns, tr.cssselect("td"), strict=True)}
        for tr in page.cssselect("table.rows-and-columns tbody tr")
    ]


def row_count(page) -> int:
    return int(page.cssselect("h3")[0].text_content().split(" row")[0].replace(",", ""))


@requires_chromium
def test_browser_search_two_character_word_then_district_facet(server, tmp_path):
    base, truth, _ = server
    profile = tmp_path / "chromium-profile"

    # 1. The articles table: every article, newest first, with the data dictionary's descriptions.
    page = dump_dom(f"{base}/archive/articles", profile)
    assert row_count(page) == len(truth)
    rows = shown_rows(page)
    assert len(rows) == len(truth) and rows[0]["published_date"] == max(a["published_date"] for a in truth)
    described = {th.get("data-column"): th.get("data-column-description") for th in page.cssselect("thead th")}
    assert described["published_date"] == "YYYY-MM-DD, from the 发布时间 label."
    facets = {div.get("data-column") for div in page.cssselect(".facet-info")}
    assert {"district", "zone", "source", "category", "published_date"} <= facets

    # 2. Type the two-character word in the search box and submit the form (a GET to its action).
    form = page.cssselect("form.filters")[0]
    assert form.cssselect("input[name=_search]"), "the table has a search box"
    fields = {field.get("name"): field.get("value") or "" for field in form.cssselect("input[type=hidden]")}
    search_url = urljoin(base + "/", form.get("action")) + "?" + urlencode({**fields, "_search": WORD})
    page = dump_dom(search_url, profile)
    matching = [a for a in truth if WORD in a["title"] or WORD in a["body_text"]]
    assert 0 < len(matching) < len(truth)
    assert row_count(page) == len(matching)
    by_title = {a["title"]: a for a in truth}
    rows = shown_rows(page)
    assert {row["title"] for row in rows} == {a["title"] for a in matching}
    assert [row["published_date"] for row in rows] == sorted((row["published_date"] for row in rows), reverse=True)
    assert page.cssselect("input[name=_search]")[0].get("value") == WORD

    # 3. Click a district in the district facet: the link keeps the search and adds the district.
    links = page.cssselect(".facet-info[data-column=district] li a")
    assert links, "the district facet lists districts"
    link = links[-1]  # the least common district of the matches: the filter must really narrow
    district = link.text_content().strip()
    page = dump_dom(urljoin(search_url, link.get("href")), profile)
    expected = [a for a in matching if a["district"] == district]
    assert row_count(page) == len(expected) > 0
    rows = shown_rows(page)
    assert all(row["district"] == district for row in rows)
    assert {row["title"] for row in rows} == {a["title"] for a in expected}
    assert all(WORD in by_title[row["title"]]["title"] or WORD in by_title[row["title"]]["body_text"] for row in rows)


def test_canned_queries_answer_from_the_archive(server):
    base, truth, _ = server
    with urllib.request.urlopen(f"{base}/archive/articles_per_month_per_district.json?_shape=array") as response:
        per_month = json.load(response)
    assert sum(row["articles"] for row in per_month) == len(truth)
    assert {(row["month"], row["district"]) for row in per_month} == {
        (a["published_date"][:7], a["district"]) for a in truth
    }
    with urllib.request.urlopen(f"{base}/archive/duplicates_merged.json?_shape=array") as response:
        merged = json.load(response)
    reposted = [a for a in truth if len(a["urls"]) > 1]
    assert reposted and {row["title"] for row in merged} == {a["title"] for a in reposted}
    with urllib.request.urlopen(f"{base}/archive/latest_articles.json?_shape=array") as response:
        latest = json.load(response)
    assert latest[0]["published_date"] == max(a["published_date"] for a in truth) and len(latest) == len(truth)


def test_serve_reports_a_busy_port_in_one_line(server):
    base, _, folder = server
    port = base.rsplit(":", 1)[1]
    result = subprocess.run(
        [sys.executable, "-m", "investchn_spider", "serve", "--db", str(folder / "archive.db"), "--port", port],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == exitcodes.ERROR and "Traceback" not in result.stderr
    assert result.stderr.strip().startswith(f"Error: cannot listen on 127.0.0.1:{port}")


def test_serve_without_datasette_says_how_to_install(tmp_path):
    replica_archive(tmp_path / "a.db", seed=1, articles=5)
    program = (
        "import sys; sys.modules['datasette'] = None\n"
        "from investchn_spider.cli import main\n"
        f"sys.argv = ['investchn', 'serve', '--db', {str(tmp_path / 'a.db')!r}]\n"
        "main()"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == exitcodes.ERROR, result.stderr
    assert result.stderr.strip() == "Error: the web view needs Datasette: pip install 'investchn[serve]'"


def test_serve_missing_archive_exits_1(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "investchn_spider", "serve", "--db", str(tmp_path / "none.db")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == exitcodes.ERROR and "no archive" in result.stderr and "Traceback" not in result.stderr
