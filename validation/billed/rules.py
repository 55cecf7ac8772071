"""The audit rule set: well-known DRG audit targets, each with a source and a test.

Every rule is a pure function of the validation context (claim, grouping, billed and
expected DRG profiles, drivers, length of stay). docs/validation_rules.md lists them with
their sources; tests/test_validation_rules.py has a case where each fires and one where
it must not.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable

from drg.claim import Claim, Diagnosis
from drg.grouper import GroupingResult, group_claim
from drg.tables import TableSet
from drg.validation.billed.profile import LEVEL_MCC, UNRELATED_OR_DRGS, DrgProfile
from drg.validation.billed.records import Driver

AUDITED_MCC_CODES = frozenset({"E40", "E41", "E42", "E43",
                               "J9600", "J9601", "J9602", "J9620", "J9621", "J9622",
                               "G9340", "G9341", "G928", "G929", "R6520", "R6521"})
SEPSIS_DRGS = frozenset({870, 871, 872})
RESPIRATORY_INFECTION_DRGS = frozenset({177, 178})
SIMPLE_PNEUMONIA_DRGS = frozenset({193, 194, 195})
VENTILATION_DRGS = frozenset({207, 870, 3, 4})
VENTILATION_96H = "5A1955Z"
UNSPECIFIED_PNEUMONIA = "J189"
# localized infections commonly coded with sepsis (ICD-10-CM category prefixes)
LOCALIZED_INFECTION_PREFIXES = ("J12", "J13", "J14", "J15", "J16", "J17", "J18", "J20", "J22", "J440", "N10",
                                "N300", "N390", "L02", "L03", "K35", "K5720", "K5780", "K650", "K651",
                                "K810", "K8000", "M86", "M00", "I330", "G00", "G01", "G02", "G04",
                                "T814", "T826", "T827", "T835", "T836", "T845", "T846", "T847")
# UB-04 statuses that are post-acute transfers under 42 CFR 412.4(c)
POST_ACUTE_STATUSES = frozenset({3, 5, 6, 62, 63, 64, 65, 66, 83, 85, 86, 88, 90, 91, 92, 93})
SHORT_MCC_STAY_FRACTION = 0.5


@dataclass
class RuleContext:
    """What a rule may look at."""

    claim: Claim
    result: GroupingResult
    tables: TableSet
    billed: DrgProfile | None
    expected: DrgProfile | None
    drivers: tuple[Driver, ...]
    single_code: str
    length_of_stay: int | None

    def drgs(self) -> set[int]:
        """The billed and the expected DRG (a rule on a DRG fires when either is in it)."""
        return {p.drg for p in (self.billed, self.expected) if p is not None}

    def paid(self) -> DrgProfile | None:
        """The DRG the bill would be paid on: the billed one when valid, else the expected one."""
        return self.billed or self.expected


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    source: str
    points: int          # contribution to risk_score when the rule fires
    check: Callable[[RuleContext], bool]


def _single_cc_mcc(ctx: RuleContext) -> bool:
    return bool(ctx.single_code)


def _mcc_codes(ctx: RuleContext) -> list[str]:
    return [d.code or "" for d in ctx.result.sdx if d.final_severity_usage == "MCC"]


def _only_mcc_audited(ctx: RuleContext) -> bool:
    mccs = _mcc_codes(ctx)
    return bool(mccs) and all(c in AUDITED_MCC_CODES for c in mccs)


def _kwashiorkor(ctx: RuleContext) -> bool:
    codes = [ctx.claim.pdx.code if ctx.claim.pdx else ""] + [d.code for d in ctx.claim.sdx]
    return "E40" in codes


def _sepsis_localized(ctx: RuleContext) -> bool:
    if not ctx.drgs() & SEPSIS_DRGS or ctx.claim.pdx is None:
        return False
    for d in ctx.claim.sdx:
        if not d.code.startswith(LOCALIZED_INFECTION_PREFIXES):
            continue
        swapped = dataclasses.replace(ctx.claim, pdx=Diagnosis(d.code, d.poa),
                                      sdx=tuple(s for s in ctx.claim.sdx if s.code != d.code) + (ctx.claim.pdx,))
        other = group_claim(swapped, ctx.tables)
        if other.final_return_code == "OK" and other.final_drg not in SEPSIS_DRGS:
            return True
    return False


def _respiratory_infection(ctx: RuleContext) -> bool:
    if not ctx.drgs() & RESPIRATORY_INFECTION_DRGS:
        return False
    if any(d.drg_without in SIMPLE_PNEUMONIA_DRGS for d in ctx.drivers):
        return True
    pdx = ctx.claim.pdx
    if pdx is None or pdx.code == UNSPECIFIED_PNEUMONIA:
        return False
    simple = dataclasses.replace(ctx.claim, pdx=Diagnosis(UNSPECIFIED_PNEUMONIA, pdx.poa))
    return group_claim(simple, ctx.tables).final_drg in SIMPLE_PNEUMONIA_DRGS


def _unrelated_or(ctx: RuleContext) -> bool:
    return bool(ctx.drgs() & UNRELATED_OR_DRGS)


def _ventilation_96h(ctx: RuleContext) -> bool:
    if not ctx.drgs() & VENTILATION_DRGS:
        return False
    if VENTILATION_96H not in ctx.claim.procedures:
        return ctx.billed is not None and ctx.billed.drg in VENTILATION_DRGS
    return any(d.element == "procedure" and d.code == VENTILATION_96H for d in ctx.drivers)


def _short_mcc_stay(ctx: RuleContext) -> bool:
    paid = ctx.paid()
    if ctx.length_of_stay is None or paid is None or paid.level != LEVEL_MCC or not paid.gmlos:
        return False
    return ctx.length_of_stay < SHORT_MCC_STAY_FRACTION * paid.gmlos


def _post_acute_transfer(ctx: RuleContext) -> bool:
    paid = ctx.paid()
    if paid is None or not paid.post_acute_transfer or not paid.gmlos or ctx.length_of_stay is None:
        return False
    return ctx.claim.discharge_status in POST_ACUTE_STATUSES and ctx.length_of_stay + 1 < paid.gmlos


def _hac_changed(ctx: RuleContext) -> bool:
    return ctx.result.hac_status == "FINAL_DRG_CHANGES"


RULES: tuple[Rule, ...] = (
    Rule("SINGLE_CC_MCC", "The CC/MCC level of the DRG rests on one secondary diagnosis",
         "PEPPER short-term acute care target area 'Single CC or MCC'", 15, _single_cc_mcc),
    Rule("AUDITED_ONLY_MCC", "Every MCC is a frequently audited diagnosis: severe malnutrition (E40-E43), acute "
         "respiratory failure (J96.0-, J96.2-), G93.40 (Encephalopathy, unspecified), G93.41 (Metabolic "
         "encephalopathy), G92.8 (Other toxic encephalopathy), G92.9 (Unspecified toxic encephalopathy), "
         "severe sepsis (R65.2-)",
         "OIG A-03-17-00010 (severe malnutrition); OIG Work Plan / RAC reviews of acute respiratory failure, "
         "encephalopathy and sepsis as MCCs", 15, _only_mcc_audited),
    Rule("KWASHIORKOR", "E40 (Kwashiorkor) coded anywhere on an inpatient claim",
         "OIG A-03-17-00005 (prior OIG reviews found kwashiorkor billed incorrectly)", 20, _kwashiorkor),
    Rule("SEPSIS_LOCALIZED_INFECTION", "Sepsis DRG 870-872 with a localized infection coded that would group "
         "elsewhere as principal diagnosis", "PEPPER target area 'Septicemia'; ICD-10-CM Official Guidelines "
         "I.C.1.d (sequencing of sepsis and localized infection)", 10, _sepsis_localized),
    Rule("RESPIRATORY_INFECTION", "Respiratory infection DRG 177-178 where the simple pneumonia family (193-195) fits",
         "PEPPER target area 'Respiratory Infections'", 10, _respiratory_infection),
    Rule("UNRELATED_OR", "Unrelated O.R. procedure DRG 981-989",
         "PEPPER target area 'Unrelated OR Procedures'", 10, _unrelated_or),
    Rule("VENTILATION_96H", "Mechanical ventilation over 96 hours, 5A1955Z (Respiratory Ventilation, Greater than "
         "96 Consecutive Hours), drives DRG 207, 870, 003 or 004 (or the billed one of them lacks it)",
         "OIG A-09-12-02066 and OIG 2024 audit of MS-DRGs 207/870 with mechanical ventilation", 15, _ventilation_96h),
    Rule("SHORT_MCC_STAY", "MCC-level DRG with a length of stay under half its geometric mean LOS",
         "PEPPER coding-focused target areas (MCC capture) with short stays; CMS Table 5 GMLOS", 10, _short_mcc_stay),
    Rule("POST_ACUTE_TRANSFER", "Post-acute transfer DRG, transfer discharge status and LOS + 1 below the GMLOS "
         "(the per-diem transfer payment applies)",
         "OIG A-09-13-02036 and OIG 2019 follow-up ('Medicare improperly paid acute-care hospitals $54.4 million "
         "... post-acute-care transfer policy'); 42 CFR 412.4(c)", 10,
         _post_acute_transfer),
    Rule("HAC_CHANGED_DRG", "A hospital-acquired condition not present on admission changed the DRG",
         "CMS HAC-POA payment provision (Social Security Act 1886(d)(4)(D)); MS-DRG Definitions Manual, HAC appendix",
         10, _hac_changed),
)

RULES_BY_ID = {r.id: r for r in RULES}


def apply_rules(ctx: RuleContext) -> tuple[str, ...]:
    """Ids of the rules that fire, in rule-set order."""
    return tuple(r.id for r in RULES if r.check(ctx))
