"""The validation edits, the MCE's first pass (docs/MCE_LOGIC.md section 4).

Each function is one edit; it records what it finds in the context's log. The first pass
never stops the second: an invalid code simply has no flags, an invalid sex, age or
discharge status is used as it is.
"""
from __future__ import annotations

from drg.tables.mce import Edit

from drg.mce.context import Context
from drg.mce.inputs import SEX_FEMALE, SEX_MALE, SEX_UNKNOWN, is_all_zeros, is_blank
from drg.mce.shared_rules import SEX_EDIT_RETIRED_DAY
from drg.mce.state import CodeSlot

MAX_AGE = 124


def _unknown_code(slot: CodeSlot) -> bool:
    """Neither blank nor all zeros, and not valid on the date."""
    code = slot.code or ""
    return not slot.valid and not is_blank(code) and not is_all_zeros(code)


def invalid_admit_dx(ctx: Context) -> None:
    """4.1 INVALID_ADMIT_DX: an admitting diagnosis, not blank or all zeros, that is not valid."""
    if ctx.admit is not None and _unknown_code(ctx.admit):
        ctx.log.raise_on(ctx.admit, Edit.INVALID_ADMIT_DX)


def invalid_diagnosis_codes(ctx: Context) -> None:
    """4.2 INVALID_CODE on diagnoses: the PDX first, then each SDX in order.

    The PDX also gets it when it is missing, blank or all zeros (a claim without a PDX always
    has one INVALID_CODE); a blank or all-zero SDX raises nothing.
    """
    if not ctx.pdx.valid:          # unknown, missing, blank or all zeros: never valid
        ctx.log.raise_on(ctx.pdx, Edit.INVALID_CODE)
    for slot in ctx.sdx:
        if _unknown_code(slot):
            ctx.log.raise_on(slot, Edit.INVALID_CODE)


def invalid_procedure_codes(ctx: Context) -> None:
    """4.3 INVALID_CODE on procedures, in order; blank or all-zero procedures raise nothing."""
    for slot in ctx.procedures:
        if _unknown_code(slot):
            ctx.log.raise_on(slot, Edit.INVALID_CODE)


def invalid_sex(ctx: Context) -> None:
    """4.4 INVALID_SEX: sex not 0, 1 or 2 from 2024-10-01; before that, not 1 or 2 (unknown is invalid)."""
    allowed = (SEX_UNKNOWN, SEX_MALE, SEX_FEMALE) if ctx.day >= SEX_EDIT_RETIRED_DAY else (SEX_MALE, SEX_FEMALE)
    if ctx.claim.sex not in allowed:
        ctx.log.count(Edit.INVALID_SEX)


def invalid_discharge_status(ctx: Context) -> None:
    """4.5 INVALID_DISCHARGE_STATUS: the status has no row in the discharge statuses for the date."""
    status = ctx.claim.discharge_status
    if status is None or not ctx.tables.discharge_status_valid(status, ctx.day):
        ctx.log.count(Edit.INVALID_DISCHARGE_STATUS)


def invalid_age(ctx: Context) -> None:
    """4.6 INVALID_AGE: the age is not 0 .. 124 (or is missing)."""
    age = ctx.claim.age
    if age is None or not 0 <= age <= MAX_AGE:
        ctx.log.count(Edit.INVALID_AGE)


FIRST_PASS = (invalid_admit_dx, invalid_diagnosis_codes, invalid_procedure_codes, invalid_sex,
              invalid_discharge_status, invalid_age)
