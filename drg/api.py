"""The public API: group one claim, choosing the version from the argument, the claim or its date."""
from __future__ import annotations

from typing import Any, Mapping

from drg.claim import Claim, resolve_version
from drg.grouper import GroupingResult, group_claim
from drg.tables import load
from drg.tables.versions import Version


def as_claim(claim: "Claim | Mapping[str, Any]") -> Claim:
    return claim if isinstance(claim, Claim) else Claim.from_dict(claim)


def group(claim: "Claim | Mapping[str, Any]", version: "str | int | Version | None" = None) -> GroupingResult:
    """Group one claim (a `Claim` or a dict in the golden JSON form)."""
    claim = as_claim(claim)
    return group_claim(claim, load(resolve_version(claim, version)))


def explain(claim: "Claim | Mapping[str, Any]", version: "str | int | Version | None" = None):
    """Group one claim and explain the path in plain words (`.text()`) and as data (`.to_dict()`)."""
    from drg.grouper.explain import explain_claim
    claim = as_claim(claim)
    return explain_claim(claim, load(resolve_version(claim, version)))
