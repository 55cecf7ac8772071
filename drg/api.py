"""The public API: group, explain or validate one claim, choosing the version from the argument,
the claim or its date.

A claim is a `Claim` or a dict in the golden JSON form. A dict is checked by the same rules as
`drg group`'s reader (`Claim.from_dict`): what the reader would not group raises
`drg.InvalidClaimError` (a ValueError) naming the field, never its value; what it groups with a
warning status (sex Q, POA Z, age 130 ...) is grouped the same way the reader groups it.
"""
from __future__ import annotations

import math
from typing import Any, Mapping

from drg.claim import Claim, InvalidClaimError, resolve_version
from drg.grouper import GroupingResult, group_claim
from drg.status import RowStatus
from drg.tables import load
from drg.tables.versions import Version

__all__ = ["InvalidClaimError", "as_claim", "explain", "group", "validate"]


def as_claim(claim: Any, version: "str | int | Version | None" = None) -> Claim:
    """A Claim as given, or one built from a dict (InvalidClaimError when it is malformed)."""
    if isinstance(claim, Claim):
        return claim
    if not isinstance(claim, Mapping):
        raise InvalidClaimError("claim", "a claim must be a Claim or a dict in the golden JSON form")
    return Claim.from_dict(claim, version=_run_version(version))


def _run_version(version: Any) -> Any:
    """The version argument, checked for its type (its value is checked by resolve_version)."""
    if version is None or isinstance(version, Version):
        return version
    if isinstance(version, bool) or not isinstance(version, (str, int, float)):
        raise InvalidClaimError("version", "the version argument is not a version (write it like 43.1)",
                                RowStatus.UNKNOWN_VERSION)
    return version


def group(claim: "Claim | Mapping[str, Any]", version: "str | int | Version | None" = None) -> GroupingResult:
    """Group one claim (a `Claim` or a dict in the golden JSON form); InvalidClaimError when malformed."""
    claim = as_claim(claim, version)
    return group_claim(claim, load(resolve_version(claim, version)))


def explain(claim: "Claim | Mapping[str, Any]", version: "str | int | Version | None" = None):
    """Group one claim and explain the path in plain words (`.text()`) and as data (`.to_dict()`)."""
    from drg.grouper.explain import explain_claim
    claim = as_claim(claim, version)
    return explain_claim(claim, load(resolve_version(claim, version)))


_BILLED_KEYS = ("billed_drg", "billed_version", "length_of_stay", "provider_id")


def validate(claim_or_frame: Any, billed_drg: Any = None, *, billed_version: Any = None, version: Any = None,
             base_rate: float | None = None, length_of_stay: Any = None, drivers: bool = True) -> Any:
    """Validate one claim (returns a `Validation`) or a DataFrame / list of dicts (returns a DataFrame);
    see drg.validation.validate. One claim given as a dict is checked as `group` checks it:
    InvalidClaimError when malformed (its billed_version, length_of_stay and provider_id too)."""
    from drg.validating import validate as validate_many
    from drg.validation import validate_claim

    options: dict[str, Any] = {"version": _run_version(version), "base_rate": _base_rate(base_rate),
                               "drivers": drivers}
    if not isinstance(claim_or_frame, (Claim, Mapping)):
        return validate_many(claim_or_frame, billed_drg, billed_version=billed_version,
                            length_of_stay=length_of_stay, **options)
    data: Mapping[str, Any] = claim_or_frame if isinstance(claim_or_frame, Mapping) else {}
    claim = as_claim(claim_or_frame, options["version"])
    resolve_version(claim, options["version"])          # a claim group() refuses, validate refuses too
    given = {"billed_drg": billed_drg, "billed_version": billed_version, "length_of_stay": length_of_stay}
    billed = {key: given[key] if given.get(key) is not None else data.get(key) for key in _BILLED_KEYS}
    for key in ("billed_drg", "billed_version", "length_of_stay", "provider_id"):
        _check_single_value(key, billed[key])
    if isinstance(billed["billed_version"], bool):
        raise InvalidClaimError("billed_version", "the billed version is not a version (write it like 43.1)",
                                RowStatus.INVALID_BILLED_VERSION)
    return validate_claim(claim, billed["billed_drg"], billed_version=billed["billed_version"],
                          length_of_stay=billed["length_of_stay"],
                          provider_id="" if billed["provider_id"] is None else billed["provider_id"], **options)


def _check_single_value(key: str, value: Any) -> None:
    if value is not None and not isinstance(value, (str, int, float)):
        raise InvalidClaimError(key, f"{key.replace('_', ' ')} is not a single value (text or a number)")


def _base_rate(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidClaimError("base_rate", "the base rate is not a finite number of dollars")
    return float(value)
