"""Skipping secondary diagnoses that cannot move the DRG must find exactly the drivers that
regrouping without every code finds."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

from drg.claim import Claim, Diagnosis
from drg.grouper import group_claim
from drg.tables import load
from drg.validation.billed.drivers import cannot_move_drg, find_drivers

FIXTURE = Path(__file__).parent / "fixtures" / "conformance_claims.jsonl.gz"


def test_pruned_drivers_equal_full_regrouping_on_the_fixture():
    with gzip.open(FIXTURE, "rt", encoding="utf-8") as stream:
        claims = [Claim.from_dict(json.loads(line)) for line in stream][::3]
    for claim in claims:
        tables = load(claim.version)
        result = group_claim(claim, tables)
        assert find_drivers(claim, result, tables) == find_drivers(claim, result, tables, skip_inert=False), claim.id


def test_what_counts_as_inert():
    tables = load(431)
    claim = Claim(id="x", version=431, sex="M", discharge_status=1, pdx=Diagnosis("J189", "Y"),
                  sdx=(Diagnosis("I10", "Y"), Diagnosis("J9601", "Y"), Diagnosis("S14136A", "N")))
    assert cannot_move_drg("I10", claim, tables)            # not CC/MCC, on no tested list
    assert not cannot_move_drg("J9601", claim, tables)      # an MCC
    assert not cannot_move_drg("S14136A", claim, tables)    # a HAC-list code
    assert cannot_move_drg("XYZ", claim, tables)            # not a code: never counts
    newborn = Claim(id="n", version=431, sex="F", discharge_status=1, pdx=Diagnosis("Z3800", "Y"),
                    sdx=(Diagnosis("I10", "Y"),))
    assert not cannot_move_drg("I10", newborn, tables)      # ONLY:incident looks at every sdx
    hac_unknown = Claim(id="u", version=431, sex="M", discharge_status=1, hospital_status="UNKNOWN",
                        pdx=Diagnosis("J189", "Y"), sdx=(Diagnosis("I10", "Y"),))
    assert not cannot_move_drg("I10", hac_unknown, tables)  # the HAC return code counts every sdx
