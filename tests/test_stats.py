"""``investchn stats``: counts per district and month, the date range, the gaps and the last runs."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from conftest import article_record

from investchn_spider import exitcodes
from investchn_spider.cli import cli
from investchn_spider.extraction import EXTRACTOR_VERSION
from investchn_spider.store import Archive
from investchn_spider.store.queries import archive_stats, month_gaps

# (district, publish dates): 浦东新区 skips 2024-03 and 2024-04 and 2024-07; 杨浦区 has none; 青浦区 one month.
PUBLISHED = {
    "浦东新区": ["2024-01-05", "2024-01-20", "2024-02-01", "2024-05-31", "2024-06-01", "2024-08-15"],
    "杨浦区": ["2024-01-02", "2024-02-29", "2024-03-01"],
    "青浦区": ["2023-12-31"],
}


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("stats") / "archive.db"
    with Archive(path) as opened:
        run_id = opened.start_run({"command": "crawl"}, pid=1, version="test")
        with opened.transaction():
            for district, dates in PUBLISHED.items():
                for number, published in enumerate(dates):
                    record = article_record(
                        f"http://x.test/{district}/{number}",
                        f"{district}新闻{number}",
                        "正文",
                        published,
                        district=district,
                    )
                    opened.save_article(
                        record,
                        capture_id=None,
                        seen_at="2026-11-01T00:00:00+00:00",
                        extractor_version=EXTRACTOR_VERSION,
                    )
            opened.save_article(
                article_record("http://x.test/none", "无区", "正文", "2024-02-10", district=None, breadcrumb=[]),
                capture_id=None,
                seen_at="2026-11-01T00:00:00+00:00",
                extractor_version=EXTRACTOR_VERSION,
            )
        opened.finish_run(run_id, status="ok", exit_code=0, stats={}, counts={"new_articles": 11})
    return path


def test_archive_stats_counts_per_district_and_month(archive):
    with Archive(archive, create=False) as opened:
        stats = archive_stats(opened.db)
    assert stats.articles == 11 and (stats.first_date, stats.last_date) == ("2023-12-31", "2024-08-15")
    assert stats.districts[0] == ("浦东新区", 6, "2024-01-05", "2024-08-15")
    assert {row[0]: row[1] for row in stats.districts} == {"浦东新区": 6, "杨浦区": 3, "青浦区": 1, None: 1}
    assert dict(stats.months) == {
        "2023-12": 1,
        "2024-01": 3,
        "2024-02": 3,
        "2024-03": 1,
        "2024-05": 1,
        "2024-06": 1,
        "2024-08": 1,
    }
    assert stats.gaps == {"浦东新区": [("2024-03", "2024-04", 2), ("2024-07", "2024-07", 1)]}


@pytest.mark.parametrize(
    ("months", "gaps"),
    [
        (set(), []),
        ({"2024-01"}, []),
        ({"2024-01", "2024-02"}, []),
        ({"2023-11", "2024-02"}, [("2023-12", "2024-01", 2)]),  # across a year's end
        ({"2024-01", "2024-03", "2024-05"}, [("2024-02", "2024-02", 1), ("2024-04", "2024-04", 1)]),
    ],
)
def test_month_gaps(months, gaps):
    assert month_gaps(months) == gaps


def test_stats_command_prints_tables(archive):
    result = CliRunner().invoke(cli, ["stats", "--db", str(archive)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith(f"Archive {archive}: 11 articles published 2023-12-31 to 2024-08-15, 4 districts, 7 months")
    lines = out.splitlines()
    districts = lines[lines.index("Articles per district") + 3 :]
    assert districts[0].split() == ["浦东新区", "6", "2024-01-05", "2024-08-15"]
    assert "(none)" in out
    months = lines[lines.index("Articles per month") + 3 : lines.index("Articles per month") + 10]
    assert [line.split() for line in months][:2] == [["2023-12", "1"], ["2024-01", "3"]]
    gaps = lines[lines.index("Gaps (months without an article between a district's first and last month)") + 3 :]
    assert gaps[0].split() == ["浦东新区", "2024-03", "to", "2024-04", "2"]
    assert gaps[1].split() == ["浦东新区", "2024-07", "1"]
    runs = lines[lines.index("Last runs") + 3 :]
    assert runs[0].split()[0] == "1" and "ok" in runs[0].split() and "11" in runs[0].split()


def test_stats_columns_line_up_with_chinese_text(archive):
    result = CliRunner().invoke(cli, ["stats", "--db", str(archive), "--runs", "0"])
    lines = result.output.splitlines()
    start = lines.index("Articles per district") + 1
    table = lines[start : start + 6]
    # The count column ends at the same terminal column on every line (CJK characters are two wide).
    from investchn_spider.cli.filters import display_width

    ends = {display_width(line[: line.index(" 20")]) if " 20" in line else None for line in table[2:]}
    assert len(ends - {None}) == 1
    assert "Last runs" not in result.output


def test_stats_of_an_empty_archive(tmp_path):
    Archive(tmp_path / "empty.db").close()
    result = CliRunner().invoke(cli, ["stats", "--db", str(tmp_path / "empty.db")])
    assert result.exit_code == 0, result.output
    assert f"Archive {tmp_path / 'empty.db'}: no articles yet." in result.output


def test_stats_missing_archive_exits_1(tmp_path):
    result = CliRunner().invoke(cli, ["stats", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == exitcodes.ERROR and "no archive" in result.output
