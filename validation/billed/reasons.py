"""Reasons: what separates the billed DRG from the DRG the codes support.

Each reason is derived from the grouping logic: the billed DRG's own formula (its MDC,
family, medical/surgical partition, severity atoms, discharge-status and procedure
atoms), the grouper's per-code results (severity usage, CC exclusion, HAC) and
counterfactual regroupings (without a code, or under the billed version). There is no
table of texts per DRG pair.
"""
from __future__ import annotations

from drg.claim import Claim
from drg.grouper import GroupingResult, group_claim
from drg.grouper.explain import describe_token
from drg.tables import TableSet
from drg.tables.titles import CodeKind, described
from drg.validation.billed.profile import (LEVEL_MCC, LEVEL_NONE, LEVEL_RANK, OR_ATOMS, PRE_MDC, STATUS_ATOMS,
                                    UNRELATED_OR_DRGS, DrgProfile)
from drg.validation.billed.records import Driver, MismatchReason

DIED = 20
TRANSFER_TO_ACUTE = frozenset({2, 5, 66, 82, 85, 94})


def _dx(code: str | None, fiscal_year: int) -> str:
    """A diagnosis as a coder reads it: J96.01 (Acute respiratory failure with hypoxia)."""
    return described(code, CodeKind.DIAGNOSIS, fiscal_year, in_sentence=True)


def _codes(items, fiscal_year: int, kind: CodeKind = CodeKind.DIAGNOSIS) -> str:
    """Codes as a coder reads them, each with its title, once each in claim order ("none" when empty)."""
    items = list(dict.fromkeys(items))
    return ", ".join(described(code, kind, fiscal_year, in_sentence=True) for code in items) if items else "none"


def _procedures(items, fiscal_year: int) -> str:
    return _codes(items, fiscal_year, CodeKind.PROCEDURE)


def _status_true(name: str, status: int | None) -> bool:
    if name == "ALIVE":
        return status != DIED
    if name == "DIED":
        return status == DIED
    if name == "AMA":
        return status == 7
    if name == "XFRNBA":
        return status in TRANSFER_TO_ACUTE
    return False


def _dx_has(tables: TableSet, code: str | None, name: str) -> bool:
    info = tables.diagnoses.get(code or "")
    return info is not None and (name in info.attributes or name in info.categories or name in info.hac_attributes)


def _procedures_with(tables: TableSet, claim: Claim, name: str) -> list[str]:
    out = []
    for code in claim.procedures:
        attrs = tables.procedures.get(code, frozenset())
        clusters = tables.procedure_clusters.get(code, ())
        if name in attrs or any(name in tables.procedures.get(c, frozenset()) for c in clusters):
            out.append(code)
    return out


def severity_reasons(claim: Claim, result: GroupingResult, billed: DrgProfile,
                     expected: DrgProfile, fiscal_year: int) -> list[MismatchReason]:
    """Same family, different severity level: which secondary diagnoses count, which do not and why
    (codes with their titles of the fiscal year)."""
    reasons: list[MismatchReason] = []
    pdx = result.pdx.code or ""
    fy = fiscal_year
    mccs = [d for d in result.sdx if d.final_severity_usage == "MCC"]
    ccs = [d for d in result.sdx if d.final_severity_usage == "CC"]
    billed_rank, expected_rank = LEVEL_RANK[billed.level], LEVEL_RANK[expected.level]
    if billed_rank > expected_rank:
        need = "an MCC" if billed.level == LEVEL_MCC else "a CC or MCC"
        reasons.append(MismatchReason("severity", "", f"billed DRG {billed.drg} needs {need}; the codes support "
                                              f"DRG {expected.drg} ({expected.level} level)"))
        for d in result.sdx:
            own = d.severity
            if own not in ("MCC", "CC"):
                continue
            if billed.level == LEVEL_MCC and own == "CC" and d.final_severity_usage == "CC":
                continue   # named below in the CC-only message
            usage = d.final_severity_usage
            if usage in ("MCC_EXCLUDED", "CC_EXCLUDED"):
                reasons.append(MismatchReason("sdx", d.code or "", f"{_dx(d.code, fy)} is {_a(own)} but the "
                                                           f"principal diagnosis {_dx(pdx, fy)} "
                                                           f"excludes it (CC exclusion list)"))
            elif usage in ("MCC_EXCLUDED_BY_DRG_LOGIC", "CC_EXCLUDED_BY_DRG_LOGIC"):
                reasons.append(MismatchReason("sdx", d.code or "", f"{_dx(d.code, fy)} is {_a(own)} but the DRG logic "
                                                           f"does not count it "
                                                           f"for this DRG (it is part of the DRG's own definition or "
                                                           f"excluded when the patient died)"))
            elif d.initial_severity_usage in ("MCC", "CC") and usage not in ("MCC", "CC"):
                reasons.append(MismatchReason("hac", d.code or "", f"{_dx(d.code, fy)} is a hospital-acquired "
                                                           f"condition "
                                                           f"not present on "
                                                           f"admission (POA {_poa(claim, d.code)}); "
                                                           f"the HAC logic removed "
                                                           f"its {own} value"))
        if billed.level == LEVEL_MCC and not mccs:
            if ccs:
                reasons.append(MismatchReason("severity", ", ".join(dict.fromkeys(d.code or "" for d in ccs)),
                                      f"the claim has no MCC, only CCs: {_codes((d.code for d in ccs), fy)}"))
            else:
                reasons.append(MismatchReason("severity", "", "no secondary diagnosis counts as an MCC"))
        elif billed.level != LEVEL_MCC and not mccs and not ccs:
            reasons.append(MismatchReason("severity", "", "no secondary diagnosis counts as a CC or MCC"))
    elif billed_rank < expected_rank:
        counted = mccs if expected.level == LEVEL_MCC else (mccs + ccs)
        kind = "MCC" if expected.level == LEVEL_MCC else "CC/MCC"
        for d in counted:
            reasons.append(MismatchReason("sdx", d.code or "", f"{_dx(d.code, fy)} counts as "
                                                       f"{d.final_severity_usage} "
                                                       f"and supports the "
                                                       f"{kind} level of DRG {expected.drg}; billed DRG {billed.drg} "
                                                       f"is the {billed.level} level"))
    return reasons


def _a(level: str) -> str:
    """"an MCC", "a CC"."""
    return f"an {level}" if level == "MCC" else f"a {level}"


def _poa(claim: Claim, code: str | None) -> str:
    for d in claim.sdx:
        if d.code == code:
            return d.poa or "blank"
    return "?"


def family_reasons(claim: Claim, result: GroupingResult, tables: TableSet,
                   billed: DrgProfile, expected: DrgProfile) -> list[MismatchReason]:
    """Different family: MDC of the principal diagnosis, O.R. procedures, formula atoms not met."""
    reasons: list[MismatchReason] = []
    pdx = result.pdx.code or ""
    fy = tables.version.fiscal_year
    pdx_mdc = (result.final_path.principal_mdc if result.final_path
               else (tables.diagnoses[pdx].mdc if pdx in tables.diagnoses else -1))
    or_codes = [p.code for p in result.procedures if p.is_or]
    drg_or_codes = [p.code for p in result.procedures if p.is_or and p.affects_drg in ("FINAL", "BOTH")]

    if billed.mdc == PRE_MDC and expected.mdc != PRE_MDC:
        reasons.append(MismatchReason("procedure", "", f"billed DRG {billed.drg} is a pre-MDC DRG ({billed.title}); "
                                               f"the claim lacks the procedure it needs"))
    elif billed.drg in UNRELATED_OR_DRGS and expected.drg not in UNRELATED_OR_DRGS:
        reasons.append(MismatchReason("procedure", _listed(or_codes),
                              f"billed DRG {billed.drg} is for an O.R. procedure unrelated to the principal "
                              f"diagnosis; " + (f"the O.R. procedures coded, {_procedures(or_codes, fy)}, are "
                                                f"related to MDC "
                                                f"{pdx_mdc} or group the case elsewhere" if or_codes
                                                else "the claim has no O.R. procedure")))
    elif expected.drg in UNRELATED_OR_DRGS and billed.drg not in UNRELATED_OR_DRGS:
        reasons.append(MismatchReason("procedure", _listed(drg_or_codes or or_codes) or "none",
                              f"O.R. procedure {_procedures(drg_or_codes or or_codes, fy)} is unrelated to the "
                              f"principal "
                              f"diagnosis's MDC {pdx_mdc}, which groups the case to unrelated O.R. DRG {expected.drg}"))
    elif billed.mdc not in (pdx_mdc, expected.mdc) and billed.mdc != PRE_MDC:
        reasons.append(MismatchReason("pdx", pdx, f"principal diagnosis {_dx(pdx, fy)} belongs to MDC {pdx_mdc} "
                                          f"({tables.mdc_titles.get(pdx_mdc, '')}); billed DRG {billed.drg} is in "
                                          f"MDC {billed.mdc} ({billed.mdc_title})"))
    elif billed.surgical and not expected.surgical:
        if or_codes:
            reasons.append(MismatchReason("procedure", _listed(or_codes), f"billed DRG {billed.drg} is surgical; "
                                                                 f"the O.R. procedures coded do not qualify for "
                                                                 f"it: {_procedures(or_codes, fy)}"))
        else:
            reasons.append(MismatchReason("procedure", "", f"billed DRG {billed.drg} is surgical; "
                                                           f"the claim has no O.R. procedure"))
    elif expected.surgical and not billed.surgical:
        surgical = drg_or_codes or or_codes
        # the codes that make it surgical may be none of the O.R. ones (a procedure the DRG's own formula names)
        who = f"O.R. procedure {_procedures(surgical, fy)} makes" if surgical else "the procedures coded make"
        reasons.append(MismatchReason("procedure", _listed(surgical),
                                      f"{who} the case surgical (DRG {expected.drg}); billed DRG {billed.drg} "
                                      "is medical"))

    reasons.extend(atom_reasons(claim, result, tables, billed))
    billed_names = {n for _, n in billed.any_atoms}
    for prefix, name in sorted(expected.required_atoms):
        if prefix == "NONE" and name in STATUS_ATOMS and name not in billed_names \
                and _status_true(name, claim.discharge_status):
            reasons.append(MismatchReason("discharge_status", str(claim.discharge_status),
                                  f"DRG {expected.drg} applies because the patient {STATUS_ATOMS[name]} (status "
                                  f"{claim.discharge_status}); billed DRG {billed.drg} is for the other discharge "
                                  f"statuses"))
    if not any(r.element == "pdx" for r in reasons) and not billed.surgical and not expected.surgical \
            and billed.mdc == expected.mdc and not any(p == "PDX" for p, _ in billed.required_atoms):
        reasons.append(MismatchReason("pdx", pdx, f"principal diagnosis {_dx(pdx, fy)} groups to family "
                                          f"{expected.base_drg} "
                                          f"({expected.base_title}), not to billed family {billed.base_drg} "
                                          f"({billed.base_title})"))
    return reasons


def atom_reasons(claim: Claim, result: GroupingResult, tables: TableSet, billed: DrgProfile) -> list[MismatchReason]:
    """The atoms that every formula row of the billed DRG needs and that the claim does not meet."""
    reasons: list[MismatchReason] = []
    pdx = result.pdx.code or ""
    fy = tables.version.fiscal_year
    status = claim.discharge_status
    for prefix, name in sorted(billed.required_atoms):
        if prefix == "NONE" and name in ("MCC", "CC"):
            continue            # severity is handled with the per-code usage
        if prefix == "NONE" and name in STATUS_ATOMS:
            if not _status_true(name, status):
                reasons.append(MismatchReason("discharge_status", str(status), f"billed DRG {billed.drg} is for "
                                                                       f"patients who "
                                                                       f"{STATUS_ATOMS[name]}; the discharge status "
                                                                       f"is {status}"))
        elif prefix == "PDX":
            if not _dx_has(tables, pdx, name):
                reasons.append(MismatchReason("pdx", pdx, f"billed DRG {billed.drg} requires that "
                                                  f"{describe_token(prefix, name, tables)}; "
                                                  f"{_dx(pdx, fy)} is not on that list"))
        elif prefix in ("SDX", "ANY"):
            codes = ([pdx] if prefix == "ANY" else []) + [d.code for d in claim.sdx]
            if not any(_dx_has(tables, c, name) for c in codes):
                reasons.append(MismatchReason("sdx", "", f"billed DRG {billed.drg} requires that "
                                                 f"{describe_token(prefix, name, tables)}; none is coded"))
        elif prefix == "NONE" and name in OR_ATOMS:
            if not any(p.is_or for p in result.procedures):
                reasons.append(MismatchReason("procedure", "", f"billed DRG {billed.drg} needs an O.R. procedure; "
                                                               f"none is coded"))
        elif prefix == "NONE" and not name.isupper():
            if not _procedures_with(tables, claim, name):
                reasons.append(MismatchReason("procedure", "", f"billed DRG {billed.drg} needs "
                                                       f"{describe_token(prefix, name, tables)}; "
                                                       f"none is coded"))
    return reasons


def version_reasons(claim: Claim, result: GroupingResult, tables: TableSet, billed_tables: TableSet,
                    billed_drg: int) -> list[MismatchReason]:
    """The billed DRG came from another version: regroup under that version and say what it gives."""
    other = group_claim(claim, billed_tables)
    there = billed_tables.version.label
    here = tables.version.label
    if other.final_drg == billed_drg:
        text = (f"billed under version {there}, where these codes do group to DRG {billed_drg}; under {here} "
                f"(the claim's version) they group to DRG {result.final_drg}: the difference is the version")
    else:
        text = (f"billed under version {there}, where these codes group to DRG {other.final_drg}; under {here} "
                f"they group to DRG {result.final_drg}")
    return [MismatchReason("version", there, text)]


def driver_reasons(drivers: tuple[Driver, ...], billed_drg: int, fiscal_year: int) -> list[MismatchReason]:
    """Codes without which the claim would group to the billed DRG."""
    return [MismatchReason(d.element, d.code, f"without {driver_code(d, fiscal_year)} the claim would group to the "
                                              f"billed DRG {billed_drg}")
            for d in drivers if d.drg_without == billed_drg]


def driver_code(driver: Driver, fiscal_year: int) -> str:
    """A driver's code as a coder reads it, with its title."""
    kind = CodeKind.PROCEDURE if driver.element == "procedure" else CodeKind.DIAGNOSIS
    return described(driver.code, kind, fiscal_year, in_sentence=True)


def _listed(codes: list[str]) -> str:
    """The reason's structured `code` field: the codes in their stored spelling, once each."""
    return ", ".join(dict.fromkeys(codes))


def explain_mismatch(claim: Claim, result: GroupingResult, tables: TableSet, billed: DrgProfile,
                     expected: DrgProfile, drivers: tuple[Driver, ...]) -> list[MismatchReason]:
    """All reasons for a billed DRG that differs from the expected one, most specific first."""
    if billed.base_drg == expected.base_drg and billed.mdc == expected.mdc:
        reasons = severity_reasons(claim, result, billed, expected, tables.version.fiscal_year)
        reasons.extend(r for r in atom_reasons(claim, result, tables, billed) if r.element != "pdx")
        if not reasons and billed.level == expected.level == LEVEL_NONE:
            reasons.append(MismatchReason("severity", "", f"billed DRG {billed.drg} and DRG {expected.drg} "
                                                  f"are in the same "
                                                  f"family; the formula conditions differ"))
    else:
        reasons = family_reasons(claim, result, tables, billed, expected)
    reasons.extend(driver_reasons(drivers, billed.drg, tables.version.fiscal_year))
    if result.hac_status == "FINAL_DRG_CHANGES" and result.initial_drg == billed.drg:
        reasons.append(MismatchReason("hac", "", f"the billed DRG {billed.drg} is the grouping before the HAC logic; a "
                                         f"hospital-acquired condition not present on admission lowered it to "
                                         f"DRG {result.final_drg}"))
    if not [r for r in reasons if r.element != "severity"]:
        reasons.extend(path_reasons(claim, result, tables, billed))
    if not reasons:
        reasons.append(MismatchReason("billed_drg", str(billed.drg),
                                      f"the codes group to DRG {expected.drg}, not {billed.drg}"))
    return reasons


def path_reasons(claim: Claim, result: GroupingResult, tables: TableSet, billed: DrgProfile) -> list[MismatchReason]:
    """The atoms that made the expected DRG's formula true and that the billed DRG's formula does not
    use, each with the code that carries it (e.g. a device procedure that lifts the family's level)."""
    path = result.final_path
    if path is None:
        return []
    billed_names = {n for _, n in billed.any_atoms}
    fy = tables.version.fiscal_year
    reasons: list[MismatchReason] = []
    for prefix, name in path.matched:
        if name in billed_names or name in ("MCC", "CC") or name in STATUS_ATOMS:
            continue
        if prefix == "NONE":
            for code in _procedures_with(tables, claim, name):
                reasons.append(MismatchReason("procedure", code, _leads_to(
                    f"procedure {described(code, CodeKind.PROCEDURE, fy, in_sentence=True)}",
                    describe_token(prefix, name, tables), result.final_drg, billed.drg)))
        else:
            codes = ([claim.pdx.code] if claim.pdx and prefix in ("PDX", "ANY") else []) + \
                    ([d.code for d in claim.sdx] if prefix in ("SDX", "ANY") else [])
            for code in codes:
                if _dx_has(tables, code, name):
                    element = "pdx" if claim.pdx and code == claim.pdx.code else "sdx"
                    reasons.append(MismatchReason(element, code, _leads_to(
                        f"diagnosis {_dx(code, fy)}", describe_token(prefix, name, tables), result.final_drg,
                        billed.drg)))
                    break
    return reasons


def _leads_to(code: str, why: str, drg: int | None, billed_drg: int) -> str:
    return f"{code}: {why}; it leads to DRG {drg}, which the billed DRG {billed_drg} does not take into account"


def plain_words(reasons: list[MismatchReason] | tuple[MismatchReason, ...]) -> str:
    """The reasons as one readable paragraph."""
    if not reasons:
        return ""
    text = "; ".join(r.message for r in reasons)
    return text[0].upper() + text[1:] + "."
