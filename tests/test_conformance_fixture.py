"""Fidelity without ../shared: the committed fixture of golden claims (all versions, every DRG
family, edge cases) must group exactly as the CMS grouper did, field by field."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from drg.claim import Claim
from drg.conformance import compare, read_jsonl
from drg.grouper import group_claim
from drg.tables import load

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_pairs():
    return list(zip(read_jsonl(FIXTURES / "conformance_claims.jsonl.gz"),
                    read_jsonl(FIXTURES / "conformance_expected.jsonl.gz")))


def test_fixture_covers_every_version_and_many_drgs():
    pairs = fixture_pairs()
    versions = Counter(c["version"] for c, _ in pairs)
    assert set(versions) == {400, 401, 410, 411, 420, 421, 430, 431, 440}
    assert len({e["final_drg"] for _, e in pairs}) > 700
    assert all(c["id"] == e["id"] for c, e in pairs)


def test_fixture_claims_group_exactly_as_cms():
    mismatches = []
    for claim_json, expected in fixture_pairs():
        claim = Claim.from_dict(claim_json)
        actual = group_claim(claim, load(claim.version)).to_dict()
        diffs = compare(expected, actual)
        if diffs:
            mismatches.append((expected["id"], diffs[:5]))
    assert not mismatches, f"{len(mismatches)} claims differ, first: {mismatches[:3]}"


@pytest.mark.parametrize("field", ["final_drg", "final_mdc", "hac_status"])
def test_a_broken_result_is_caught(field):
    """The comparison itself must notice a wrong value (guards against a test that cannot fail)."""
    claim_json, expected = fixture_pairs()[0]
    actual = group_claim(Claim.from_dict(claim_json), load(claim_json["version"])).to_dict()
    actual[field] = "wrong"
    assert [d[0] for d in compare(expected, actual)] == [field]
