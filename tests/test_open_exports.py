"""The README's recipe for opening a CSV export in LibreOffice holds: headless Calc, given the CSV filter
options the README gives, reads back every cell exactly as written (Chinese text, line breaks in bodies,
dates as text). Skipped only when LibreOffice is not installed.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import replica_archive, run_investchn
from test_web_view import read_xlsx

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
README = Path(__file__).resolve().parent.parent / "README.md"


def readme_filter(name: str) -> str:
    """Return the CSV filter options the README gives for ``name`` (articles.csv or amounts.csv)."""
    text = README.read_text(encoding="utf-8")
    if name == "articles.csv":
        return re.search(r'--infilter="(CSV:[^"]+)" --convert-to xlsx articles\.csv', text).group(1)
    return re.search(r"`amounts\.csv`, make column 1 \(`published_date`\) text\s+instead: `(CSV:[^`]+)`", text).group(1)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize("name", ["articles.csv", "amounts.csv"])
def test_libreoffice_reads_the_export_back_as_written(tmp_path, name):
    db = tmp_path / "archive.db"
    replica_archive(db, seed=5, articles=40)
    export = tmp_path / name
    args = ["--facts"] if name == "amounts.csv" else []
    assert run_investchn("export", "--db", str(db), *args, "-o", str(export)).returncode == 0
    result = subprocess.run(
        [
            SOFFICE,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            f"--infilter={readme_filter(name)}",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path / "out"),
            str(export),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    with open(export, encoding="utf-8", newline="") as file:
        written = list(csv.reader(file))
    read = read_xlsx((tmp_path / "out" / name.replace(".csv", ".xlsx")).read_bytes())
    read = [[cell or "" for cell in row] + [""] * (len(written[0]) - len(row)) for row in read]
    assert len(read) == len(written) > 10
    assert any("\n" in cell for row in written for cell in row) or name == "amounts.csv"
    assert read == written
