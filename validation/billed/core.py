"""Validate one claim: group it, compare the billed DRG with the expected one, price the
difference, explain it, find the DRG drivers, apply the audit rules and score the risk."""
from __future__ import annotations

import dataclasses

import math
from typing import Any

from drg.claim import Claim
from drg.grouper import GroupingResult, group_claim
from drg.tables import TableSet, load, parse_version
from drg.tables.versions import Version
from drg.claim import resolve_version
from drg.validation import statuses
from drg.validation.billed.drivers import Regroupings, find_drivers, single_severity_code
from drg.validation.billed.profile import drg_profile, versions_with_drg
from drg.validation.billed.reasons import explain_mismatch, plain_words, version_reasons
from drg.validation.billed.records import Finding, MismatchReason, Validation
from drg.validation.billed.risk import risk_score
from drg.validation.billed.rules import RuleContext, apply_rules


class BilledDrgError(ValueError):
    """The billed DRG is not a DRG number at all."""


def parse_billed_drg(value: Any) -> int | None:
    """An int from 291, "291", "003", 291.0; None when missing; BilledDrgError when not a number."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        raise BilledDrgError(f"billed DRG {value!r} is not a DRG number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise BilledDrgError(f"billed DRG {value!r} is not a whole number")
    text = str(value).strip()
    if not text:
        return None
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit():
        raise BilledDrgError(f"billed DRG {value!r} is not a DRG number")
    return int(text)


def _length_of_stay(value: Any) -> int | None:
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number >= 0 and number.is_integer() else None


def _weight(tables: TableSet, drg: int | None) -> float | None:
    w = tables.weights.get(drg) if drg is not None else None
    return w.relative_weight if w is not None else None


def validate_claim(claim: Claim, billed_drg: Any = None, *, billed_version: Any = None,
                   version: "str | int | Version | None" = None, base_rate: float | None = None,
                   length_of_stay: Any = None, provider_id: Any = "", row_number: int = 1,
                   drivers: bool = True, regrouped: Regroupings | None = None) -> Validation:
    """Validate one claim against the DRG that was billed for it (never raises on bad input).

    Beside the DRG finding, the claim's Medicare Code Editor result (`with_edits`): its edit
    type and edits, and a claim with a prepayment edit flagged as such whatever its DRG.

    version: the MS-DRG version to group with (default: the claim's own version or discharge date).
    billed_version: the version the billed DRG was assigned under (default: the same version).
    base_rate: dollars per unit of relative weight (default: the version's national operating +
    capital standardized amounts; unknown -> dollar_impact is None and impact_note says why).
    drivers: regroup without each sdx and procedure (1 + #codes groupings per claim).
    regrouped: those regroupings done beforehand for a chunk of claims (validate_items does, with
    the column-wise engine: drivers.regroup_without_each_code).
    """
    verdict = _validate(claim, billed_drg, billed_version=billed_version, version=version, base_rate=base_rate,
                        length_of_stay=length_of_stay, provider_id=provider_id, row_number=row_number,
                        drivers=drivers, regrouped=regrouped)
    return with_edits(verdict, claim)


PREPAYMENT_NOTE = "prepayment MCE edit: the claim is returned before payment whatever its DRG"


def with_edits(verdict: Validation, claim: Claim) -> Validation:
    """The validation with the claim's MCE result (drg.mce.edit_claim); the finding is unchanged.

    The editor reads the claim's discharge date and stay; the billed facts' length of stay
    (`verdict.length_of_stay`) serves when the claim has none. A claim with a prepayment edit
    gets `mce_prepayment` and `mce_note` naming its edits.
    """
    from drg.mce import edit_claim
    from drg.tables.mce import load_mce

    los = claim.length_of_stay if claim.length_of_stay is not None else verdict.length_of_stay
    try:
        result = edit_claim(claim, length_of_stay=los)
    except Exception as exc:  # the code editor must not stop a batch either
        return dataclasses.replace(verdict, mce_note=f"the code editor failed on this claim ({type(exc).__name__})")
    edits = tuple((e.edit.value, e.count) for e in result.edits)
    titles = load_mce().edits
    note = f"{PREPAYMENT_NOTE} ({', '.join(titles[e.edit].title for e in result.edits)})" if result.prepayment else ""
    return dataclasses.replace(verdict, mce_edit_type=result.edit_type.value, mce_edits=edits,
                               mce_prepayment=result.prepayment, mce_note=note)


def _validate(claim: Claim, billed_drg: Any = None, *, billed_version: Any = None,
              version: "str | int | Version | None" = None, base_rate: float | None = None,
              length_of_stay: Any = None, provider_id: Any = "", row_number: int = 1,
              drivers: bool = True, regrouped: Regroupings | None = None) -> Validation:
    """validate_claim without the MCE."""
    los = _length_of_stay(length_of_stay)
    common: dict[str, Any] = dict(row_number=row_number, claim_id=claim.id, length_of_stay=los,
                  provider_id="" if provider_id is None else str(provider_id),
                  billed_drg_text="" if billed_drg is None else str(billed_drg))
    try:
        tables = load(resolve_version(claim, version))
    except ValueError as exc:
        return Validation(status=statuses.UNKNOWN_VERSION, message=f"claim {claim.id!r}: {exc}", **common)
    try:
        result = group_claim(claim, tables)
    except Exception as exc:  # a grouper bug must not stop a batch; the row says what happened
        return Validation(status=statuses.GROUPER_ERROR,
                          message=f"claim {claim.id!r}: grouping failed ({type(exc).__name__})",
                          version=tables.version.label, **common)
    base: dict[str, Any] = dict(common, version=tables.version.label, grouping=result, expected_drg=result.final_drg)

    billed_tables = tables
    billed_version_label = ""
    if billed_version not in (None, ""):
        try:
            billed_tables = load(parse_version(billed_version))
            billed_version_label = billed_tables.version.label
        except ValueError as exc:
            return Validation(status=statuses.INVALID_BILLED_VERSION, message=f"claim {claim.id!r}: {exc}", **base)
    base["billed_version"] = billed_version_label

    try:
        billed = parse_billed_drg(billed_drg)
    except BilledDrgError as exc:
        return _finish(claim, result, tables, None, base, Finding.BILLED_DRG_INVALID,
                       [MismatchReason("billed_drg", str(billed_drg), str(exc))], drivers, base_rate, los,
                       regrouped=regrouped)
    if billed is None:
        return Validation(status=statuses.MISSING_BILLED_DRG, message=f"claim {claim.id!r}: no billed DRG given; "
                          "the grouping is reported without a finding", **base)
    base["billed_drg"] = billed

    if result.final_return_code != "OK" or result.final_drg in (None, 999):
        reason = MismatchReason("return_code", result.final_return_code,
                        f"the claim cannot be grouped: return code {result.final_return_code}")
        return _finish(claim, result, tables, None, base, Finding.UNGROUPABLE, [reason], drivers, base_rate, los,
                       regrouped=regrouped)

    billed_profile = drg_profile(billed_tables, billed)
    if billed_profile is None:
        elsewhere = [v for v in versions_with_drg(billed) if v != billed_tables.version.label]
        text = (f"DRG {billed} is not a DRG of version {billed_tables.version.label}; "
                + (f"it exists in version(s) {', '.join(elsewhere)}" if elsewhere
                   else "it is no MS-DRG of any available version"))
        return _finish(claim, result, tables, None, base, Finding.BILLED_DRG_INVALID,
                       [MismatchReason("billed_drg", str(billed), text)], drivers, base_rate, los,
                       billed_tables, regrouped=regrouped)

    expected_profile = drg_profile(tables, result.final_drg)
    same_version = billed_tables.version.id == tables.version.id
    reasons: list[MismatchReason] = []
    if not same_version:
        reasons += version_reasons(claim, result, tables, billed_tables, billed)
    billed_weight = _weight(billed_tables, billed)
    expected_weight = _weight(tables, result.final_drg)
    if billed == result.final_drg:
        finding = Finding.MATCH
    elif billed_weight is None or expected_weight is None:
        finding = Finding.MISMATCH_WEIGHT_UNKNOWN
    elif billed_weight > expected_weight:
        finding = Finding.UPCODING_RISK
    elif billed_weight < expected_weight:
        finding = Finding.DOWNCODING_RISK
    else:
        finding = Finding.MISMATCH_SAME_WEIGHT
    return _finish(claim, result, tables, billed_profile, base, finding, reasons, drivers, base_rate, los,
                   billed_tables, expected_profile, regrouped=regrouped)


def _finish(claim: Claim, result: GroupingResult, tables: TableSet, billed_profile, base: dict, finding: Finding,
            reasons: list[MismatchReason], with_drivers: bool, base_rate: float | None, los: int | None,
            billed_tables: TableSet | None = None, expected_profile=None,
            regrouped: Regroupings | None = None) -> Validation:
    """Drivers, reasons, dollars, rules and risk for a grouped claim."""
    billed_tables = billed_tables or tables
    ungroupable = finding == Finding.UNGROUPABLE
    found_drivers = find_drivers(claim, result, tables, regrouped=regrouped) if with_drivers and not ungroupable \
        else ()
    single = single_severity_code(result, found_drivers, tables) if not ungroupable else ""
    if expected_profile is None and not ungroupable:
        expected_profile = drg_profile(tables, result.final_drg)
    if (finding not in (Finding.MATCH, Finding.UNGROUPABLE, Finding.BILLED_DRG_INVALID)
            and billed_profile and expected_profile):
        reasons = reasons + explain_mismatch(claim, result, tables, billed_profile, expected_profile, found_drivers)

    billed = base.get("billed_drg")
    billed_weight = _weight(billed_tables, billed) if billed_profile is not None else None
    expected_weight = _weight(tables, result.final_drg) if not ungroupable else None
    weight_delta = (None if billed_weight is None or expected_weight is None
                    else round(billed_weight - expected_weight, 4))
    rate, notes = base_rate, []
    if rate is None:
        rate = tables.base_rate.total if tables.base_rate is not None else None
        rate = round(rate, 2) if rate is not None else None
        if rate is None:
            notes.append(f"no national base rate for FY{tables.version.fiscal_year} in the tables (pass --base-rate)")
    if billed_profile is not None and billed_weight is None:
        notes.append(f"no relative weight for billed DRG {billed} in FY{billed_tables.version.fiscal_year}")
    if not ungroupable and expected_weight is None:
        notes.append(f"no relative weight for DRG {result.final_drg} in FY{tables.version.fiscal_year}")
    if billed_tables.version.fiscal_year != tables.version.fiscal_year and weight_delta is not None:
        notes.append(f"billed weight from FY{billed_tables.version.fiscal_year}, "
                     f"expected from FY{tables.version.fiscal_year}")
    dollars = round(weight_delta * rate, 2) if weight_delta is not None and rate is not None else None

    ctx = RuleContext(claim, result, tables, billed_profile, expected_profile if not ungroupable else None,
                      found_drivers, single, los)
    hits = apply_rules(ctx) if not ungroupable else ()
    return Validation(
        status=statuses.OK, message="", finding=finding, billed_weight=billed_weight, expected_weight=expected_weight,
        weight_delta=weight_delta, base_rate=rate, dollar_impact=dollars, impact_note="; ".join(notes),
        billed_level=billed_profile.level if billed_profile else "",
        expected_level=expected_profile.level if expected_profile is not None and not ungroupable else "",
        reasons=tuple(reasons), explanation=plain_words(reasons), drivers=found_drivers,
        single_code_severity=single, rule_hits=hits, risk_score=risk_score(finding, weight_delta, hits), **base)

