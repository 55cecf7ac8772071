"""The Python API on malformed dicts: drg.group and drg.validate raise only drg.InvalidClaimError
(naming the field, never the value), apply the file path's rules, and group valid claims as before."""
from __future__ import annotations

import copy
import gzip
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import drg
from drg.claim import Claim, InvalidClaimError
from drg.io import read_claims

FIXTURE = Path(__file__).parent / "fixtures" / "conformance_claims.jsonl.gz"
with gzip.open(FIXTURE, "rt") as lines:
    GOLDEN = [json.loads(line) for _, line in zip(range(300), lines)]
# a long local run: DRG_FUZZ_EXAMPLES=20000 pytest tests/test_api_malformed.py
EXAMPLES = int(os.environ.get("DRG_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, derandomize=True, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)
KEYS = ["id", "version", "discharge_date", "age", "sex", "discharge_status", "hospital_status", "pdx", "admit_dx",
        "sdx", "procedures", "billed_drg", "billed_version", "length_of_stay", "provider_id"]


@st.composite
def mutated_golden(draw):
    """A golden claim with a few fields (or parts of pdx / sdx / procedures) replaced by anything."""
    claim = copy.deepcopy(draw(st.sampled_from(GOLDEN)))
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.sampled_from(KEYS))
        where = draw(st.sampled_from(["whole", "inside"]))
        if where == "inside" and isinstance(claim.get(key), dict):
            claim[key][draw(st.sampled_from(["code", "poa", "x"]))] = draw(json_like)
        elif where == "inside" and isinstance(claim.get(key), list) and claim[key]:
            claim[key][draw(st.integers(0, len(claim[key]) - 1))] = draw(json_like)
        elif draw(st.booleans()):
            claim.pop(key, None)
        else:
            claim[key] = draw(json_like)
    return claim


def _only_invalid_claim_error(call, value) -> None:
    try:
        call(value)
    except InvalidClaimError as exc:
        assert exc.field and str(exc)
    # any other exception fails the test


@FUZZ
@given(st.one_of(json_like, st.dictionaries(st.sampled_from(KEYS), json_like), mutated_golden()))
def test_group_raises_only_invalid_claim_error(value):
    _only_invalid_claim_error(drg.group, value)


@FUZZ
@given(st.one_of(st.dictionaries(st.sampled_from(KEYS), json_like), mutated_golden()))
def test_validate_raises_only_invalid_claim_error(value):
    _only_invalid_claim_error(lambda v: drg.validate(v, drivers=False), value)


@pytest.mark.parametrize("change, field", [
    ({"sdx": "J9601"}, "sdx"),                                   # a string is not a list of codes
    ({"procedures": {"02703DZ": 1}}, "procedures"),              # nor is a dict of procedures
    ({"hospital_status": "MAYBE"}, "hospital_status"),
    ({"age": "old"}, "age"),
    ({"id": {"a": 1}}, "id"),
    ({"pdx": {"code": {"x": "I5021"}, "poa": "Y"}}, "pdx"),
    ({"sdx": [None]}, "sdx"),
    ({"sdx": [{"poa": "Y"}]}, "sdx"),
    ({"sdx": [{"code": 5021, "poa": "Y"}]}, "sdx"),
    ({"version": "12.5"}, "version"),
    ({"version": {"v": 431}}, "version"),
])
def test_malformed_dicts_raise_invalid_claim_error_naming_the_field(change, field):
    claim = dict(GOLDEN[0], **change)
    for call in (drg.group, lambda c: drg.validate(c, 291, drivers=False)):
        with pytest.raises(InvalidClaimError) as caught:
            call(claim)
        assert caught.value.field == field
        assert isinstance(caught.value, ValueError)


def test_the_api_and_the_file_path_give_the_same_verdict(tmp_path):
    """A claim the reader does not group raises; one it groups with a warning groups the same way."""
    claims = [dict(GOLDEN[0], id=str(n), **change) for n, change in enumerate([
        {"sex": "Q"}, {"age": 130}, {"discharge_status": "home"}, {"sdx": [{"code": "J9601", "poa": "Z"}]},
        {"hospital_status": "MAYBE"}, {"sdx": "J9601"}, {"age": float("nan")}, {}])]
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in claims))
    rows = [row for chunk in read_claims(path) for row in chunk]
    assert len(rows) == len(claims)
    for claim, row in zip(claims, rows):
        if row.claim is None:
            with pytest.raises(InvalidClaimError) as caught:
                drg.group(claim)
            assert caught.value.status == row.status
        else:
            assert drg.group(claim).to_dict() == drg.group(row.claim).to_dict()
            assert Claim.from_dict(claim) == row.claim


def test_messages_name_the_field_never_the_value():
    marker = "Zq7marker"
    for change in ({"hospital_status": marker}, {"age": marker}, {"sdx": marker}, {"version": marker},
                   {"pdx": {"code": {marker: 1}}}, {"discharge_date": marker, "version": None}):
        with pytest.raises(InvalidClaimError) as caught:
            drg.group(dict(GOLDEN[0], **change))
        assert marker not in str(caught.value)


def test_valid_claims_group_as_before():
    """The fixture's golden claims build the same Claim through the checked from_dict as
    the plain one did (the conformance test checks their DRGs)."""
    for data in GOLDEN:
        claim = Claim.from_dict(data)
        assert claim.id == data["id"] and claim.version == data["version"]
        assert [d.code for d in claim.sdx] == [d["code"] for d in data["sdx"]]
        assert list(claim.procedures) == data["procedures"]
        assert drg.group(data).to_dict() == drg.group(claim).to_dict()


def test_invalid_claim_error_survives_pickling():
    """A worker process may raise it; the parent must get the same field and status back."""
    import pickle
    error = InvalidClaimError("sdx", "secondary diagnoses (sdx) are not a list")
    again = pickle.loads(pickle.dumps(error))
    assert (again.field, again.status, str(again)) == (error.field, error.status, str(error))
