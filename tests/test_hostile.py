"""Hostile or odd pages: links of other schemes, links no request can be built from, huge pages and gzip bombs,
redirects on and off the host, cookies, charsets no decoder takes. Each crawl runs the real engine against the
replica and is judged by the archive, the exit status and the replica's access log."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import run_investchn

from investchn_spider import exitcodes
from investchn_spider.extraction import parse_document
from investchn_spider.extraction.listing import analyse_page, requestable
from investchn_spider.replica import FaultPlan, SilentListener
from investchn_spider.store import Archive

ROOT = Path(__file__).resolve().parents[1]
SEED, ARTICLES = 7, 30
LISTS = r"/(wzxw|tpxw)/(index(_\d+)?\.html)?$"  # every list page of every section
LIST_ANCHORS = ('<ul class="news-list">', '<table class="list-table" width="100%" border="0" cellspacing="0">')

# Runs a module (``investchn_spider``, ``scrapy``) or a script with an audit hook that writes, one JSON line each,
# every socket connect and name lookup, every open of a watched path, and at exit the peak RSS (Linux).
AUDITED = r"""
import atexit, json, runpy, socket, sys
log = open(sys.argv[1], "a", buffering=1, encoding="utf-8")
watched = tuple(json.loads(sys.argv[2]))
def hook(event, args):
    if event == "socket.connect" and args[0].family in (socket.AF_INET, socket.AF_INET6):
        log.write(json.dumps(["connect", args[1][0]]) + "\n")
    elif event == "socket.getaddrinfo":
        host = args[0].decode() if isinstance(args[0], bytes) else args[0]
        log.write(json.dumps(["getaddrinfo", host]) + "\n")
    elif event == "open" and isinstance(args[0], str) and args[0].startswith(watched):
        log.write(json.dumps(["open", args[0]]) + "\n")
sys.addaudithook(hook)
def peak_kib():  # VmHWM: this program's own peak (ru_maxrss would include the parent's, from before exec)
    status = open("/proc/self/status", encoding="ascii").read()
    return int(status.split("VmHWM:", 1)[1].split()[0])
atexit.register(lambda: log.write(json.dumps(["peak_rss_kib", peak_kib()]) + "\n"))
target, sys.argv = sys.argv[3], [sys.argv[3], *sys.argv[4:]]
if target.endswith(".py"):
    runpy.run_path(target, run_name="__main__")
else:
    runpy.run_module(target, run_name="__main__", alter_sys=True)
"""
# A crawl of start URLs the command lines refuse (they accept http(s) only): what the download
# handlers do with other schemes, should a request for one ever be made.
CRAWL_ANY_START = """
import sys
from investchn_spider.crawl import CrawlOptions, run_crawl
result = run_crawl(CrawlOptions(db=sys.argv[1], start_urls=sys.argv[2:], delay=0.0, log_level="WARNING"))
sys.exit(result.exit_code)
"""


def audited(tmp_path: Path, target: str, *args: str, watched=(), env=None) -> tuple[subprocess.CompletedProcess, list]:
    """Run ``python -m target args`` (or the script ``target``) under the audit hook; return the result
    and the recorded events."""
    events = tmp_path / f"audit-{len(list(tmp_path.glob('audit-*')))}.jsonl"
    result = subprocess.run(
        [sys.executable, "-c", AUDITED, str(events), json.dumps([str(path) for path in watched]), target, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
        env=env,
    )
    lines = events.read_text(encoding="utf-8").splitlines() if events.exists() else []
    return result, [json.loads(line) for line in lines]


def crawl(server, db, *options: str):
    """``investchn crawl`` of the replica into ``db`` (the access log cleared first)."""
    server.clear_access_log()
    return run_investchn("crawl", "--start-url", server.url, "--delay", "0", "--db", str(db), *options)


def scrapy_crawl_args(server_url: str, db, *settings: str) -> list[str]:
    """The arguments of ``scrapy crawl zone_news`` from ``server_url`` into ``db``, with ``-s`` settings."""
    args = ["crawl", "zone_news", "-s", f"INVESTCHN_DB={db}", "-s", f"INVESTCHN_START_URLS={server_url}"]
    args += ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING"]
    for setting in settings:
        args += ["-s", setting]
    return args


def failures(db) -> dict[str, tuple]:
    with sqlite3.connect(db) as conn:
        return {row[0]: row[1:] for row in conn.execute("SELECT url, kind, status, attempts, reason FROM failures")}


def run_stats(db) -> dict:
    with sqlite3.connect(db) as conn:
        return json.loads(conn.execute("SELECT stats FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0])


def archived_titles(db) -> set[str]:
    with Archive(db, create=False) as archive:
        return {row["title"] for row in archive.iter_articles()}


def victims(site, count: int) -> list[dict]:
    """A few articles listed once (so their fate is easy to follow)."""
    return [a for a in site.expected_articles() if len(a["urls"]) == 1][:count]


def path_rule(path: str) -> str:
    return path.replace(".", r"\.") + "$"


def inject_list_items(links: list[str]) -> list[dict]:
    """Fault rules that add one dated item per href to every list page, among its own items."""
    items = "".join(
        f'<li><a href="{href}">开发区新闻{n}号园区招商项目签约</a><span>2024-05-0{n % 9 + 1}</span></li>'
        for n, href in enumerate(links)
    )
    rows = "".join(
        f'<tr><td><a href="{href}">开发区新闻{n}号园区招商项目签约</a></td><td>[2024-05-0{n % 9 + 1}]</td></tr>'
        for n, href in enumerate(links)
    )
    return [
        {"kind": "rewrite", "match": LISTS, "old": LIST_ANCHORS[0], "new": LIST_ANCHORS[0] + items},
        {"kind": "rewrite", "match": LISTS, "old": LIST_ANCHORS[1], "new": LIST_ANCHORS[1] + rows},
    ]


@pytest.fixture
def server(replica_factory):
    server = replica_factory(seed=SEED, articles=ARTICLES)
    server.set_faults([])
    server.clear_access_log()
    return server


# -- links that cannot be requested, read by extraction -------------------------------------------------


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("http://127.0.0.1:8000/kfqxw/", True),
        ("https://www.investchn.com/a.html?x=1", True),
        ("ftp://127.0.0.1:21/", False),
        ("file://127.0.0.1/etc/passwd", False),
        ("sms:10086", False),
        ("weixin://dl/chat", False),
        ("", False),
        ("http:///path", False),
        ("http://host:99999/", False),
        ("http://host:port/", False),
        ("http://host/\udcff", False),
    ],
)
def test_only_http_urls_with_a_host_are_requestable(url, ok):
    assert requestable(url) is ok


BAD_HREFS = ["sms:10086", "weixin://dl/chat?abc", "http://[x/", "ftp://127.0.0.1:2121/", "file://127.0.0.1/etc/passwd"]


def test_a_list_page_sets_aside_the_links_it_cannot_request_and_reads_the_rest():
    bad = "".join(
        f'<li><a href="{href}">开发区新闻园区招商项目签约仪式</a><span>2024-05-01</span></li>' for href in BAD_HREFS
    )
    good = "".join(
        f'<li><a href="t2024050{n}_{n}.html">园区第{n}个招商项目签约仪式举行</a><span>2024-05-0{n}</span></li>'
        for n in range(1, 4)
    )
    not_links = '<li><a href="java&#x09;script:alert(1)">开发区新闻园区招商项目签约仪式</a><span>2024-05-01</span></li>'
    html = (
        '<html><body><div>您现在的位置：<a href="/">首页</a> &gt; <a href="/kfqxw/">开发区新闻</a> &gt; '
        '<a href="/kfqxw/ypq/">杨浦区</a> &gt; 文字新闻</div>'
        f'<ul>{bad}{not_links}{good}</ul><div><a href="http://[x/2.html">下一页</a></div></body></html>'
    )
    analysis = analyse_page(parse_document(html.encode(), "http://127.0.0.1:8000/kfqxw/ypq/wzxw/"))
    assert analysis.kind == "listing"
    assert [a.url for a in analysis.articles] == [
        f"http://127.0.0.1:8000/kfqxw/ypq/wzxw/t2024050{n}_{n}.html" for n in range(1, 4)
    ]
    assert analysis.skipped_links == [*BAD_HREFS, "http://[x/2.html"]  # javascript: is no link at all
    assert analysis.next_pages == []


def test_an_entry_link_that_cannot_be_requested_is_set_aside():
    html = '<html><body><a href="http://[x/kfqxw/">开发区新闻</a> <a href="/kfqxw/">更多开发区新闻</a></body></html>'
    analysis = analyse_page(parse_document(html.encode(), "http://127.0.0.1:8000/"))
    assert analysis.kind == "other"
    assert analysis.entry_links == ["http://127.0.0.1:8000/kfqxw/"]
    assert analysis.skipped_links == ["http://[x/kfqxw/"]


# -- 1. only http and https --------------------------------------------------------------------------------


def test_links_of_other_schemes_are_skipped_counted_and_never_fetched(server, tmp_path):
    secret = tmp_path / "secret.html"
    secret.write_text("<html><body>本地文件，不得读取</body></html>", encoding="utf-8")
    db = tmp_path / "archive.db"
    with SilentListener() as silent:
        links = [f"ftp://127.0.0.1:{silent.port}/", f"file://127.0.0.1{secret}", f"file://{secret}"]
        server.set_faults(inject_list_items(links))
        args = ["crawl", "--start-url", server.url, "--delay", "0", "--db", str(db), "--timeout", "60"]
        result, events = audited(tmp_path, "investchn_spider", *args, watched=[secret])
        assert silent.connections == 0
    assert result.returncode == exitcodes.OK, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert ["open", str(secret)] not in events
    assert archived_titles(db) == {a["title"] for a in server.site.expected_articles()}
    assert "links skipped           3" in result.stdout
    assert run_stats(db)["investchn/links_skipped"] == 3  # each counted once, whatever the pages showing it


def test_no_download_handler_but_http_even_for_a_start_url(tmp_path):
    secret = tmp_path / "secret.html"
    secret.write_text("<html><body>本地文件，不得读取</body></html>", encoding="utf-8")
    script = tmp_path / "crawl_any_start.py"
    script.write_text(CRAWL_ANY_START, encoding="utf-8")
    db = tmp_path / "archive.db"
    with SilentListener() as silent:
        starts = [f"ftp://127.0.0.1:{silent.port}/", f"file://127.0.0.1{secret}"]
        result, events = audited(tmp_path, str(script), str(db), *starts, watched=[secret])
        assert silent.connections == 0  # the FTP handler would connect and wait for a greeting forever
    assert result.returncode == exitcodes.UNREACHABLE, result.stderr[-3000:]
    assert ["open", str(secret)] not in events
    recorded = failures(db)
    assert {url.split(":", 1)[0] for url in recorded} == {"ftp", "file"}
    assert all("Unsupported URL scheme" in row[3] for row in recorded.values()), recorded


@pytest.mark.parametrize("start", ["ftp://127.0.0.1:2121/", "file:///etc/passwd", "sms:10086"])
def test_scrapy_crawl_refuses_a_start_url_that_is_not_http(tmp_path, start):
    command = [sys.executable, "-m", "scrapy", *scrapy_crawl_args(start, tmp_path / "archive.db")]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2, result.stderr[-3000:]
    assert "is not an http(s) URL" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "archive.db").exists()


# -- 2. links no request can be built from ------------------------------------------------------------------


def test_links_no_request_can_be_built_from_do_not_abort_the_page(server, tmp_path):
    odd = ["sms:10086", "weixin://dl/chat?abc", "java&#x09;script:alert(1)", "http://[x/"]
    entry = '<div class="box kfqxw"><a href="http://[x/kfqxw/">开发区新闻</a>'
    home = {"kind": "rewrite", "match": r"^/$", "old": '<div class="box kfqxw">', "new": entry}
    server.set_faults([*inject_list_items(odd), home])
    db = tmp_path / "archive.db"
    result = crawl(server, db)
    assert result.returncode == exitcodes.OK, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert archived_titles(db) == {a["title"] for a in server.site.expected_articles()}
    # sms:, weixin:, http://[x/ on the lists and http://[x/kfqxw/ on the home page; java<TAB>script: is
    # javascript:, as a browser reads it: no link at all.
    assert "links skipped           4" in result.stdout
    assert run_stats(db)["investchn/links_skipped"] == 4
    assert not failures(db).keys() - {server.url.rstrip("/") + path for path in server.site.dead_links()}
    assert not [e for e in server.access_log if "script" in e["path"] or "[" in e["path"]]


# -- 3. the size cap ----------------------------------------------------------------------------------------

CAP = 1_000_000
HUGE = 200_000_000


def test_pages_over_the_size_cap_are_refused_recorded_and_not_retried(server, tmp_path):
    declared, streamed, bomb = (a["urls"][0] for a in victims(server.site, 3))
    server.set_faults(
        [
            {"kind": "huge", "match": path_rule(declared), "size": HUGE},
            {"kind": "huge", "match": path_rule(streamed), "size": HUGE, "declared": False},
            {"kind": "gzip_bomb", "match": path_rule(bomb), "size": 50_000_000},
        ]
    )
    db = tmp_path / "archive.db"
    args = scrapy_crawl_args(server.url, db, f"INVESTCHN_MAX_PAGE_BYTES={CAP}")
    server.clear_access_log()
    result, events = audited(tmp_path, "scrapy", *args)
    assert result.returncode == exitcodes.OK, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    # Memory stays bounded: nothing near 200 MB, nor the bomb's 50 MB inflated, was held (a crawl of
    # the replica peaks under 100 MB).
    peak_mib = next(kib for name, kib in events if name == "peak_rss_kib") / 1024
    assert peak_mib < 130, peak_mib
    base = server.url.rstrip("/")
    recorded = failures(db)
    for path in (declared, streamed, bomb):
        kind, _, attempts, reason = recorded[base + path]
        assert (kind, attempts) == ("too_large", 1), reason
    assert "declares 200000000 bytes" in recorded[base + declared][3]
    assert "inflates past the cap" in recorded[base + bomb][3]
    expected = {a["title"] for a in server.site.expected_articles()}
    refused = {a["title"] for a in victims(server.site, 3)}
    assert archived_titles(db) == expected - refused  # the crawl went on with the other pages
    log = server.access_log
    for path in (declared, streamed, bomb):
        assert [e["path"] for e in log].count(path) == 1  # not retried by Scrapy either
    sent = {e["path"]: e["bytes"] for e in log}
    assert sent[declared] < HUGE / 4 and sent[streamed] < HUGE / 4  # the crawler hung up early

    second, _ = audited(tmp_path, "scrapy", *args)
    assert second.returncode == exitcodes.OK, second.stderr[-3000:]
    assert not {declared, streamed, bomb} & {e["path"] for e in server.access_log[len(log) :]}


# -- 4. redirects --------------------------------------------------------------------------------------------


def test_a_pager_that_links_on_forever_is_cut_recorded_and_every_article_archived(server, tmp_path):
    # Every list's last page links 下一页 on to itself with ?p=N+1: the same articles, a new URL, forever.
    server.set_faults([{"kind": "pager_loop", "match": r"/(wzxw|tpxw)/(index(_\d+)?\.html)?(\?|$)"}])
    db = tmp_path / "archive.db"
    first = crawl(server, db)
    assert first.returncode == exitcodes.OK, first.stderr[-3000:]
    looped = [e["path"] for e in server.access_log if "?p=" in e["path"]]
    cut = {url: row for url, row in failures(db).items() if row[0] == "paging_limit"}
    lists = {page["path"]: (page["district"], page["type"]) for page in server.site.list_pages() if page["page"] == 1}
    assert {urlsplit(url).path for url in cut} == set(lists)  # every list is cut, once
    for url in cut:
        path, query = urlsplit(url).path, urlsplit(url).query
        # INVESTCHN_MAX_REPEAT_PAGES (3) pages in a row that list nothing the list had not listed: ?p=2, 3, 4
        # after a list's last real page; ?p=2, 3 when the list is empty (its own page listed nothing).
        empty = not server.site.list_items(lists[path], 0, 1)
        assert query == ("p=3" if empty else "p=4"), url
        assert sorted(p for p in looped if p.startswith(path + "?")) == [
            f"{path}?p={n}" for n in range(2, 4 if empty else 5)
        ]
    assert run_stats(db)["investchn/lists_cut"] == len(cut)
    assert archived_titles(db) == {a["title"] for a in server.site.expected_articles()}

    second = crawl(server, db)  # the lists were walked to where they were cut: nothing new, no loop
    assert second.returncode == exitcodes.OK, second.stderr[-3000:]
    assert not [e["path"] for e in server.access_log if "?p=" in e["path"]]


def test_a_redirect_inside_the_host_archives_the_target_and_aliases_the_listed_url(server, tmp_path):
    article = victims(server.site, 1)[0]
    listed = article["urls"][0]
    base = server.url.rstrip("/")
    target = f"{base}{listed}?moved=1"
    server.set_faults([{"kind": "redirect", "match": path_rule(listed), "status": 301, "location": target}])
    db = tmp_path / "archive.db"
    first = crawl(server, db)
    assert first.returncode == exitcodes.OK, first.stderr[-3000:]
    with sqlite3.connect(db) as conn:
        url, article_id = conn.execute("SELECT url, id FROM articles WHERE title = ?", [article["title"]]).fetchone()
        urls = {row[0] for row in conn.execute("SELECT url FROM article_urls WHERE article_id = ?", [article_id])}
        redirected = conn.execute("SELECT redirected_from FROM captures WHERE url = ?", [target]).fetchone()[0]
    assert url == target
    assert urls == {target, base + listed}
    assert json.loads(redirected) == [base + listed]
    assert [e["path"] for e in server.access_log].count(listed) == 1

    second = crawl(server, db)
    assert second.returncode == exitcodes.OK, second.stderr[-3000:]
    paths = [e["path"] for e in server.access_log]
    assert listed not in paths and f"{listed}?moved=1" not in paths  # the listed URL is known: not fetched


def test_a_redirect_onto_an_article_the_run_fetches_anyway_still_records_the_listed_url(server, tmp_path):
    # One listed article's URL now redirects to another listed article's: whichever the run fetches first,
    # the redirected URL must end up known, so later runs do not fetch it again.
    moved, kept = victims(server.site, 2)
    base = server.url.rstrip("/")
    server.set_faults([{"kind": "redirect", "match": path_rule(moved["urls"][0]), "location": base + kept["urls"][0]}])
    db = tmp_path / "archive.db"
    first = crawl(server, db)
    assert first.returncode == exitcodes.OK, first.stderr[-3000:]
    with sqlite3.connect(db) as conn:
        owner = conn.execute("SELECT article_id FROM article_urls WHERE url = ?", [base + moved["urls"][0]]).fetchone()
        kept_id = conn.execute("SELECT article_id FROM article_urls WHERE url = ?", [base + kept["urls"][0]]).fetchone()
    assert owner is not None and owner == kept_id
    second = crawl(server, db)
    assert second.returncode == exitcodes.OK, second.stderr[-3000:]
    assert moved["urls"][0] not in [e["path"] for e in server.access_log]


def test_redirects_off_the_host_are_refused_and_recorded(server, tmp_path):
    moved, refreshed = (a["urls"][0] for a in victims(server.site, 2))
    offsite = f"http://localhost:{server.port}"
    server.set_faults(
        [
            {"kind": "redirect", "match": path_rule(moved), "status": 301, "location": offsite + moved},
            {"kind": "refresh", "match": path_rule(refreshed), "location": offsite + refreshed},
        ]
    )
    db = tmp_path / "archive.db"
    result = crawl(server, db)
    assert result.returncode == exitcodes.OK, result.stderr[-3000:]
    assert not [e for e in server.access_log if e["host"].startswith("localhost")]  # not followed
    base = server.url.rstrip("/")
    recorded = failures(db)
    assert recorded[base + moved][:3] == ("redirect_offsite", 301, 1)
    assert recorded[base + refreshed][:3] == ("redirect_offsite", 200, 1)
    assert f"HTTP 301 redirect to {offsite}{moved}" in recorded[base + moved][3]
    assert f"meta refresh to {offsite}{refreshed}" in recorded[base + refreshed][3]
    refused = {a["title"] for a in victims(server.site, 2)}
    assert archived_titles(db) == {a["title"] for a in server.site.expected_articles()} - refused

    second = crawl(server, db)  # a refusal is not retried
    assert second.returncode == exitcodes.OK
    assert not {moved, refreshed} & {e["path"] for e in server.access_log}


def test_robots_txt_is_read_across_a_redirect_to_another_host(server, tmp_path):
    # RFC 9309: a crawler follows robots.txt's redirects, wherever they lead; only pages are refused.
    offsite = f"http://localhost:{server.port}/robots.txt?moved=1"  # (no match for the rule: no loop)
    server.set_faults([{"kind": "redirect", "match": r"^/robots\.txt$", "status": 301, "location": offsite}])
    db = tmp_path / "archive.db"
    result = crawl(server, db)
    assert result.returncode == exitcodes.OK, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert [(e["host"], e["path"]) for e in server.access_log if e["host"].startswith("localhost")] == [
        (f"localhost:{server.port}", "/robots.txt?moved=1")
    ]
    assert not [e for e in server.access_log if e["path"].startswith(("/search", "/kfqxw/wngd"))]  # still obeyed
    assert not failures(db).keys() - {server.url.rstrip("/") + path for path in server.site.dead_links()}


# -- 5. cookies, and no host but the crawl's -----------------------------------------------------------------


def test_set_cookie_reaches_no_host_but_the_crawls(server, tmp_path):
    server.set_faults([{"kind": "header", "name": "Set-Cookie", "value": "sid=hostile42; Path=/"}])
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"), "LANG": "C.UTF-8"}
    db = tmp_path / "archive.db"
    server.clear_access_log()
    args = ["crawl", "--start-url", server.url, "--delay", "0", "--db", str(db)]
    result, events = audited(tmp_path, "investchn_spider", *args, env=env)
    assert result.returncode == exitcodes.OK, result.stderr[-3000:]
    assert archived_titles(db) == {a["title"] for a in server.site.expected_articles()}
    assert any(e["cookie"] == "sid=hostile42" for e in server.access_log)  # cookies do work
    hosts = {host for name, host in events if name in ("connect", "getaddrinfo")}
    assert hosts == {"127.0.0.1"}, hosts  # no public-suffix list fetched from the internet
    assert not list(home.rglob("*"))  # and no cache of it written under the user's home


# -- 6. charsets no decoder takes ------------------------------------------------------------------------------

ODD_CHARSETS = ["undefined", "rot13", "idna", "utf-7", "hex"]


def test_pages_declaring_charsets_no_decoder_takes_are_sniffed_and_archived(server, tmp_path):
    rules = []
    for article, label in zip(victims(server.site, len(ODD_CHARSETS)), ODD_CHARSETS, strict=True):
        match = path_rule(article["urls"][0])
        rules.append({"kind": "header", "match": match, "name": "Content-Type", "value": f"text/html; charset={label}"})
        for declared in ("utf-8", "gb2312", "gbk"):
            rules.append({"kind": "rewrite", "match": match, "old": f"charset={declared}", "new": f"charset={label}"})
    server.set_faults(rules)
    db = tmp_path / "archive.db"
    result = crawl(server, db)
    assert result.returncode == exitcodes.OK, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    with Archive(db, create=False) as archive:
        stored = {row["title"]: row for row in archive.iter_articles()}
    for article in server.site.expected_articles():
        assert stored[article["title"]]["body_text"] == article["body_text"]  # no page lost, no mojibake
    with sqlite3.connect(db) as conn:
        charsets = {row[0] for row in conn.execute("SELECT http_charset FROM captures")}
    assert set(ODD_CHARSETS) <= charsets  # the pages did declare them
    assert not failures(db).keys() - {server.url.rstrip("/") + path for path in server.site.dead_links()}


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "header", "value": "x"},
        {"kind": "huge"},
        {"kind": "huge", "size": -1},
        {"kind": "gzip_bomb", "size": "big"},
        {"kind": "redirect"},
        {"kind": "redirect", "location": "/x", "status": 200},
        {"kind": "refresh"},
        {"kind": "huge", "size": 10, "bytes": 10},
    ],
)
def test_hostile_fault_rules_are_validated(rule):
    with pytest.raises(ValueError):
        FaultPlan.from_rules([rule])


def test_the_silent_listener_accepts_and_says_nothing():
    with SilentListener() as silent, socket.create_connection(("127.0.0.1", silent.port), timeout=5) as client:
        client.settimeout(0.2)
        with pytest.raises(TimeoutError):
            client.recv(1)
    assert silent.connections == 1
