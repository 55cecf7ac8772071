"""The workbench's view of one case: the DRG, every code with its title and role, the
explanation, the billed-DRG check and the MCE edits, in one answer for the page.

Pure: a claim in the golden JSON form in, plain JSON-ready data out. The page renders it as
text; every field a person reads is already in a coder's words (codes spelled J96.01 with
their titles, levels "MCC"/"CC", reasons from the explanation).
"""
from __future__ import annotations

import dataclasses
from typing import Any, Mapping

from drg import api
from drg.claim import Claim, InvalidClaimError, resolve_version
from drg.grouper import group_claim
from drg.grouper.explain import explain_claim
from drg.tables import TableSet, load
from drg.tables.cms import normalize_code
from drg.tables.titles import coder_spelling, title

LEVEL_WORDS = {"MCC": "MCC", "CC": "CC", "NON_CC": "not a CC/MCC"}
COUNTED = frozenset({"MCC", "CC"})


def drg_facts(tables: TableSet, drg: int | None) -> dict[str, Any]:
    """A DRG's number, title and the weight figures of the version's fiscal year."""
    weight = tables.weights.get(drg) if drg is not None else None
    return {"drg": drg, "title": tables.drg_titles.get(drg, "") if drg is not None else "",
            "relative_weight": weight.relative_weight if weight else None,
            "gmlos": weight.gmlos if weight else None, "amlos": weight.amlos if weight else None,
            "fiscal_year": tables.version.fiscal_year}


def _without(claim: Claim, role: str, index: int) -> Claim:
    if role == "sdx":
        return dataclasses.replace(claim, sdx=claim.sdx[:index] + claim.sdx[index + 1:])
    return dataclasses.replace(claim, procedures=claim.procedures[:index] + claim.procedures[index + 1:])


def _messages(explanation, topic: str) -> list[str]:
    return [line.message for line in explanation.lines if line.topic == topic]


def _code_rows(claim: Claim, result, explanation, tables: TableSet) -> list[dict[str, Any]]:
    """One row per code: title, level, whether it counts and why, whether it drives the DRG."""
    fy = tables.version.fiscal_year
    rows: list[dict[str, Any]] = []
    pdx = result.pdx
    info = tables.diagnoses.get(pdx.code) if pdx.code else None
    pdx_message = (f"MDC {info.mdc} {tables.mdc_titles.get(info.mdc, '')}" if info is not None
                   else next(iter(_messages(explanation, "PDX")), ""))
    rows.append({"role": "pdx", "index": 0, "code": pdx.code or "", "spelled": coder_spelling(pdx.code, "dx"),
                 "title": title("dx", pdx.code, fy), "poa": claim.pdx.poa if claim.pdx else "",
                 "valid": bool(pdx.recognized), "level": "principal" if info else "",
                 "counts": None, "drives": pdx.affects_drg != "NONE", "why": pdx_message, "without": None})
    sdx_messages = _messages(explanation, "SDX")
    for index, d in enumerate(result.sdx):
        counts = d.final_severity_usage in COUNTED
        drives = d.affects_drg != "NONE"
        without = None
        if drives:
            other = group_claim(_without(claim, "sdx", index), tables)
            without = drg_facts(tables, other.final_drg)
        rows.append({"role": "sdx", "index": index, "code": d.code or "", "spelled": coder_spelling(d.code, "dx"),
                     "title": title("dx", d.code, fy), "poa": claim.sdx[index].poa,
                     "valid": bool(d.recognized), "level": LEVEL_WORDS.get(d.severity, "") if d.recognized else "",
                     "counts": counts if d.severity in COUNTED else None, "drives": drives,
                     "why": sdx_messages[index] if index < len(sdx_messages) else "", "without": without})
    pr_messages = _messages(explanation, "PROCEDURE")
    for index, p in enumerate(result.procedures):
        drives = p.affects_drg != "NONE"
        without = None
        if drives:
            other = group_claim(_without(claim, "procedure", index), tables)
            without = drg_facts(tables, other.final_drg)
        rows.append({"role": "procedure", "index": index, "code": p.code, "spelled": coder_spelling(p.code, "pr"),
                     "title": title("pr", p.code, fy), "poa": "", "valid": bool(p.recognized),
                     "level": ("O.R." if p.is_or else "non-O.R.") if p.recognized else "",
                     "counts": None, "drives": drives,
                     "why": pr_messages[index] if index < len(pr_messages) else "", "without": without})
    return rows


def _edits(claim: Claim, tables: TableSet, length_of_stay: Any) -> dict[str, Any]:
    """The MCE's edits; without a discharge date, the first day of the version stands in (said so)."""
    from drg.mce import advice_for, edit_claim

    assumed = claim.discharge_date is None
    date = claim.discharge_date or tables.version.effective_from
    result = edit_claim(claim, discharge_date=date, length_of_stay=length_of_stay)
    fy = tables.version.fiscal_year
    hits = []
    for hit in result.hits():
        kind = "pr" if hit.where.startswith("procedure") else "dx"
        hits.append({"edit": hit.edit.value, "where": hit.where, "code": hit.code or "",
                     "spelled": coder_spelling(hit.code, kind) if hit.code else "",
                     "title": title(kind, hit.code, fy) if hit.code else "",
                     "counted": hit.counted, "advice": advice_for(hit.edit)})
    return {"edit_type": result.edit_type.value, "prepayment": result.prepayment, "hits": hits,
            "discharge_date": date.isoformat(), "discharge_date_assumed": assumed,
            "needs_length_of_stay": result.needs_length_of_stay, "result": result.to_dict()}


def audit_rule_rows(rule_ids: "tuple[str, ...] | list[str]") -> list[dict[str, Any]]:
    """The audit rules a case meets, as the page shows them: what each rule looks for and where
    it comes from (the ids stay in `rule_hits`)."""
    from drg.validation.billed.rules import RULES_BY_ID

    return [{"id": rule_id, "description": RULES_BY_ID[rule_id].description, "source": RULES_BY_ID[rule_id].source,
             "points": RULES_BY_ID[rule_id].points} for rule_id in rule_ids if rule_id in RULES_BY_ID]


def _code(value: Any) -> Any:
    return normalize_code(value) if isinstance(value, str) else value


def _diagnosis(value: Any) -> Any:
    if isinstance(value, Mapping) and isinstance(value.get("code"), str):
        return {**value, "code": normalize_code(value["code"])}
    return value


def with_coder_codes(data: Any) -> Any:
    """A claim dict whose codes may be written as coders write them (j96.01, 0dtj4zz): the same
    claim with the codes as the tables store them; anything else is left for the claim checks."""
    if not isinstance(data, Mapping):
        return data
    out = dict(data)
    for key in ("pdx", "admit_dx"):
        if key in out:
            out[key] = _diagnosis(out[key])
    if isinstance(out.get("sdx"), list):
        out["sdx"] = [_diagnosis(d) for d in out["sdx"]]
    if isinstance(out.get("procedures"), list):
        out["procedures"] = [_code(p) for p in out["procedures"]]
    return out


def case_view(data: Mapping[str, Any]) -> dict[str, Any]:
    """Everything the workbench shows for one claim (a dict in the golden JSON form, with
    optional billed_drg and length_of_stay). InvalidClaimError names a bad field."""
    if not isinstance(data, Mapping):
        raise InvalidClaimError("claim", "the request body must be one claim: a JSON object")
    data = with_coder_codes(data)
    claim_fields = {k: v for k, v in data.items() if k not in ("billed_drg", "billed_version", "provider_id")}
    claim = api.as_claim(claim_fields)
    tables = load(resolve_version(claim))
    explanation = explain_claim(claim, tables)
    result = explanation.result
    facts = drg_facts(tables, result.final_drg)
    facts.update({"mdc": result.final_mdc, "mdc_title": tables.mdc_titles.get(result.final_mdc, "")
                  if result.final_mdc is not None else "", "med_surg": result.final_med_surg.value,
                  "severity": result.final_severity.value, "return_code": result.final_return_code.value,
                  "initial_drg": result.initial_drg, "hac_status": result.hac_status.value})
    out: dict[str, Any] = {
        "id": claim.id, "version": tables.version.label, "fiscal_year": tables.version.fiscal_year,
        "drg": facts, "codes": _code_rows(claim, result, explanation, tables),
        "explanation": [line.to_dict() for line in explanation.lines], "text": explanation.text(),
        "validation": None, "edits": _edits(claim, tables, data.get("length_of_stay")),
    }
    if data.get("billed_drg") not in (None, ""):
        validation = api.validate(dict(data))
        out["validation"] = validation.to_dict()
        billed = validation.billed_drg
        out["validation"]["billed"] = drg_facts(tables, billed) if billed is not None else None
        out["validation"]["audit_rules"] = audit_rule_rows(validation.rule_hits)
    return out

