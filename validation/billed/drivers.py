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
from typing import Mapping, Sequence

from drg.claim import Claim
from drg.claim_columns import ClaimColumns
from drg.grouper import GroupingResult, Severity, group_claim, group_columns, secondary_tested_names
from drg.tables import TableSet
from drg.validation.billed.records import Driver

# (element, code) -> (final DRG, final severity) of the claim without that code
Regroupings = Mapping[tuple[str, str], tuple[int, str]]


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


def driver_candidates(claim: Claim, tables: TableSet, skip_inert: bool = True) -> list[tuple[str, str]]:
    """(element, code) for each distinct code whose removal could move the DRG, in claim order."""
    out = []
    seen: set[tuple[str, str]] = set()
    candidates = [("sdx", d.code) for d in claim.sdx] + [("procedure", p) for p in claim.procedures]
    for element, code in candidates:
        if (element, code) in seen:
            continue
        seen.add((element, code))
        if skip_inert and element == "sdx" and cannot_move_drg(code, claim, tables):
            continue
        out.append((element, code))
    return out


def without_code(claim: Claim, element: str, code: str) -> Claim:
    return without_sdx(claim, code) if element == "sdx" else without_procedure(claim, code)


def regroup_without_each_code(claims: Sequence[tuple[Claim, TableSet]], skip_inert: bool = True
                              ) -> list[dict[tuple[str, str], tuple[int, str]]]:
    """The drivers' regroupings of many claims at once, with the column-wise engine: for each
    claim, (element, code) -> (final DRG, final severity) without that code (find_drivers)."""
    variants = [(k, element, code, without_code(claim, element, code), tables)
                for k, (claim, tables) in enumerate(claims)
                for element, code in driver_candidates(claim, tables, skip_inert)]
    out: list[dict[tuple[str, str], tuple[int, str]]] = [{} for _ in claims]
    if not variants:
        return out
    by_id = {tables.version.id: tables for *_, tables in variants}
    columns = ClaimColumns.from_claims([v[3] for v in variants], [v[4].version.id for v in variants])
    grouped = group_columns(columns, by_id.__getitem__)
    for (k, element, code, _, _), drg, severity in zip(variants, grouped.final_drg.tolist(),
                                                      grouped.final_severity.tolist()):
        out[k][(element, code)] = (drg, Severity(severity))
    return out


def find_drivers(claim: Claim, result: GroupingResult, tables: TableSet,
                 skip_inert: bool = True, regrouped: Regroupings | None = None) -> tuple[Driver, ...]:
    """Codes whose removal changes the final DRG, sdx first then procedures, in claim order.

    `regrouped`: the regroupings done beforehand for a whole chunk (regroup_without_each_code);
    without it each candidate is regrouped here by the per-claim engine."""
    out: list[Driver] = []
    for element, code in driver_candidates(claim, tables, skip_inert):
        found = regrouped.get((element, code)) if regrouped is not None else None
        drg: int | None
        if found is not None:
            drg, severity = found
        else:
            other = group_claim(without_code(claim, element, code), tables)
            drg, severity = other.final_drg, other.final_severity
        if drg != result.final_drg:
            out.append(Driver(element, code, drg, _weight(tables, drg), severity))
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
