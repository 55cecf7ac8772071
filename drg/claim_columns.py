"""Claims as columns: the input of the column-wise grouping engine (drg.grouper.group_columns).

A chunk of n claims is held as flat arrays instead of n Claim objects: one entry per claim for
the claim-level fields, and for the secondary diagnoses and procedures one flat array of every
claim's codes with an offsets array (claim i's codes are `sdx_code[sdx_start[i]:sdx_start[i + 1]]`,
as Arrow list arrays store them). Strings are numpy object arrays of Python str.

The columns carry claims already checked by the claim model (drg.claim.check_claim): readers
build them from rows whose status lets them be grouped, and `from_claims` from Claim objects.
`claim(i)` gives claim i back as a Claim with the fields the grouper reads (not the admitting
diagnosis, dates or length of stay, which only the code editor reads), for the per-claim engine:
it groups the claims the column-wise engine hands back to it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from drg.claim import Claim, Diagnosis

# A claim without a discharge status or an age (None in the Claim): a value no claim can hold.
NO_STATUS = int(np.iinfo(np.int64).min)
NO_AGE = NO_STATUS


def object_array(values: Sequence) -> np.ndarray:
    """A numpy object array of the values (strings stay Python str), for the column layouts."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


@dataclass(frozen=True)
class ClaimColumns:
    """n checked claims of known versions, column by column (see the module docstring).

    `version` is the CMS version id each claim is grouped with (431 for 43.1); `pdx_code` is
    None for a claim without a principal diagnosis, `pdx_poa` "" when none was given.
    """

    claim_id: np.ndarray          # object: str
    version: np.ndarray           # int32: version id
    age: np.ndarray               # int64, NO_AGE when none
    sex: np.ndarray               # object: "M", "F" or "U"
    discharge_status: np.ndarray  # int64, NO_STATUS when none
    hospital_status: np.ndarray   # object: "NON_EXEMPT", "EXEMPT" or "UNKNOWN"
    pdx_code: np.ndarray          # object: str or None
    pdx_poa: np.ndarray           # object: str
    sdx_start: np.ndarray         # int64, n + 1 offsets into sdx_code / sdx_poa
    sdx_code: np.ndarray          # object: str or None (a code given as null)
    sdx_poa: np.ndarray           # object: str
    procedure_start: np.ndarray   # int64, n + 1 offsets into procedure_code
    procedure_code: np.ndarray    # object: str or None

    def __len__(self) -> int:
        return len(self.claim_id)

    @classmethod
    def from_claims(cls, claims: Sequence[Claim], versions: Sequence[int]) -> "ClaimColumns":
        """Columns of Claim objects; `versions`: the version id each one is grouped with."""
        sdx_counts = [len(c.sdx) for c in claims]
        procedure_counts = [len(c.procedures) for c in claims]
        return cls(
            claim_id=object_array([c.id for c in claims]),
            version=np.asarray(versions, dtype=np.int32),
            age=np.asarray([NO_AGE if c.age is None else c.age for c in claims], dtype=np.int64),
            sex=object_array([c.sex for c in claims]),
            discharge_status=np.asarray([NO_STATUS if c.discharge_status is None else c.discharge_status
                                         for c in claims], dtype=np.int64),
            hospital_status=object_array([c.hospital_status for c in claims]),
            pdx_code=object_array([None if c.pdx is None else c.pdx.code for c in claims]),
            pdx_poa=object_array(["" if c.pdx is None else c.pdx.poa for c in claims]),
            sdx_start=np.concatenate([[0], np.cumsum(sdx_counts, dtype=np.int64)]).astype(np.int64),
            sdx_code=object_array([d.code for c in claims for d in c.sdx]),
            sdx_poa=object_array([d.poa for c in claims for d in c.sdx]),
            procedure_start=np.concatenate([[0], np.cumsum(procedure_counts, dtype=np.int64)]).astype(np.int64),
            procedure_code=object_array([p for c in claims for p in c.procedures]),
        )

    def claim(self, i: int) -> Claim:
        """Claim i as a Claim object (for the per-claim engine)."""
        s0, s1 = int(self.sdx_start[i]), int(self.sdx_start[i + 1])
        p0, p1 = int(self.procedure_start[i]), int(self.procedure_start[i + 1])
        status = int(self.discharge_status[i])
        age = int(self.age[i])
        pdx = self.pdx_code[i]
        return Claim(
            id=self.claim_id[i], version=int(self.version[i]), age=None if age == NO_AGE else age, sex=self.sex[i],
            discharge_status=None if status == NO_STATUS else status,
            hospital_status=self.hospital_status[i],
            pdx=None if pdx is None else Diagnosis(pdx, self.pdx_poa[i]),
            sdx=tuple(Diagnosis(c, p) for c, p in zip(self.sdx_code[s0:s1], self.sdx_poa[s0:s1])),
            procedures=tuple(self.procedure_code[p0:p1]),
        )
