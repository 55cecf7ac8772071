"""Explanations: the grouping path in words a coder understands, and as structured data.

Built from a GroupingResult (which carries the deciding formula of each pass) and the
version's tables; for each CC/MCC that drives the DRG it also regroups the claim without
that code to say what the DRG would be without it.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from drg.claim import Claim
from drg.grouper.engine import group_claim
from drg.grouper.result import GroupingPath, GroupingResult
from drg.grouper.vocabulary import ReturnCode
from drg.tables import TableSet
from drg.tables.cms import UNRELATED_OR_DRGS

RETURN_CODE_WORDS: dict[ReturnCode, str] = {
    ReturnCode.DX_CANNOT_BE_PDX:
        "the principal diagnosis is an external-cause code (V00-Y99), which cannot be principal",
    ReturnCode.INVALID_SEX: "the principal diagnosis depends on the patient's sex, and the sex is unknown",
    ReturnCode.INVALID_DISCHARGE_STATUS:
        "the discharge status is not one the grouper knows, and this DRG logic needs it",
    ReturnCode.INVALID_PDX: "the principal diagnosis is missing or not a valid code in this version",
    ReturnCode.HAC_MISSING_ONE_POA:
        "a hospital-acquired condition was met and a HAC-list diagnosis has a missing or unusable POA value",
    ReturnCode.HAC_STATUS_INVALID_POA_N_OR_U:
        "hospital POA status unknown: a hospital-acquired condition was met (POA N or U)",
    ReturnCode.HAC_STATUS_INVALID_POA_INVALID_OR_1:
        "hospital POA status unknown: a hospital-acquired condition was met (POA blank, 1 or invalid)",
    ReturnCode.HAC_STATUS_INVALID_MULT_HACS_POA_NOT_Y_W:
        ("hospital POA status unknown: a hospital-acquired condition was met on a claim with several "
         "secondary diagnoses"),
}

TOKEN_WORDS = {
    "MCC": "a secondary diagnosis that is an MCC",
    "CC": "a secondary diagnosis that is a CC (and none that is an MCC)",
    "ALIVE": "the patient was discharged alive",
    "DIED": "the patient died",
    "XFRNBA": "the patient was transferred to another acute-care hospital",
    "AMA": "the patient left against medical advice",
    "ANYDX": "any diagnosis",
}


@dataclass(frozen=True, slots=True)
class ExplanationLine:
    """One statement of an explanation: what it is about, the code if any, and the words."""

    topic: str            # RESULT, MDC, DRG, SEVERITY, PDX, SDX, PROCEDURE, HAC, RETURN_CODE
    code: str | None
    message: str

    def to_dict(self) -> dict:
        return {"topic": self.topic, "code": self.code, "message": self.message}


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a claim grouped as it did."""

    result: GroupingResult
    drg_title: str
    mdc_title: str
    relative_weight: float | None
    lines: tuple[ExplanationLine, ...]

    def text(self) -> str:
        return "\n".join(f"{line.topic:<11s} {line.code + ': ' if line.code else ''}{line.message}"
                         for line in self.lines)

    def to_dict(self) -> dict:
        return {"result": self.result.to_dict(), "drg_title": self.drg_title, "mdc_title": self.mdc_title,
                "relative_weight": self.relative_weight, "lines": [line.to_dict() for line in self.lines]}


def describe_token(prefix: str, name: str) -> str:
    """A matched formula atom in plain words."""
    if prefix == "NONE" and name in TOKEN_WORDS:
        return TOKEN_WORDS[name]
    if prefix == "PDX":
        return f"the principal diagnosis is on list '{name}'"
    if prefix == "SDX":
        return f"a secondary diagnosis is on list '{name}'"
    if prefix == "ANY":
        return f"the principal or a secondary diagnosis is on list '{name}'"
    if prefix == "ONLY":
        return "every diagnosis is a normal-newborn diagnosis"
    return f"a procedure (or procedure combination) with attribute '{name}'"


def _path_lines(path: GroupingPath, result_mdc: int | None, tables: TableSet) -> list[ExplanationLine]:
    lines = []
    stops = path.mdc_stops
    if path.formula_mdc == 0 and stops == (0,):
        lines.append(ExplanationLine("MDC", None, (
            f"a pre-MDC formula decided the DRG (transplants, ECMO, tracheostomy, CAR-T and the like are "
            f"grouped before the MDC); the MDC reported is the principal diagnosis's, {result_mdc}")))
    elif len(stops) >= 2 and stops[1] in (24, 25, 11) and stops[0] == 0 and path.principal_mdc != stops[1]:
        why = {24: "multiple significant trauma", 25: "HIV infection", 11: "kidney transplant"}[stops[1]]
        lines.append(ExplanationLine("MDC", None, f"the pre-MDC logic rerouted the claim to MDC {stops[1]} ({why})"))
    else:
        lines.append(ExplanationLine("MDC", None, (
            f"MDC {result_mdc} ({_title(tables.mdc_titles, result_mdc)}) comes from the principal diagnosis")))
    if stops and stops[-1] == 29 or path.formula_mdc == 29:
        lines.append(ExplanationLine("MDC", None, (
            "an O.R. procedure unrelated to the principal diagnosis's MDC sent the claim to the "
            "unrelated-O.R. DRGs 981-989")))
    matched = "; ".join(describe_token(p, n) for p, n in path.matched) or "no condition"
    formula_list = "the pre-MDC list" if path.formula_mdc == 0 else f"MDC {path.formula_mdc}"
    lines.append(ExplanationLine("DRG", None, (
        f"selected by formula rank {path.rank} of {formula_list}: "
        f"{path.formula}  — true because: {matched}")))
    return lines


def _title(titles: Mapping[int, str], number: int | None) -> str:
    """The title of a DRG or MDC number, "" when there is none (or no number)."""
    return titles.get(number, "") if number is not None else ""


def _without(claim: Claim, sdx_index: int) -> Claim:
    return dataclasses.replace(claim, sdx=claim.sdx[:sdx_index] + claim.sdx[sdx_index + 1:])


def _sdx_line(index: int, d, result: GroupingResult, claim: Claim, tables: TableSet) -> ExplanationLine:
    code = d.code
    version = tables.version.label
    if not d.recognized:
        return ExplanationLine("SDX", code, f"not a valid ICD-10-CM code in version {version}: ignored")
    level = {"MCC": "an MCC", "CC": "a CC"}.get(d.severity, "neither CC nor MCC")
    usage = d.final_severity_usage
    initial = d.initial_severity_usage
    pdx_code = result.pdx.code
    met_hac = [h for h in d.hacs if h.hac_usage == "HAC_CRITERIA_MET"]
    if usage in ("MCC", "CC"):
        message = f"{level}; counted"
        if d.affects_drg in ("BOTH", "FINAL", "INITIAL"):
            alternative = group_claim(_without(claim, index), tables)
            message += (f"; it is the {usage} that sets the DRG's severity — without it the DRG would be "
                        f"{alternative.final_drg} ({_title(tables.drg_titles, alternative.final_drg)})")
    elif usage in ("MCC_EXCLUDED", "CC_EXCLUDED"):
        message = f"{level}, but excluded as a CC/MCC by the principal diagnosis {pdx_code} (CC exclusion list)"
    elif usage in ("MCC_EXCLUDED_BY_DRG_LOGIC", "CC_EXCLUDED_BY_DRG_LOGIC"):
        message = f"{level}, but the DRG's own logic does not count codes of this kind as CC/MCC (DRG-logic exclusion)"
    elif met_hac and initial in ("MCC", "CC"):
        numbers = ", ".join(f"HAC {h.hac_number:02d} ({tables.hac_titles.get(h.hac_number, '')})" for h in met_hac)
        message = (f"{level}; counted in the initial DRG, but it is a hospital-acquired condition not present on "
                   f"admission ({numbers}), so the final DRG does not count it")
    elif (d.severity == "MCC" and result.final_return_code == "OK" and d.affects_drg == "NONE"
          and usage == "NEITHER" and initial == "NEITHER"):
        message = f"{level} only when the patient is discharged alive; the patient died, so it does not count"
    elif d.severity in ("MCC", "CC") and usage == "NEITHER" and result.final_drg == 999:
        message = f"{level}; no CC/MCC was counted because the claim could not be grouped"
    else:
        message = level
        if d.affects_drg != "NONE":
            message += "; it is on a diagnosis list the DRG formula tested"
    return ExplanationLine("SDX", code, message)


def _procedure_line(p, result: GroupingResult, version: str) -> ExplanationLine:
    if not p.recognized:
        return ExplanationLine("PROCEDURE", p.code, f"not a valid ICD-10-PCS code in version {version}: ignored")
    kind = "O.R. procedure" if p.is_or else "non-O.R. procedure"
    if p.affects_drg == "NONE":
        message = f"{kind}; did not affect the DRG"
    elif result.final_drg in UNRELATED_OR_DRGS:
        message = f"{kind} unrelated to the principal diagnosis; it put the claim in DRGs 981-989"
    elif result.final_med_surg == "SURGICAL" and p.is_or:
        message = f"{kind} that drove the surgical DRG"
    else:
        message = f"{kind} used by the DRG formula"
    if p.hac_usage:
        message += f"; part of hospital-acquired condition criteria ({', '.join(p.hac_usage)})"
    return ExplanationLine("PROCEDURE", p.code, message)


def explain_claim(claim: Claim, tables: TableSet) -> Explanation:
    """Group a claim and say why, step by step."""
    result = group_claim(claim, tables)
    drg = result.final_drg
    weight = tables.weights.get(drg) if drg is not None else None
    lines: list[ExplanationLine] = [ExplanationLine("RESULT", None, (
        f"MS-DRG {drg} {_title(tables.drg_titles, drg)} (MDC {result.final_mdc}, {result.final_med_surg.lower()}, "
        f"severity {result.final_severity}) under version {tables.version.label}"))]
    if result.initial_return_code != "OK":
        lines.append(ExplanationLine("RETURN_CODE", None, (
            f"ungroupable ({result.initial_return_code}): {RETURN_CODE_WORDS.get(result.initial_return_code, '')}")))
    pdx = result.pdx
    if pdx.code is None or not pdx.recognized:
        lines.append(ExplanationLine("PDX", pdx.code, "missing or not a valid principal diagnosis in this version"))
    else:
        lines.append(ExplanationLine("PDX", pdx.code, "principal diagnosis; valid in this version"))
    if result.initial_path is not None:
        lines.extend(_path_lines(result.initial_path, result.initial_mdc, tables))
    if result.final_return_code != "OK" and result.initial_return_code == "OK":
        lines.append(ExplanationLine("RETURN_CODE", None, (
            f"initial DRG {result.initial_drg}, but the final DRG is ungroupable ({result.final_return_code}): "
            f"{RETURN_CODE_WORDS.get(result.final_return_code, '')}")))
    elif result.final_drg != result.initial_drg and result.final_path is not None:
        lines.append(ExplanationLine("HAC", None, (
            f"initial DRG {result.initial_drg} became final DRG {drg}: hospital-acquired conditions not present "
            f"on admission no longer count as CC/MCC")))
        lines.extend(_path_lines(result.final_path, result.final_mdc, tables)[-1:])
    lines.append(ExplanationLine("SEVERITY", None, (
        f"claim severity for the deciding formula: {result.final_severity}"
        + ("" if result.final_drg_cc_mcc == "NON_CC" else f"; the DRG formula used the {result.final_drg_cc_mcc}"))))
    for index, d in enumerate(result.sdx):
        lines.append(_sdx_line(index, d, result, claim, tables))
    for p in result.procedures:
        lines.append(_procedure_line(p, result, tables.version.label))
    return Explanation(result, _title(tables.drg_titles, drg), _title(tables.mdc_titles, result.final_mdc),
                       weight.relative_weight if weight else None, tuple(lines))
