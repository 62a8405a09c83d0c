"""The live status line: drawn on a terminal only, with true counts; Scrapy's INFO goes to the log file."""

from __future__ import annotations

import io
import itertools
import re

import pytest
from conftest import run_investchn, run_on_terminal

from investchn_spider.progress import CLEAR_LINE, Progress

SEED, ARTICLES = 12, 40
LINE = re.compile(r"crawl: (\d+) pages, (\d+) new articles, (\d+) failures, ([\d.]+) pages/s, (\d+):(\d\d)")


def test_progress_draws_counts_rate_and_elapsed_on_one_line():
    out = io.StringIO()
    progress = Progress("reparse", rate="pages", stream=out, enabled=True)
    progress.update(pages=3, new_articles=1)
    assert out.getvalue().startswith(CLEAR_LINE + "reparse: 3 pages, 1 new articles, ")
    assert re.search(r", [\d.]+ pages/s, 0:0\d$", out.getvalue())
    assert "\n" not in out.getvalue()  # one line, redrawn in place


def test_progress_redraws_at_most_every_interval_unless_forced():
    out = io.StringIO()
    progress = Progress("x", stream=out, enabled=True, interval=3600)
    progress.update(rows=1)
    progress.update(rows=2)  # within the interval: recorded, not drawn
    assert "2 rows" not in out.getvalue() and progress.counts == {"rows": 2}
    progress.update(force=True, rows=3)
    assert out.getvalue().endswith("x: 3 rows, 0:00")


def test_progress_clear_erases_and_the_next_update_draws_again():
    out = io.StringIO()
    progress = Progress("x", stream=out, enabled=True, interval=3600)
    progress.update(rows=1)
    progress.clear()
    assert out.getvalue().endswith(CLEAR_LINE)
    progress.update(rows=2)  # at once, not an interval later: the line was erased
    assert out.getvalue().endswith("x: 2 rows, 0:00")
    progress.close()
    progress.update(force=True, rows=3)
    assert out.getvalue().endswith(CLEAR_LINE) and "3 rows" not in out.getvalue()


def test_progress_off_a_terminal_writes_nothing():
    out = io.StringIO()  # not a terminal
    with Progress("x", stream=out) as progress:
        assert not progress.enabled
        progress.update(force=True, rows=5)
    assert out.getvalue() == ""


def test_progress_line_never_wraps(monkeypatch):
    monkeypatch.setenv("COLUMNS", "30")
    progress = Progress("crawl", stream=io.StringIO(), enabled=True)
    progress.update(pages=123456, new_articles=654321, failures=7)
    line = progress.line()
    assert len(line) <= 29 and line.endswith("…")


@pytest.fixture(scope="module")
def replica(replica_factory):
    return replica_factory(seed=SEED, articles=ARTICLES)


def test_crawl_on_a_terminal_shows_the_live_line_with_true_counts(replica, tmp_path):
    db = tmp_path / "a.db"
    code, stdout, screen = run_on_terminal("crawl", "--start-url", replica.url, "--delay", "0", "--db", str(db))
    assert code == 0, (stdout, screen[-2000:])
    lines = [tuple(int(n) for n in match.groups()[:3]) for match in LINE.finditer(screen)]
    assert lines, screen[-2000:]
    # Counts only grow; the last line drawn shows the crawl's own totals.
    assert all(all(map(int.__le__, earlier, later)) for earlier, later in itertools.pairwise(lines))
    pages, new, failures = lines[-1]
    requests = int(re.search(r"Crawl finished in [\d.]+ s: (\d+) requests", stdout).group(1))
    assert 0 < pages <= requests
    assert new == int(re.search(r"new articles +(\d+)", stdout).group(1)) == len(replica.site.expected_articles())
    assert failures == int(re.search(r"failed this run +(\d+)", stdout).group(1))
    assert screen.rstrip("\r\n").endswith(CLEAR_LINE)  # erased at the end: the summary stands alone
    assert " INFO: " not in screen  # Scrapy's start-up noise stays in the log file


def test_crawl_in_a_pipe_draws_no_line_and_keeps_info_in_the_log_file(replica, tmp_path):
    db = tmp_path / "a.db"
    result = run_investchn("crawl", "--start-url", replica.url, "--delay", "0", "--db", str(db))
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stderr == ""  # cron mails nothing for a good run
    assert "new articles" in result.stdout
    log = next((tmp_path / "logs").glob("crawl-*.log")).read_text(encoding="utf-8")
    assert "[scrapy.utils.log] INFO: Scrapy" in log  # the start-up lines too
    assert "INFO: Spider opened" in log and "Spider closed (finished)" in log


def test_crawl_progress_can_be_forced_without_a_terminal(replica, tmp_path):
    result = run_investchn(
        "crawl", "--start-url", replica.url, "--delay", "0", "--db", str(tmp_path / "a.db"), "--progress"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    # (run_investchn reads text with universal newlines: the carriage returns arrive as "\n")
    assert LINE.search(result.stderr) and result.stderr.endswith("\x1b[K")
