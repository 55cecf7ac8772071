"""Explanations: the grouping path in words a coder understands, and as structured data.

Built from a GroupingResult (which carries the deciding formula of each pass) and the
version's tables; for each CC/MCC that drives the DRG it also regroups the claim without
that code to say what the DRG would be without it.
"""
from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from drg.claim import Claim
from drg.grouper.engine import group_claim
from drg.grouper.result import GroupingPath, GroupingResult
from drg.grouper.vocabulary import ReturnCode
from drg.tables import TableSet
from drg.tables.cms import OR_ATTRIBUTES, ORPROC, UNRELATED_OR_DRGS
from drg.tables.formula import atoms, parse
from drg.tables.titles import coder_spelling, described
from drg.tables.versions import parse_version

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
        """The explanation for a person: one line per statement, every code in the coder's
        spelling with its title of the claim's fiscal year (J96.01 Acute respiratory failure ...)."""
        fiscal_year = parse_version(self.result.version).fiscal_year
        out = []
        for line in self.lines:
            kind = "pr" if line.topic == "PROCEDURE" else "dx"
            code = f"{described(line.code, kind, fiscal_year)}: " if line.code else ""
            out.append(f"{line.topic:<11s} {code}{line.message}")
        return "\n".join(out)

    def to_dict(self) -> dict:
        return {"result": self.result.to_dict(), "drg_title": self.drg_title, "mdc_title": self.mdc_title,
                "relative_weight": self.relative_weight, "lines": [line.to_dict() for line in self.lines]}


# Special operands and lists whose meaning is fixed, in a coder's words (docs/GROUPER_LOGIC.md 5.3, 7.5).
SPECIAL_WORDS = {
    ORPROC.lower(): "an O.R. procedure unrelated to the principal diagnosis (extensive or non-extensive O.R.)",
    "multst": "significant trauma diagnoses of two or more different body sites",
    "bilateral": "the same procedure on both sides of the body (bilateral)",
    "four_vessels": "procedures on four or more blood vessels",
    "four_stents": "four or more stents inserted",
    "four_drug_eluting_stents": "four or more drug-eluting stents inserted",
    "four_non_drug_eluting_stents": "four or more non-drug-eluting stents inserted",
    "singlefusionctr": "a spinal fusion of a single level", "sglantctr": "a single anterior spinal fusion",
    "sglpost1ctr": "a single posterior spinal fusion", "multfuse": "spinal fusions of several levels or approaches",
    "sglantsectxctr": "a single anterior fusion counted with its section",
    "sglpostfusectr": "a single posterior fusion",
    "incident": "every diagnosis is a normal-newborn diagnosis",
    "mdc_20_fall_thru": "no other alcohol or drug DRG applied",
    **{attribute: f"an {words} procedure" if words[0] in "aeiou" else f"a {words} procedure"
       for attribute, words in OR_ATTRIBUTES.items()},
    "nonor": "a non-O.R. procedure",
}
_ATOM_PHRASE = {
    "NONE": "a procedure from the list that {drgs} {require}",
    "PDX": "the principal diagnosis is on the list that {drgs} {require}",
    "SDX": "a secondary diagnosis is on the list that {drgs} {use}",
    "ANY": "the principal or a secondary diagnosis is on the list that {drgs} {use}",
    "ONLY": "every diagnosis is on the list that {drgs} {use}",
    "PT": "the patient fits the condition that {drgs} {use}",
}
_atom_index: dict[int, dict[tuple[str, str], frozenset[int]]] = {}
_index_lock = threading.Lock()


def _atom_drgs(tables: TableSet) -> dict[tuple[str, str], frozenset[int]]:
    """(prefix, lower-case list name) -> the DRGs of the version whose formulas test it (cached per version)."""
    version_id = tables.version.id
    with _index_lock:
        found = _atom_index.get(version_id)
        if found is None:
            collected: dict[tuple[str, str], set[int]] = {}
            for rows in tables.formulas.values():
                for f in rows:
                    if not f.drg:
                        continue
                    for atom in atoms(parse(f.formula, version_id)):
                        collected.setdefault((atom.prefix, atom.name.lower()), set()).add(f.drg)
            found = _atom_index[version_id] = {k: frozenset(v) for k, v in collected.items()}
    return found


_base_index: dict[int, dict[int, int]] = {}


def _base_of(tables: TableSet) -> dict[int, int]:
    """DRG -> its base DRG in the version (cached per version)."""
    with _index_lock:
        found = _base_index.get(tables.version.id)
        if found is None:
            found = _base_index[tables.version.id] = {
                f.drg: f.base_drg for rows in tables.formulas.values() for f in rows if f.drg}
    return found


def _families(drgs: "frozenset[int] | set[int]", tables: TableSet) -> list[tuple[list[int], str]]:
    """DRGs grouped into their families (base DRG): [(numbers, family title)], by first number."""
    base_of = _base_of(tables)
    out: dict[int, list[int]] = {}
    for drg in sorted(drgs):
        out.setdefault(base_of.get(drg, drg), []).append(drg)
    return sorted(((numbers, tables.base_drg_titles.get(base, "") or tables.drg_titles.get(numbers[0], ""))
                   for base, numbers in out.items()), key=lambda item: item[0][0])


def _numbers(numbers: list[int]) -> str:
    """163, 164, 165 -> "163-165"; 981, 983 -> "981, 983"."""
    if len(numbers) > 1 and numbers[-1] - numbers[0] == len(numbers) - 1:
        return f"{numbers[0]}-{numbers[-1]}"
    return ", ".join(str(n) for n in numbers)


def drg_family_words(drgs: "frozenset[int] | set[int]", tables: TableSet) -> str:
    """DRGs named for a person: "DRGs 163-165 (Major Chest Procedures)", "DRG 470 (...)", or the
    first two families and how many more."""
    families = _families(drgs, tables)
    if not families:
        return "no DRG of this version"
    named = [f"{_numbers(numbers)} ({title})" if title else _numbers(numbers) for numbers, title in families[:2]]
    count = sum(len(numbers) for numbers, _ in families)
    head = ("DRG " if count == 1 else "DRGs ") + " and ".join(named)
    rest = len(families) - 2
    return head + (f" and {rest} other DRG famil{'y' if rest == 1 else 'ies'}" if rest > 0 else "")


def describe_token(prefix: str, name: str, tables: TableSet | None = None,
                   family: "frozenset[int] | set[int]" = frozenset()) -> str:
    """A matched formula atom in plain words: the list named by the DRGs that use it (with
    `tables`), never by its CMS attribute name; "this DRG family" when only the `family` uses it."""
    if prefix == "NONE" and name in TOKEN_WORDS:
        return TOKEN_WORDS[name]
    if prefix in ("NONE", "ONLY") and name.lower() in SPECIAL_WORDS:
        return SPECIAL_WORDS[name.lower()]
    drgs = _atom_drgs(tables).get((prefix, name.lower()), frozenset()) if tables is not None else frozenset()
    phrase = _ATOM_PHRASE.get(prefix, _ATOM_PHRASE["NONE"])
    if drgs and family and drgs <= family:
        return phrase.format(drgs="this DRG family", require="requires", use="uses")
    if not drgs or tables is None:
        return phrase.format(drgs="the DRG logic", require="requires", use="uses")
    one = len(drgs) == 1
    return phrase.format(drgs=drg_family_words(drgs, tables), require="requires" if one else "require",
                         use="uses" if one else "use")


def describe_list(name: str, tables: TableSet) -> str:
    """A CMS list (a code's grouping attribute) in plain words: its fixed meaning where it has one,
    else the DRGs of the version whose formulas test it, with their titles; never its name.
    "" when nothing in the version's DRG logic tests the list (it cannot move a DRG there)."""
    lower = name.lower()
    if lower in OR_ATTRIBUTES or lower == "nonor":
        return f"the {OR_ATTRIBUTES.get(lower, 'non-O.R.')} procedure list"
    if lower in SPECIAL_WORDS:
        return f"the list for {SPECIAL_WORDS[lower]}"
    drgs: set[int] = set()
    for (_, listed), users in _atom_drgs(tables).items():
        if listed == lower:
            drgs |= users
    if not drgs:
        return ""
    return "the list that " + drg_family_words(frozenset(drgs), tables) + (" uses" if len(drgs) == 1 else " use")


def _path_lines(path: GroupingPath, result_mdc: int | None, tables: TableSet,
                drg: int | None = None) -> list[ExplanationLine]:
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
    members = frozenset(_family_of(drg, tables)) if drg else frozenset()
    matched = "; ".join(dict.fromkeys(describe_token(p, n, tables, members) for p, n in path.matched)) \
        or "no condition"
    formula_list = ("the pre-MDC DRGs" if path.formula_mdc == 0 else
                    "the DRGs for O.R. procedures unrelated to the principal diagnosis" if path.formula_mdc == 29
                    else f"MDC {path.formula_mdc} ({_title(tables.mdc_titles, path.formula_mdc)})")
    family = drg_family_words(members, tables) if drg else "the DRG"
    lines.append(ExplanationLine("DRG", None, f"{family}, in {formula_list}: chosen because {matched}"))
    return lines


def _family_of(drg: int, tables: TableSet) -> set[int]:
    """The DRGs that share a DRG's base DRG (its family: with MCC, with CC, without)."""
    base_of = _base_of(tables)
    base = base_of.get(drg)
    return {d for d, b in base_of.items() if b == base} if base is not None else {drg}


def _title(titles: Mapping[int, str], number: int | None) -> str:
    """The title of a DRG or MDC number, "" when there is none (or no number)."""
    return titles.get(number, "") if number is not None else ""


def _without(claim: Claim, sdx_index: int) -> Claim:
    return dataclasses.replace(claim, sdx=claim.sdx[:sdx_index] + claim.sdx[sdx_index + 1:])


def _sdx_line(index: int, d, result: GroupingResult, claim: Claim, tables: TableSet) -> ExplanationLine:
    code = d.code
    fiscal_year = tables.version.fiscal_year
    version = tables.version.label
    if not d.recognized:
        return ExplanationLine("SDX", code, f"not a valid ICD-10-CM code in version {version}: ignored")
    level = {"MCC": "an MCC", "CC": "a CC"}.get(d.severity, "neither CC nor MCC")
    usage = d.final_severity_usage
    initial = d.initial_severity_usage
    pdx_code = described(result.pdx.code, "dx", fiscal_year)
    met_hac = [h for h in d.hacs if h.hac_usage == "HAC_CRITERIA_MET"]
    if usage in ("MCC", "CC"):
        message = f"{level}; counted"
        if d.affects_drg in ("BOTH", "FINAL", "INITIAL"):
            alternative = group_claim(_without(claim, index), tables)
            if alternative.final_drg == result.final_drg:
                # CMS marks every code of the deciding level; another one keeps the DRG without this one
                message += (f"; it is marked as setting the DRG's severity, but without it the DRG stays "
                            f"{alternative.final_drg} ({_title(tables.drg_titles, alternative.final_drg)}): "
                            f"another {usage} holds it")
            else:
                message += (f"; it is the {usage} that sets the DRG's severity — without it the DRG would be "
                            f"{alternative.final_drg} ({_title(tables.drg_titles, alternative.final_drg)})")
        elif d.affects_drg == "NONE":
            message += ", but the DRG does not depend on it (another CC/MCC, or a DRG without severity levels)"
    elif usage in ("MCC_EXCLUDED", "CC_EXCLUDED"):
        message = (f"{level}, but it does not count: the principal diagnosis {pdx_code} excludes it as a "
                   f"CC/MCC (CC exclusion list)")
    elif usage in ("MCC_EXCLUDED_BY_DRG_LOGIC", "CC_EXCLUDED_BY_DRG_LOGIC"):
        message = (f"{level}, but it does not count: the DRG's own logic does not count codes of this kind as "
                   f"CC/MCC (DRG-logic exclusion)")
    elif met_hac and initial in ("MCC", "CC"):
        numbers = ", ".join(f"HAC {h.hac_number:02d} ({tables.hac_titles.get(h.hac_number, '')})" for h in met_hac)
        message = (f"{level}; counted in the initial DRG, but it does not count in the final DRG: it is a "
                   f"hospital-acquired condition not present on admission ({numbers})")
    elif (d.severity == "MCC" and result.final_return_code == "OK" and d.affects_drg == "NONE"
          and usage == "NEITHER" and initial == "NEITHER"):
        message = f"{level} only when the patient is discharged alive; the patient died, so it does not count"
    elif d.severity in ("MCC", "CC") and usage == "NEITHER" and result.final_drg == 999:
        message = f"{level}; no CC/MCC was counted because the claim could not be grouped"
    else:
        message = level
        if d.affects_drg != "NONE":
            message += "; it is on a diagnosis list the DRG logic tested"
    return ExplanationLine("SDX", code, message)


def _hac_words(usages: tuple[str, ...], tables: TableSet) -> str:
    """HAC_08 -> "HAC 08 (Surgical Site Infection ...)"."""
    out = []
    for usage in usages:
        digits = re.findall(r"\d+", usage)
        number = int(digits[0]) if digits else None
        title = tables.hac_titles.get(number, "") if number is not None else ""
        out.append(f"HAC {number:02d} ({title})" if number is not None and title else usage.replace("_", " "))
    return ", ".join(out)


def _procedure_line(p, result: GroupingResult, tables: TableSet) -> ExplanationLine:
    version = tables.version.label
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
        message += f"; part of hospital-acquired condition criteria ({_hac_words(p.hac_usage, tables)})"
    return ExplanationLine("PROCEDURE", p.code, message)


def _ungroupable_words(result: GroupingResult, claim: Claim, tables: TableSet) -> str:
    """Why a claim is ungroupable, in terms of its codes."""
    from drg.tables.show import versions_with_code

    code = result.pdx.code
    fiscal_year = tables.version.fiscal_year
    reason = result.initial_return_code
    if reason == ReturnCode.INVALID_PDX:
        if not code:
            return "the claim has no principal diagnosis"
        where = versions_with_code("dx", code)
        spelled = coder_spelling(code, "dx")
        valid = (f"; it is valid in version{'s' if len(where) > 1 else ''} {_version_span(where)}" if where
                 else "; it is not a valid code in any version of the tables (check the code)")
        return f"principal diagnosis {spelled} is not a valid ICD-10-CM code in version {tables.version.label}{valid}"
    if reason == ReturnCode.DX_CANNOT_BE_PDX:
        return (f"principal diagnosis {described(code, 'dx', fiscal_year)} is an external-cause code (V00-Y99), "
                "which cannot be principal")
    if reason == ReturnCode.INVALID_SEX:
        return (f"principal diagnosis {described(code, 'dx', fiscal_year)} belongs to an MDC that depends on the "
                "patient's sex, and the sex is unknown")
    return RETURN_CODE_WORDS.get(reason, "")


def _version_span(labels: list[str]) -> str:
    """["41.0", "41.1", "42.0"] -> "41.0-42.0"; one label as is (the list is in version order)."""
    return labels[0] if len(labels) == 1 else f"{labels[0]}-{labels[-1]}"


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
            f"ungroupable ({result.initial_return_code}): {_ungroupable_words(result, claim, tables)}")))
    pdx = result.pdx
    if pdx.code is None or not pdx.recognized:
        lines.append(ExplanationLine("PDX", pdx.code or None,
                                     "missing or not a valid principal diagnosis in this version"))
    else:
        info = tables.diagnoses.get(pdx.code)
        mdc = info.mdc if info is not None else None
        where = f"; as principal diagnosis it belongs to MDC {mdc} ({_title(tables.mdc_titles, mdc)})" if mdc else ""
        lines.append(ExplanationLine("PDX", pdx.code, f"principal diagnosis; valid in this version{where}"))
    if result.initial_path is not None:
        lines.extend(_path_lines(result.initial_path, result.initial_mdc, tables, result.initial_drg))
    if result.final_return_code != "OK" and result.initial_return_code == "OK":
        lines.append(ExplanationLine("RETURN_CODE", None, (
            f"initial DRG {result.initial_drg}, but the final DRG is ungroupable ({result.final_return_code}): "
            f"{RETURN_CODE_WORDS.get(result.final_return_code, '')}")))
    elif result.final_drg != result.initial_drg and result.final_path is not None:
        lines.append(ExplanationLine("HAC", None, (
            f"initial DRG {result.initial_drg} became final DRG {drg}: hospital-acquired conditions not present "
            f"on admission no longer count as CC/MCC")))
        lines.extend(_path_lines(result.final_path, result.final_mdc, tables, result.final_drg)[-1:])
    lines.append(ExplanationLine("SEVERITY", None, (
        f"claim severity for the deciding formula: {result.final_severity}"
        + ("" if result.final_drg_cc_mcc == "NON_CC" else f"; the DRG formula used the {result.final_drg_cc_mcc}"))))
    for index, d in enumerate(result.sdx):
        lines.append(_sdx_line(index, d, result, claim, tables))
    for p in result.procedures:
        lines.append(_procedure_line(p, result, tables))
    return Explanation(result, _title(tables.drg_titles, drg), _title(tables.mdc_titles, result.final_mdc),
                       weight.relative_weight if weight else None, tuple(lines))
