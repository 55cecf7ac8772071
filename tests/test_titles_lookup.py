"""Title lookups decode only the row group that holds a code, keep the manifest check, and a
one-claim command imports only what one claim needs."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pyarrow as pa
import pytest

from drg.tables import titles as titles_module
from drg.tables.manifest import TableIntegrityError
from drg.tables.titles import CodeKind, TitleFile, search_codes, title, write_titles


def test_one_lookup_decodes_one_row_group():
    file = TitleFile(CodeKind.DIAGNOSIS)
    assert file.groups > 10 and file.decoded == 0          # opening reads the footer only
    rows = file.rows_of("J9601")
    assert [block.long_at(i) for block, i in rows] == ["Acute respiratory failure with hypoxia"]
    assert file.decoded == 1
    file.rows_of("J9602")                                  # a neighbour: the same group
    assert file.decoded == 1
    assert file.rows_of("J96019") == [] and file.rows_of("0000") == [] and file.rows_of("ZZZZZZZ") == []


def test_a_damaged_title_file_is_refused_when_opened(data_copy):
    path = data_copy / "dx_titles.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF                           # same size, other bytes
    path.write_bytes(bytes(data))
    with pytest.raises(TableIntegrityError, match="dx_titles"):
        TitleFile(CodeKind.DIAGNOSIS, data_copy)
    assert TitleFile(CodeKind.PROCEDURE, data_copy).rows_of("0DTJ4ZZ")     # the other file is sound


def _tiny_title_dir(tmp_path, monkeypatch, rows):
    """A data folder with a dx title file of two-row groups and its manifest."""
    monkeypatch.setattr(titles_module, "ROWS_PER_GROUP", 2)
    table = pa.table({"code": [r[0] for r in rows],
                      "fiscal_year_from": pa.array([r[1] for r in rows], pa.int16()),
                      "fiscal_year_to": pa.array([r[2] for r in rows], pa.int16()),
                      "title": [r[3] for r in rows], "short_title": [""] * len(rows),
                      "short_is_long": [True] * len(rows), "source": ["test"] * len(rows)})
    write_titles(table, tmp_path / "dx_titles.parquet")
    data = (tmp_path / "dx_titles.parquet").read_bytes()
    manifest = {"files": {"dx_titles.parquet": {"rows": len(rows), "bytes": len(data),
                                                "sha256": hashlib.sha256(data).hexdigest()}}, "versions": []}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    return tmp_path


def test_a_code_whose_titles_straddle_two_row_groups(tmp_path, monkeypatch):
    rows = [("A001", 2023, 2027, "first"), ("A002", 2023, 2024, "old wording"),
            ("A002", 2025, 2027, "new wording"), ("A003", 2023, 2027, "third"), ("B001", 2023, 2027, "fourth")]
    file = TitleFile(CodeKind.DIAGNOSIS, _tiny_title_dir(tmp_path, monkeypatch, rows))
    assert file.groups == 3 and file.last[0] == file.first[1] == "A002"
    assert [block.long_at(i) for block, i in file.rows_of("A002")] == ["old wording", "new wording"]
    assert [block.codes[i] for block, i in file.rows_from("A00")] == ["A001", "A002", "A002", "A003"]
    assert [block.codes[i] for block, i in file.rows_from("B")] == ["B001"]
    assert [block.codes[i] for block, i in file.rows_with_words(["wording"])] == ["A002", "A002"]
    assert list(file.rows_from("C")) == []


def test_the_nearest_title_across_a_row_group_boundary(tmp_path, monkeypatch):
    rows = [("A001", 2023, 2027, "first"), ("A002", 2023, 2024, "old wording"),
            ("A002", 2025, 2027, "new wording")]
    folder = _tiny_title_dir(tmp_path, monkeypatch, rows)
    monkeypatch.setattr(titles_module, "_title_file", lambda kind: TitleFile(kind, folder))
    assert title("dx", "A002", 2024) == "old wording" and title("dx", "A002", 2026) == "new wording"
    assert [m.code for m in search_codes("dx", "a00", 2026)] == ["A001", "A002"]


ONE_CLAIM = """
import sys
from drg.cli import main
try:
    main({args!r}, prog_name="drg")
except SystemExit as exit:
    assert not exit.code, exit.code
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
print("HEAVY", heavy)
"""
HEAVY = ["pandas", "pyarrow.compute", "pyarrow.dataset", "drg.mce", "drg.validation", "drg.commands.validate",
         "drg.commands.shift", "drg.commands.serve", "drg.commands.edit", "drg.web"]


@pytest.mark.parametrize("args", [
    ["group", "--pdx", "I21.4", "--sdx", "J96.01", "--proc", "02703DZ", "--version", "43.1", "--age", "67"],
    ["group", "--pdx", "I21.4", "--version", "43.1", "--json"],
])
def test_a_one_claim_group_imports_only_what_it_needs(args):
    script = ONE_CLAIM.format(args=args, heavy=HEAVY)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "I21.4" in out.stdout or '"I214"' in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "HEAVY []"


def test_every_command_is_found_by_the_lazy_command_table():
    import importlib

    from drg.cli import COMMAND_MODULES

    defined = {}
    for module in set(COMMAND_MODULES.values()):
        for command in importlib.import_module(f"drg.commands.{module}").COMMANDS:
            defined[command.name] = module
    assert defined == COMMAND_MODULES
