"""The golden JSON form is the CMS grouper's own input: the batch path must use its codes exactly
as given, so that it groups the way the CMS grouper (and drg.group) does."""
from __future__ import annotations

import json

from drg.batch import run_batch
from drg.claim import Claim
from drg.conformance import compare
from drg.grouper import group_claim
from drg.tables import load

CLAIMS = [
    # a lower-case MCC is recognized but never CC-excluded; a lower-case code never completes a cluster
    {"id": "lower", "version": 431, "age": 65, "sex": "M", "discharge_status": 1, "hospital_status": "NON_EXEMPT",
     "pdx": {"code": "I5021", "poa": "Y"}, "admit_dx": None,
     "sdx": [{"code": "i5023", "poa": "Y"}, {"code": "N179", "poa": "Y"}], "procedures": ["0spd08z", "0SRD0JZ"]},
    {"id": "blank-pdx", "version": 431, "age": 65, "sex": "M", "discharge_status": 1, "hospital_status": "NON_EXEMPT",
     "pdx": {"code": "", "poa": ""}, "admit_dx": None, "sdx": [], "procedures": []},
    {"id": "no-pdx", "version": 431, "age": 65, "sex": "M", "discharge_status": 1, "hospital_status": "NON_EXEMPT",
     "pdx": None, "admit_dx": None, "sdx": [{"code": "J9601", "poa": "Y"}], "procedures": []},
]


def test_golden_form_codes_are_used_as_given(tmp_path):
    source = tmp_path / "claims.jsonl"
    source.write_text("".join(json.dumps(c) + "\n" for c in CLAIMS))
    out = tmp_path / "out.jsonl"
    run_batch(source, out)
    results = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in results] == [c["id"] for c in CLAIMS]
    for claim, result in zip(CLAIMS, results):
        direct = group_claim(Claim.from_dict(claim), load(431)).to_dict()
        assert compare(direct, result) == [], claim["id"]
    lower = results[0]
    assert lower["sdx"][0]["code"] == "i5023"
    assert lower["sdx"][0]["final_severity_usage"] == "MCC"      # upper-cased it would be MCC_EXCLUDED
