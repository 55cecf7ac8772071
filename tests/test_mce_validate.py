"""`drg validate` reports the claim's MCE edits beside the DRG finding: each row carries its edit
type and edits, a prepayment edit is flagged whatever the DRG (finding unchanged), and the report
counts edits per kind and lists the claims with a prepayment edit."""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from click.testing import CliRunner

from drg.claim import Claim, Diagnosis
from drg.cli import main
from drg.validation.billed.core import PREPAYMENT_NOTE, _validate, validate_claim

ROOT = Path(__file__).resolve().parent.parent


def _claim(pdx: str, **more) -> Claim:
    return Claim(id="v1", discharge_date=dt.date(2026, 11, 2), age=70, sex="F",
                 discharge_status=1, pdx=Diagnosis(pdx, "Y"), **more)


def test_a_prepayment_edit_is_flagged_and_the_finding_is_unchanged():
    claim = _claim("I10")
    plain = _validate(claim, 305)
    verdict = validate_claim(claim, 305)
    assert verdict.finding == plain.finding and verdict.risk_score == plain.risk_score
    assert verdict.rule_hits == plain.rule_hits
    assert (verdict.mce_edit_type, verdict.mce_edits, verdict.mce_prepayment) == (
        "PREPAYMENT", (("QUESTIONABLE_ADMISSION", 1),), True)
    # the note a person reads names the edit by its CMS title
    assert verdict.mce_note == f"{PREPAYMENT_NOTE} (Questionable admission)"
    row = verdict.to_dict()
    assert (row["mce_edit_type"], row["mce_edits"], row["mce_prepayment"]) == (
        "PREPAYMENT", "QUESTIONABLE_ADMISSION=1", "Y")
    clean = validate_claim(_claim("I5021", sdx=(Diagnosis("E1165", "Y"),)), 291)
    assert (clean.mce_edit_type, clean.mce_prepayment, clean.mce_note) == ("NONE", False, "")


def test_the_billed_length_of_stay_feeds_the_length_of_stay_edit():
    claim = _claim("J9601", procedures=("5A1955Z",))
    assert ("INCONSISTENT_WITH_LENGTH_OF_STAY", 1) in validate_claim(claim, 207, length_of_stay=2).mce_edits
    assert all(e != "INCONSISTENT_WITH_LENGTH_OF_STAY"
               for e, _ in validate_claim(claim, 207, length_of_stay=9).mce_edits)


def test_validate_file_rows_and_report_carry_the_edits(tmp_path):
    source = tmp_path / "claims.csv"
    with open(ROOT / "examples" / "mce_claims.csv", newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    with open(source, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=[*rows[0], "billed_drg"])
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "billed_drg": "291"})
    result = CliRunner().invoke(main, ["validate", str(source), "-o", str(tmp_path / "v.csv"),
                                       "--report", str(tmp_path / "r.md"), "--no-drivers"])
    assert result.exit_code == 0, result.output
    with open(tmp_path / "v.csv", newline="", encoding="utf-8") as stream:
        written = {r["id"]: r for r in csv.DictReader(stream)}
    assert written["MCE-01-clean"]["mce_edit_type"] == "NONE" and written["MCE-01-clean"]["mce_prepayment"] == "N"
    assert written["MCE-02-hypertension"]["mce_edits"] == "QUESTIONABLE_ADMISSION=1"
    assert written["MCE-03-aftercare-vent"]["mce_edits"] == "REQUIRES_SDX=1|INCONSISTENT_WITH_LENGTH_OF_STAY=1"
    prepaid = sorted(i for i, r in written.items() if r["mce_prepayment"] == "Y")
    assert prepaid == ["MCE-02-hypertension", "MCE-03-aftercare-vent", "MCE-04-delivery", "MCE-05-sex-conflict"]
    report = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "| edit type PREPAYMENT | 4 |" in report and "| edit type NONE | 1 |" in report
    assert "| QUESTIONABLE_OBSTETRIC_ADMISSION | 1 |" in report
    assert "Claims with a prepayment MCE edit: 4" in report
    for claim_id in prepaid:
        assert f"| {claim_id} |" in report


def test_the_tally_merges_mce_counts():
    from drg.validation.reports.validation_report import ValidationTally
    a = ValidationTally().add([validate_claim(_claim("I10"), 305, drivers=False)])
    b = ValidationTally().add([validate_claim(_claim("I5021"), 291, drivers=False)])
    a.merge(b)
    assert dict(a.mce_edit_types) == {"PREPAYMENT": 1, "NONE": 1} and a.mce_prepayment == 1
    assert dict(a.mce_edits) == {"QUESTIONABLE_ADMISSION": 1} and [c[0] for c in a.prepayment_claims] == ["v1"]


def test_the_one_claim_verdict_names_edits_by_title_and_says_when_the_editor_did_not_run():
    flags = ["validate", "--pdx", "Z3800", "--sdx", "J9601", "--age", "67", "--sex", "M", "--billed-drg", "795"]
    dated = CliRunner().invoke(main, flags + ["--discharge-date", "2026-01-15"])
    assert dated.exit_code == 0, dated.output
    line = next(x for x in dated.output.splitlines() if x.strip().startswith("MCE"))
    assert "prepayment edits" in line and "Age conflict (edit 4)" in line and "AGE_CONFLICT" not in line
    # --version with --discharge-date: the version groups, the date still feeds the editor
    both = CliRunner().invoke(main, flags + ["--discharge-date", "2026-01-15", "--version", "43.1"])
    assert "Age conflict (edit 4)" in both.output and "(MS-DRG version 43.1)" in both.output
    undated = CliRunner().invoke(main, flags + ["--version", "43.1"])
    line = next(x for x in undated.output.splitlines() if x.strip().startswith("MCE"))
    assert "not run" in line and "--discharge-date" in line and "INVALID_DISCHARGE_DATE" not in line
    clean = CliRunner().invoke(main, ["validate", "--pdx", "I5021", "--sdx", "E1165", "--age", "67", "--sex", "M",
                                      "--billed-drg", "292", "--discharge-date", "2026-01-15"])
    line = next(x for x in clean.output.splitlines() if x.strip().startswith("MCE"))
    assert line.split(None, 1)[1] == "no edit that stops payment; no edit raised"
