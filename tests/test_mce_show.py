"""`drg tables show VERSION dx|pr CODE` says which MCE edits a code can raise and when (text and JSON)."""
from __future__ import annotations

import json

from click.testing import CliRunner

from drg.cli import main
from drg.tables.mce import Edit, load_mce


def _show(*args: str) -> str:
    result = CliRunner().invoke(main, ["tables", "show", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_diagnosis_lists_its_mce_edits_with_title_type_and_condition():
    data = json.loads(_show("43.1", "dx", "Z68.1", "--json"))
    ranges = data["mce_edits"]
    expected = load_mce().code_edits("dx", "Z681")
    assert [(r["date_from"], r["date_through"]) for r in ranges] == [
        (e.date_from.isoformat(), e.date_through.isoformat()) for e in expected]
    current = [r for r in ranges if r["in_version"]]
    assert len(current) == 1
    edits = {e["edit"]: e for e in current[0]["edits"]}
    assert set(edits) == {Edit.AGE_CONFLICT.value, Edit.UNACCEPTABLE_PDX.value}
    assert edits["AGE_CONFLICT"]["type"] == "prepayment" and "adult" in edits["AGE_CONFLICT"]["when"].lower()
    text = _show("43.1", "dx", "Z68.1")
    assert f"{load_mce().edits[Edit.UNACCEPTABLE_PDX].title} (edit 9), prepayment" in text
    assert "this version's dates" in text


def test_a_procedure_lists_the_length_of_stay_edit_and_an_unknown_code_is_invalid():
    data = json.loads(_show("44.0", "pr", "5A1955Z", "--json"))
    assert [e["edit"] for r in data["mce_edits"] if r["in_version"] for e in r["edits"]] == [
        "INCONSISTENT_WITH_LENGTH_OF_STAY"]
    plain = json.loads(_show("44.0", "pr", "02703DZ", "--json"))
    assert all(not r["edits"] for r in plain["mce_edits"]) and plain["mce_edits"]
    assert "INVALID_CODE (edit 1) on every discharge date" in _show("43.1", "dx", "XYZ1")
    assert json.loads(_show("43.1", "dx", "XYZ1", "--json"))["mce_edits"] == []
