"""DRG drivers: regroup the claim leaving out each secondary diagnosis and each procedure in turn.

A code is a driver when the claim groups to another final DRG without it. Duplicated codes
are left out together (removing one copy of a code that is still on the claim changes
nothing a payer would care about), so each distinct code costs one regrouping.

Secondary diagnoses that cannot move the DRG are not regrouped: a code that is neither CC nor
MCC, carries no HAC list, and is on no list that a formula tests for secondary diagnoses
(SDX:/ANY: atoms, the trauma regions of MULTST, `incident`) changes no formula's truth and no
claim severity when it is left out (docs/GROUPER_LOGIC.md sections 6-8). A test checks that the
drivers found this way equal those of regrouping every code.
"""
from __future__ import annotations

import dataclasses

from drg.claim import Claim
from drg.grouper import GroupingResult, group_claim, secondary_tested_names
from drg.tables import TableSet
from drg.validation.billed.records import Driver


def cannot_move_drg(code: str, claim: Claim, tables: TableSet) -> bool:
    """Whether leaving out this secondary diagnosis provably leaves the DRG as it is (see module doc)."""
    if claim.hospital_status == "UNKNOWN":        # the HAC return code counts every sdx (14.5)
        return False
    pdx = tables.diagnoses.get((claim.pdx.code if claim.pdx else "").upper())
    if pdx is not None and "incident" in pdx.attributes_lower:   # ONLY:incident looks at every sdx
        return False
    info = tables.diagnoses.get(code.upper())
    if info is None:
        return True
    if info.severity != "NON_CC" or info.hac_attributes:
        return False
    tested = secondary_tested_names(tables)
    return tested.isdisjoint(info.attributes) and tested.isdisjoint(info.categories)


def _weight(tables: TableSet, drg: int | None) -> float | None:
    w = tables.weights.get(drg) if drg is not None else None
    return w.relative_weight if w is not None else None


def without_sdx(claim: Claim, code: str) -> Claim:
    return dataclasses.replace(claim, sdx=tuple(d for d in claim.sdx if d.code != code))


def without_procedure(claim: Claim, code: str) -> Claim:
    return dataclasses.replace(claim, procedures=tuple(p for p in claim.procedures if p != code))


def find_drivers(claim: Claim, result: GroupingResult, tables: TableSet,
                 skip_inert: bool = True) -> tuple[Driver, ...]:
    """Codes whose removal changes the final DRG, sdx first then procedures, in claim order."""
    out: list[Driver] = []
    seen: set[tuple[str, str]] = set()
    candidates = [("sdx", d.code) for d in claim.sdx] + [("procedure", p) for p in claim.procedures]
    for element, code in candidates:
        if (element, code) in seen:
            continue
        seen.add((element, code))
        if skip_inert and element == "sdx" and cannot_move_drg(code, claim, tables):
            continue
        reduced = without_sdx(claim, code) if element == "sdx" else without_procedure(claim, code)
        other = group_claim(reduced, tables)
        if other.final_drg != result.final_drg:
            out.append(Driver(element, code, other.final_drg, _weight(tables, other.final_drg), other.final_severity))
    return tuple(out)


def single_severity_code(result: GroupingResult, drivers: tuple[Driver, ...], tables: TableSet) -> str:
    """The sdx that alone carries the CC/MCC level of the final DRG ("" if none or several).

    The final DRG must have used a CC or MCC (final_drg_cc_mcc), and leaving out that one
    code must move the claim to a lower-weighted DRG of the same family.
    """
    if result.final_drg_cc_mcc not in ("CC", "MCC"):
        return ""
    weight = _weight(tables, result.final_drg)
    hits = []
    for d in drivers:
        if d.element != "sdx" or d.drg_without is None:
            continue
        same_family = any(f.drg == d.drg_without and f.base_drg == result.final_base_drg
                          for f in tables.formulas.get(result.final_mdc or -1, ()))
        lower = weight is None or d.weight_without is None or d.weight_without < weight
        if same_family and lower:
            hits.append(d.code)
    return hits[0] if len(hits) == 1 else ""
