"""Data-driven version-shift cases (tests/fixtures/shift_cases.jsonl, built by
tests/make_validation_cases.py from real fixture claims and reviewed by reading).

Each case pins the DRGs under both versions and the reason kinds and codes; independent checks
beside the pinned values: the from-DRG of a claim of the from-version's own golden set is the
CMS grouper's, a deleted or created DRG is one the other version's tables lack, an invalid code
is one the version's code table lacks."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from drg.claim import Claim
from drg.conformance import read_jsonl
from drg.tables import load
from drg.validation.version_shift import ShiftRowMaker

FIXTURES = Path(__file__).parent / "fixtures"
CASES = [json.loads(line) for line in (FIXTURES / "shift_cases.jsonl").read_text().splitlines()]
GOLDEN = {r["id"]: r["final_drg"] for r in read_jsonl(FIXTURES / "conformance_expected.jsonl.gz")}


def _maker(a: str, b: str) -> ShiftRowMaker:
    """A fresh row maker per case: its per-code caches must not carry one case into another."""
    return ShiftRowMaker(a, b)


def _id(case: dict) -> str:
    return f"{case['from']}-{case['to']}-{case['claim']['id']}"


def test_the_cases_cover_the_reason_kinds() -> None:
    kinds = {k for c in CASES for k in c["reason_kinds"]}
    assert len(kinds) >= 12 and any(not c["drg_changed"] for c in CASES)
    assert sum(c["own_version"] for c in CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_case(case: dict) -> None:
    claim = Claim.from_dict(case["claim"])
    row = _maker(case["from"], case["to"]).row(1, claim.id, claim)
    got = {k: row[k] for k in ("from_drg", "to_drg", "from_mdc", "to_mdc", "from_severity", "to_severity",
                               "drg_changed", "invalid_in_from", "invalid_in_to")}
    got["reason_kinds"] = [k for k in row["reason_kinds"].split("|") if k]
    got["reason_codes"] = [r["code"] for r in json.loads(row["reasons_json"])]
    got["reasons"], got["message"], got["reasons_json"] = row["reasons"], row["message"], row["reasons_json"]
    assert got == {k: case[k] for k in got}
    assert row["status"] == "OK" and (row["from_drg"] != row["to_drg"]) == row["drg_changed"]


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_case_agrees_with_the_tables(case: dict) -> None:
    a, b = load(case["from"]), load(case["to"])
    if case["own_version"]:
        assert case["from_drg"] == GOLDEN[case["claim"]["id"]]
    kinds, codes = case["reason_kinds"], case["reason_codes"]
    assert ("DRG_DELETED" in kinds) == (case["drg_changed"] and case["from_drg"] not in b.drg_titles)
    if "DRG_CREATED" in kinds:
        assert case["to_drg"] not in a.drg_titles
    if case["drg_changed"]:
        assert kinds, "a changed DRG always has a reason"
    else:
        assert set(kinds) <= {"CODE_INVALID"}
    invalid = set(case["invalid_in_from"].split()) | set(case["invalid_in_to"].split())
    assert ("CODE_INVALID" in kinds) == bool(invalid)
    for code in case["invalid_in_from"].split():
        assert code not in a.diagnoses and code not in a.procedures
    for code in case["invalid_in_to"].split():
        assert code not in b.diagnoses and code not in b.procedures
    if "DRG_DELETED" in kinds:
        assert f"{case['from_drg']:03d}" in codes
