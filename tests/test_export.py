"""Export: every filter, every format read back by its own reader, Excel CSV bytes, flat memory."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import tracemalloc

import pytest
from click.testing import CliRunner
from conftest import article_record, replica_archive, run_investchn

from investchn_spider import exitcodes
from investchn_spider.cli import cli
from investchn_spider.export import EXPORT_COLUMNS, export_parquet, export_rows
from investchn_spider.store import Archive
from investchn_spider.store.queries import ArticleFilter, iter_articles

BASE = "http://127.0.0.1:8000"
BOM = b"\xef\xbb\xbf"
# Titles Excel would run as formulas (or DDE commands), and one it must leave alone.
FORMULA_TITLES = ["=1+2", "+86 021 5555", "-5%增长", "@SUM(A1:A9)", "\t制表开头", "\r回车开头", "=cmd|' /C calc'!A0"]
EDGE_ARTICLES = [
    article_record(f"http://x.test/f{number}", title, f"正文{number}\n第二行", "2023-03-0" + str(number + 1))
    for number, title in enumerate(FORMULA_TITLES)
] + [article_record("http://x.test/plain", "普通标题 = 不是公式", "-正文以减号开头", "2023-03-09", district="青浦区")]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """An archive of 60 replica articles (as a crawl stores them) plus the edge articles; its ground truth."""
    path = tmp_path_factory.mktemp("export") / "archive.db"
    expected = replica_archive(path, seed=5, articles=60, extra=EDGE_ARTICLES)
    truth = [
        {
            **article,
            "urls": [BASE + path for path in article["urls"]],
            "sections": ["/".join(s) for s in article["sections"]],
        }
        for article in expected
    ]
    truth += [
        {**record, "urls": [record["url"]], "sections": []} for record in EDGE_ARTICLES
    ]  # no list ever showed them
    return path, truth


def export(path, *args: str) -> CliRunner:
    result = CliRunner().invoke(cli, ["export", "--db", str(path), *args])
    assert result.exit_code == 0, result.output
    return result


def read_csv(raw: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def first_urls(rows) -> set[str]:
    return {json.loads(row["urls"])[0] if isinstance(row["urls"], str) else row["urls"][0] for row in rows}


# --- formats --------------------------------------------------------------------------------------


def test_export_csv_reads_back_with_the_csv_module(archive, tmp_path):
    path, truth = archive
    out = tmp_path / "a.csv"
    export(path, "--format", "csv", "-o", str(out))
    raw = out.read_bytes()
    assert not raw.startswith(BOM) and raw.split(b"\r\n", 1)[0] == ",".join(EXPORT_COLUMNS).encode()
    rows = read_csv(raw)
    assert len(rows) == len(truth)
    by_url = {json.loads(row["urls"])[0]: row for row in rows}
    for article in truth:
        row = by_url[article["urls"][0]]
        assert row["title"] == article["title"] and row["body_text"] == article["body_text"]  # multi-line cells
        assert json.loads(row["urls"]) == article["urls"]
        assert json.loads(row["images"]) == [
            {"src": BASE + image["src"] if image["src"].startswith("/") else image["src"], "alt": image["alt"]}
            for image in article["images"]
        ]
        assert row["first_seen_at"].startswith("2026-11-0") and row["last_seen_at"] >= row["first_seen_at"]
    dates = [row["published_date"] for row in rows]
    assert dates == sorted(dates)  # oldest first


def test_export_jsonl_reads_back_with_json(archive):
    path, truth = archive
    lines = export(path, "--format", "jsonl").stdout_bytes.decode("utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    assert len(rows) == len(truth)
    by_url = {row["urls"][0]: row for row in rows}
    for article in truth:
        row = by_url[article["urls"][0]]
        assert tuple(row) == EXPORT_COLUMNS
        assert row["sections"] == sorted(article["sections"]) and row["breadcrumb"][:2] == ["首页", "开发区新闻"]
        assert (row["title"], row["zone"], row["source"]) == (article["title"], article["zone"], article["source"])


def test_export_parquet_reads_back_with_pyarrow(archive, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    path, truth = archive
    out = tmp_path / "a.parquet"
    export(path, "--format", "parquet", "-o", str(out))
    table = pq.read_table(out)
    assert table.column_names == list(EXPORT_COLUMNS) and table.num_rows == len(truth)
    assert str(table.schema.field("published_date").type) == "date32[day]"
    assert "tz=UTC" in str(table.schema.field("first_seen_at").type)
    rows = {row["urls"][0]: row for row in table.to_pylist()}
    for article in truth:
        row = rows[article["urls"][0]]
        assert row["title"] == article["title"] and row["body_text"] == article["body_text"]
        assert row["published_date"].isoformat() == article["published_date"]
        shown = row["published_at"].isoformat() if row["published_at"] else None
        assert shown == article["published_at"]
        assert [image["alt"] for image in row["images"]] == [image["alt"] for image in article["images"]]
        assert [item["text"] for item in row["attachments"]] == [item["text"] for item in article["attachments"]]


def test_export_parquet_of_nothing_keeps_the_schema(archive, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    path, _ = archive
    out = tmp_path / "none.parquet"
    export(path, "--format", "parquet", "--search", "区块链", "-o", str(out))
    table = pq.read_table(out)
    assert table.num_rows == 0 and table.column_names == list(EXPORT_COLUMNS)


def test_export_parquet_without_pyarrow_says_how_to_install(archive, tmp_path):
    path, _ = archive
    program = (
        "import sys; sys.modules['pyarrow'] = None; sys.modules['pyarrow.parquet'] = None\n"
        "from investchn_spider.cli import main\n"
        f"sys.argv = ['investchn', 'export', '--db', {str(path)!r}, '--format', 'parquet', '-o', "
        f"{str(tmp_path / 'x.parquet')!r}]\n"
        "main()"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=False)
    assert result.returncode == exitcodes.ERROR, result.stderr
    assert result.stderr.strip() == "Error: Parquet export needs pyarrow: pip install 'investchn[parquet]'"
    assert not (tmp_path / "x.parquet").exists()


# --- Excel ----------------------------------------------------------------------------------------


def test_export_excel_csv_bytes(archive, tmp_path):
    path, _ = archive
    out = tmp_path / "excel.csv"
    export(path, "--excel", "--since", "2023-03-01", "--until", "2023-03-31", "-o", str(out))
    raw = out.read_bytes()
    assert raw.startswith(BOM + b"url,title,")  # UTF-8 byte order mark: Excel then reads UTF-8
    assert raw.endswith(b"\r\n")
    # Every record ends with CRLF; a bare LF appears only inside a quoted multi-line cell.
    rows = read_csv(raw)
    assert len(rows) == len(EDGE_ARTICLES) and raw.count(b"\r\n") >= len(rows) + 1
    titles = {json.loads(row["urls"].lstrip("'"))[0]: row["title"] for row in rows}
    for number, title in enumerate(FORMULA_TITLES):
        assert titles[f"http://x.test/f{number}"] == "'" + title  # shown as text, never run
    assert titles["http://x.test/plain"] == "普通标题 = 不是公式"  # "=" inside a cell is harmless
    bodies = [row["body_text"] for row in rows]
    assert "'-正文以减号开头" in bodies and "正文0\n第二行" in bodies
    assert "普通标题 = 不是公式".encode() in raw  # Chinese as UTF-8 bytes, not escaped


def test_export_excel_csv_cuts_a_cell_longer_than_excel_holds_and_says_so(tmp_path):
    # 40,000 characters, one of them outside the BMP (two UTF-16 units, as Excel counts).
    long_body = "长" * 20_000 + "\U0001f600" + "文" * 19_999
    db = tmp_path / "archive.db"
    replica_archive(db, seed=3, articles=2, extra=[article_record("http://x.test/long", "长文", long_body)])
    out = tmp_path / "excel.csv"
    result = CliRunner().invoke(cli, ["export", "--db", str(db), "--excel", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 cell(s) (body_text) were longer than the 32,767 characters" in result.stderr
    rows = {json.loads(row["urls"])[0]: row for row in read_csv(out.read_bytes())}
    assert len(rows) == 3
    cut = rows["http://x.test/long"]["body_text"]

    def units(text: str) -> int:  # what Excel counts
        return len(text.encode("utf-16-le")) // 2

    assert 32_700 < units(cut) <= 32_767
    kept = cut[: cut.index(" …[")]
    assert long_body.startswith(kept)
    cut_units = units(long_body) - units(kept)
    assert cut.endswith(f" …[{cut_units:,} characters cut: Excel holds 32,767 in a cell; the plain CSV has them all]")
    assert rows["http://x.test/long"]["title"] == "长文"  # the row's other cells are whole
    plain = export(db, "--format", "csv").stdout_bytes
    assert {json.loads(row["urls"])[0]: row for row in read_csv(plain)}["http://x.test/long"]["body_text"] == long_body


def test_export_plain_csv_leaves_formula_like_cells_alone(archive):
    path, _ = archive
    raw = export(path, "--since", "2023-03-01", "--until", "2023-03-31").stdout_bytes
    assert not raw.startswith(BOM)
    assert {row["title"] for row in read_csv(raw)} >= set(FORMULA_TITLES)


# --- filters and columns --------------------------------------------------------------------------


def contains(article, words):
    text = (article["title"].lower(), (article["body_text"] or "").lower())
    return all(word.lower() in text[0] or word.lower() in text[1] for word in words.split())


FILTER_CASES = {
    "since": (["--since", "2024-04-01"], lambda a: a["published_date"] >= "2024-04-01"),
    "until": (["--until", "2024-03-20"], lambda a: a["published_date"] <= "2024-03-20"),
    "district": (["--district", "浦东新区"], lambda a: a["district"] == "浦东新区"),
    "two districts": (
        ["--district", "浦东新区", "--district", "青浦区"],
        lambda a: a["district"] in ("浦东新区", "青浦区"),
    ),
    "zone": (["--zone", "张江科学城"], lambda a: a["zone"] == "张江科学城"),
    "source": (["--source", "闵行区人民政府"], lambda a: a["source"] == "闵行区人民政府"),
    "category": (["--category", "图片新闻"], lambda a: a["category"] == "图片新闻"),
    "search two characters": (["--search", "基层"], lambda a: contains(a, "基层")),
    "search words": (["--search", "园区 人工智能"], lambda a: contains(a, "园区 人工智能")),
    "all together": (
        ["--search", "园区", "--district", "杨浦区", "--category", "文字新闻", "--since", "2024-03-10"],
        lambda a: (
            contains(a, "园区")
            and a["district"] == "杨浦区"
            and a["category"] == "文字新闻"
            and a["published_date"] >= "2024-03-10"
        ),
    ),
}


@pytest.mark.parametrize("case", list(FILTER_CASES))
def test_export_filter_selects_exactly_the_matching_articles(archive, case):
    path, truth = archive
    args, keep = FILTER_CASES[case]
    expected = {article["urls"][0] for article in truth if keep(article)}
    assert expected and len(expected) < len(truth), "the case must select some articles, not all"
    rows = [json.loads(line) for line in export(path, "--format", "jsonl", *args).stdout_bytes.splitlines()]
    assert first_urls(rows) == expected and len(rows) == len(expected)


def test_export_columns_are_chosen_in_order_and_provenance_is_kept(archive):
    path, truth = archive
    raw = export(path, "--columns", "published_date,title,urls").stdout_bytes
    rows = read_csv(raw)
    assert list(rows[0]) == ["published_date", "title", "urls", "first_seen_at", "last_seen_at"]
    assert len(rows) == len(truth) and all(json.loads(row["urls"]) for row in rows)
    row = json.loads(export(path, "--format", "jsonl", "--columns", "id,content_hash").stdout_bytes.splitlines()[0])
    assert list(row) == ["id", "content_hash", "urls", "first_seen_at", "last_seen_at"] and isinstance(row["id"], int)


@pytest.mark.parametrize(
    ("args", "code", "phrase"),
    [
        (["--columns", "title,nope"], exitcodes.USAGE, "unknown column 'nope'"),
        (["--columns", "title,title"], exitcodes.USAGE, "given twice"),
        (["--columns", ","], exitcodes.USAGE, "no columns"),
        (["--format", "jsonl", "--excel"], exitcodes.USAGE, "--excel"),
        (["--format", "parquet"], exitcodes.USAGE, "-o FILE"),
        (["--since", "2024-02-30"], exitcodes.USAGE, "YYYY-MM-DD"),
        (["--until", "yesterday"], exitcodes.USAGE, "YYYY-MM-DD"),
        (["--search", " "], exitcodes.ERROR, "empty"),
        (["-o", "/nonexistent-folder/x.csv"], exitcodes.ERROR, "does not exist"),
    ],
)
def test_export_bad_input_is_one_clear_error(archive, args, code, phrase):
    path, _ = archive
    result = run_investchn("export", "--db", str(path), *args)
    assert result.returncode == code, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and phrase in errors[0], result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


# --- streaming ------------------------------------------------------------------------------------


class Discard(io.TextIOBase):
    """A text stream that keeps nothing, so memory measured is the export's own."""

    def write(self, text: str) -> int:
        return len(text)


def peak_memory(path, selection: ArticleFilter) -> tuple[int, int]:
    with Archive(path, create=False) as opened:
        tracemalloc.start()
        written = export_rows(iter_articles(opened.db, selection), Discard(), "csv")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return written, peak


def test_export_memory_does_not_grow_with_the_number_of_articles(tmp_path):
    path = tmp_path / "big.db"
    replica_archive(path, seed=9, articles=500)
    few, few_peak = peak_memory(path, ArticleFilter(until="2024-03-12"))
    many, many_peak = peak_memory(path, ArticleFilter())
    assert many >= 20 * few > 0
    # One article in memory at a time: 20 times the rows, about the same peak (rows are ~4 KB each).
    assert many_peak < few_peak * 1.5 + 64_000, (few_peak, many_peak)


def test_export_reports_progress_for_every_row(archive, tmp_path):
    path, truth = archive
    seen: list[int] = []
    with Archive(path, create=False) as opened:
        written = export_rows(iter_articles(opened.db, ArticleFilter()), Discard(), "jsonl", progress=seen.append)
    assert written == len(truth) == sum(seen)


def test_export_parquet_reports_progress_per_row_group(archive, tmp_path):
    pytest.importorskip("pyarrow")
    path, truth = archive
    seen: list[int] = []
    with Archive(path, create=False) as opened:
        rows = iter_articles(opened.db, ArticleFilter())
        written = export_parquet(rows, tmp_path / "p.parquet", EXPORT_COLUMNS, progress=seen.append)
    assert written == len(truth) == sum(seen)


@pytest.fixture(scope="module")
def big_archive(tmp_path_factory):
    """An archive whose exports and searches are several times what a pipe buffer holds."""
    path = tmp_path_factory.mktemp("big") / "archive.db"
    replica_archive(path, seed=6, articles=400)
    return path


@pytest.mark.parametrize(
    "args",
    [["export"], ["export", "--format", "jsonl"], ["search", "园区", "--limit", "1000"]],
    ids=["csv", "jsonl", "search"],
)
def test_a_reader_that_closes_the_pipe_ends_the_command_quietly_with_0(big_archive, args):
    path = big_archive
    whole = run_investchn(*args, "--db", str(path))
    assert whole.returncode == 0 and len(whole.stdout.encode()) > 65536  # more than a pipe buffer (64 KiB) holds
    # ``investchn export | head -1``: the reader takes one line and goes away while the command still writes.
    process = subprocess.Popen(
        [sys.executable, "-m", "investchn_spider", *args, "--db", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0, stderr
    assert stderr == ""
