"""drg.validation: findings by construction on the conformance fixture, reasons, dollars, drivers,
bad rows, the CLI and the report."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from drg.claim import Claim
from drg.cli import main
from drg.conformance import read_jsonl
from drg.grouper import group_claim
from drg.tables import load
from drg.validation import validate_claim
from drg.validating import validate
from validation_oracle import NO_DRG, cases_for, other_version_drg
from drg.validation.reports.validation_report import summarize_validations

FIXTURES = Path(__file__).parent / "fixtures"


def sample_claims(step: int = 9) -> list[dict]:
    """Every ninth fixture claim: all versions, many families, ungroupable edge cases."""
    return list(read_jsonl(FIXTURES / "conformance_claims.jsonl.gz"))[::step]


def one(pdx, sdx=(), procedures=(), version=431, **fields) -> Claim:
    data = {"id": "t", "version": version, "age": 70, "sex": "M", "discharge_status": 1,
            "pdx": {"code": pdx, "poa": "Y"},
            "sdx": [{"code": c, "poa": "Y"} if isinstance(c, str) else {"code": c[0], "poa": c[1]} for c in sdx],
            "procedures": list(procedures)}
    data.update(fields)
    return Claim.from_dict(data)


def test_by_construction_findings_and_reason_elements():
    """Billed = expected, one level up/down, another MDC, another version, no DRG: every row right."""
    checked, kinds = 0, set()
    for record in sample_claims():
        claim = Claim.from_dict(record)
        tables = load(claim.version)
        result = group_claim(claim, tables)
        if result.final_return_code != "OK" or result.final_drg == 999:
            v = validate_claim(claim, 1, drivers=False)
            assert v.finding == "UNGROUPABLE" and v.reasons[0].code == result.final_return_code
            continue
        for case in cases_for(tables, result.final_drg, result.final_path.principal_mdc):
            v = validate_claim(claim, case.billed_drg, drivers=case.kind.startswith("level"))
            assert v.finding in case.finding, (claim.id, case)
            if case.elements:
                assert any(r.element in case.elements for r in v.reasons), (claim.id, case, v.reasons)
            checked += 1
            kinds.add(case.kind)
    assert kinds == {"match", "level_up", "level_down", "other_mdc", "other_version", "no_drg"}
    assert checked > 1500


def test_upcoding_names_the_cc_only_codes_and_prices_the_difference():
    v = validate_claim(one("I5021", ["N179"]), 291)
    assert (v.finding, v.expected_drg) == ("UPCODING_RISK", 292)
    tables = load(431)
    delta = tables.weights[291].relative_weight - tables.weights[292].relative_weight
    assert v.weight_delta == pytest.approx(delta, abs=1e-4)
    assert v.dollar_impact == pytest.approx(delta * tables.base_rate.total, abs=0.05)
    assert any(r.element == "severity" and "N179" in r.code for r in v.reasons)
    assert "only CCs" in v.explanation


def test_downcoding_names_the_mcc():
    v = validate_claim(one("I5021", ["E43"]), 293)
    assert v.finding == "DOWNCODING_RISK" and v.dollar_impact < 0
    assert any(r.element == "sdx" and r.code == "E43" for r in v.reasons)


def test_excluded_mcc_is_named_as_excluded_by_the_principal_diagnosis():
    # J690 is an MCC, but principal diagnosis J151 excludes it (the claim groups to 179)
    v = validate_claim(one("J151", ["J690"]), 177)
    assert v.expected_drg == 179 and v.finding == "UPCODING_RISK"
    assert any(r.code == "J690" and "excludes" in r.message for r in v.reasons)


def test_hac_not_poa_is_named():
    claim = one("T8141XA", ["Z96651", ("S72363B", "N")], ["0N5V0ZZ"], age=99, sex="F")
    v = validate_claim(claim, 856)
    assert v.expected_drg == 858 and v.finding == "UPCODING_RISK"
    assert any(r.element == "hac" for r in v.reasons)
    assert "HAC_CHANGED_DRG" in v.rule_hits


def test_other_mdc_names_the_principal_diagnosis():
    v = validate_claim(one("I5021", ["N179"]), 194)
    assert any(r.element == "pdx" and r.code == "I5021" and "MDC 5" in r.message for r in v.reasons)


def test_surgical_billed_for_medical_case_names_the_missing_procedure():
    v = validate_claim(one("I5021", ["N179"]), 228)
    assert any(r.element == "procedure" for r in v.reasons)


def test_died_status_is_a_reason():
    # AMI: 280-282 discharged alive, 283-285 died
    v = validate_claim(one("I2109", ["N179"]), 284)
    assert v.expected_drg == 281
    assert any(r.element == "discharge_status" for r in v.reasons)


def test_billed_drg_of_another_version_says_where_it_exists():
    tables = load(431)
    other = other_version_drg(tables)
    v = validate_claim(one("I5021"), other)
    assert v.finding == "BILLED_DRG_INVALID"
    assert "exists in version" in v.reasons[0].message
    v = validate_claim(one("I5021"), NO_DRG)
    assert "no MS-DRG of any available version" in v.reasons[0].message
    v = validate_claim(one("I5021"), "29a")
    assert v.finding == "BILLED_DRG_INVALID" and v.status == "OK"


def test_billed_version_differs_regroups_under_it():
    v = validate_claim(one("I5021", ["N179"]), 292, billed_version="42.0")
    # the codes group to 292 under both 42.0 and 43.1: a match, priced with each year's weight
    assert (v.finding, v.expected_drg, v.version, v.billed_version) == ("MATCH", 292, "43.1", "42.0")
    assert v.billed_weight == load(420).weights[292].relative_weight
    assert v.expected_weight == load(431).weights[292].relative_weight
    assert "billed weight from FY2025, expected from FY2026" in v.impact_note
    assert any(r.element == "version" and r.code == "42.0" for r in v.reasons)


def test_unknown_base_rate_is_said_not_guessed():
    v = validate_claim(one("I5021", ["N179"], version=420), 291)
    assert v.weight_delta is not None and v.dollar_impact is None
    assert "base rate" in v.impact_note
    v = validate_claim(one("I5021", ["N179"], version=420), 291, base_rate=1000.0)
    assert v.dollar_impact == pytest.approx(v.weight_delta * 1000.0, abs=0.01)


def test_drivers_and_single_code_severity():
    v = validate_claim(one("I5021", ["N179", "E119"]), 292)
    assert [(d.code, d.drg_without) for d in v.drivers] == [("N179", 293)]
    assert v.single_code_severity == "N179"
    v = validate_claim(one("I5021", ["N179", "I4820"]), 292)
    assert v.drivers == () and v.single_code_severity == ""


def test_risk_score_ranks_upcoding_above_match():
    up = validate_claim(one("I5021", ["N179"]), 291)
    match = validate_claim(one("I5021", ["N179", "I4820"]), 292)
    assert up.risk_score > match.risk_score


def test_frame_gives_one_row_per_input_row_with_statuses():
    records = [dict(one("I5021", ["N179"]).to_dict(), billed_drg=291),
               dict(one("I5021").to_dict(), billed_drg=None),
               dict(one("I5021").to_dict(), version=999, billed_drg=293),
               {"id": "bad", "version": 431, "pdx": 12, "billed_drg": 1}]
    frame = validate(pd.DataFrame(records))
    assert len(frame) == 4
    assert list(frame["status"]) == ["OK", "MISSING_BILLED_DRG", "UNKNOWN_VERSION", "INVALID_RECORD"]
    assert frame.loc[0, "finding"] == "UPCODING_RISK"


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_cli_file_mode_and_report(tmp_path):
    rows = [dict(one("I5021", ["N179"]).to_dict(), id=f"c{i}", billed_drg=b, length_of_stay=3)
            for i, b in enumerate([291, 292, 293, 1234])]
    source = tmp_path / "claims.jsonl"
    _write_jsonl(source, rows)
    out, html, md = tmp_path / "out.jsonl", tmp_path / "r.html", tmp_path / "r.md"
    result = CliRunner().invoke(main, ["validate", str(source), "-o", str(out), "--report", str(html)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [x["finding"] for x in lines] == ["UPCODING_RISK", "MATCH", "DOWNCODING_RISK", "BILLED_DRG_INVALID"]
    text = html.read_text()
    assert "<svg" in text and "UPCODING_RISK" in text
    result = CliRunner().invoke(main, ["validate", str(source), "-o", str(tmp_path / "o.csv"), "--report", str(md)])
    assert result.exit_code == 0, result.output
    assert "| UPCODING_RISK |" in md.read_text()
    assert len(pd.read_csv(tmp_path / "o.csv")) == 4


def test_cli_one_claim_verdict():
    result = CliRunner().invoke(main, ["validate", "--pdx", "I50.21", "--sdx", "N179", "--age", "70", "--sex", "M",
                                       "--version", "43.1", "--billed-drg", "291"])
    assert result.exit_code == 0, result.output
    assert "UPCODING_RISK" in result.output and "292" in result.output
    assert "N17.9 (Acute kidney failure, unspecified)" in result.output and "N179" not in result.output


def test_summary_figures():
    vs = [validate_claim(one("I5021", ["N179"]), 291), validate_claim(one("I5021", ["E43"]), 293),
          validate_claim(one("I5021", ["N179", "I4820"]), 292)]
    s = summarize_validations(vs)
    assert s.findings == {"UPCODING_RISK": 1, "DOWNCODING_RISK": 1, "MATCH": 1}
    assert s.dollars_up > 0 > s.dollars_down
    assert s.cc_mcc_capture_rate == 1.0
    assert s.single_cc_mcc_rate == pytest.approx(2 / 3)
    assert s.matrix[("MCC", "CC")] == 1
