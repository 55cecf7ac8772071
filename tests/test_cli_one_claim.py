"""One-claim mode (`drg group/explain/validate --pdx ...`) checks its flags as the file path checks a row,
and its usage texts say what each command takes."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from drg.batch import group_rows
from drg.cli import main
from drg.io.normalize import build_row

BASE = ["--pdx", "I5021", "--version", "43.1", "--sex", "M"]
SDX = ["--sdx", "J9601"]


def run(args: list[str]):
    return CliRunner().invoke(main, args)


def file_row_status(**changes) -> tuple[str, str]:
    """What the file path says about the same claim (status, message)."""
    fields = {"id": "claim", "age": 70, "sex": "M", "discharge_status": 1, "hospital_status": "NON_EXEMPT",
              "pdx": ("I5021", "Y"), "admit_dx": None, "sdx": [("J9601", "Y")], "procedures": []}
    fields.update(changes)
    row = build_row(1, fields, version="43.1")
    return row.status, row.message


@pytest.mark.parametrize("command", ["group", "explain", "validate"])
@pytest.mark.parametrize("flags, changes", [
    (["--age", "-5", *SDX], {"age": -5}),
    (["--age", "200", *SDX], {"age": 200}),
    (["--age", "70", "--sdx", "J9601:Q"], {"sdx": [("J9601", "Q")]}),
    (["--age", "70", "--pdx-poa", "Z", *SDX], {"pdx": ("I5021", "Z")}),
], ids=["age -5", "age 200", "sdx POA Q", "pdx POA Z"])
def test_one_claim_flags_get_the_file_paths_warning(command, flags, changes):
    status, message = file_row_status(**changes)
    assert status != "OK"
    extra = ["--billed-drg", "291"] if command == "validate" else []
    result = run([command, *BASE, *flags, *extra])
    assert result.exit_code == 0, result.output
    assert f"warning: {status}: {message}" in result.stderr
    assert "warning" not in result.stdout


@pytest.mark.parametrize("command", ["group", "explain", "validate"])
def test_an_unknown_discharge_status_is_warned_about(command):
    extra = ["--billed-drg", "291"] if command == "validate" else []
    result = run([command, *BASE, *SDX, "--age", "70", "--discharge-status", "999", *extra])
    assert result.exit_code == 0, result.output
    assert "warning: INVALID_DISCHARGE_STATUS" in result.stderr
    assert "999" not in result.stderr                  # messages name fields, never values
    known = run([command, *BASE, *SDX, "--age", "70", "--discharge-status", "20", *extra])
    assert known.stderr == ""


def test_a_clean_claim_gives_no_warning_and_the_same_result_as_the_file_path():
    result = run(["group", *BASE, *SDX, "--age", "70", "--json"])
    assert result.exit_code == 0 and result.stderr == ""
    record = group_rows([build_row(1, {"id": "claim", "version": "43.1", "age": 70, "sex": "M",
                                       "discharge_status": 1, "hospital_status": "NON_EXEMPT",
                                       "pdx": ("I5021", "Y"), "sdx": [("J9601", "Y")]})])[0]
    shown = json.loads(result.stdout)
    assert shown["final_drg"] == record["final_drg"] == 291
    assert shown["sdx"] == record["sdx"]


def test_an_invalid_poa_is_grouped_as_the_file_path_groups_it():
    """The warning says "grouped as X (invalid)": the one-claim result must be the X result."""
    as_q = run(["group", *BASE, "--sdx", "J9601:Q", "--pdx-poa", "Q", "--hospital-status", "NON_EXEMPT", "--json"])
    as_x = run(["group", *BASE, "--sdx", "J9601:X", "--pdx-poa", "X", "--hospital-status", "NON_EXEMPT", "--json"])
    assert as_q.exit_code == as_x.exit_code == 0
    assert json.loads(as_q.stdout) == json.loads(as_x.stdout)
    assert "INVALID_POA" in as_q.stderr and as_x.stderr == ""


def test_explain_without_pdx_asks_for_pdx_only():
    result = run(["explain", "--version", "43.1"])
    assert result.exit_code == 2
    assert "--pdx" in result.stderr and "INPUT" not in result.stderr


def test_group_without_pdx_or_input_still_offers_an_input_file():
    result = run(["group", "--version", "43.1"])
    assert result.exit_code == 2
    assert "--pdx" in result.stderr and "INPUT" in result.stderr


def test_validate_help_shows_input_as_optional():
    usage = run(["validate", "--help"]).stdout.splitlines()[0]
    assert usage.endswith("[OPTIONS] [INPUT]"), usage
    one_claim = run(["validate", *BASE, *SDX, "--billed-drg", "291"])
    assert one_claim.exit_code == 0 and "Finding    MATCH" in one_claim.stdout
