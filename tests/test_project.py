"""Project hygiene: lint, formatting, and documentation that cannot drift from the code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from investchn_spider import settings
from investchn_spider.cli import cli
from investchn_spider.store import Archive

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", [["check", "."], ["format", "--check", "."]], ids=["check", "format"])
def test_code_is_ruff_clean(command):
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme_documents_every_command():
    for name in cli.commands:
        assert f"`investchn {name}" in README, name


def test_every_command_help_has_an_example():
    for name in cli.commands:
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0
        assert "Example:" in result.output and f"investchn {name}" in result.output, name


def test_readme_documents_every_investchn_setting():
    names = [name for name in dir(settings) if name.startswith("INVESTCHN_")]
    assert names
    for name in names:
        assert f"`{name}`" in README, name


def test_readme_data_dictionary_covers_every_table_and_column(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        names = [*archive.db.table_names(), *archive.db.view_names()]  # the views people read too
        tables = {name: archive.db[name].columns_dict for name in names}
    record_fields = README.split("## The record", 1)[1].split("\n## ", 1)[0]
    for table, columns in tables.items():
        assert f"**`{table}`**" in README, table
        section = README.split(f"**`{table}`**", 1)[1].split("\n**", 1)[0]
        for column in columns:
            documented = f"`{column}`" in section
            if table in ("articles", "article_versions", "export_articles"):  # the record's fields: their own table
                documented = documented or f"`{column}`" in record_fields
            assert documented, (table, column)


def test_readme_first_commands_are_what_ci_runs():
    commands = re.findall(r"```sh\n(.+?)\n```", README)[:2]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert len(commands) == 2 and "investchn demo" in commands[0] and "pytest" in commands[1]
    for command in commands:
        assert command in ci
