"""Records of a validation: one reason, one DRG driver, one validated claim."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from drg.grouper import GroupingResult


class Finding(StrEnum):
    """What the billed DRG is, next to the DRG the codes support (docs/validation_rules.md)."""

    MATCH = "MATCH"                                        # billed DRG = expected DRG
    UPCODING_RISK = "UPCODING_RISK"                        # the billed DRG weighs more
    DOWNCODING_RISK = "DOWNCODING_RISK"                    # the billed DRG weighs less
    MISMATCH_SAME_WEIGHT = "MISMATCH_SAME_WEIGHT"          # another DRG of the same weight
    MISMATCH_WEIGHT_UNKNOWN = "MISMATCH_WEIGHT_UNKNOWN"    # another DRG; a weight is missing, no direction
    BILLED_DRG_INVALID = "BILLED_DRG_INVALID"              # the billed value is no DRG of the billed version
    UNGROUPABLE = "UNGROUPABLE"                            # the claim itself cannot be grouped


FINDINGS = tuple(Finding)
# findings that compare two valid DRGs, so a weight difference (and dollars) can exist
WEIGHED_FINDINGS = (Finding.UPCODING_RISK, Finding.DOWNCODING_RISK, Finding.MISMATCH_SAME_WEIGHT,
                    Finding.MISMATCH_WEIGHT_UNKNOWN)


@dataclass(frozen=True, slots=True)
class MismatchReason:
    """One thing that separates the billed DRG from the expected one.

    element: what the reason is about - "severity", "sdx", "pdx", "procedure",
    "discharge_status", "age", "sex", "version", "billed_drg", "hac", "return_code".
    """

    element: str
    code: str
    message: str

    def to_dict(self) -> dict:
        return {"element": self.element, "code": self.code, "message": self.message}


@dataclass(frozen=True, slots=True)
class Driver:
    """A code whose removal changes the DRG: the DRG and weight the claim has without it."""

    element: str             # "sdx" or "procedure"
    code: str
    drg_without: int | None
    weight_without: float | None
    severity_without: str    # the claim's final severity without the code

    def to_dict(self) -> dict:
        return {"element": self.element, "code": self.code, "drg_without": self.drg_without,
                "weight_without": self.weight_without, "severity_without": self.severity_without}


@dataclass(frozen=True)
class Validation:
    """The validation of one input row: its grouping, the finding, dollars, reasons, rules."""

    row_number: int
    claim_id: str
    status: str                      # "OK" or why the row could not be validated
    message: str
    version: str = ""                # the version the claim was grouped with
    billed_drg: int | None = None
    billed_drg_text: str = ""        # the billed DRG as given
    billed_version: str = ""
    grouping: GroupingResult | None = None
    expected_drg: int | None = None
    finding: Finding | str = ""      # a Finding; "" when the row could not be validated
    billed_weight: float | None = None
    expected_weight: float | None = None
    weight_delta: float | None = None    # billed minus expected
    base_rate: float | None = None
    dollar_impact: float | None = None   # weight_delta x base_rate; > 0 means billed pays more
    impact_note: str = ""                # why a weight or dollar figure is missing
    billed_level: str = ""               # severity level of the billed DRG in its family
    expected_level: str = ""
    reasons: tuple[MismatchReason, ...] = ()
    explanation: str = ""                # the reasons in plain words
    drivers: tuple[Driver, ...] = ()
    single_code_severity: str = ""       # the one sdx the CC/MCC level rests on, if any
    rule_hits: tuple[str, ...] = ()
    risk_score: float = 0.0
    length_of_stay: int | None = None
    provider_id: str = ""
    extra: dict = field(default_factory=dict)
    # the claim's Medicare Code Editor result (drg.mce), beside the DRG finding
    mce_edit_type: str = ""              # NONE, PREPAYMENT, POSTPAYMENT, BOTH, INVALID_DISCHARGE_DATE
    mce_edits: tuple[tuple[str, int], ...] = ()     # (edit, count) in the MCE's counter order
    mce_prepayment: bool = False         # a prepayment edit: the claim is returned whatever its DRG
    mce_note: str = ""                   # the prepayment flag in plain words

    def to_dict(self, grouping_details: bool = False) -> dict[str, Any]:
        """A flat output row; lists stay lists (JSON/Parquet) - CSV writers serialise them."""
        g = self.grouping
        out: dict[str, Any] = {
            "row_number": self.row_number, "id": self.claim_id, "status": self.status, "message": self.message,
            "version": self.version, "provider_id": self.provider_id, "length_of_stay": self.length_of_stay,
            "billed_drg": self.billed_drg,                  # the DRG number (None when missing or not a number)
            "billed_drg_text": self.billed_drg_text,        # the billed value as given ("" when missing)
            "billed_version": self.billed_version or None,
            "expected_drg": self.expected_drg, "finding": self.finding,
            "billed_weight": self.billed_weight, "expected_weight": self.expected_weight,
            "weight_delta": self.weight_delta, "base_rate": self.base_rate, "dollar_impact": self.dollar_impact,
            "impact_note": self.impact_note, "billed_level": self.billed_level, "expected_level": self.expected_level,
            "risk_score": self.risk_score, "rule_hits": list(self.rule_hits),
            "single_code_severity": self.single_code_severity or None,
            "explanation": self.explanation,
            "reasons": [r.to_dict() for r in self.reasons],
            "drivers": [d.to_dict() for d in self.drivers],
            "mce_edit_type": self.mce_edit_type or None,
            "mce_edits": "|".join(f"{e}={n}" for e, n in self.mce_edits),
            # text, as every column
            "mce_prepayment": ("Y" if self.mce_prepayment else "N") if self.mce_edit_type else "",
            "mce_note": self.mce_note,
        }
        for name in GroupingResult.CLAIM_FIELDS:
            out[name] = getattr(g, name) if g is not None else None
        if grouping_details:
            out["grouping"] = g.to_dict() if g is not None else None
        return out
