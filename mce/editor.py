"""The Medicare Code Editor: one claim in, the CMS MCE's answer out (docs/MCE_LOGIC.md).

The passes run in the order of the specification: the validation edits (section 4), the
principal diagnosis (5), the admitting and secondary diagnoses (6), then the procedures (8)
with the claim-wide conditions of 7.3; the edit type (9) and the output (10) follow. The
editor is a pure function of the claim and the tables: it reads no file (the tables come
from drg.tables.mce.load_mce, loaded once) and raises on no claim content.
"""
from __future__ import annotations

from typing import Any

from drg.tables.mce import Edit, EditType, Flag, MceTables, load_mce

from drg.mce.context import Context
from drg.mce.diagnosis_edits import (admitting_diagnosis_edits, principal_diagnosis_edits,
                                     secondary_diagnosis_edits)
from drg.mce.inputs import EditInput, input_from_claim
from drg.mce.procedure_edits import procedure_edits
from drg.mce.result import (EditResult, claim_edit_type, diagnosis_edits, ordered_counts,
                            procedure_edits as procedure_answer)
from drg.mce.shared_rules import claim_flags
from drg.mce.state import CodeSlot
from drg.mce.validation_edits import FIRST_PASS


def edit_claim(claim: Any, *, discharge_date: Any = None, admit_date: Any = None,
               length_of_stay: Any = None, tables: MceTables | None = None) -> EditResult:
    """Run every MCE edit on a claim (a drg.claim.Claim or anything with its attributes).

    * `discharge_date` (a date, or text `YYYY-MM-DD` / `YYYYMMDD`) selects every table row;
      it defaults to `claim.discharge_date`. Missing, unreadable, before 1985-10-01 or after
      the tables' last date (2027-03-31) -> edit type INVALID_DISCHARGE_DATE and nothing else.
    * the length of stay (days) is read only by INCONSISTENT_WITH_LENGTH_OF_STAY: the
      argument, else `claim.length_of_stay`, else the discharge date minus `admit_date` (or
      `claim.admit_date`). With none of them that edit is not raised and, when a procedure
      it reads is coded, the result says `needs_length_of_stay`.
    * an invalid age, sex or discharge status gives the MCE's INVALID_AGE / INVALID_SEX /
      INVALID_DISCHARGE_STATUS; a missing age counts as invalid and no age rule is applied.
    """
    mce = tables if tables is not None else load_mce()
    return edit_input(input_from_claim(claim, discharge_date=discharge_date, admit_date=admit_date,
                                       length_of_stay_days=length_of_stay), mce)


def _invalid_date_result(claim: EditInput, tables: MceTables) -> EditResult:
    """3.1: an invalid discharge date: no edit at all, not even on an invalid code."""
    pdx = CodeSlot(claim.pdx, None)
    admit = CodeSlot(claim.admit_dx, None) if claim.admit_dx is not None else None
    return EditResult(
        claim_id=claim.claim_id, version_used=tables.data_version, edit_type=EditType.INVALID_DISCHARGE_DATE,
        edits=(), pdx=diagnosis_edits(pdx, tables),
        admit_dx=diagnosis_edits(admit, tables) if admit is not None else None,
        sdx=tuple(diagnosis_edits(CodeSlot(code, None), tables) for code in claim.sdx),
        procedures=tuple(procedure_answer(CodeSlot(code, None), tables) for code in claim.procedures),
        discharge_date=claim.discharge_date, length_of_stay=claim.length_of_stay)


def edit_input(claim: EditInput, tables: MceTables) -> EditResult:
    """Run every MCE edit on a claim already in the MCE's terms (drg.mce.inputs.EditInput)."""
    day = claim.day
    if day is None or not tables.first_day <= day <= tables.termination_day:
        return _invalid_date_result(claim, tables)

    dx_on, pr_on = tables.diagnoses.flags_on, tables.procedures.flags_on
    # 3.2: a code is looked up upper-cased, never trimmed; the PDX of a claim without one is blank
    pdx = CodeSlot(claim.pdx, dx_on((claim.pdx or "").upper(), day))
    admit = CodeSlot(claim.admit_dx, dx_on(claim.admit_dx.upper(), day)) if claim.admit_dx is not None else None
    sdx = [CodeSlot(code, dx_on(code.upper(), day)) for code in claim.sdx]
    procedures = [CodeSlot(code, pr_on(code.upper(), day)) for code in claim.procedures]
    wide = claim_flags(pdx.flags, [s.flags for s in sdx], [(p.code, p.flags) for p in procedures])
    ctx = Context(tables, claim, day, pdx, admit, sdx, procedures, wide)

    for edit_pass in FIRST_PASS:
        edit_pass(ctx)
    principal_diagnosis_edits(ctx)
    admitting_diagnosis_edits(ctx)
    secondary_diagnosis_edits(ctx)
    procedure_edits(ctx)

    counts = ctx.log.counts
    return EditResult(
        claim_id=claim.claim_id, version_used=tables.data_version,
        edit_type=claim_edit_type(counts, tables), edits=ordered_counts(counts, tables),
        pdx=diagnosis_edits(pdx, tables),
        admit_dx=diagnosis_edits(admit, tables) if admit is not None else None,
        sdx=tuple(diagnosis_edits(s, tables) for s in sdx),
        procedures=tuple(procedure_answer(p, tables) for p in procedures),
        discharge_date=claim.discharge_date, length_of_stay=claim.length_of_stay,
        needs_length_of_stay=claim.length_of_stay is None and any(Flag.LOS in p.flags for p in procedures),
    )


__all__ = ["edit_claim", "edit_input", "Edit"]
