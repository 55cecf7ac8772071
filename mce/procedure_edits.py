"""The procedure edits (docs/MCE_LOGIC.md section 8), on each procedure in claim order.

`NON_COVERED` is one edit with many conditions (8.5, A .. AH): each condition is its own
predicate below, named after its letter. Limited coverage (8.6) is judged only when the
procedure did not get NON_COVERED. The rules marked "ICD-9 only" read flags that no ICD-10
code carries; they never fire on the ICD-10 tables and are kept so the engine is the whole
specification.
"""
from __future__ import annotations

import datetime as dt

from drg.tables.mce import Edit, Flag, epoch_day

from drg.mce.context import Context
from drg.mce.shared_rules import sex_conflict as _sex
from drg.mce.state import CodeSlot

# 8.4: ventilation over 96 consecutive hours does not fit a stay of 0 .. 4 days (ICD-10)
MINIMUM_STAY_DAYS = 5
# 8.5 B: the pancreas-transplant coverage rule changed on this date
PANCREAS_RULE_CHANGE_DAY = epoch_day(dt.date(2006, 4, 26))


# ---------------------------------------------------------------- 8.1 .. 8.4

def sex_conflict(slot: CodeSlot, ctx: Context) -> bool:
    """8.1 SEX_CONFLICT (rule 7.2) on a procedure."""
    return _sex(slot.flags, ctx.claim.sex, ctx.day)


def nonspecific_or(slot: CodeSlot, ctx: Context) -> bool:
    """8.2 NONSPECIFIC_OR: a non-specific O.R. procedure and no other O.R. procedure. ICD-9 only."""
    return Flag.NONSPECIFIC in slot.flags and not ctx.wide.or_procedure


def open_biopsy(slot: CodeSlot, ctx: Context) -> bool:
    """8.3 OPEN_BIOPSY. ICD-9 only."""
    return Flag.BIOPSY in slot.flags


def inconsistent_with_length_of_stay(slot: CodeSlot, ctx: Context) -> bool:
    """8.4 INCONSISTENT_WITH_LENGTH_OF_STAY: 5A1955Z (ventilation > 96 hours) with a stay under 5 days.

    A negative stay is "under". Without a known length of stay the edit cannot be judged
    and is not raised (the result's `needs_length_of_stay` says so).
    """
    los = ctx.claim.length_of_stay
    return Flag.LOS in slot.flags and los is not None and los < MINIMUM_STAY_DAYS


# ---------------------------------------------------------------- 8.5 NON_COVERED, one predicate per condition

def never_covered(slot: CodeSlot, ctx: Context) -> bool:
    """8.5 A: a procedure Medicare never covers."""
    return Flag.NONCOVERED in slot.flags


def pancreas_transplant_not_covered(slot: CodeSlot, ctx: Context) -> bool:
    """8.5 B: a pancreas transplant, covered only with a kidney transplant or type 1 diabetes.

    Before 2006-04-26 it was covered only with both `ncov4` and `ncov5` diagnoses.
    """
    if Flag.NCOV45 not in slot.flags:
        return False
    d = ctx.wide.diagnoses
    if ctx.day < PANCREAS_RULE_CHANGE_DAY:
        return not (Flag.NCOV4 in d and Flag.NCOV5 in d)
    return Flag.KIDNEYXP not in ctx.wide.procedures and Flag.DIABTYPEI not in d


def _total_artificial_heart(slot: CodeSlot, ctx: Context) -> bool:
    """Both ventricle replacements (lcov_artheartxpa and -xpb) on the claim, this one among them."""
    p = ctx.wide.procedures
    return ((Flag.LCOV_ARTHEARTXPA in slot.flags or Flag.LCOV_ARTHEARTXPB in slot.flags)
            and Flag.LCOV_ARTHEARTXPA in p and Flag.LCOV_ARTHEARTXPB in p)


def artificial_heart_without_trial(slot: CodeSlot, ctx: Context) -> bool:
    """8.5 C: a total artificial heart without a clinical-trial diagnosis (ICD-10 data to 2022-03-31)."""
    return _total_artificial_heart(slot, ctx) and Flag.CLINTRIAL not in ctx.wide.diagnoses


def stem_cell_with_leukemia(slot: CodeSlot, ctx: Context) -> bool:
    """8.5 D: autologous bone marrow / stem cell transfusion with acute leukemia not in remission."""
    return Flag.NCOV6 in slot.flags and Flag.NCOV6 in ctx.wide.diagnoses


def allogeneic_transfusion_with_myeloma(slot: CodeSlot, ctx: Context) -> bool:
    """8.5 E: an ncov7 procedure with an ncov7 diagnosis (to 2018-09-30 in ICD-10)."""
    return Flag.NCOV7 in slot.flags and Flag.NCOV7 in ctx.wide.diagnoses


def lumbar_disc_over_60(slot: CodeSlot, ctx: Context) -> bool:
    """8.5 F: lumbar artificial disc replacement on a patient over 60 (a negative age counts as over)."""
    age = ctx.claim.age
    return Flag.NCOV12AGELE60 in slot.flags and age is not None and (age > 60 or age < 0)


def sterilization_for_sterilization(slot: CodeSlot, ctx: Context) -> bool:
    """8.5 G: a female sterilization with Z30.2 (encounter for sterilization) coded."""
    return Flag.NCOV_Z302 in slot.flags and Flag.NCOV_Z302 in ctx.wide.diagnoses


def ncov2_rule(slot: CodeSlot, ctx: Context) -> bool:
    """8.5 rule 2: an ncov2 procedure without an ncov2 diagnosis, with the age limits. ICD-9 only."""
    d, age = ctx.wide.diagnoses, ctx.claim.age
    if Flag.NCOV2 not in slot.flags or Flag.NCOV2 in d:
        return False
    if age is None:
        return Flag.NCOV2AGELT64 not in d and Flag.NCOV2AGELT78 not in d
    if Flag.NCOV2AGELT64 in d:
        return age >= 64 or age < 0
    if Flag.NCOV2AGELT78 in d:
        return age >= 78 or age < 0
    return True


def ncov3_rule(slot: CodeSlot, ctx: Context) -> bool:
    """8.5 rule 3: an ncov3 procedure without an ncov3 diagnosis. ICD-9 only."""
    return Flag.NCOV3 in slot.flags and Flag.NCOV3 not in ctx.wide.diagnoses


def ncov8_rule(slot: CodeSlot, ctx: Context) -> bool:
    """8.5 rule 8: an ncov8 procedure unless an ncov89 SDX and an ncov9 procedure. ICD-9 only."""
    return Flag.NCOV8 in slot.flags and not (Flag.NCOV89 in ctx.wide.secondary and Flag.NCOV9 in ctx.wide.procedures)


def ncov13a_rule(slot: CodeSlot, ctx: Context) -> bool:
    """8.5 rule 13A: an ncov13a procedure without an ncov13b procedure. ICD-9 only."""
    return Flag.NCOV13A in slot.flags and Flag.NCOV13B not in ctx.wide.procedures


def ncov_artificial_heart_rule(slot: CodeSlot, ctx: Context) -> bool:
    """8.5 rule AH: the (ICD-9) artificial heart without a clinical-trial diagnosis."""
    return Flag.LCOV_ARTHEARTXP in slot.flags and Flag.CLINTRIAL not in ctx.wide.diagnoses


NON_COVERED_CONDITIONS = (never_covered, pancreas_transplant_not_covered, artificial_heart_without_trial,
                          stem_cell_with_leukemia, allogeneic_transfusion_with_myeloma, lumbar_disc_over_60,
                          sterilization_for_sterilization, ncov2_rule, ncov3_rule, ncov8_rule, ncov13a_rule,
                          ncov_artificial_heart_rule)


def non_covered(slot: CodeSlot, ctx: Context) -> bool:
    """8.5 NON_COVERED: any of the conditions A .. AH holds."""
    return any(condition(slot, ctx) for condition in NON_COVERED_CONDITIONS)


# ---------------------------------------------------------------- 8.6 limited coverage

# the organ-specific limited-coverage edits (ICD-9 only), first flag found wins
ORGAN_LIMITED_COVERAGE = (
    (Flag.LCOV_LVRS, Edit.LIMITED_COVERAGE_LVRS),
    (Flag.LCOV_LUNGXP, Edit.LIMITED_COVERAGE_LUNG_TRANSPLANT),
    (Flag.LCOV_HEARTLUNGXP, Edit.LIMITED_COVERAGE_COMBINATION_HEART_LUNG_TRANSPLANT),
    (Flag.LCOV_HEARTXP, Edit.LIMITED_COVERAGE_HEART_TRANSPLANT),
    (Flag.LCOV_HEARTSYS, Edit.LIMITED_COVERAGE_HEART_IMPLANT),
    (Flag.LCOV_INTXP, Edit.LIMITED_COVERAGE_INTESTINE_MULTI_VISCERAL_TRANSPLANT),
    (Flag.LCOV_LIVERXP, Edit.LIMITED_COVERAGE_LIVER_TRANSPLANT),
    (Flag.LCOV_KIDNEYXP, Edit.LIMITED_COVERAGE_KIDNEY_TRANSPLANT),
    (Flag.LCOV_PANCREASXP, Edit.LIMITED_COVERAGE_PANCREAS_TRANSPLANT),
    (Flag.LCOV_ARTHEARTXP, Edit.LIMITED_COVERAGE_ARTIFICIAL_HEART),
)


def limited_coverage(slot: CodeSlot, ctx: Context) -> Edit | None:
    """8.6 LIMITED_COVERAGE (or an organ-specific one): covered only under a national coverage decision.

    An `lcov` procedure, or a total artificial heart with a clinical-trial diagnosis, gives
    LIMITED_COVERAGE; otherwise the first organ-specific flag gives its own edit.
    """
    if Flag.LCOV in slot.flags:
        return Edit.LIMITED_COVERAGE
    if _total_artificial_heart(slot, ctx) and Flag.CLINTRIAL in ctx.wide.diagnoses:
        return Edit.LIMITED_COVERAGE
    for flag, edit in ORGAN_LIMITED_COVERAGE:
        if flag in slot.flags:
            return edit
    return None


# ---------------------------------------------------------------- 8.7, 8.8

def bilateral(slot: CodeSlot, ctx: Context) -> bool:
    """8.7 BILATERAL: two different bilateral joint procedures with an MDC 8 PDX. ICD-9 only.

    Flagged on every such procedure, counted once per claim.
    """
    return Flag.BILATERAL in slot.flags and ctx.wide.mdc8 and ctx.wide.bilateral_codes >= 2


def questionable_obstetric_admission(slot: CodeSlot, ctx: Context) -> bool:
    """8.8 QUESTIONABLE_OBSTETRIC_ADMISSION: a delivery without a Z37 outcome among the SDX."""
    return ((Flag.CSECT in slot.flags or Flag.VAGDEL in slot.flags)
            and Flag.DELOUT not in ctx.wide.secondary)


def procedure_edits(ctx: Context) -> None:
    """Section 8, each procedure in claim order."""
    log = ctx.log
    bilateral_counted = False
    for slot in ctx.procedures:
        if not slot.flags:          # every procedure rule reads the procedure's own flags
            continue
        if sex_conflict(slot, ctx):
            log.raise_on(slot, Edit.SEX_CONFLICT)
        if nonspecific_or(slot, ctx):
            log.raise_on(slot, Edit.NONSPECIFIC_OR)
        if open_biopsy(slot, ctx):
            log.raise_on(slot, Edit.OPEN_BIOPSY)
        if inconsistent_with_length_of_stay(slot, ctx):
            log.raise_on(slot, Edit.INCONSISTENT_WITH_LENGTH_OF_STAY)
        if non_covered(slot, ctx):
            log.raise_on(slot, Edit.NON_COVERED)
        else:
            limited = limited_coverage(slot, ctx)
            if limited is not None:
                log.raise_on(slot, limited)
        if bilateral(slot, ctx):
            log.raise_on(slot, Edit.BILATERAL, counted=not bilateral_counted)
            bilateral_counted = True
        if questionable_obstetric_admission(slot, ctx):
            log.raise_on(slot, Edit.QUESTIONABLE_OBSTETRIC_ADMISSION)
