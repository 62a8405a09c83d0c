"""Extraction quality: fill rates, recurring lines, likely mis-extracted articles, and drift on fill-rate drops."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from itertools import pairwise

import pytest
from click.testing import CliRunner
from conftest import article_record, replica_archive, run_investchn

from investchn_spider import exitcodes
from investchn_spider.cli import cli
from investchn_spider.replica import ReplicaSite
from investchn_spider.replica.faults import FaultPlan
from investchn_spider.report import FILL_MIN_HISTORY, FillCheck, RunReport, judge
from investchn_spider.store import Archive
from investchn_spider.store.quality import (
    FIELD_KEYS,
    RECURRING_MIN_BODIES,
    SHORT_BODY_CHARS,
    fill_rates,
    fill_rates_by_month,
    likely_misextracted,
    recurring_lines,
    template_profile_lines,
)
from investchn_spider.store.queries import ArticleFilter

SEED, ARTICLES = 7, 300
TEST_DISTRICT = "测试区"
SHARE_BAR = "分享到： 微信 微博 QQ空间"
# Eight articles of a district of their own: six carry leaked chrome (a share bar and a counter whose
# number differs per page), one is all but empty with a breadcrumb word as its title, one is clean.
LONG_TEXT = "园区坚持以高质量发展为主线，推动产业链招商取得新进展，一批重点项目相继签约落地。" * 3


def _extra_records() -> list[dict]:
    records = []
    for number in range(6):
        body = f"{LONG_TEXT}{number}\n{SHARE_BAR}\n浏览次数：{100 + number * 37}"
        records.append(
            article_record(f"http://x.test/leak/{number}", f"测试区新闻{number}", body, district=TEST_DISTRICT)
        )
    records.append(article_record("http://x.test/empty", "开发区新闻", "点击查看", district=TEST_DISTRICT))
    records.append(article_record("http://x.test/clean", "测试区干净的新闻", LONG_TEXT, district=TEST_DISTRICT))
    records.append(
        article_record("http://x.test/nodistrict", "无区新闻标题", "无区新闻标题\n" + LONG_TEXT, district=None)
    )
    return records


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """An archive of a replica's articles plus the extra records; returns (path, ground truth)."""
    path = tmp_path_factory.mktemp("quality") / "archive.db"
    expected = replica_archive(path, SEED, ARTICLES, _extra_records())
    return path, expected


def _rows(path) -> list[dict]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in conn.execute("SELECT * FROM articles")]
    finally:
        conn.close()


def _brute_missing(row: dict) -> dict[str, bool | None]:
    """Each field's gap in one row, by plain Python (None: the field does not apply)."""
    photo = row["category"] == "图片新闻"
    return {
        "source": not row["source"],
        "zone": not row["zone"],
        "time": not row["published_at"],
        "district": not row["district"],
        "short_body": len(row["body_text"] or "") < SHORT_BODY_CHARS,
        "photo_image": (not json.loads(row["images"] or "[]")) if photo else None,
    }


def _brute_rates(rows: list[dict]) -> tuple[int, dict[str, int], dict[str, int]]:
    missing, eligible = Counter(), Counter()
    for row in rows:
        for key, gap in _brute_missing(row).items():
            if gap is not None:
                eligible[key] += 1
                missing[key] += gap
    return len(rows), {k: missing[k] for k in FIELD_KEYS}, {k: eligible[k] for k in FIELD_KEYS}


def test_fill_rates_equal_a_brute_force_count_and_the_replica_truth(archive):
    path, expected = archive
    rows = _rows(path)
    with Archive(path, readonly=True) as opened:
        rates = fill_rates(opened.db)
        months = fill_rates_by_month(opened.db)
    assert (rates.articles, rates.missing, rates.eligible) == _brute_rates(rows)
    # The replica's own records: as many without 来源 / 发布开发区 as its ground truth says.
    assert rates.missing["source"] == sum(1 for a in expected if not a["source"]) + len(_extra_records())
    assert rates.missing["zone"] == sum(1 for a in expected if not a["zone"]) + len(_extra_records())
    assert 0 < rates.missing["source"] < rates.articles
    by_month: dict[str, list[dict]] = {}
    for row in rows:
        by_month.setdefault(row["published_date"][:7], []).append(row)
    assert [month for month, _ in months] == sorted(by_month)
    for month, month_rates in months:
        assert (month_rates.articles, month_rates.missing, month_rates.eligible) == _brute_rates(by_month[month])


def test_fill_rates_follow_the_date_selection(archive):
    path, _ = archive
    rows = [row for row in _rows(path) if "2024-05-01" <= row["published_date"] <= "2024-06-30"]
    assert rows
    with Archive(path, readonly=True) as opened:
        rates = fill_rates(opened.db, ArticleFilter(since="2024-05-01", until="2024-06-30"))
    assert (rates.articles, rates.missing, rates.eligible) == _brute_rates(rows)


def test_recurring_lines_find_leaked_chrome_and_no_prose(archive):
    path, _ = archive
    with Archive(path, readonly=True) as opened:
        found = recurring_lines(opened.db)
    lines = {(item.district, item.line, item.bodies, item.district_articles) for item in found}
    assert lines == {(TEST_DISTRICT, SHARE_BAR, 6, 8), (TEST_DISTRICT, "浏览次数：#", 6, 8)}
    assert all(item.bodies >= RECURRING_MIN_BODIES for item in found)


def test_likely_misextracted_ranks_by_score_with_reasons(archive):
    path, _ = archive
    with Archive(path, readonly=True) as opened:
        scored, top = likely_misextracted(opened.db, limit=8)
    assert top[0].url == "http://x.test/empty"
    reasons = " | ".join(top[0].reasons)
    assert "under 80" in reasons and "breadcrumb word" in reasons
    assert [s.score for s in top] == sorted((s.score for s in top), reverse=True)
    by_url = {s.url: s for s in top}
    assert "http://x.test/nodistrict" in by_url
    assert any("body starts with the title" in r for r in by_url["http://x.test/nodistrict"].reasons)
    leaked = [s for s in top if s.url.startswith("http://x.test/leak/")]
    assert len(leaked) == 6 and all(any("recurring" in r for r in s.reasons) for s in leaked)
    assert "http://x.test/clean" not in by_url
    # Ties by URL: equal scores come in URL order.
    for before, after in pairwise(top):
        assert (-before.score, before.url) < (-after.score, after.url)
    assert scored >= len(top)


def test_quality_does_not_depend_on_the_order_articles_were_stored(archive, tmp_path):
    path, _ = archive
    reversed_path = tmp_path / "reversed.db"
    replica_archive(reversed_path, SEED, ARTICLES, list(reversed(_extra_records())))
    outputs = []
    for db in (path, reversed_path):
        result = CliRunner().invoke(cli, ["quality", "--db", str(db), "--json", "--limit", "50"])
        assert result.exit_code == 0, result.output
        data = json.loads(result.output)
        data.pop("archive")
        outputs.append(data)
    assert outputs[0] == outputs[1]


def test_quality_command_text(archive):
    path, _ = archive
    result = CliRunner().invoke(cli, ["quality", "--db", str(path), "--limit", "3"])
    assert result.exit_code == 0, result.output
    out = result.output
    lines = out.splitlines()
    assert lines[0].startswith(f"Archive {path}: ") and "articles" in lines[0]
    fill = lines[lines.index("Fill rates (articles missing each field)") + 3 :]
    assert fill[0].split()[:3] == ["no", "来源", "(source)"]
    with Archive(path, readonly=True) as opened:
        rates = fill_rates(opened.db)
    assert fill[0].split()[3:5] == [str(rates.missing["source"]), str(rates.articles)]
    assert rates.articles == ARTICLES + len(_extra_records())
    assert "no template profile learned yet (run investchn profile)" in out
    assert SHARE_BAR.split()[0] in out and "浏览次数：#" in out
    suspects = lines[next(n for n, line in enumerate(lines) if line.startswith("Likely mis-extracted")) + 1 :]
    assert suspects[0].split() == [str(likely_misextracted_top_score(path)), "http://x.test/empty"]


def likely_misextracted_top_score(path) -> int:
    with Archive(path, readonly=True) as opened:
        return likely_misextracted(opened.db, limit=1)[1][0].score


def test_quality_json_is_the_queries(archive):
    path, _ = archive
    result = CliRunner().invoke(cli, ["quality", "--db", str(path), "--json", "--since", "2024-05", "--limit", "4"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    selection = ArticleFilter(since="2024-05-01")
    with Archive(path, readonly=True) as opened:
        assert data["overall"] == fill_rates(opened.db, selection).as_dict()
        assert [m["month"] for m in data["months"]] == [m for m, _ in fill_rates_by_month(opened.db, selection)]
        scored, top = likely_misextracted(opened.db, selection, 4)
    assert data["likely_misextracted"]["scored"] == scored
    assert [s["url"] for s in data["likely_misextracted"]["top"]] == [s.url for s in top]
    assert data["template_profiles"] is None and data["runs"] == []
    assert data["overall"]["fields"]["source"]["share"] == pytest.approx(
        data["overall"]["fields"]["source"]["missing"] / data["overall"]["articles"]
    )


def test_stats_has_a_quality_section(archive):
    path, _ = archive
    result = CliRunner().invoke(cli, ["stats", "--db", str(path), "--runs", "0"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("Quality ("))
    assert lines[start + 3].split()[:3] == ["no", "来源", "(source)"]
    assert any(line.strip().startswith("Worst month: 2024-") for line in lines[start:])
    assert f"More: investchn quality --db {path}" in result.output


def test_quality_of_an_empty_and_of_a_missing_archive(tmp_path):
    Archive(tmp_path / "empty.db").close()
    result = CliRunner().invoke(cli, ["quality", "--db", str(tmp_path / "empty.db")])
    assert result.exit_code == 0 and "no articles yet" in result.output
    result = CliRunner().invoke(cli, ["quality", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == exitcodes.ERROR and "no archive" in result.output


def test_template_profile_lines_are_read_defensively(tmp_path):
    path = tmp_path / "profiles.db"
    with Archive(path) as opened:
        assert template_profile_lines(opened.db) is None
        opened.db["template_profiles"].insert_all(
            [
                {"host": "b.test", "profile": json.dumps({"lines": ["分享到：", {"text": "打印本页"}, 3, ""]})},
                {"host": "a.test", "profile": json.dumps(["责任编辑：#"])},
                {"host": "c.test", "profile": "{not json"},
                {"host": "d.test", "profile": json.dumps({"version": 2})},
            ]
        )
        assert template_profile_lines(opened.db) == {
            "a.test": ["责任编辑：#"],
            "b.test": ["分享到：", "打印本页"],
            "c.test": [],
            "d.test": [],
        }
    result = CliRunner().invoke(cli, ["quality", "--db", str(path), "--json"])
    assert json.loads(result.output)["template_profiles"]["b.test"] == ["分享到：", "打印本页"]


# --- the drift rule ------------------------------------------------------------------------------


def _verdict(run_filled, run_articles, history_filled, history_articles, minimum=20):
    report = RunReport(start_urls=["http://x.test/"], fill_min_articles=minimum)
    report.count("pages_article", run_articles)
    report.fill_checks = [FillCheck("来源 (source)", run_filled, run_articles, history_filled, history_articles)]
    return judge(report)


@pytest.mark.parametrize(
    ("check", "drift"),
    [
        ((0, 20, 45, 50), True),  # the documented floor on both sides
        ((0, 19, 45, 50), False),  # too few articles in the run
        ((0, 20, 45, FILL_MIN_HISTORY - 1), False),  # too little history
        ((0, 20, 39, 50), False),  # history under 80% filled
        ((8, 20, 45, 50), True),  # 40% < half of 90%
        ((10, 20, 50, 50), False),  # exactly half of 100%: not below it
        ((20, 20, 45, 50), False),
    ],
)
def test_fill_rate_drift_rule(check, drift):
    verdict = _verdict(*check)
    assert (verdict.exit_code == exitcodes.LAYOUT_DRIFT) is drift
    if drift:
        assert "来源 (source) filled in" in verdict.message and f"of the {check[3]} stored before" in verdict.message


def test_fill_rate_drift_can_be_turned_off():
    assert _verdict(0, 100, 100, 100, minimum=0).exit_code == exitcodes.OK


def test_meta_missing_fault_rule():
    plan = FaultPlan.from_rules([{"kind": "meta_missing", "match": r"\.html$"}])
    assert plan.decide("/a.html").hidden_meta == ("来源", "发布开发区")
    assert plan.decide("/a/").hidden_meta == ()
    assert FaultPlan.from_rules([{"kind": "meta_missing", "labels": ["来源"]}]).decide("/").hidden_meta == ("来源",)
    with pytest.raises(ValueError, match="labels"):
        FaultPlan.from_rules([{"kind": "meta_missing", "labels": ["标题"]}])


# --- end to end: a crawl whose pages lose their meta ---------------------------------------------

CRAWL_SEED, HISTORY = 5, 60
ARTICLE_PAGES = r"/t\d{8}_\d+\.html$"


def _crawl(server, db):
    return run_investchn("crawl", "--start-url", server.url, "--delay", "0", "--db", str(db))


def _runs(db) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT id, status, exit_code, new_articles FROM runs ORDER BY id").fetchall()


@pytest.fixture(scope="module")
def drifted(replica_factory, tmp_path_factory):
    """A clean crawl of HISTORY articles, then 25 new ones served without 来源 and 发布开发区."""
    server = replica_factory(seed=CRAWL_SEED, articles=HISTORY)
    db = tmp_path_factory.mktemp("drift") / "archive.db"
    first = _crawl(server, db)
    server.site = ReplicaSite(seed=CRAWL_SEED, articles=HISTORY + 25)
    server.set_faults([{"kind": "meta_missing", "match": ARTICLE_PAGES}])
    second = _crawl(server, db)
    server.set_faults([])
    return server, db, first, second


def test_a_run_whose_articles_lose_their_source_exits_6(drifted):
    server, db, first, second = drifted
    assert first.returncode == exitcodes.OK, first.stderr[-2000:]
    assert second.returncode == exitcodes.LAYOUT_DRIFT, second.stderr[-3000:]
    assert "Traceback" not in second.stderr
    assert "layout drift: 来源 (source) filled in 0% of the 25 articles this run stored" in second.stderr
    assert "发布开发区 (zone) filled in 0%" in second.stderr
    assert _runs(db)[1][1:] == ("layout_drift", exitcodes.LAYOUT_DRIFT, 25)
    # What could be read is archived: every article, the new ones without their meta.
    expected = server.site.expected_articles()
    with Archive(db, readonly=True) as opened:
        assert fill_rates(opened.db).articles == len(expected)
    result = CliRunner().invoke(cli, ["quality", "--db", str(db), "--json"])
    runs = {run["run"]: run for run in json.loads(result.output)["runs"]}
    assert runs[2]["articles"] == 25 and runs[2]["status"] == "layout_drift"
    assert runs[2]["fields"]["source"]["missing"] == 25 and runs[2]["fields"]["zone"]["missing"] == 25
    assert runs[1]["articles"] == HISTORY


def test_a_clean_growth_and_a_run_under_the_minimum_do_not_fire(replica_factory, tmp_path):
    server = replica_factory(seed=CRAWL_SEED, articles=HISTORY)
    db = tmp_path / "archive.db"
    assert _crawl(server, db).returncode == exitcodes.OK
    server.site = ReplicaSite(seed=CRAWL_SEED, articles=HISTORY + 10)
    server.set_faults([{"kind": "meta_missing", "match": ARTICLE_PAGES}])
    few = _crawl(server, db)  # 10 articles without their meta: too few to judge
    assert few.returncode == exitcodes.OK, few.stderr[-2000:]
    server.set_faults([])
    server.site = ReplicaSite(seed=CRAWL_SEED, articles=HISTORY + 35)
    clean = _crawl(server, db)
    assert clean.returncode == exitcodes.OK, clean.stderr[-2000:]
    assert [run[1:] for run in _runs(db)] == [("ok", 0, HISTORY), ("ok", 0, 10), ("ok", 0, 25)]
