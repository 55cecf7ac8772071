"""Fidelity to the CMS MCE without ../shared: the committed fixture of golden MCE claims
(every edit of every version, near misses and edge input) must be edited exactly as the CMS
MCE edited them, field by field; with ../shared, the whole golden set too."""
from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest

from drg.commands.edit import edit_record
from drg.mce_conformance import compare_file, golden_files

from conftest import SHARED

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN_MCE = SHARED / "golden" / "mce"

# every edit an ICD-10 claim of FY 2023 .. FY 2027 can raise (cms-mce/README.md, edits.csv)
ICD10_EDITS = {"INVALID_CODE", "SEX_CONFLICT", "AGE_CONFLICT", "QUESTIONABLE_ADMISSION", "MANIFESTATION_AS_PDX",
               "E_CODE_AS_PDX", "UNACCEPTABLE_PDX", "DUPLICATE_OF_PDX", "REQUIRES_SDX", "NON_COVERED",
               "LIMITED_COVERAGE", "QUESTIONABLE_OBSTETRIC_ADMISSION", "INVALID_ADMIT_DX", "INVALID_AGE",
               "INVALID_SEX", "INVALID_DISCHARGE_STATUS", "WRONG_PROCEDURE_PERFORMED",
               "INCONSISTENT_WITH_LENGTH_OF_STAY", "UNSPECIFIED"}


def _rows(name: str) -> list[dict]:
    with gzip.open(FIXTURES / name, "rt", encoding="utf-8") as stream:
        return [json.loads(line) for line in stream]


def pairs() -> list[tuple[dict, dict]]:
    return list(zip(_rows("mce_claims.jsonl.gz"), _rows("mce_expected.jsonl.gz"), strict=True))


def test_fixture_covers_every_edit_of_every_version():
    by_version: dict[int, Counter] = {}
    for claim, expected in pairs():
        assert claim["id"] == expected["id"]
        seen = by_version.setdefault(claim["version"], Counter())
        seen.update(e["edit"] for e in expected["edits"])
        seen[expected["edit_type"]] += 1
    assert set(by_version) == {400, 401, 410, 411, 420, 421, 430, 431, 440}
    sex_edits = {"SEX_CONFLICT", "INVALID_SEX"}          # retired from 2024-10-01 (versions 420 on)
    for version, seen in by_version.items():
        wanted = ICD10_EDITS - (sex_edits if version >= 420 else set())
        if version == 440:
            wanted -= {"INCONSISTENT_WITH_LENGTH_OF_STAY"}   # left out of the v44 set (v44/README.md)
        assert wanted <= set(seen), f"{version}: {sorted(wanted - set(seen))} missing"
        assert {"NONE", "PREPAYMENT", "INVALID_DISCHARGE_DATE"} <= set(seen)


def test_fixture_agrees_with_the_cms_mce_on_every_field():
    mismatches = []
    for claim, expected in pairs():
        got = edit_record(claim).to_dict()
        got = {key: got.get(key) for key in expected}        # v44 rows hold id, edit_type, edits only
        if got != expected:
            mismatches.append(claim["id"])
    assert mismatches == [], f"{len(mismatches)} claims differ from the CMS MCE, first {mismatches[:5]}"


def test_fixture_checks_the_per_code_fields():
    full = [e for _, e in pairs() if "pdx" in e]
    assert len(full) > 400
    assert any(e["pdx"]["age_conflict_type"] for e in full)
    assert any(d["flags"] != "0" * 20 for e in full for d in e["sdx"])


@pytest.mark.skipif(not GOLDEN_MCE.is_dir(), reason=f"golden MCE claims not found at {GOLDEN_MCE}")
def test_every_golden_mce_claim_agrees():
    tallies = [compare_file(c, e, f) for c, e, f in golden_files(GOLDEN_MCE)]
    assert len(tallies) == 9
    assert sum(t.claims for t in tallies) == 18_000
    differing = {t.name: dict(t.field_mismatches) for t in tallies if t.field_mismatches}
    assert differing == {}, differing
