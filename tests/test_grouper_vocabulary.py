"""The grouper's words are StrEnums spelled exactly as the CMS grouper's outputs spell them."""
from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

import pytest

from drg.claim import Claim
from drg.conformance import read_jsonl
from drg.grouper import (AffectsDrg, HacStatus, HacUsage, MedSurg, PoaError, ReturnCode, Severity,
                         SeverityUsage, group_claim)
from drg.tables import load

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN_README = Path(__file__).resolve().parents[2] / "shared" / "golden" / "README.md"

CLAIM_FIELDS = {"initial_return_code": ReturnCode, "final_return_code": ReturnCode,
                "initial_med_surg": MedSurg, "final_med_surg": MedSurg,
                "initial_severity": Severity, "final_severity": Severity, "hac_status": HacStatus}
DX_FIELDS = {"affects_drg": AffectsDrg, "initial_severity_usage": SeverityUsage,
             "final_severity_usage": SeverityUsage, "poa_error": PoaError}


def test_every_word_of_the_golden_outputs_is_a_member():
    """Each value the CMS grouper wrote in the fixture is the value of a member of its enum."""
    unknown = set()
    seen = 0
    for expected in read_jsonl(FIXTURES / "conformance_expected.jsonl.gz"):
        if "pdx" not in expected:              # 44.0: claim-level expectations only
            continue
        seen += 1
        for name, enum in CLAIM_FIELDS.items():
            if expected[name] not in list(enum):
                unknown.add((name, expected[name]))
        for d in [expected["pdx"], *expected["sdx"]]:
            for name, enum in DX_FIELDS.items():
                if d[name] not in list(enum):
                    unknown.add((name, d[name]))
            unknown |= {("hac_usage", h["hac_usage"]) for h in d["hacs"] if h["hac_usage"] not in list(HacUsage)}
        unknown |= {("affects_drg", p["affects_drg"]) for p in expected["procedures"]
                    if p["affects_drg"] not in list(AffectsDrg)}
    assert seen > 4000 and not unknown


def test_results_carry_the_enums_themselves():
    """group_claim fills every word field with a member of its enum, never a bare string."""
    wrong = set()
    for claim_json in list(read_jsonl(FIXTURES / "conformance_claims.jsonl.gz"))[::7]:
        claim = Claim.from_dict(claim_json)
        result = group_claim(claim, load(claim.version))
        for name, enum in {**CLAIM_FIELDS, "initial_drg_cc_mcc": Severity, "final_drg_cc_mcc": Severity}.items():
            if type(getattr(result, name)) is not enum:
                wrong.add(name)
        for d in (result.pdx, *result.sdx):
            for name, enum in {**DX_FIELDS, "severity": Severity}.items():
                if type(getattr(d, name)) is not enum:
                    wrong.add(f"dx.{name}")
            wrong |= {"hac_usage" for h in d.hacs if type(h.hac_usage) is not HacUsage}
        wrong |= {"procedure.affects_drg" for p in result.procedures if type(p.affects_drg) is not AffectsDrg}
    assert not wrong


def _readme_values(text: str, field: str) -> set[str]:
    """The back-quoted words of the row of golden/README.md's tables that names `field`."""
    for line in text.splitlines():
        cells = line.split("|")
        if len(cells) > 2 and f"`{field}`" in cells[1]:
            return set(re.findall(r"`([A-Z][A-Z0-9_]+)`", cells[2]))
    raise AssertionError(f"{field} not in the README")


@pytest.mark.parametrize("field, enum", [
    ("initial_return_code", ReturnCode), ("initial_med_surg", MedSurg), ("initial_severity", Severity),
    ("hac_status", HacStatus), ("affects_drg", AffectsDrg), ("initial_severity_usage", SeverityUsage),
    ("poa_error", PoaError), ("hacs", HacUsage),
])
def test_members_are_exactly_the_words_golden_readme_lists(field, enum: type[StrEnum]):
    if not GOLDEN_README.exists():
        pytest.skip(f"golden README not found at {GOLDEN_README}")
    assert {m.value for m in enum} == _readme_values(GOLDEN_README.read_text(), field)
    assert all(m.name == m.value for m in enum)
