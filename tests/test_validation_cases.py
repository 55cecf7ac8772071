"""Data-driven validation cases (tests/fixtures/validation_cases.jsonl, built by
tests/make_validation_cases.py from real fixture claims and reviewed by reading).

Each case pins what a coder reads (status, finding, expected DRG, weights, dollars, reason
elements and codes, rule hits, drivers, risk score); independent checks beside the pinned values
re-derive the finding from the weights, the risk score from the documented formula, the weights
from the tables, and the constructed reason elements (validation_oracle.py). The reason wording
(`explanation`) is pinned too: it is what a coder reads."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from drg.claim import Claim
from drg.conformance import read_jsonl
from drg.tables import load
from drg.validation import RULES, validate_claim
from drg.validation.billed.profile import _family, _profiles
from make_validation_cases import expectation

FIXTURES = Path(__file__).parent / "fixtures"
CASES = [json.loads(line) for line in (FIXTURES / "validation_cases.jsonl").read_text().splitlines()]
GOLDEN = {r["id"]: r["final_drg"] for r in read_jsonl(FIXTURES / "conformance_expected.jsonl.gz")}
POINTS = {"UPCODING_RISK": 40, "BILLED_DRG_INVALID": 30, "UNGROUPABLE": 20, "MISMATCH_WEIGHT_UNKNOWN": 20,
          "DOWNCODING_RISK": 10, "MISMATCH_SAME_WEIGHT": 10, "MATCH": 0}   # docs/validation_rules.md
RULE_POINTS = {r.id: r.points for r in RULES}


def _id(case: dict) -> str:
    return f"{case['case']}-{case['claim']['id']}-{case['billed_drg']}"


def test_the_cases_cover_every_finding_and_rule() -> None:
    findings = {c["expect"]["finding"] for c in CASES} - {""}
    assert findings == set(POINTS)
    assert {h for c in CASES for h in c["expect"]["rule_hits"]} == set(RULE_POINTS)
    assert {c["expect"]["status"] for c in CASES} == {"OK", "MISSING_BILLED_DRG", "INVALID_BILLED_VERSION"}
    assert len({c["claim"]["version"] for c in CASES}) == 9


@pytest.fixture(scope="module", autouse=True)
def _fresh_profiles():
    """DRG profiles are cached per version: start from an empty cache so they are computed here."""
    _profiles.cache_clear()
    _family.cache_clear()


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_case(case: dict) -> None:
    # each case validates its own claim (no shared fixture), so every case is a test of the code it runs
    v = validate_claim(Claim.from_dict(case["claim"]), case["billed_drg"], billed_version=case.get("billed_version"),
                       length_of_stay=case.get("length_of_stay"))
    assert expectation(v) == case["expect"]          # the same fields the case file was written with


@pytest.mark.parametrize("case", [c for c in CASES if c["expect"]["status"] == "OK"], ids=_id)
def test_case_agrees_with_the_rules_written_down(case: dict) -> None:
    """The pinned values, re-derived without the code under test."""
    want = case["expect"]
    claim = case["claim"]
    tables = load(claim["version"])
    assert want["expected_drg"] == GOLDEN[claim["id"]]            # the CMS grouper's final DRG
    finding = want["finding"]
    points = POINTS[finding] + min(40, sum(RULE_POINTS[r] for r in want["rule_hits"]))
    if want["weight_delta"] is not None:
        points += min(30.0, 15.0 * abs(want["weight_delta"]))
    assert want["risk_score"] == round(min(100.0, points), 1)
    required = case["required_elements"]
    if required:
        assert set(required) & set(want["reason_elements"]), required
    if finding == "UNGROUPABLE":
        assert want["expected_weight"] is None and want["rule_hits"] == [] and want["drivers"] == []
        return
    assert want["expected_weight"] == tables.weights[want["expected_drg"]].relative_weight
    billed_version = load(case["billed_version"]) if case.get("billed_version") else tables
    if finding == "BILLED_DRG_INVALID":
        assert want["billed_weight"] is None and want["dollar_impact"] is None
        return
    billed = int(str(case["billed_drg"]).strip().removesuffix(".0"))
    weight = billed_version.weights.get(billed)
    assert want["billed_weight"] == (weight.relative_weight if weight else None)
    if finding == "MISMATCH_WEIGHT_UNKNOWN":
        assert want["billed_weight"] is None and want["weight_delta"] is None
        return
    delta = round(want["billed_weight"] - want["expected_weight"], 4)
    assert want["weight_delta"] == delta
    if billed == want["expected_drg"]:
        assert finding == "MATCH"
    else:
        assert finding == ("UPCODING_RISK" if delta > 0 else "DOWNCODING_RISK" if delta < 0
                           else "MISMATCH_SAME_WEIGHT")
    rate = tables.base_rate.total if tables.base_rate is not None else None
    if rate is not None:
        assert want["dollar_impact"] == round(delta * round(rate, 2), 2)
