"""What the MCE answers for a claim (docs/MCE_LOGIC.md sections 9 and 10).

`EditResult.to_dict()` is exactly the expected form of golden/mce/README.md: the claim's edit
type, its edit counts in the MCE's counter order, and per code the edits raised on it, the
age-conflict type and the 20-character flag string.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterator, Mapping

from drg.tables.mce import AgeGroup, Edit, EditType, MceTables

from drg.mce.state import CodeSlot


@dataclass(frozen=True, slots=True)
class EditCount:
    """How many times an edit was raised on the claim."""

    edit: Edit
    count: int

    def to_dict(self) -> dict:
        return {"edit": self.edit.value, "count": self.count}


@dataclass(frozen=True, slots=True)
class DiagnosisEdits:
    """The MCE's answer for one diagnosis: its edits in the order raised, age-conflict type, flag string."""

    code: str | None                   # as given; None for a claim without a PDX
    edits: tuple[Edit, ...]
    age_conflict_type: AgeGroup | None
    flags: str

    def to_dict(self) -> dict:
        return {"code": self.code, "edits": [e.value for e in self.edits],
                "age_conflict_type": self.age_conflict_type.value if self.age_conflict_type else None,
                "flags": self.flags}


@dataclass(frozen=True, slots=True)
class ProcedureEdits:
    """The MCE's answer for one procedure."""

    code: str
    edits: tuple[Edit, ...]
    flags: str

    def to_dict(self) -> dict:
        return {"code": self.code, "edits": [e.value for e in self.edits], "flags": self.flags}


@dataclass(frozen=True, slots=True)
class EditHit:
    """One edit raised on one place of the claim, for people: which edit, where, on which code."""

    edit: Edit
    where: str                         # "principal diagnosis", "secondary diagnosis 2", "procedure 1", "claim"
    code: str | None                   # None for the claim-level edits (age, sex, discharge status)
    counted: bool                      # False for the admitting diagnosis' age/sex conflicts


@dataclass(frozen=True)
class EditResult:
    """The MCE's answer for one claim.

    Beyond the golden fields: the discharge date and length of stay the editor used, and
    `needs_length_of_stay` (a procedure of the length-of-stay edit was coded but no length of
    stay or admission date was given, so that edit could not be judged).
    """

    claim_id: str
    version_used: int
    edit_type: EditType
    edits: tuple[EditCount, ...]
    pdx: DiagnosisEdits
    admit_dx: DiagnosisEdits | None
    sdx: tuple[DiagnosisEdits, ...]
    procedures: tuple[ProcedureEdits, ...]
    discharge_date: dt.date | None = None
    length_of_stay: int | None = None
    needs_length_of_stay: bool = False

    def to_dict(self) -> dict:
        """The golden expected form (golden/mce/README.md, Output)."""
        return {
            "id": self.claim_id,
            "version_used": self.version_used,
            "edit_type": self.edit_type.value,
            "edits": [e.to_dict() for e in self.edits],
            "pdx": self.pdx.to_dict(),
            "admit_dx": self.admit_dx.to_dict() if self.admit_dx is not None else None,
            "sdx": [d.to_dict() for d in self.sdx],
            "procedures": [p.to_dict() for p in self.procedures],
        }

    def flat(self) -> dict:
        """Flat columns for tables (CSV, a DataFrame) beside a claim's other columns (`flat_columns`)."""
        return flat_columns(self.to_dict())

    def count(self, edit: Edit) -> int:
        """How many times the edit was raised on the claim (0 when not)."""
        for entry in self.edits:
            if entry.edit == edit:
                return entry.count
        return 0

    @property
    def has_edits(self) -> bool:
        return bool(self.edits)

    @property
    def prepayment(self) -> bool:
        """A prepayment edit was raised: the claim goes back to the provider however right its DRG is."""
        return self.edit_type in (EditType.PREPAYMENT, EditType.BOTH)

    @property
    def invalid_discharge_date(self) -> bool:
        return self.edit_type == EditType.INVALID_DISCHARGE_DATE

    def hits(self) -> Iterator[EditHit]:
        """Every edit with the place and code it hit, codes first (claim order), then the claim-level ones."""
        yield from (EditHit(e, "principal diagnosis", self.pdx.code, True) for e in self.pdx.edits)
        if self.admit_dx is not None:
            yield from (EditHit(e, "admitting diagnosis", self.admit_dx.code, e == Edit.INVALID_ADMIT_DX)
                        for e in self.admit_dx.edits)
        for n, dx in enumerate(self.sdx, 1):
            yield from (EditHit(e, f"secondary diagnosis {n}", dx.code, True) for e in dx.edits)
        for n, pr in enumerate(self.procedures, 1):
            yield from (EditHit(e, f"procedure {n}", pr.code, True) for e in pr.edits)
        for entry in self.edits:
            if entry.edit in CLAIM_LEVEL_EDITS:
                yield EditHit(entry.edit, "claim", None, True)


FLAT_COLUMNS = ("mce_edit_type", "mce_edits", "mce_prepayment", "mce_pdx_edits", "mce_sdx_edits",
                "mce_procedure_edits")
_PREPAYMENT_TYPES = (EditType.PREPAYMENT.value, EditType.BOTH.value)


def flat_columns(golden: Mapping | None) -> dict:
    """The flat columns of an MCE result in the golden form (`EditResult.to_dict()`), for tables.

    `mce_edit_type`; `mce_edits`: "EDIT=count" joined by "|" in counter order ("" when none);
    `mce_prepayment`: whether a prepayment edit was raised; `mce_pdx_edits`, `mce_sdx_edits`,
    `mce_procedure_edits`: the edits per code, codes joined by "|" in claim order, a code's
    edits by "+" ("" for a code without edits). A claim not edited (None) gives None in each;
    a result without per-code parts (a row that is no claim) gives "" for them.
    """
    if golden is None:
        return dict.fromkeys(FLAT_COLUMNS)
    pdx = golden.get("pdx") or {}
    return {
        "mce_edit_type": golden.get("edit_type"),
        "mce_edits": "|".join(f"{e['edit']}={e['count']}" for e in golden.get("edits") or ()),
        "mce_prepayment": golden.get("edit_type") in _PREPAYMENT_TYPES,
        "mce_pdx_edits": "+".join(pdx.get("edits") or ()),
        "mce_sdx_edits": "|".join("+".join(d["edits"]) for d in golden.get("sdx") or ()),
        "mce_procedure_edits": "|".join("+".join(p["edits"]) for p in golden.get("procedures") or ()),
    }


CLAIM_LEVEL_EDITS = frozenset({Edit.INVALID_AGE, Edit.INVALID_SEX, Edit.INVALID_DISCHARGE_STATUS})


# ---------------------------------------------------------------- building the result

def claim_edit_type(counts: Mapping[Edit, int], tables: MceTables) -> EditType:
    """Section 9: NONE, PREPAYMENT, POSTPAYMENT or BOTH from the payment types of the raised edits."""
    kinds = {tables.edits[e].edit_type for e, n in counts.items() if n >= 1} - {EditType.NONE}
    if not kinds:
        return EditType.NONE
    if kinds == {EditType.PREPAYMENT}:
        return EditType.PREPAYMENT
    if kinds == {EditType.POSTPAYMENT}:
        return EditType.POSTPAYMENT
    return EditType.BOTH


def ordered_counts(counts: Mapping[Edit, int], tables: MceTables) -> tuple[EditCount, ...]:
    """The counts of at least 1, in the MCE's counter order (edits without an ICD-10 counter last)."""
    order = tables.counter_order
    chosen = [e for e, n in counts.items() if n >= 1]
    chosen.sort(key=lambda e: (order.get(e, len(order)), tables.edits[e].ordinal))
    return tuple(EditCount(e, counts[e]) for e in chosen)


def _flag_string(edits: list[Edit], positions: Mapping[Edit, int], width: int,
                 age_group: AgeGroup | None = None, age_position: int | None = None) -> str:
    chars = ["0"] * width
    for edit in edits:
        position = positions.get(edit)
        if position is not None:
            chars[position] = "1"
    if age_group is not None and age_position is not None:
        chars[age_position] = age_group.digit
    return "".join(chars)


# answers without edits, per code: most codes of most claims (the records are immutable)
_QUIET_DX: dict[tuple[str | None, int], DiagnosisEdits] = {}
_QUIET_PR: dict[tuple[str, int], ProcedureEdits] = {}
_QUIET_LIMIT = 200_000


def _quiet_dx(code: str | None, width: int) -> DiagnosisEdits:
    answer = _QUIET_DX.get((code, width))
    if answer is None:
        if len(_QUIET_DX) > _QUIET_LIMIT:
            _QUIET_DX.clear()
        answer = _QUIET_DX[(code, width)] = DiagnosisEdits(code, (), None, "0" * width)
    return answer


def _quiet_pr(code: str, width: int) -> ProcedureEdits:
    answer = _QUIET_PR.get((code, width))
    if answer is None:
        if len(_QUIET_PR) > _QUIET_LIMIT:
            _QUIET_PR.clear()
        answer = _QUIET_PR[(code, width)] = ProcedureEdits(code, (), "0" * width)
    return answer


def diagnosis_edits(slot: CodeSlot, tables: MceTables) -> DiagnosisEdits:
    """A diagnosis' answer; position 11 of its flag string holds the age-conflict type digit."""
    if not slot.edits:
        return _quiet_dx(slot.code, tables.dx_flag_width)
    positions = tables.dx_flag_positions
    return DiagnosisEdits(slot.code, tuple(slot.edits), slot.age_group,
                          _flag_string(slot.edits, positions, tables.dx_flag_width, slot.age_group,
                                       positions.get(Edit.TYPE_OF_AGE_CONFLICT)))


def procedure_edits(slot: CodeSlot, tables: MceTables) -> ProcedureEdits:
    if not slot.edits:
        return _quiet_pr(slot.code or "", tables.pr_flag_width)
    return ProcedureEdits(slot.code or "", tuple(slot.edits),
                          _flag_string(slot.edits, tables.pr_flag_positions, tables.pr_flag_width))
