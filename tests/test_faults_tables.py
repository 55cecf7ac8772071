"""Fault tests: damaged installed tables and malformed manifests stop every command at once.

The damaged tables are a private copy (conftest's data_copy) that the commands are pointed at
through DRG_TABLES_DIR, the variable drg.tables.paths reads; the package's own tables are
never touched. Each command runs in a subprocess, as a user's shell would run it.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from drg.tables.manifest import (
    TableIntegrityError,
    manifest_shape_problem,
    read_manifest,
)
from drg.tables.paths import TABLES_DIR_VARIABLE

from drg.cli import COMMAND_MODULES, main, needs_table_check

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def flip_one_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def drg_command(args: list[str], tables: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, TABLES_DIR_VARIABLE: str(tables)}
    return subprocess.run([sys.executable, "-m", "drg.cli", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=60, check=False)


@pytest.fixture(scope="module")
def damaged_tables(tmp_path_factory) -> Path:
    import shutil

    from drg.tables.paths import DATA_DIR

    target = tmp_path_factory.mktemp("damaged") / "data"
    shutil.copytree(DATA_DIR, target)
    flip_one_byte(target / "dx_codes.parquet")
    return target


COMMANDS = {
    "group FILE": ["group", str(EXAMPLES / "claims.jsonl"), "-o", "out.jsonl"],
    "group FILE, 2 workers": ["group", str(EXAMPLES / "claims.jsonl"), "-o", "out.jsonl", "--workers", "2"],
    "group one claim": ["group", "--pdx", "I5021", "--version", "43.1"],
    "explain": ["explain", "--pdx", "I5021", "--version", "43.1"],
    "validate one claim": ["validate", "--pdx", "I5021", "--version", "43.1", "--billed-drg", "291"],
    "validate FILE": ["validate", str(EXAMPLES / "claims.jsonl"), "-o", "out.jsonl"],
    "shift": ["shift", str(EXAMPLES / "claims.jsonl"), "--from", "43.1", "--to", "44.0", "-o", "out.csv"],
    "tables show": ["tables", "show", "43.1", "dx", "I214"],
    "tables list": ["tables", "list"],
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_refuses_damaged_tables_naming_the_file(damaged_tables, tmp_path, name):
    result = drg_command(COMMANDS[name], damaged_tables, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "dx_codes.parquet" in result.stderr
    assert "drg tables verify" in result.stderr and "reinstall" in result.stderr
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []          # refused before any work: no output, no .partial


def test_the_same_commands_work_on_an_undamaged_copy(data_copy, tmp_path):
    """The refusal above comes from the damage, not from pointing drg at a copy."""
    for name in ("group one claim", "tables show"):
        result = drg_command(COMMANDS[name], data_copy, tmp_path)
        assert result.returncode == 0, result.stderr
    result = drg_command(COMMANDS["group FILE"], data_copy, tmp_path)
    assert result.returncode == 0 and (tmp_path / "out.jsonl").exists()


def test_verify_and_help_still_run_on_damaged_tables(damaged_tables, tmp_path):
    verify = drg_command(["tables", "verify"], damaged_tables, tmp_path)
    assert verify.returncode == 1 and "Traceback" not in verify.stderr
    assert "BAD  dx_codes.parquet" in verify.stderr
    help_text = drg_command(["group", "--help"], damaged_tables, tmp_path)
    assert help_text.returncode == 0 and "Usage: drg group" in help_text.stdout


def test_the_library_raises_table_integrity_error_naming_the_file(damaged_tables, tmp_path):
    script = ("import drg\n"
              "from drg.tables import TableIntegrityError\n"
              "try:\n"
              "    drg.group({'id': '1', 'version': 431, 'pdx': {'code': 'I5021', 'poa': 'Y'}})\n"
              "except TableIntegrityError as exc:\n"
              "    print('TableIntegrityError:', exc)\n")
    env = {**os.environ, TABLES_DIR_VARIABLE: str(damaged_tables)}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60,
                            check=False)
    assert result.stderr == ""
    assert result.stdout.startswith("TableIntegrityError:") and "dx_codes.parquet" in result.stdout


@pytest.mark.parametrize("arguments, checked", [
    (["group", "x.jsonl", "-o", "y.jsonl"], True),
    (["group", "--pdx", "I5021"], True),
    (["explain", "--pdx", "I5021"], True),
    (["tables", "show", "43.1", "dx", "I214"], True),
    (["tables", "verify"], False),
    (["tables", "verify", "--data-dir", "d"], False),
    (["tables", "build", "--source", "s"], False),
    (["tables"], False),
    (["group", "--help"], False),
    (["-h"], False),
    ([], False),
    (["no-such-command"], False),
])
def test_which_command_lines_check_the_tables(arguments, checked):
    assert needs_table_check(arguments, COMMAND_MODULES) is checked


# ------------------------------------------------------------------ malformed manifests

MALFORMED = {
    "array": "[]",
    "empty object": "{}",
    "null": "null",
    "files an array": '{"files": [], "versions": []}',
    "entry a number": '{"files": {"dx_codes.parquet": 3}, "versions": []}',
    "entry without hash": '{"files": {"dx_codes.parquet": {"bytes": 10}}, "versions": []}',
    "versions missing": '{"files": {}}',
    "version without label": '{"files": {}, "versions": [{"id": 431}]}',
    "not JSON": "{files",
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_verify_on_a_malformed_manifest_is_a_clean_error_naming_it(data_copy, name):
    manifest = data_copy / "manifest.json"
    manifest.write_text(MALFORMED[name])
    result = CliRunner().invoke(main, ["tables", "verify", "--data-dir", str(data_copy)])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)          # a click error, not an exception
    assert str(manifest) in result.output


def test_verify_on_an_unreadable_manifest(data_copy):
    (data_copy / "manifest.json").write_bytes(b"\xff\xfe\x00")
    result = CliRunner().invoke(main, ["tables", "verify", "--data-dir", str(data_copy)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "manifest.json" in result.output


def test_a_malformed_installed_manifest_stops_other_commands_too(data_copy, tmp_path):
    (data_copy / "manifest.json").write_text("{}")
    result = drg_command(["group", "--pdx", "I5021"], data_copy, tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "manifest.json" in result.stderr and "malformed" in result.stderr


def test_read_manifest_raises_table_integrity_error_on_a_bad_shape(data_copy):
    (data_copy / "manifest.json").write_text(json.dumps({"files": {}, "versions": "43.1"}))
    with pytest.raises(TableIntegrityError, match="manifest is malformed"):
        read_manifest.__wrapped__(data_copy)


def test_the_shipped_manifest_has_the_expected_shape():
    assert manifest_shape_problem(read_manifest()) == ""
