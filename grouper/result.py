"""The grouping result: every field of the CMS grouper's output (golden/README.md).

The per-code records are NamedTuples: immutable records like the frozen dataclasses, but
several times cheaper to build, and one is built for every code of every claim. The words
are the StrEnums of drg.grouper.vocabulary, spelled as the golden outputs spell them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from drg.grouper.vocabulary import (AffectsDrg, HacStatus, HacUsage, MedSurg, PoaError, ReturnCode, Severity,
                                    SeverityUsage)


class HacReport(NamedTuple):
    """One reported HAC entry of a diagnosis."""

    hac_number: int
    hac_list: str | None
    hac_usage: HacUsage

    def to_dict(self) -> dict:
        return {"hac_number": self.hac_number, "hac_list": self.hac_list, "hac_usage": self.hac_usage}


class DiagnosisResult(NamedTuple):
    """What the grouper did with one diagnosis."""

    code: str | None
    recognized: bool
    affects_drg: AffectsDrg
    initial_severity_usage: SeverityUsage
    final_severity_usage: SeverityUsage
    poa_error: PoaError
    hacs: tuple[HacReport, ...]
    severity: Severity = Severity.NON_CC   # the code's own CC/MCC level in the version (not in the golden form)

    def to_dict(self) -> dict:
        return {"code": self.code, "recognized": self.recognized, "affects_drg": self.affects_drg,
                "initial_severity_usage": self.initial_severity_usage,
                "final_severity_usage": self.final_severity_usage, "poa_error": self.poa_error,
                "hacs": [h.to_dict() for h in self.hacs]}


class ProcedureResult(NamedTuple):
    """What the grouper did with one procedure."""

    code: str
    recognized: bool
    affects_drg: AffectsDrg
    is_or: bool
    hac_usage: tuple[str, ...]              # HAC_08 .. HAC_14

    def to_dict(self) -> dict:
        return {"code": self.code, "recognized": self.recognized, "affects_drg": self.affects_drg,
                "is_or": self.is_or, "hac_usage": list(self.hac_usage)}


class GroupingPath(NamedTuple):
    """How a pass reached its DRG: the deciding formula and what it matched (for explanations)."""

    principal_mdc: int                  # the principal diagnosis's own MDC (-1 when unknown)
    mdc_stops: tuple[int, ...]          # formula lists visited: 0 = pre-MDC, then MDCs (29 = unrelated O.R.)
    formula_mdc: int                    # the list of the deciding formula
    rank: int
    formula: str
    matched: tuple[tuple[str, str], ...]   # (prefix, name) of every atom that was true

    def to_dict(self) -> dict:
        return {"principal_mdc": self.principal_mdc, "mdc_stops": list(self.mdc_stops),
                "formula_mdc": self.formula_mdc, "rank": self.rank, "formula": self.formula,
                "matched": [f"{p}:{n}" if p != "NONE" else n for p, n in self.matched]}


@dataclass(frozen=True, slots=True)
class GroupingResult:
    """The initial and final grouping of one claim, with per-code details."""

    id: str
    version: int
    initial_drg: int | None
    initial_mdc: int | None
    initial_base_drg: int | None
    initial_return_code: ReturnCode
    initial_med_surg: MedSurg
    initial_severity: Severity
    final_drg: int | None
    final_mdc: int | None
    final_base_drg: int | None
    final_return_code: ReturnCode
    final_med_surg: MedSurg
    final_severity: Severity
    hac_status: HacStatus
    hac_categories: int
    pdx: DiagnosisResult
    sdx: tuple[DiagnosisResult, ...]
    procedures: tuple[ProcedureResult, ...]
    initial_drg_cc_mcc: Severity = Severity.NON_CC   # whether the initial DRG's formula used an sdx CC/MCC (16.3)
    final_drg_cc_mcc: Severity = Severity.NON_CC
    initial_path: GroupingPath | None = None   # None when the pass was ungroupable
    final_path: GroupingPath | None = None

    CLAIM_FIELDS = ("initial_drg", "initial_mdc", "initial_base_drg", "initial_return_code",
                    "initial_med_surg", "initial_severity", "final_drg", "final_mdc", "final_base_drg",
                    "final_return_code", "final_med_surg", "final_severity", "hac_status", "hac_categories")

    def to_dict(self) -> dict:
        """Exactly the golden JSON output form."""
        out = {"id": self.id, "version": self.version}
        for name in self.CLAIM_FIELDS:
            out[name] = getattr(self, name)
        out["pdx"] = self.pdx.to_dict()
        out["sdx"] = [d.to_dict() for d in self.sdx]
        out["procedures"] = [p.to_dict() for p in self.procedures]
        return out
