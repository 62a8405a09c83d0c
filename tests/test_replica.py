"""Tests of the local replica (investchn_spider.replica): site model, pages, HTTP server, faults, CLI.

Every expectation comes from the site model's ground truth (``expected_articles()``, ``list_pages()``,
``dead_links()`` …), never from hard-coded outputs. Server tests use a real server on 127.0.0.1
fetched with urllib or http.client: no mocks.
"""

from __future__ import annotations

import http.client
import json
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest

from investchn_spider.replica import ReplicaServer, ReplicaSite, render
from investchn_spider.replica.content import LAST_DAY, OTHER_SECTIONS, SECTIONS, TEMPLATES
from investchn_spider.replica.faults import FaultPlan, load_rules

ROOT = Path(__file__).resolve().parents[1]
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def fetch(url: str, method: str = "GET", headers: dict | None = None, timeout: float = 10):
    """Return (status, headers, body) of ``url``; HTTP error statuses are returned, not raised."""
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def raw_get(server: ReplicaServer, path: str, method: str = "GET"):
    """Return the http.client response of one request (no redirect following); caller reads it."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request(method, path)
    return connection, connection.getresponse()


def page_text(body: bytes, encoding: str) -> str:
    """Return the visible text of an HTML page decoded with ``encoding``."""
    document = lxml.html.document_fromstring(body.decode(encoding))
    for node in document.xpath("//script|//style"):
        node.drop_tree()
    return document.text_content()


@pytest.fixture(scope="module")
def site() -> ReplicaSite:
    return ReplicaSite()


@pytest.fixture(scope="module")
def expected(site: ReplicaSite) -> list[dict]:
    return site.expected_articles()


@pytest.fixture(scope="module")
def server(site: ReplicaSite):
    with ReplicaServer(site) as running:
        yield running


@pytest.fixture
def small_server(tmp_path):
    with ReplicaServer(ReplicaSite(seed=7, articles=30), access_log_path=tmp_path / "access.jsonl") as running:
        yield running


# -- site model ---------------------------------------------------------------------------------------


def test_site_same_seed_renders_identical_bytes(site: ReplicaSite):
    other = ReplicaSite()
    paths = ["/", "/kfqxw/", "/robots.txt", "/no/such/page", *(p["path"] for p in site.list_pages())]
    paths += [url for e in other.expected_articles()[::7] for url in e["urls"]]
    for path in paths:
        assert render(site, path, "localhost:1") == render(other, path, "localhost:1"), path
    assert render(ReplicaSite(seed=1), "/", "x").body != render(site, "/", "x").body


def test_site_growth_keeps_older_articles_unchanged():
    small, big = ReplicaSite(articles=120), ReplicaSite(articles=150)
    assert big.expected_articles()[:120] == small.expected_articles()
    assert set(small.dead_links()) <= set(big.dead_links())
    newest_small = small.expected_articles()[-1]["published_date"]
    assert all(e["published_date"] >= newest_small for e in big.expected_articles()[120:])


@pytest.mark.parametrize(("seed", "articles"), [(2024, 300), (7, 3000), (11, 30_000)])
def test_every_replica_date_is_in_the_past(seed, articles):
    """A replica of any size is dated before its fixed LAST_DAY, itself in the past: no news from the future."""
    import datetime as dt

    assert dt.date(2026, 6, 30) >= LAST_DAY < dt.date.today()
    site = ReplicaSite(seed=seed, articles=articles)
    days = [meta.date for meta in site.metas] + [dt.date.fromordinal(item.day) for item in site.dead]
    days += [page["date"] for slug in OTHER_SECTIONS for page in site.other_pages(slug)]
    days += [page["date"] for page in site.archive_pages()]
    assert max(days) <= LAST_DAY
    published = [e["published_date"] for e in site.expected_articles()]
    assert published == sorted(published)  # list order (by id) is time order, however dense
    assert max(published) <= LAST_DAY.isoformat()
    # A large site is spread over many months, not piled onto its last day.
    assert len({day[:7] for day in published}) >= min(articles // 40, 20)


def test_site_growth_past_the_dense_part_keeps_older_articles_unchanged():
    small, big = ReplicaSite(seed=3, articles=1200), ReplicaSite(seed=3, articles=1500)
    assert big.expected_articles()[:1200] == small.expected_articles()


def test_site_metadata_for_100k_articles_is_fast():
    started = time.perf_counter()
    big = ReplicaSite(articles=100_000)
    assert time.perf_counter() - started < 10
    assert render(big, big.primary_path(100_000)).status == 200
    assert big.page_count(SECTIONS[0]) > 100


def test_site_expected_articles_shape_and_rates():
    site = ReplicaSite(articles=2000)
    articles = site.expected_articles()
    n = len(articles)
    assert [e["id"] for e in articles] == list(range(1, n + 1))
    required = {"杨浦区", "浦东新区", "闵行区", "嘉定区", "昆山市", "苏州工业园区", "滨海新区"}
    assert {e["district"] for e in articles} >= required
    rate = Counter()
    for e in articles:
        primary_type = e["sections"][0][1]  # a repost's record may come from its other section's page
        rate["photo"] += primary_type == "图片新闻"
        rate["no_zone"] += e["zone"] is None
        rate["no_source"] += e["source"] is None
        rate["timed"] += e["published_at"] is not None
        rate["crosslist"] += len(e["sections"]) == 2 and len(e["urls"]) == 1
        rate["repost"] += len(e["urls"]) == 2
        rate["table"] += "\t" in e["body_text"]
        rate["attachments"] += bool(e["attachments"])
        assert len(e["body_text"].split("\n")) >= 3 and e["title"]
        assert bool(e["images"]) == (primary_type == "图片新闻")
        if e["published_at"]:
            assert e["published_at"].startswith(e["published_date"]) and e["published_at"].endswith("+08:00")
    assert 0.18 < rate["photo"] / n < 0.32 and 0.02 < rate["no_zone"] / n < 0.08
    assert 0.05 < rate["no_source"] / n < 0.12 and 0.4 < rate["timed"] / n < 0.6
    assert 0.03 < rate["crosslist"] / n < 0.07 and 0.015 < rate["repost"] / n < 0.045
    assert 0.02 < rate["table"] / n < 0.08 and 0.02 < rate["attachments"] / n < 0.08
    assert 0.01 < site.duplicate_counts()["dead_links"] / site.duplicate_counts()["list_items"] < 0.03
    dates = [e["published_date"] for e in articles]
    assert dates == sorted(dates) and max(Counter(dates).values()) >= 3
    assert Counter(site.meta(e["id"]).template for e in articles).keys() == set(TEMPLATES)


def test_site_texts_encode_in_gbk(site: ReplicaSite, expected: list[dict]):
    for e in expected:
        texts = [e["title"], e["body_text"], e["source"] or "", e["zone"] or "", e["district"]]
        texts += [image["alt"] for image in e["images"]] + [a["text"] for a in e["attachments"]]
        for text in texts:
            text.encode("gbk")
    paths = ["/", "/kfqxw/", "/zcfg/", "/kfqxw/wngd/", "/nope", *(p["path"] for p in site.list_pages())]
    paths += [e["urls"][0] for e in expected]
    for path in paths:
        page = render(site, path)
        charset = "gb18030" if b"gb2312" in page.body[:400] or "gbk" in page.headers[0][1] else "utf-8-sig"
        page.body.decode(charset).encode("gbk")


def test_site_revision_edits_about_five_percent_of_bodies():
    base, revised = ReplicaSite(articles=400), ReplicaSite(articles=400, revision=1)
    changed = [
        a["id"]
        for a, b in zip(base.expected_articles(), revised.expected_articles(), strict=True)
        if a["body_text"] != b["body_text"]
    ]
    assert changed == revised.revised_ids() and 5 <= len(changed) <= 40
    for a, b in zip(base.expected_articles(), revised.expected_articles(), strict=True):
        # the amounts are the body's: they change with it
        assert {k: v for k, v in a.items() if k not in ("body_text", "amounts")} == {
            k: v for k, v in b.items() if k not in ("body_text", "amounts")
        }
    assert render(base, base.primary_path(changed[0])).headers != render(revised, base.primary_path(changed[0])).headers


# -- pages over HTTP ------------------------------------------------------------------------------------


def _list_items(server: ReplicaServer, path: str) -> tuple[list[tuple[str, str, str]], str, str | None]:
    """Return (items as (absolute path, title, date), the 共N页 text, the 下一页 path) of one list page."""
    status, headers, body = fetch(urljoin(server.url, path))
    assert status == 200 and "charset=utf-8" in headers["Content-Type"], path
    document = lxml.html.document_fromstring(body.decode("utf-8"))
    items = []
    for link in document.xpath('//div[@class="content"]//a[@title]'):
        row = link.xpath("ancestor::*[self::li or self::tr][1]")[0].text_content()
        items.append(
            (
                urlsplit(urljoin(urljoin(server.url, path), link.get("href"))).path,
                link.get("title"),
                DATE.findall(row)[-1],
            )
        )
    pager = document.xpath('//div[@class="page"]')[0]
    total = re.search(r"共(\d+)页", pager.text_content()).group(1)
    following = pager.xpath('.//a[text()="下一页"]/@href')
    return items, total, urlsplit(urljoin(urljoin(server.url, path), following[0])).path if following else None


def test_lists_are_consistent_with_expected_articles(site: ReplicaSite, expected: list[dict], server):
    listed: dict[str, set] = defaultdict(set)
    for section in SECTIONS:
        pages = [p for p in site.list_pages() if (p["district"], p["type"]) == section]
        path, seen, visited = pages[0]["path"], [], []
        while path:  # follow 下一页 from the first page: pagination must cover the whole list
            items, total, path_next = _list_items(server, path)
            assert int(total) == len(pages) == site.page_count(section)
            assert 0 < len(items) <= 15
            visited.append(path)
            seen += items
            path = path_next
        assert [v.replace("index.html", "") for v in visited] == [p["path"] for p in pages]
        assert len(seen) == site.list_length(section) == len({item[0] for item in seen})
        for url, _title, _date in seen:
            listed[url].add(section)
        titles = {url: (title, date) for url, title, date in seen}
        for e in expected:
            for url in e["urls"]:
                if url in titles:
                    assert titles[url] == (e["title"], e["published_date"])
    article_urls = set()
    for e in expected:
        article_urls.update(e["urls"])
        if len(e["urls"]) == 2:  # reposted: the second URL is listed in the second section
            assert listed[e["urls"][0]] == {e["sections"][0]} and listed[e["urls"][1]] == {e["sections"][1]}
        else:  # listed once, or cross-listed at the same URL
            assert listed[e["urls"][0]] == set(e["sections"])
    assert set(listed) == article_urls | set(site.dead_links())


def test_navigation_reaches_every_list(site: ReplicaSite, server):
    def links(path: str) -> set[str]:
        _, _, body = fetch(urljoin(server.url, path))
        document = lxml.html.document_fromstring(body.decode("utf-8"))
        return {urlsplit(urljoin(urljoin(server.url, path), href)).path for href in document.xpath("//a/@href")}

    assert "/kfqxw/" in links("/")
    districts = {p for p in links("/kfqxw/") if re.fullmatch(r"/kfqxw/[a-z]+/", p)} - set(site.disallowed_paths())
    assert len(districts) >= 7
    reached = set()
    for district in districts:
        reached |= links(district)
    assert {p["path"] for p in site.list_pages() if p["page"] == 1} <= reached


def test_article_pages_per_template(site: ReplicaSite, expected: list[dict], server):
    by_template = {}
    for e in expected:
        by_template.setdefault(site.meta(e["id"]).template, e)
    assert set(by_template) == set(TEMPLATES)
    for template, e in by_template.items():
        status, headers, body = fetch(urljoin(server.url, e["urls"][0]))
        content_type = headers["Content-Type"]
        assert status == 200 and int(headers["Content-Length"]) == len(body) and headers["Last-Modified"]
        if template == "A":
            assert content_type == "text/html; charset=utf-8" and b'charset=utf-8"' in body
            encoding = "utf-8"
        elif template == "B":
            assert content_type == "text/html" and b"charset=gb2312" in body
            encoding = "gb18030"
        elif template == "C":
            assert content_type == "text/html; charset=gbk" and b"charset" not in body
            encoding = "gb18030"
        else:
            assert content_type == "text/html" and body.startswith(b"\xef\xbb\xbf") and b"charset" not in body
            encoding = "utf-8-sig"
        text = page_text(body, encoding)
        district, kind = e["sections"][0]
        assert re.search(rf"首页\s*>\s*开发区新闻\s*>\s*{district}\s*>\s*{kind}", text)
        assert f"<title>{e['title']} - 投促中国</title>" in body.decode(encoding)
        assert "发布时间" in text and "上一条" in text and "下一条" in text and "相关新闻" in text
        assert "与我们联系" in text and "InvestCHN.com All Rights Reserved" in text
        flat = "".join(text.split())
        for line in e["body_text"].split("\n"):
            assert "".join(line.split()) in flat


def test_reposted_article_has_identical_content(expected: list[dict], server):
    e = next(e for e in expected if len(e["urls"]) == 2)
    texts = []
    for url in e["urls"]:
        status, headers, body = fetch(urljoin(server.url, url))
        assert status == 200
        encoding = "utf-8-sig" if "charset" not in headers["Content-Type"] and body[:3] == b"\xef\xbb\xbf" else None
        encoding = encoding or ("utf-8" if "utf-8" in headers["Content-Type"] or b"utf-8" in body[:300] else "gb18030")
        texts.append(page_text(body, encoding))
    for text in texts:
        assert e["title"] in text and "".join(e["body_text"].split())[:200] in "".join(text.split())
    assert e["sections"][1][0] in texts[1].split("发布时间")[0]  # breadcrumb of the repost's section


def test_dead_links_and_unknown_paths_answer_404(site: ReplicaSite, server):
    unknown = ["/no/such/page.html", "/kfqxw/ypq/wzxw/index_1.html", "/kfqxw/ypq/wzxw/index_999.html"]
    for path in [*site.dead_links(), *unknown]:
        status, _, body = fetch(urljoin(server.url, path))
        assert status == 404 and "您访问的页面不存在" in body.decode("utf-8"), path


def test_directory_without_slash_redirects(server):
    connection, response = raw_get(server, "/kfqxw/ypq")
    assert response.status == 301 and response.getheader("Location") == "/kfqxw/ypq/"
    connection.close()


def test_robots_txt_disallows_search_and_archive(site: ReplicaSite, server):
    status, headers, body = fetch(urljoin(server.url, "robots.txt"))
    lines = body.decode("ascii").splitlines()
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert lines[0] == "User-agent: *"
    disallowed = {line.split(":", 1)[1].strip() for line in lines if line.startswith("Disallow")}
    assert disallowed == set(site.disallowed_paths())
    _, _, index = fetch(urljoin(server.url, "kfqxw/"))
    document = lxml.html.document_fromstring(index.decode("utf-8"))
    archive = document.xpath('//a[text()="往年归档"]/@href')[0]
    assert any(urljoin("/kfqxw/", archive).startswith(p) for p in site.disallowed_paths())


def test_offsite_links_point_only_at_localhost(site: ReplicaSite, expected: list[dict], server):
    hosts = Counter()
    for path in ["/", "/kfqxw/", "/kfqxw/ypq/", site.list_pages()[0]["path"], expected[0]["urls"][0]]:
        _, _, body = fetch(urljoin(server.url, path))
        document = lxml.html.document_fromstring(body)
        for url in document.xpath("//a/@href|//img/@src|//script/@src|//link/@href|//form/@action"):
            if urlsplit(url).scheme in ("http", "https"):
                hosts[urlsplit(url).netloc] += 1
    assert set(hosts) == {f"localhost:{server.port}"}


def test_other_sections_have_dates_but_are_not_zone_news(site: ReplicaSite, expected: list[dict], server):
    article_urls = {url for e in expected for url in e["urls"]}
    _, _, body = fetch(urljoin(server.url, "zcfg/"))
    document = lxml.html.document_fromstring(body.decode("utf-8"))
    links = [urljoin("/zcfg/", href) for href in document.xpath('//ul[@class="news-list"]//a/@href')]
    assert links and not set(links) & article_urls
    status, _, page = fetch(urljoin(server.url, links[0]))
    text = page_text(page, "utf-8")
    assert status == 200 and "发布时间" in text and re.search(r"首页\s*>\s*政策法规", text)


def test_head_matches_get_headers(expected: list[dict], server):
    url = urljoin(server.url, expected[3]["urls"][0])
    _, get_headers, body = fetch(url)
    status, head_headers, head_body = fetch(url, method="HEAD")
    assert status == 200 and head_body == b""
    assert head_headers["Content-Length"] == str(len(body)) == get_headers["Content-Length"]
    assert head_headers["Content-Type"] == get_headers["Content-Type"]


def test_images_and_attachments_are_served(site: ReplicaSite, expected: list[dict], server):
    image = next(e for e in expected if e["images"])["images"][0]
    status, headers, body = fetch(urljoin(server.url, image["src"]))
    assert status == 200 and headers["Content-Type"] == "image/png" and body.startswith(b"\x89PNG")
    attachment = next(e for e in ReplicaSite(articles=1000).expected_articles() if e["attachments"])["attachments"][0]
    assert render(ReplicaSite(articles=1000), attachment["url"]).body.startswith(b"%PDF")
    assert attachment["text"].endswith(".pdf")


# -- server: access log and faults ------------------------------------------------------------------


def test_access_log_records_host_header(small_server, tmp_path):
    fetch(small_server.url + "robots.txt", headers={"Host": f"localhost:{small_server.port}", "User-Agent": "t/1"})
    entry = small_server.access_log[-1]
    assert entry["host"] == f"localhost:{small_server.port}" and entry["path"] == "/robots.txt"
    assert entry["status"] == 200 and entry["method"] == "GET" and entry["user_agent"] == "t/1" and entry["bytes"] > 0
    lines = (tmp_path / "access.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[-1]) == entry


def test_fault_status_times_per_path(small_server):
    small_server.set_faults([{"match": r"^/kfqxw/$", "kind": "status", "status": 503, "times": 2}])
    statuses = [fetch(small_server.url + "kfqxw/")[0] for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert fetch(small_server.url)[0] == 200  # another path is not matched
    small_server.set_faults([{"kind": "status", "status": 500}])  # no times: always
    assert [fetch(small_server.url + "robots.txt")[0] for _ in range(3)] == [500, 500, 500]


def test_fault_slow(small_server):
    small_server.set_faults([{"match": "robots", "kind": "slow", "seconds": 0.4}])
    started = time.perf_counter()
    assert fetch(small_server.url + "robots.txt")[0] == 200
    assert time.perf_counter() - started >= 0.4


def test_fault_drop_closes_without_response(small_server):
    small_server.set_faults([{"kind": "drop", "times": 1}])
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError, urllib.error.URLError)):
        fetch(small_server.url + "kfqxw/")
    assert small_server.access_log[-1]["status"] is None and small_server.access_log[-1]["fault"] == "drop"
    assert fetch(small_server.url + "kfqxw/")[0] == 200


def test_fault_truncate_sends_half_the_body(small_server):
    small_server.set_faults([{"kind": "truncate"}])
    connection, response = raw_get(small_server, "/kfqxw/")
    with pytest.raises(http.client.IncompleteRead) as raised:
        response.read()
    connection.close()
    assert 0 < len(raised.value.partial) < int(response.getheader("Content-Length"))


def test_fault_rules_are_validated():
    with pytest.raises(ValueError):
        FaultPlan.from_rules([{"kind": "explode"}])
    with pytest.raises(ValueError):
        FaultPlan.from_rules([{"kind": "status", "tims": 2}])
    assert load_rules('{"kind": "drop"}') == [{"kind": "drop"}]


def test_cli_prints_url_and_stops_on_sigterm(tmp_path):
    log = tmp_path / "log.jsonl"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "investchn_spider.replica",
            "--articles",
            "20",
            "--access-log",
            str(log),
            "--faults",
            '[{"match": "robots", "kind": "status", "status": 502, "times": 1}]',
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        match = re.fullmatch(r"Replica serving at (http://127\.0\.0\.1:(\d+)/)\n", line)
        assert match, line
        assert fetch(match.group(1) + "robots.txt")[0] == 502
        assert fetch(match.group(1) + "robots.txt")[0] == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.stderr.read() == ""
    assert [json.loads(x)["status"] for x in log.read_text(encoding="utf-8").splitlines()] == [502, 200]


def test_article_page_links_resolve(site: ReplicaSite, expected: list[dict]):
    served = {url for e in expected for url in e["urls"]}
    for e in expected:
        for first in e["urls"]:
            # An article split over several pages shows its images and files across its pages.
            pages = site.page_paths(e["id"], first)
            images, pdfs = [], []
            for url in pages:
                page = render(site, url)
                assert page.status == 200, url
                encoding = (
                    "utf-8-sig"
                    if page.body.startswith(b"\xef\xbb\xbf")
                    else ("utf-8" if "utf-8" in page.headers[0][1] else "gb18030")
                )
                document = lxml.html.document_fromstring(page.body.decode(encoding))
                resolved = [urlsplit(urljoin(url, src)).path for src in document.xpath("//img/@src")]
                images += [r for r in resolved if r != "/images/logo.png"]
                pdfs += [urljoin(url, h) for h in document.xpath("//a/@href") if h.endswith(".pdf")]
                for label in ("上一条", "下一条"):
                    for href in document.xpath(f'//p[starts-with(., "{label}")]/a/@href'):
                        assert urljoin(url, href) in served
                if len(pages) > 1:  # the pager links the article's own pages, and no other
                    pager = document.xpath(
                        '//*[@class="page" or @class="pages" or @class="pagination" or @class="pagelist"]'
                    )
                    assert pager and {urljoin(url, h) for h in pager[0].xpath(".//a/@href")} <= set(pages) - {url}
            assert [i["src"] for i in e["images"]] == images
            assert pdfs == [a["url"] for a in e["attachments"]]


def test_some_articles_are_split_over_pages(site: ReplicaSite, expected: list[dict]):
    split = [e for e in expected if e["pages"] > 1]
    assert 0.03 * len(expected) <= len(split) <= 0.12 * len(expected)
    assert {site.meta(e["id"]).template for e in split} >= {"A", "B", "C", "D"}  # every pager style
    for e in split:
        for path in site.continuation_paths(e["id"]):
            found = site.resolve_page(path)
            assert found is not None and found[0] == e["id"] and found[3] >= 2
            assert site.resolve_document(path) is None  # a continuation page is no article URL of its own
    assert render(site, split[0]["urls"][0].removesuffix(".html") + "_9.html").status == 404
