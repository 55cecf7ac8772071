"""Grouping results as columns: what the column-wise engine gives for a chunk of claims.

The same fields as GroupingResult.to_dict() (the golden output form), held as arrays: one entry
per claim for the claim-level fields, flat arrays with offsets for the per-code records (claim
i's secondary diagnoses are entries `sdx_start[i]:sdx_start[i + 1]` of the `sdx_*` arrays, in
claim order), and the reported HAC entries of each diagnosis as a second level of offsets
(`pdx_hac_start`, `sdx_hac_start`; entries in the `*_hac_*` arrays). Words are the strings of
drg.grouper.vocabulary (StrEnum values), in numpy object arrays.

`from_results` builds the columns of per-claim GroupingResults (the reference the column-wise
engine is compared with, and how claims the per-claim engine grouped join a chunk's columns);
`result_dict(i)` gives claim i back in the golden form. The face (drg.io) turns the columns
into Arrow arrays and writes them.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Sequence

import numpy as np

from drg.claim_columns import object_array
from drg.grouper.result import GroupingResult

CLAIM_INT_FIELDS = ("version", "initial_drg", "initial_mdc", "initial_base_drg", "final_drg", "final_mdc",
                    "final_base_drg", "hac_categories")
CLAIM_WORD_FIELDS = ("initial_return_code", "initial_med_surg", "initial_severity", "final_return_code",
                     "final_med_surg", "final_severity", "hac_status")


def _offsets(counts: list[int]) -> np.ndarray:
    out = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=out[1:])
    return out


@dataclass
class GroupedColumns:
    """The grouping results of n claims, column by column (see the module docstring)."""

    claim_id: np.ndarray
    version: np.ndarray
    initial_drg: np.ndarray
    initial_mdc: np.ndarray
    initial_base_drg: np.ndarray
    initial_return_code: np.ndarray
    initial_med_surg: np.ndarray
    initial_severity: np.ndarray
    final_drg: np.ndarray
    final_mdc: np.ndarray
    final_base_drg: np.ndarray
    final_return_code: np.ndarray
    final_med_surg: np.ndarray
    final_severity: np.ndarray
    hac_status: np.ndarray
    hac_categories: np.ndarray
    # principal diagnosis, one per claim
    pdx_code: np.ndarray
    pdx_recognized: np.ndarray
    pdx_affects_drg: np.ndarray
    pdx_initial_severity_usage: np.ndarray
    pdx_final_severity_usage: np.ndarray
    pdx_poa_error: np.ndarray
    pdx_hac_start: np.ndarray          # n + 1 offsets into pdx_hac_*
    pdx_hac_number: np.ndarray
    pdx_hac_list: np.ndarray
    pdx_hac_usage: np.ndarray
    # secondary diagnoses, flat in claim order
    sdx_start: np.ndarray              # n + 1 offsets into sdx_*
    sdx_code: np.ndarray
    sdx_recognized: np.ndarray
    sdx_affects_drg: np.ndarray
    sdx_initial_severity_usage: np.ndarray
    sdx_final_severity_usage: np.ndarray
    sdx_poa_error: np.ndarray
    sdx_hac_start: np.ndarray          # (number of sdx) + 1 offsets into sdx_hac_*
    sdx_hac_number: np.ndarray
    sdx_hac_list: np.ndarray
    sdx_hac_usage: np.ndarray
    # procedures, flat in claim order
    procedure_start: np.ndarray        # n + 1 offsets into procedure_*
    procedure_code: np.ndarray
    procedure_recognized: np.ndarray
    procedure_affects_drg: np.ndarray
    procedure_is_or: np.ndarray
    procedure_hac_start: np.ndarray    # (number of procedures) + 1 offsets into procedure_hac_usage
    procedure_hac_usage: np.ndarray
    per_claim: int = 0                 # claims the per-claim engine grouped (the fallback)

    def __len__(self) -> int:
        return len(self.claim_id)

    @classmethod
    def from_results(cls, results: Sequence[GroupingResult]) -> "GroupedColumns":
        """The columns of per-claim results (all counted as grouped per claim)."""
        claim_level: dict[str, np.ndarray] = {}
        for name in CLAIM_INT_FIELDS:
            claim_level[name] = np.asarray([getattr(r, name) for r in results], dtype=np.int32)
        for name in CLAIM_WORD_FIELDS:
            claim_level[name] = object_array([str(getattr(r, name)) for r in results])
        sdx = [d for r in results for d in r.sdx]
        procedures = [p for r in results for p in r.procedures]
        pdx_hacs = [h for r in results for h in r.pdx.hacs]
        sdx_hacs = [h for d in sdx for h in d.hacs]
        return cls(
            claim_id=object_array([r.id for r in results]), **claim_level,
            pdx_code=object_array([r.pdx.code for r in results]),
            pdx_recognized=np.asarray([r.pdx.recognized for r in results], dtype=bool),
            pdx_affects_drg=object_array([str(r.pdx.affects_drg) for r in results]),
            pdx_initial_severity_usage=object_array([str(r.pdx.initial_severity_usage) for r in results]),
            pdx_final_severity_usage=object_array([str(r.pdx.final_severity_usage) for r in results]),
            pdx_poa_error=object_array([str(r.pdx.poa_error) for r in results]),
            pdx_hac_start=_offsets([len(r.pdx.hacs) for r in results]),
            pdx_hac_number=np.asarray([h.hac_number for h in pdx_hacs], dtype=np.int32),
            pdx_hac_list=object_array([h.hac_list for h in pdx_hacs]),
            pdx_hac_usage=object_array([str(h.hac_usage) for h in pdx_hacs]),
            sdx_start=_offsets([len(r.sdx) for r in results]),
            sdx_code=object_array([d.code for d in sdx]),
            sdx_recognized=np.asarray([d.recognized for d in sdx], dtype=bool),
            sdx_affects_drg=object_array([str(d.affects_drg) for d in sdx]),
            sdx_initial_severity_usage=object_array([str(d.initial_severity_usage) for d in sdx]),
            sdx_final_severity_usage=object_array([str(d.final_severity_usage) for d in sdx]),
            sdx_poa_error=object_array([str(d.poa_error) for d in sdx]),
            sdx_hac_start=_offsets([len(d.hacs) for d in sdx]),
            sdx_hac_number=np.asarray([h.hac_number for h in sdx_hacs], dtype=np.int32),
            sdx_hac_list=object_array([h.hac_list for h in sdx_hacs]),
            sdx_hac_usage=object_array([str(h.hac_usage) for h in sdx_hacs]),
            procedure_start=_offsets([len(r.procedures) for r in results]),
            procedure_code=object_array([p.code for p in procedures]),
            procedure_recognized=np.asarray([p.recognized for p in procedures], dtype=bool),
            procedure_affects_drg=object_array([str(p.affects_drg) for p in procedures]),
            procedure_is_or=np.asarray([p.is_or for p in procedures], dtype=bool),
            procedure_hac_start=_offsets([len(p.hac_usage) for p in procedures]),
            procedure_hac_usage=object_array([u for p in procedures for u in p.hac_usage]),
            per_claim=len(results),
        )

    def result_dict(self, i: int) -> dict:
        """Claim i in the golden output form (GroupingResult.to_dict()), for tests and the fallback."""
        out: dict = {"id": self.claim_id[i], "version": int(self.version[i])}
        for name in GroupingResult.CLAIM_FIELDS:
            value = getattr(self, name)[i]
            out[name] = int(value) if name in CLAIM_INT_FIELDS else value

        def hacs(start: np.ndarray, number: np.ndarray, names: np.ndarray, usage: np.ndarray, k: int) -> list:
            return [{"hac_number": int(number[j]), "hac_list": names[j], "hac_usage": usage[j]}
                    for j in range(int(start[k]), int(start[k + 1]))]

        out["pdx"] = {"code": self.pdx_code[i], "recognized": bool(self.pdx_recognized[i]),
                      "affects_drg": self.pdx_affects_drg[i],
                      "initial_severity_usage": self.pdx_initial_severity_usage[i],
                      "final_severity_usage": self.pdx_final_severity_usage[i],
                      "poa_error": self.pdx_poa_error[i],
                      "hacs": hacs(self.pdx_hac_start, self.pdx_hac_number, self.pdx_hac_list,
                                   self.pdx_hac_usage, i)}
        out["sdx"] = [{"code": self.sdx_code[j], "recognized": bool(self.sdx_recognized[j]),
                       "affects_drg": self.sdx_affects_drg[j],
                       "initial_severity_usage": self.sdx_initial_severity_usage[j],
                       "final_severity_usage": self.sdx_final_severity_usage[j],
                       "poa_error": self.sdx_poa_error[j],
                       "hacs": hacs(self.sdx_hac_start, self.sdx_hac_number, self.sdx_hac_list,
                                    self.sdx_hac_usage, j)}
                      for j in range(int(self.sdx_start[i]), int(self.sdx_start[i + 1]))]
        out["procedures"] = [{"code": self.procedure_code[j], "recognized": bool(self.procedure_recognized[j]),
                              "affects_drg": self.procedure_affects_drg[j],
                              "is_or": bool(self.procedure_is_or[j]),
                              "hac_usage": list(self.procedure_hac_usage[
                                  int(self.procedure_hac_start[j]):int(self.procedure_hac_start[j + 1])])}
                             for j in range(int(self.procedure_start[i]), int(self.procedure_start[i + 1]))]
        return out


def ranges(start: np.ndarray, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For the entries `chosen` of an offsets array: the new offsets and the positions of their
    items in the flat arrays (items of chosen[0], then of chosen[1], ...)."""
    begin = start[chosen]
    counts = start[chosen + 1] - begin
    new_start = _offsets(counts.tolist()) if len(counts) else np.zeros(1, dtype=np.int64)
    total = int(new_start[-1])
    if total == 0:
        return new_start, np.zeros(0, dtype=np.int64)
    positions = np.arange(total, dtype=np.int64) - np.repeat(new_start[:-1] - begin, counts)
    return new_start, positions


_CLAIM_ARRAYS = ("claim_id",) + CLAIM_INT_FIELDS + CLAIM_WORD_FIELDS + (
    "pdx_code", "pdx_recognized", "pdx_affects_drg", "pdx_initial_severity_usage", "pdx_final_severity_usage",
    "pdx_poa_error")
# (offsets, the arrays it indexes, nested levels)
_NESTED = (
    ("pdx_hac_start", ("pdx_hac_number", "pdx_hac_list", "pdx_hac_usage"), ()),
    ("sdx_start", ("sdx_code", "sdx_recognized", "sdx_affects_drg", "sdx_initial_severity_usage",
                   "sdx_final_severity_usage", "sdx_poa_error"),
     (("sdx_hac_start", ("sdx_hac_number", "sdx_hac_list", "sdx_hac_usage")),)),
    ("procedure_start", ("procedure_code", "procedure_recognized", "procedure_affects_drg", "procedure_is_or"),
     (("procedure_hac_start", ("procedure_hac_usage",)),)),
)


def take(columns: GroupedColumns, chosen: np.ndarray) -> dict[str, np.ndarray]:
    """The arrays of the claims `chosen` (positions, in that order), as GroupedColumns fields."""
    chosen = np.asarray(chosen, dtype=np.int64)
    out = {name: getattr(columns, name)[chosen] for name in _CLAIM_ARRAYS}
    for start_name, names, inner in _NESTED:
        new_start, positions = ranges(getattr(columns, start_name), chosen)
        out[start_name] = new_start
        for name in names:
            out[name] = getattr(columns, name)[positions]
        for inner_start, inner_names in inner:
            inner_new, inner_positions = ranges(getattr(columns, inner_start), positions)
            out[inner_start] = inner_new
            for name in inner_names:
                out[name] = getattr(columns, name)[inner_positions]
    return out


def concatenate(parts: Sequence[GroupedColumns]) -> GroupedColumns:
    """The claims of several GroupedColumns one after the other (offsets rebased)."""
    out: dict = {name: np.concatenate([getattr(p, name) for p in parts]) for name in _CLAIM_ARRAYS}
    for start_name, names, inner in _NESTED:
        for level_start, level_names in ((start_name, names), *inner):
            starts = [getattr(p, level_start) for p in parts]
            shift = np.cumsum([0] + [int(s[-1]) for s in starts[:-1]])
            out[level_start] = np.concatenate([starts[0][:1]] + [s[1:] + k for s, k in zip(starts, shift)])
            for name in level_names:
                out[name] = np.concatenate([getattr(p, name) for p in parts])
    return GroupedColumns(**out, per_claim=sum(p.per_claim for p in parts))


def reorder(columns: GroupedColumns, order: np.ndarray) -> GroupedColumns:
    """The same claims in another order (`order[k]` = position of the claim to put k-th)."""
    return GroupedColumns(**take(columns, order), per_claim=columns.per_claim)


def column_names() -> tuple[str, ...]:
    """The names of the GroupedColumns arrays (all fields but the fallback count)."""
    return tuple(f.name for f in fields(GroupedColumns) if f.name != "per_claim")
