"""Evaluating one compiled formula against a claim (docs/GROUPER_LOGIC.md sections 7.3-7.5).

Evaluation is left to right with short circuit; every true atom adds its token to the
accumulated set, and the special operands set marks on the codes as a side effect.
A counting operand (MULTST, BILATERAL, vessels, stents, fusion) marks its contributors
only when it is true: the golden claim A420-00216 shows an unmet fusion counter leaving
no FUSION mark behind.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from drg.grouper.mask import Mask
from drg.grouper.state import (BILATERAL, FUSION, NOT_INCIDENT, SIG_TRAUMA, STENT_4, VESSEL_4,
                               DxRecord, PrRecord)
from drg.grouper.vocabulary import ReturnCode, Severity
from drg.tables.formula import Atom

# The special operands that end a pass with a return code (section 7.5): the mask entry each
# one looks for, and the code it returns.
RETURN_CODE_OPERANDS = {
    "INVALID_PDX": ("PDX", "invalid_pdx", ReturnCode.INVALID_PDX),
    "PDX_ECODE": ("PDX", "pdx_ecode", ReturnCode.DX_CANNOT_BE_PDX),
    "INVALID_SEX": ("NONE", "invalid_sex", ReturnCode.INVALID_SEX),
    "INVALID_DSTAT": ("NONE", "invalid_dstat", ReturnCode.INVALID_DISCHARGE_STATUS),
}

TRAUMA_REGIONS = ("sthead", "stchest", "stabdom", "stkidney", "sturin", "stpel", "stuplimb", "stlolimb")
JOINT_SIDES = ("righthip", "rightknee", "rightankle", "lefthip", "leftknee", "leftankle")
VESSELS = (("vessel1", 1), ("vessel2", 2), ("vessel3", 3), ("vessel4", 4))
STENTS = (("stent1", 1), ("stent2", 2), ("stent3", 3), ("stent4", 4))


@dataclass(slots=True)
class Evaluation:
    """What one formula evaluation needs and produces."""

    mask: Mask
    pdx: DxRecord
    sdx: list            # processing order
    procedures: list     # processing order, clusters excluded
    pdx_mdc: int
    mdc: int | None      # current MDC (None: no suppression check, as for HAC formulas)
    severity: Severity | None = None
    accumulated: dict = field(default_factory=dict)   # token -> None, insertion ordered
    return_code: ReturnCode = ReturnCode.OK


def evaluate(formula, ev: Evaluation) -> bool:
    """Evaluate a compiled formula (grouper/compiled.py) with short circuit and accumulation."""
    mask = ev.mask
    return formula(mask.tokens, mask.suppressed, ev.mdc, ev.severity, ev.accumulated, ev)


def _has_entry(ev: Evaluation, prefix: str, name: str) -> bool:
    return (prefix, name) in ev.mask.tokens


def _return_code_operand(atom: Atom, ev: Evaluation) -> bool:
    assert atom.special is not None      # SPECIALS maps only special atoms here
    prefix, name, code = RETURN_CODE_OPERANDS[atom.special]
    if _has_entry(ev, prefix, name):
        ev.accumulated[(prefix, name)] = None
        ev.return_code = code
        return True
    return False


def _only_incident(atom: Atom, ev: Evaluation) -> bool:
    """`incident` under any prefix: the normal-newborn test; when false it flags the first
    non-incidental code (how DRG 794 finds its sdx)."""
    if ("ONLY", "incident") in ev.mask.tokens:
        ev.accumulated[("ONLY", "incident")] = None
        return True
    for d in (ev.pdx, *ev.sdx):
        if not d.has("incident"):
            d.marks.add(NOT_INCIDENT)
            break
    return False


def _distinct_contributors(records: list[PrRecord]) -> list[PrRecord]:
    """Procedure records with the same code and identical state count once (section 7.5)."""
    seen, out = set(), []
    for p in records:
        state = p.state()
        if state not in seen:
            seen.add(state)
            out.append(p)
    return out


def _multiple_trauma(atom: Atom, ev: Evaluation) -> bool:
    found: list[tuple[str, DxRecord]] = []
    for d in (ev.pdx, *ev.sdx):
        taken = {region for region, _ in found}
        for region in TRAUMA_REGIONS:
            if region not in taken and d.has(region):
                found.append((region, d))
                break
        if len(found) == 2:
            break
    if len(found) == 2:
        for region, d in found:
            d.marks.add(SIG_TRAUMA)
            ev.accumulated[("NONE", region)] = None
        return True
    return False


def _bilateral(atom: Atom, ev: Evaluation) -> bool:
    found: list[tuple[str, PrRecord]] = []
    for p in ev.procedures:
        taken = {side for side, _ in found}
        for side in JOINT_SIDES:
            if side not in taken and side in p.attributes:
                found.append((side, p))
                break
        if len(found) == 2:
            break
    if len(found) == 2:
        for p in _distinct_contributors([p for _, p in found]):
            p.marks.add(BILATERAL)
        for side, _ in found:
            ev.accumulated[("NONE", side)] = None
        return True
    return False


def _weighted_count(ev: Evaluation, names: tuple, mark_name: str, required: str | None = None) -> bool:
    total, contributors, found = 0, [], []
    for p in ev.procedures:
        if total >= 4:
            break
        if required is not None and required not in p.attributes:
            continue
        for name, weight in names:
            if name in p.attributes:
                total += weight
                contributors.append(p)
                if name not in found:
                    found.append(name)
    if total >= 4:
        for p in _distinct_contributors(contributors):
            p.marks.add(mark_name)
        for name in found:
            ev.accumulated[("NONE", name)] = None
        return True
    return False


def _fusion_count(ev: Evaluation, names: tuple[str, ...], need_all: bool, minimum: int) -> bool:
    hits, contributors, found = 0, [], []
    for p in ev.procedures:
        for name in names:
            if name in p.attributes:
                hits += 1
                contributors.append(p)
                if name not in found:
                    found.append(name)
    ok = hits >= minimum and (not need_all or len(found) == len(names))
    if ok:
        for p in _distinct_contributors(contributors):
            p.marks.add(FUSION)
        for name in found:
            ev.accumulated[("NONE", name)] = None
    return ok


SPECIALS = {
    **{name: _return_code_operand for name in RETURN_CODE_OPERANDS},
    "INVALID_AGE": lambda atom, ev: False,
    "incident": _only_incident,
    "MULTST": _multiple_trauma,
    "BILATERAL": _bilateral,
    "FOUR_VESSELS": lambda atom, ev: _weighted_count(ev, VESSELS, VESSEL_4),
    "FOUR_STENTS": lambda atom, ev: _weighted_count(ev, STENTS, STENT_4),
    "FOUR_DRUG_ELUTING_STENTS": lambda atom, ev: _weighted_count(ev, STENTS, STENT_4, "NORdrugstent"),
    "FOUR_NON_DRUG_ELUTING_STENTS": lambda atom, ev: _weighted_count(ev, STENTS, STENT_4, "NORstent"),
    "SINGLEFUSIONCTR": lambda atom, ev: _fusion_count(ev, ("sglantfuse", "sglpostfuse"), True, 3),
    "MULTFUSE": lambda atom, ev: _fusion_count(ev, ("sglantfuse", "sglpostfuse1"), False, 2),
    "SGLANTSECTXCTR": lambda atom, ev: _fusion_count(ev, ("sglantsectXfuse",), False, 2),
    "SGLPOSTFUSECTR": lambda atom, ev: _fusion_count(ev, ("sglpostfuse",), False, 2),
    "SGLANTCTR": lambda atom, ev: _fusion_count(ev, ("sglantfuse",), False, 2),
    "SGLPOST1CTR": lambda atom, ev: _fusion_count(ev, ("sglpostfuse1",), False, 2),
    "MDC_20_FALL_THRU": lambda atom, ev: ev.pdx_mdc == 20,
}
