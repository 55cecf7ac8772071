"""drg.validation: compare the billed DRG with the DRG the codes support, and shift claims between versions.

    import drg.validation
    v = drg.validation.validate({"id": "1", "version": 431, "age": 70, "sex": "M", "discharge_status": 1,
                                 "pdx": {"code": "I5021", "poa": "Y"}, "sdx": [{"code": "N179", "poa": "Y"}],
                                 "procedures": [], "billed_drg": 291})
    v.finding, v.dollar_impact, v.explanation

Validation takes claims and the billed facts given with them (billed DRG, billed version, length
of stay, provider), never files, headers or frames: reading those is the face's job
(`drg.validate` and `drg.validating` take DataFrames, lists of dicts and files).

Parts: billed/ (one claim: finding, dollars, reasons, drivers, audit rules `RULES`, risk score;
many claims: `validate_items`), version_shift/ (`shift`: the same claims under two versions),
reports/ (the run's `ValidationTally` and the validation and shift reports as text).
"""
from __future__ import annotations

from typing import Any, Mapping

from drg.claim import Claim
from drg.validation.billed.batch import BILLED_FIELDS, BilledClaim, billed_claims_from_records, validate_items
from drg.validation.billed.core import validate_claim
from drg.validation.billed.records import FINDINGS, Driver, Finding, MismatchReason, Validation
from drg.validation.billed.rules import RULES
from drg.validation.reports.validation_report import ValidationTally, summarize_validations
from drg.validation.version_shift import shift   # version shift analysis (the function; the package is version_shift)
from drg.validation.version_shift.reasons import ShiftReasonKind

Reason = MismatchReason     # the name of drg.validation's reason record before the shift got its own

__all__ = ["validate", "validate_claim", "validate_items", "BilledClaim", "billed_claims_from_records",
           "BILLED_FIELDS", "Validation", "MismatchReason", "Reason", "Driver", "RULES", "Finding", "FINDINGS",
           "ValidationTally", "summarize_validations", "shift", "ShiftReasonKind"]


def validate(claim: "Claim | Mapping[str, Any]", billed_drg: Any = None, *, billed_version: Any = None,
             version: Any = None, base_rate: float | None = None, length_of_stay: Any = None,
             drivers: bool = True) -> Validation:
    """Validate one claim (a `Claim`, or a dict in the golden JSON form) and return its `Validation`.

    billed_drg, billed_version and length_of_stay come from the arguments or, for a dict, from its
    own keys (and provider_id). Many claims: `validate_items`, or `drg.validate` for a DataFrame.
    """
    options = dict(version=version, base_rate=base_rate, drivers=drivers)
    if isinstance(claim, Claim):
        return validate_claim(claim, billed_drg, billed_version=billed_version,
                              length_of_stay=length_of_stay, **options)
    if isinstance(claim, Mapping):
        data = claim
        return validate_claim(Claim.from_dict(data), billed_drg if billed_drg is not None else data.get("billed_drg"),
                              billed_version=(billed_version if billed_version is not None
                                              else data.get("billed_version")),
                              length_of_stay=(length_of_stay if length_of_stay is not None
                                              else data.get("length_of_stay")),
                              provider_id=data.get("provider_id", ""), **options)
    raise TypeError(f"drg.validation.validate takes one claim, not a {type(claim).__name__}: "
                    "use drg.validate for a DataFrame or a list of dicts")
