"""The column-wise engine (drg.grouper.group_columns) against the CMS outputs and the per-claim
engine: the committed conformance fixture, the golden sets (when ../shared is there), and
mutated golden claims grouped by both engines (hypothesis, fixed seed; DRG_COLUMN_EXAMPLES for
a long local run)."""
from __future__ import annotations

import dataclasses
import gzip
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drg.claim import Claim, Diagnosis
from drg.claim_columns import ClaimColumns
from drg.conformance import compare, read_jsonl
from drg.grouper import group_claim, group_columns
from drg.tables import load

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).resolve().parents[2] / "shared" / "golden"
EXAMPLES = int(os.environ.get("DRG_COLUMN_EXAMPLES", "60"))


def _version_id(claim: Claim) -> int:
    return load(claim.version).version.id


def _columns(claims: list[Claim]) -> ClaimColumns:
    return ClaimColumns.from_claims(claims, [_version_id(c) for c in claims])


def _fixture() -> tuple[list[Claim], list[dict]]:
    claims = [Claim.from_dict(c) for c in read_jsonl(FIXTURES / "conformance_claims.jsonl.gz")]
    expected = list(read_jsonl(FIXTURES / "conformance_expected.jsonl.gz"))
    return claims, expected


def test_fixture_groups_as_cms_and_mostly_column_wise():
    claims, expected = _fixture()
    grouped = group_columns(_columns(claims), load)
    mismatches = [(e["id"], compare(e, grouped.result_dict(i))[:3]) for i, e in enumerate(expected)
                  if compare(e, grouped.result_dict(i))]
    assert not mismatches, f"{len(mismatches)} claims differ, first: {mismatches[:3]}"
    # the fixture is built to reach every rule, so more of it needs the per-claim engine than a
    # real file does; most of it must still be grouped column-wise
    assert grouped.per_claim < 0.2 * len(claims)


def test_results_come_back_in_input_order_with_ids():
    claims, _ = _fixture()
    picked = claims[::37][:60]
    reversed_claims = list(reversed(picked))
    grouped = group_columns(_columns(reversed_claims), load)
    assert [grouped.result_dict(i)["id"] for i in range(len(grouped))] == [c.id for c in reversed_claims]
    for i, claim in enumerate(reversed_claims):
        assert grouped.result_dict(i) == group_claim(claim, load(claim.version)).to_dict()


def test_a_claim_with_a_null_code_goes_to_the_per_claim_engine_and_is_counted():
    claims, _ = _fixture()
    plain = claims[0]
    odd = dataclasses.replace(claims[1], sdx=(Diagnosis(None, "Y"),))      # type: ignore[arg-type]
    grouped = group_columns(_columns([plain, odd]), load)
    assert grouped.per_claim == 1
    assert grouped.result_dict(1) == group_claim(odd, load(odd.version)).to_dict()


def test_an_empty_chunk_gives_no_rows():
    assert len(group_columns(_columns([]), load)) == 0


@pytest.mark.skipif(not (GOLDEN / "dev").is_dir(), reason="needs ../shared/golden (the CMS grouper's outputs)")
@pytest.mark.parametrize("version", ["400", "401", "410", "411", "420", "421", "430", "431"])
def test_golden_sets_every_field(version):
    claims = [Claim.from_dict(json.loads(line))
              for line in gzip.open(GOLDEN / "dev" / f"claims_v{version}.jsonl.gz", "rt")]
    expected = {e["id"]: e for e in map(json.loads, gzip.open(GOLDEN / "dev" / f"expected_v{version}.jsonl.gz", "rt"))}
    grouped = group_columns(_columns(claims), load)
    bad = [c.id for i, c in enumerate(claims) if compare(expected[c.id], grouped.result_dict(i))]
    assert not bad, f"{len(bad)} of {len(claims)} claims differ, first: {bad[:5]}"


# ------------------------------------------------------------------ mutated claims, both engines
_FIXTURE_CLAIMS = _fixture()[0]
_SDX_POOL = sorted({d.code for c in _FIXTURE_CLAIMS for d in c.sdx if d.code})
_PDX_POOL = sorted({c.pdx.code for c in _FIXTURE_CLAIMS if c.pdx is not None and c.pdx.code})
_PROCEDURE_POOL = sorted({p for c in _FIXTURE_CLAIMS for p in c.procedures if p})
_VERSIONS = (400, 401, 410, 411, 420, 421, 430, 431, 440)


@st.composite
def mutated_claim(draw: st.DrawFn) -> Claim:
    claim = draw(st.sampled_from(_FIXTURE_CLAIMS))
    sdx = list(claim.sdx)
    procedures = list(claim.procedures)
    for _ in range(draw(st.integers(0, 3))):
        action = draw(st.sampled_from(["drop_sdx", "add_sdx", "poa", "drop_proc", "add_proc", "dup_proc", "pdx"]))
        if action == "drop_sdx" and sdx:
            sdx.pop(draw(st.integers(0, len(sdx) - 1)))
        elif action == "add_sdx" and len(sdx) < 24:
            sdx.insert(draw(st.integers(0, len(sdx))),
                       Diagnosis(draw(st.sampled_from(_SDX_POOL)), draw(st.sampled_from("YNUW1E"))))
        elif action == "poa" and sdx:
            k = draw(st.integers(0, len(sdx) - 1))
            sdx[k] = Diagnosis(sdx[k].code, draw(st.sampled_from(["Y", "N", "U", "W", "1", "", "E"])))
        elif action == "drop_proc" and procedures:
            procedures.pop(draw(st.integers(0, len(procedures) - 1)))
        elif action == "add_proc" and len(procedures) < 25:
            procedures.insert(draw(st.integers(0, len(procedures))), draw(st.sampled_from(_PROCEDURE_POOL)))
        elif action == "dup_proc" and procedures:
            procedures.append(draw(st.sampled_from(procedures)))
        elif action == "pdx":
            claim = dataclasses.replace(claim, pdx=Diagnosis(draw(st.sampled_from(_PDX_POOL)), "Y"))
    return dataclasses.replace(
        claim, sdx=tuple(sdx), procedures=tuple(procedures),
        version=draw(st.sampled_from((claim.version,) + _VERSIONS)),
        sex=draw(st.sampled_from((claim.sex, "M", "F", "U"))),
        discharge_status=draw(st.sampled_from((claim.discharge_status, 1, 20, 7, 2, 99, None))),
        hospital_status=draw(st.sampled_from((claim.hospital_status, "NON_EXEMPT", "EXEMPT", "UNKNOWN"))))


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(mutated_claim(), min_size=1, max_size=40))
def test_mutated_claims_group_the_same_in_both_engines(claims):
    grouped = group_columns(_columns(claims), load)
    for i, claim in enumerate(claims):
        reference = group_claim(claim, load(claim.version)).to_dict()
        assert grouped.result_dict(i) == reference, claim.id
