"""The manifest check: verify finds damage by file name, and the loader refuses damaged files."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from drg.cli import main
from drg.tables import TableIntegrityError, verify
from drg.tables.loader import read_table
from drg.tables.manifest import read_manifest


def _flip_byte(path: Path, offset: int | None = None) -> None:
    data = bytearray(path.read_bytes())
    offset = len(data) // 2 if offset is None else offset
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_shipped_tables_verify_clean():
    assert verify() == []


def test_copy_verifies_clean(data_copy):
    assert verify(data_copy) == []


def test_every_file_is_in_the_manifest_with_rows_and_hash():
    files = read_manifest()["files"]
    assert "dx_codes.parquet" in files and "drg_weights.parquet" in files
    for entry in files.values():
        assert len(entry["sha256"]) == 64 and entry["bytes"] > 0 and entry["rows"] >= 0


@pytest.mark.parametrize("name", ["dx_codes.parquet", "drg_formulas.parquet", "base_rates.parquet"])
def test_verify_catches_a_single_flipped_byte(data_copy, name):
    _flip_byte(data_copy / name)
    problems = verify(data_copy)
    assert [p.file for p in problems] == [name]
    assert "SHA-256" in problems[0].problem


def test_verify_reports_truncated_and_missing_files_by_name(data_copy):
    path = data_copy / "pr_codes.parquet"
    path.write_bytes(path.read_bytes()[:-10])
    (data_copy / "mdc_descriptions.parquet").unlink()
    problems = {p.file: p.problem for p in verify(data_copy)}
    assert set(problems) == {"pr_codes.parquet", "mdc_descriptions.parquet"}
    assert "truncated" in problems["pr_codes.parquet"]
    assert problems["mdc_descriptions.parquet"] == "missing"


def test_loader_refuses_a_damaged_file(data_copy):
    assert read_table("dx_codes", data_copy).num_rows > 0
    _flip_byte(data_copy / "hac_descriptions.parquet", 100)
    with pytest.raises(TableIntegrityError, match="hac_descriptions.parquet"):
        read_table("hac_descriptions", data_copy)


def test_loader_refuses_a_missing_file(data_copy):
    (data_copy / "dx_sex_mdcs.parquet").unlink()
    with pytest.raises(TableIntegrityError, match="dx_sex_mdcs.parquet"):
        read_table("dx_sex_mdcs", data_copy)


def test_cli_verify_exits_non_zero_and_names_the_file(data_copy):
    runner = CliRunner()
    assert runner.invoke(main, ["tables", "verify", "--data-dir", str(data_copy)]).exit_code == 0
    _flip_byte(data_copy / "cc_exclusion_groups.parquet")
    result = runner.invoke(main, ["tables", "verify", "--data-dir", str(data_copy)])
    assert result.exit_code != 0
    assert "cc_exclusion_groups.parquet" in result.output
