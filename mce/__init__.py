"""The CMS Medicare Code Editor (MCE), exactly as CMS raises every edit (docs/MCE_LOGIC.md).

A layer beside drg.grouper: it reads the MCE tables (drg.tables.mce) and a claim, never a
file. `edit_claim(claim)` returns an `EditResult`; its `to_dict()` is the golden form of
golden/mce/README.md.

    >>> from drg.claim import Claim, Diagnosis
    >>> from drg.mce import edit_claim
    >>> result = edit_claim(Claim(id="c1", age=67, sex="M", discharge_status=1,
    ...                           pdx=Diagnosis("I10")), discharge_date="2026-11-02")
    >>> result.edit_type, [(e.edit, e.count) for e in result.edits]
    (<EditType.PREPAYMENT: 'PREPAYMENT'>, [(<Edit.QUESTIONABLE_ADMISSION: 'QUESTIONABLE_ADMISSION'>, 1)])
"""
from drg.tables.mce import AgeGroup, CodeType, Edit, EditInfo, EditType, Flag, MceTables, load_mce

from drg.mce.advice import EDIT_ADVICE, advice_for
from drg.mce.editor import edit_claim, edit_input
from drg.mce.inputs import EditInput, input_from_claim, parse_discharge_date
from drg.mce.result import FLAT_COLUMNS, DiagnosisEdits, EditCount, EditHit, EditResult, ProcedureEdits, flat_columns
from drg.mce.summary import EditTally

__all__ = [
    "FLAT_COLUMNS", "AgeGroup", "CodeType", "DiagnosisEdits", "EDIT_ADVICE", "Edit", "EditCount", "EditHit", "EditInfo",
    "EditInput", "EditResult", "EditTally", "EditType", "Flag", "MceTables", "ProcedureEdits", "advice_for",
    "edit_claim", "edit_input", "flat_columns", "input_from_claim", "load_mce", "parse_discharge_date",
]
