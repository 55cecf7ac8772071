"""Validate many claims: one Validation per item, in order, bad items included.

An item is a claim (or the reason it could not be read) with the billed facts the bill gives:
billed DRG, billed version, length of stay, provider. Reading files and frames into items is the
face's job (drg.validating); here items come as `BilledClaim` records, or as dicts in the golden
JSON form with the billed facts as keys (`billed_claims_from_records`).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping

from drg.claim import Claim, resolve_version
from drg.tables import TableIntegrityError, load
from drg.validation import statuses
from drg.validation.billed.core import validate_claim
from drg.validation.billed.drivers import regroup_without_each_code
from drg.validation.billed.records import Validation

# the billed facts a row can carry next to its claim
BILLED_FIELDS = ("billed_drg", "billed_version", "length_of_stay", "provider_id")
_NO_BILLED_DRG = "no billed DRG given; the grouping is reported without a finding"


@dataclass(frozen=True, slots=True)
class BilledClaim:
    """One input row to validate: the claim (None when the row could not be read as one, with the
    row's status and message saying why) and the billed facts given with it."""

    row_number: int
    claim_id: str
    claim: Claim | None
    status: str = statuses.OK          # the reader's status of the row (OK, INVALID_AGE, ...)
    message: str = ""
    billed_drg: Any = None
    billed_version: Any = None
    length_of_stay: Any = None
    provider_id: Any = ""


BLOCK = 10_000    # claims whose driver regroupings go through the column-wise engine together


def validate_items(items: Iterable[BilledClaim], **options: Any) -> Iterator[Validation]:
    """One Validation per item, in order (options: those of validate_claim).

    A row the reader flagged (bad age, missing pdx, ...) but could still group keeps the reader's
    status and message; a row without a claim gets a Validation with that status and no grouping.
    The drivers' regroupings (the claim without each code) of a block of items are grouped
    together by the column-wise engine (drivers.regroup_without_each_code).
    """
    block: list[BilledClaim] = []
    for item in items:
        block.append(item)
        if len(block) >= BLOCK:
            yield from _validate_block(block, options)
            block = []
    if block:
        yield from _validate_block(block, options)


def _regroupings(block: list[BilledClaim], options: Mapping[str, Any]) -> list[Any]:
    """Per item: its drivers' regroupings done column-wise, or None (no claim, unknown version)."""
    if not options.get("drivers", True):
        return [None] * len(block)
    pairs: list[tuple[Claim, Any]] = []
    where: list[int] = []
    for k, item in enumerate(block):
        if item.claim is None:
            continue
        try:
            tables = load(resolve_version(item.claim, options.get("version")))
        except ValueError:
            continue                          # the validation itself says why
        pairs.append((item.claim, tables))
        where.append(k)
    out: list[Any] = [None] * len(block)
    try:
        found = regroup_without_each_code(pairs)
    except TableIntegrityError:
        raise
    except Exception:                         # noqa: BLE001 - each claim then regroups on its own
        return out
    for k, regrouped in zip(where, found):
        out[k] = regrouped
    return out


def _validate_block(block: list[BilledClaim], options: Mapping[str, Any]) -> Iterator[Validation]:
    regroupings = _regroupings(block, options)
    for item, regrouped in zip(block, regroupings):
        if item.claim is None:
            yield Validation(row_number=item.row_number, claim_id=item.claim_id,
                             status=item.status or statuses.INVALID_RECORD,
                             message=item.message or "the row could not be read as a claim",
                             billed_drg_text="" if item.billed_drg is None else str(item.billed_drg),
                             provider_id=str(item.provider_id or ""))
            continue
        result = validate_claim(item.claim, item.billed_drg, billed_version=item.billed_version,
                                length_of_stay=item.length_of_stay,
                                provider_id="" if item.provider_id is None else item.provider_id,
                                row_number=item.row_number, regrouped=regrouped, **options)
        yield _with_row_status(result, item.status, item.message)


def _with_row_status(v: Validation, status: str, message: str) -> Validation:
    """The reader's problem with the row comes first: a row flagged INVALID_AGE (say) shows
    INVALID_AGE and its message, also when no billed DRG was given (the message then says so)."""
    if status in ("", statuses.OK):
        return v
    if v.status == statuses.OK:
        return dataclasses.replace(v, status=status, message=message)
    if v.status == statuses.MISSING_BILLED_DRG:
        return dataclasses.replace(v, status=status, message="; ".join(filter(None, [message, _NO_BILLED_DRG])))
    return v


def billed_claim_from_record(number: int, record: Mapping[str, Any]) -> BilledClaim:
    """A BilledClaim of one dict in the golden JSON form plus billed_drg, billed_version,
    length_of_stay, provider_id (a key `_error` marks a line the reader could not parse)."""
    facts = {k: record.get(k) for k in BILLED_FIELDS if k in record}
    claim_id = "" if record.get("id") is None else str(record.get("id"))
    if "_error" in record:
        return BilledClaim(number, claim_id, None, statuses.INVALID_RECORD, str(record["_error"]), **facts)
    try:
        claim = Claim.from_dict(record)
    except (TypeError, ValueError, AttributeError) as exc:
        return BilledClaim(number, claim_id, None, statuses.INVALID_RECORD,
                           f"row {number}: cannot read the claim ({type(exc).__name__}: {_first_words(exc)})",
                           **facts)
    return BilledClaim(number, claim_id, claim, statuses.OK, "", **facts)


def _first_words(exc: Exception) -> str:
    return str(exc).split("\n")[0][:120]


def billed_claims_from_records(records: Iterable[Mapping[str, Any]]) -> Iterator[BilledClaim]:
    """BilledClaims of dicts in the golden JSON form (see billed_claim_from_record), numbered from 1."""
    for number, record in enumerate(records, start=1):
        yield billed_claim_from_record(number, record)
