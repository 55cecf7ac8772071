"""Row statuses of validation and the version shift: the reader's problem with a row comes first
(issue 11 item 11), an unknown --version is refused before any work, a grouper failure is
GROUPER_ERROR everywhere, and the typed words keep the documented spellings."""
from __future__ import annotations

import ast
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import drg.validation
from drg.claim import Claim
from drg.cli import main
from drg.validation import Finding, ShiftReasonKind, statuses, validate_claim
from drg.validation.billed import core
from drg.validation.version_shift import ShiftRowMaker, analysis
from drg.validation.version_shift.reasons import REASON_KINDS

ROOT = Path(__file__).resolve().parents[1]
HEADER = "claim_id,version,age,sex,discharge_status,pdx,pdx_poa,sdx1,sdx1_poa,billed_drg\n"


def _validate_csv(tmp_path: Path, body: str, *args: str) -> tuple[object, list[dict]]:
    source, out = tmp_path / "in.csv", tmp_path / "out.jsonl"
    source.write_text(HEADER + body, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(source), "-o", str(out), *args])
    rows = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
    return result, rows


def test_a_flagged_row_without_a_billed_drg_shows_its_own_status(tmp_path) -> None:
    result, rows = _validate_csv(tmp_path, "A,43.1,130,M,1,I5021,Y,N179,Y,\n"
                                           "B,43.1,70,M,1,,,N179,Y,\n"
                                           "C,43.1,130,M,1,I5021,Y,N179,Y,291\n"
                                           "D,43.1,70,M,1,I5021,Y,N179,Y,\n")
    assert result.exit_code == 0, result.output
    by_id = {r["id"]: r for r in rows}
    assert [by_id[k]["status"] for k in "ABCD"] == ["INVALID_AGE", "MISSING_PDX", "INVALID_AGE", "MISSING_BILLED_DRG"]
    # the reader's message is kept, and says the billed DRG is missing too
    assert by_id["A"]["message"].startswith("age ") and "outside 0-124" in by_id["A"]["message"]
    assert "no billed DRG given" in by_id["A"]["message"]
    assert "principal diagnosis is missing" in by_id["B"]["message"] and "no billed DRG" in by_id["B"]["message"]
    assert "no billed DRG" not in by_id["C"]["message"] and by_id["C"]["finding"] == "UPCODING_RISK"
    assert by_id["A"]["finding"] == "" and by_id["A"]["final_drg"] == 292   # still grouped
    assert "INVALID_AGE 1, MISSING_PDX 1, UPCODING_RISK 1, MISSING_BILLED_DRG 1" in result.output


def test_an_unknown_version_is_refused_before_any_work(tmp_path) -> None:
    result, rows = _validate_csv(tmp_path, "A,43.1,70,M,1,I5021,Y,N179,Y,291\n", "--version", "39.0")
    assert result.exit_code == 1
    assert "39.0" in result.output and "not available" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out.jsonl").exists()
    group = CliRunner().invoke(main, ["group", str(tmp_path / "in.csv"), "-o", str(tmp_path / "g.jsonl"),
                                      "--version", "39.0"])
    assert group.exit_code == result.exit_code == 1


def test_a_known_version_overrides_the_claims_own(tmp_path) -> None:
    result, rows = _validate_csv(tmp_path, "A,39.0,70,M,1,I5021,Y,N179,Y,291\n", "--version", "43.1")
    assert result.exit_code == 0, result.output
    assert rows[0]["version"] == "43.1" and rows[0]["finding"] == "UPCODING_RISK"


def _claim() -> Claim:
    return Claim.from_dict({"id": "g1", "version": 431, "age": 70, "sex": "M", "discharge_status": 1,
                            "pdx": {"code": "I5021", "poa": "Y"}, "sdx": [], "procedures": []})


def _broken_grouper(*args, **kwargs):
    raise RuntimeError("boom")


def test_a_grouper_failure_is_grouper_error_in_validation(monkeypatch) -> None:
    monkeypatch.setattr(core, "group_claim", _broken_grouper)
    v = validate_claim(_claim(), 291)
    assert v.status == statuses.GROUPER_ERROR == "GROUPER_ERROR"
    assert v.message == "claim 'g1': grouping failed (RuntimeError)" and v.finding == "" and v.grouping is None


def test_a_grouper_failure_is_grouper_error_in_the_shift(monkeypatch) -> None:
    maker = ShiftRowMaker("43.1", "44.0")
    monkeypatch.setattr(analysis, "group_claim", _broken_grouper)
    row = maker.row(7, "g1", _claim())
    assert row["status"] == "GROUPER_ERROR" and row["message"] == "claim could not be grouped: RuntimeError"
    assert row["from_drg"] is None and row["to_drg"] is None and row["row_number"] == 7


def test_finding_words_are_the_documented_spellings() -> None:
    documented = (ROOT / "docs" / "validation_rules.md").read_text(encoding="utf-8")
    assert [f.value for f in Finding] == ["MATCH", "UPCODING_RISK", "DOWNCODING_RISK", "MISMATCH_SAME_WEIGHT",
                                          "MISMATCH_WEIGHT_UNKNOWN", "BILLED_DRG_INVALID", "UNGROUPABLE"]
    assert drg.validation.FINDINGS == tuple(Finding)
    for finding in Finding:
        assert f"| `{finding.value}` |" in documented
        assert json.dumps(finding) == f'"{finding.value}"' and f"{finding}" == finding.value


def test_shift_reason_kinds_are_the_documented_spellings() -> None:
    listed = (ROOT / "validation" / "version_shift" / "reasons.py").read_text(encoding="utf-8")
    assert REASON_KINDS == tuple(ShiftReasonKind)
    for kind in ShiftReasonKind:
        assert kind.value == kind.name and f"  {kind.value} " in listed    # the module's list of kinds


def test_validation_takes_claims_not_frames() -> None:
    frame = pd.DataFrame([{"claim_id": "1", "pdx": "I5021"}])
    with pytest.raises(TypeError, match="drg.validate"):
        drg.validation.validate(frame)
    with pytest.raises(TypeError, match="drg.validating.shift"):
        drg.validation.shift(frame, "43.1", "44.0")


def test_the_face_takes_the_frames() -> None:
    import drg
    import drg.validating

    claims = [{"id": "1", "version": 431, "age": 70, "sex": "M", "discharge_status": 1,
               "pdx": {"code": "I5021", "poa": "Y"}, "sdx": [{"code": "N179", "poa": "Y"}], "procedures": [],
               "billed_drg": 291}]
    assert drg.shift is drg.validating.shift
    frame = drg.validate(pd.DataFrame(claims), drivers=False)      # drg.api.validate hands frames to the face
    assert frame.equals(drg.validating.validate(pd.DataFrame(claims), drivers=False))
    assert frame["finding"].tolist() == ["UPCODING_RISK"] and frame["expected_drg"].tolist() == [292]
    moved = drg.shift(pd.DataFrame(claims), "43.1", "44.0").claims
    assert moved["from_drg"].tolist() == [292] and moved["row_number"].tolist() == [1]
    assert drg.validation.validate(claims[0], drivers=False).finding == "UPCODING_RISK"


FACE = ("drg.io", "drg.validating", "drg.commands", "drg.batch", "drg.dask", "drg.api", "drg.cli",
        "drg.conformance")


def test_validation_imports_nothing_of_the_face() -> None:
    """validation/ sits below the face: no module of it imports drg.io & co, not even inside a function."""
    upward = []
    for path in sorted((ROOT / "validation").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            upward += [f"{path.relative_to(ROOT)}: {n}" for n in names
                       if n in FACE or n.startswith(tuple(f + "." for f in FACE)) or n == "drg"]
    assert upward == []
