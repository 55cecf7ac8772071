"""The diagnosis edits: principal (docs/MCE_LOGIC.md section 5), admitting and secondary (section 6).

Each rule is a predicate `rule(slot, ctx)` on one code, named after its edit; the tables
`PDX_RULES` and `SDX_RULES` give the order in which the MCE raises them. None of them looks
at validity: an invalid code has no flags and so raises nothing here. Every rule but
DUPLICATE_OF_PDX reads the code's own flags, so a code without flags (most codes) only
meets the rules in `FLAGLESS_RULES`.
"""
from __future__ import annotations

from typing import Callable

from drg.tables.mce import AgeGroup, Edit, Flag

from drg.mce.context import Context
from drg.mce.shared_rules import age_conflict as _age_group
from drg.mce.shared_rules import sex_conflict as _sex
from drg.mce.state import CodeSlot

DISCHARGE_STATUS_EXPIRED = 20

Rule = Callable[[CodeSlot, Context], "bool | AgeGroup | None"]


# ---------------------------------------------------------------- section 5: the principal diagnosis

def e_code_as_pdx(slot: CodeSlot, ctx: Context) -> bool:
    """5.1 E_CODE_AS_PDX: an external-cause code (V00-Y99) is never a principal diagnosis."""
    return Flag.ECODEPDX in slot.flags


def manifestation_as_pdx(slot: CodeSlot, ctx: Context) -> bool:
    """5.2 MANIFESTATION_AS_PDX: a manifestation must follow the code of its underlying disease."""
    return Flag.MANIFESTATION in slot.flags


def requires_sdx(slot: CodeSlot, ctx: Context) -> bool:
    """5.3 REQUIRES_SDX: an unacceptable PDX with `reqsdx` (Z51.89) and no SDX at all.

    Any SDX, even a blank or invalid one, satisfies it.
    """
    return Flag.UNACCEPTABLE in slot.flags and Flag.REQSDX in slot.flags and not ctx.sdx


def unacceptable_pdx(slot: CodeSlot, ctx: Context) -> bool:
    """5.3 UNACCEPTABLE_PDX: `unacceptable` without `reqsdx` (codes that do not justify an admission)."""
    return Flag.UNACCEPTABLE in slot.flags and Flag.REQSDX not in slot.flags


def nonspecific_pdx(slot: CodeSlot, ctx: Context) -> bool:
    """5.4 NONSPECIFIC_PDX: `nonspecific` unless the patient expired (status 20). ICD-9 data only."""
    return Flag.NONSPECIFIC in slot.flags and ctx.claim.discharge_status != DISCHARGE_STATUS_EXPIRED


def questionable_admission(slot: CodeSlot, ctx: Context) -> bool:
    """5.5 QUESTIONABLE_ADMISSION: not usually a sufficient reason for admission as PDX."""
    return Flag.QADM in slot.flags


def age_conflict(slot: CodeSlot, ctx: Context) -> AgeGroup | None:
    """5.6 / 6.5 AGE_CONFLICT (rule 7.1): the age group whose range the age is outside, if any."""
    return _age_group(slot.flags, ctx.claim.age, ctx.day, ctx.tables)


def sex_conflict(slot: CodeSlot, ctx: Context) -> bool:
    """5.7 / 6.6 / 8.1 SEX_CONFLICT (rule 7.2)."""
    return _sex(slot.flags, ctx.claim.sex, ctx.day)


def wrong_procedure_performed(slot: CodeSlot, ctx: Context) -> bool:
    """5.8 / 6.4 WRONG_PROCEDURE_PERFORMED: Y65.51-Y65.53, surgery on the wrong patient/site/procedure."""
    return Flag.WRNGPROC in slot.flags


def medicare_is_secondary_payer(slot: CodeSlot, ctx: Context) -> bool:
    """5.9 / 6.2 MEDICARE_IS_SECONDARY_PAYER: an injury code that may mean another payer is primary. ICD-9 only."""
    return Flag.MSP in slot.flags


def unspecified(slot: CodeSlot, ctx: Context) -> bool:
    """5.10 / 6.3 UNSPECIFIED: an unspecified code where a more specific one exists."""
    return Flag.UNSPECIFIED in slot.flags


def duplicate_of_pdx(slot: CodeSlot, ctx: Context) -> bool:
    """6.1 DUPLICATE_OF_PDX: the SDX is written exactly like the PDX (case-sensitive; blank = blank)."""
    return slot.code == (ctx.pdx.code or "")


PDX_RULES: tuple[tuple[Edit, Rule], ...] = (
    (Edit.E_CODE_AS_PDX, e_code_as_pdx),
    (Edit.MANIFESTATION_AS_PDX, manifestation_as_pdx),
    (Edit.REQUIRES_SDX, requires_sdx),
    (Edit.UNACCEPTABLE_PDX, unacceptable_pdx),
    (Edit.NONSPECIFIC_PDX, nonspecific_pdx),
    (Edit.QUESTIONABLE_ADMISSION, questionable_admission),
    (Edit.AGE_CONFLICT, age_conflict),
    (Edit.SEX_CONFLICT, sex_conflict),
    (Edit.WRONG_PROCEDURE_PERFORMED, wrong_procedure_performed),
    (Edit.MEDICARE_IS_SECONDARY_PAYER, medicare_is_secondary_payer),
    (Edit.UNSPECIFIED, unspecified),
)

# 6: the admitting diagnosis gets only the age and sex conflicts, flagged but never counted
ADMIT_RULES: tuple[tuple[Edit, Rule], ...] = (
    (Edit.AGE_CONFLICT, age_conflict),
    (Edit.SEX_CONFLICT, sex_conflict),
)

SDX_RULES: tuple[tuple[Edit, Rule], ...] = (
    (Edit.DUPLICATE_OF_PDX, duplicate_of_pdx),
    (Edit.MEDICARE_IS_SECONDARY_PAYER, medicare_is_secondary_payer),
    (Edit.UNSPECIFIED, unspecified),
    (Edit.WRONG_PROCEDURE_PERFORMED, wrong_procedure_performed),
    (Edit.AGE_CONFLICT, age_conflict),
    (Edit.SEX_CONFLICT, sex_conflict),
)


# the rules that can fire on a code without flags
FLAGLESS_RULES = frozenset({duplicate_of_pdx})


def apply(rules: tuple[tuple[Edit, Rule], ...], slot: CodeSlot, ctx: Context, counted: bool = True) -> None:
    """Run the rules on one code in order, flagging (and counting) each edit that fires."""
    if not slot.flags:
        rules = tuple(r for r in rules if r[1] in FLAGLESS_RULES)
    for edit, rule in rules:
        hit = rule(slot, ctx)
        if hit:
            if isinstance(hit, AgeGroup):
                slot.age_group = hit
            ctx.log.raise_on(slot, edit, counted)


def principal_diagnosis_edits(ctx: Context) -> None:
    """Section 5, on the PDX."""
    apply(PDX_RULES, ctx.pdx, ctx)


def admitting_diagnosis_edits(ctx: Context) -> None:
    """Section 6, admitting diagnosis: age and sex conflicts, flagged on it, not counted."""
    if ctx.admit is not None:
        apply(ADMIT_RULES, ctx.admit, ctx, counted=False)


def secondary_diagnosis_edits(ctx: Context) -> None:
    """Section 6, each SDX in claim order (every duplicate counts on its own)."""
    for slot in ctx.sdx:
        apply(SDX_RULES, slot, ctx)
