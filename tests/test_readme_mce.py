"""README's "Code editing (MCE)" section: its worked example runs as written from the repository
root and prints what the README shows; its tables of results and of edits are the truth."""
from __future__ import annotations

import csv
import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from drg.cli import main
from drg.tables.mce import Edit, load_mce

ROOT = Path(__file__).resolve().parent.parent


def _section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Code editing (MCE)")
    return text[start:text.index("\n## ", start + 1)]


def _console_steps() -> list[tuple[str, list[str]]]:
    """(command, the output lines the README shows for it) of the section's console block."""
    block = re.search(r"```console\n(.*?)```", _section(), re.S).group(1)
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif line.strip():
            steps[-1][1].append(line.rstrip())
    return steps


@pytest.fixture()
def repo_copy(tmp_path, monkeypatch):
    """The repository root as the commands see it (examples/ only), so outputs land in a temp dir."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_worked_example_runs_as_written_and_prints_what_readme_shows(repo_copy):
    steps = _console_steps()
    assert len(steps) >= 3
    for command, shown in steps:
        words = shlex.split(command)
        assert words[0] == "drg"
        result = CliRunner().invoke(main, words[1:])
        assert result.exit_code == 0, (command, result.output)
        printed = [line.rstrip() for line in result.output.splitlines()]
        for line in shown:
            assert line in printed, (command, line)
    # the table of results is what the example file gives
    with open(repo_copy / "mce_edits.csv", newline="", encoding="utf-8") as stream:
        written = {r["id"]: (r["mce_edit_type"], r["mce_edits"]) for r in csv.DictReader(stream)}
    rows = re.findall(r"^\| `(MCE-[^`]+)` \| (\w+) \| ([^|\n]*(?:\\\|[^|\n]*)*)\|$", _section(), re.M)
    shown = {claim: (kind, edits.strip().replace("\\|", "|")) for claim, kind, edits in rows}
    assert shown == written


def test_the_edits_table_gives_each_edit_its_cms_number_title_and_type():
    kinds = {"PREPAYMENT": "prepayment", "POSTPAYMENT": "postpayment", "NONE": "none (informational)"}
    rows = re.findall(r"^\| `([A-Z_]+)` \| (\d*) \| ([^|]+) \| ([^|]+) \|", _section(), re.M)
    assert len(rows) >= 19
    tables = load_mce()
    listed = set()
    for name, number, title, kind in rows:
        info = tables.edits[Edit(name)]
        assert (number, title.strip(), kind.strip()) == (str(info.manual_number or ""), info.title,
                                                          kinds[info.edit_type.value]), name
        listed.add(Edit(name))
    # every edit the ICD-10 golden claims raise is listed
    assert {Edit.INVALID_CODE, Edit.INCONSISTENT_WITH_LENGTH_OF_STAY, Edit.UNSPECIFIED,
            Edit.INVALID_ADMIT_DX, Edit.WRONG_PROCEDURE_PERFORMED} <= listed
