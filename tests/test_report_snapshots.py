"""Snapshot tests: one validation report and one version-shift summary, compared byte for byte
with the committed files in tests/snapshots/.

After an intended change of a report, regenerate the snapshots and review the diff:

    DRG_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_report_snapshots.py
"""
from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

from drg.claim import Claim
from drg.conformance import read_jsonl
from drg.validation import ValidationTally, validate_claim
from drg.validation.reports.shift_report import render_shift_html, render_shift_markdown
from drg.validation.reports.validation_report import render_validation_html, render_validation_markdown
from drg.validation.version_shift import shift_rows
from drg.validation.version_shift.summary import summarize_shift

HERE = Path(__file__).parent
SNAPSHOTS = HERE / "snapshots"
UPDATE = os.environ.get("DRG_UPDATE_SNAPSHOTS") == "1"


def _check(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {path.name}: run with DRG_UPDATE_SNAPSHOTS=1"
    assert text == path.read_text(encoding="utf-8"), \
        f"{name} differs from its snapshot (regenerate with DRG_UPDATE_SNAPSHOTS=1 if intended)"


def _tally() -> ValidationTally:
    """The validation cases (tests/fixtures/validation_cases.jsonl), folded in chunks of 10."""
    cases = [json.loads(line) for line in (HERE / "fixtures" / "validation_cases.jsonl").read_text().splitlines()]
    validations = [validate_claim(Claim.from_dict(c["claim"]), c["billed_drg"], billed_version=c.get("billed_version"),
                                  length_of_stay=c.get("length_of_stay"), provider_id=f"P{n % 4}", row_number=n + 1)
                   for n, c in enumerate(cases)]
    tally = ValidationTally()
    for start in range(0, len(validations), 10):
        tally.add(validations[start:start + 10])
    return tally


def test_validation_report() -> None:
    tally = _tally()
    _check("validation_report.md", render_validation_markdown(tally, subtitle="validation_cases.jsonl"))
    _check("validation_report.html", render_validation_html(tally, subtitle="validation_cases.jsonl"))


def test_shift_summary() -> None:
    claims = list(read_jsonl(HERE / "fixtures" / "conformance_claims.jsonl.gz"))[::7]
    summary = summarize_shift(shift_rows(claims, "43.1", "44.0"), "43.1", "44.0")
    _check("shift_summary.md", render_shift_markdown(summary))
    _check("shift_summary.html", render_shift_html(summary))
    _check("shift_summary.json", json.dumps(summary.to_dict(), indent=1, sort_keys=True) + "\n")


def test_shift_summary_without_shifts() -> None:
    """Claims that keep their DRG: the report says so, and has no notes."""
    claims = list(read_jsonl(HERE / "fixtures" / "conformance_claims.jsonl.gz"))[:3]
    summary = summarize_shift(shift_rows(claims, "43.0", "43.1"), "43.0", "43.1")
    assert summary.changed == 0
    quiet = dataclasses.replace(summary, notes=[])
    _check("shift_without_shifts.md", render_shift_markdown(quiet))
    _check("shift_without_shifts.html", render_shift_html(quiet))
