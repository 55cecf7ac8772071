"""The public API: group one claim, choosing the version from the argument, the claim or its date."""
from __future__ import annotations

from typing import Any, Mapping

from drg.claim import Claim
from drg.grouper import GroupingResult, group_claim
from drg.tables import load, parse_version, version_for
from drg.tables.versions import Version


def as_claim(claim: "Claim | Mapping[str, Any]") -> Claim:
    return claim if isinstance(claim, Claim) else Claim.from_dict(claim)


def resolve_version(claim: Claim, version: "str | int | Version | None" = None) -> Version:
    """The argument wins, then the claim's `version`, then its `discharge_date`."""
    if version is not None:
        return parse_version(version)
    if claim.version is not None:
        return parse_version(claim.version)
    if claim.discharge_date is not None:
        return version_for(claim.discharge_date)
    raise ValueError(f"claim {claim.id!r}: no version given and no discharge date to choose one")


def group(claim: "Claim | Mapping[str, Any]", version: "str | int | Version | None" = None) -> GroupingResult:
    """Group one claim (a `Claim` or a dict in the golden JSON form)."""
    claim = as_claim(claim)
    return group_claim(claim, load(resolve_version(claim, version)))


def explain(claim: "Claim | Mapping[str, Any]", version: "str | int | Version | None" = None):
    """Group one claim and explain the path in plain words (`.text()`) and as data (`.to_dict()`)."""
    from drg.grouper.explain import explain_claim
    claim = as_claim(claim)
    return explain_claim(claim, load(resolve_version(claim, version)))
