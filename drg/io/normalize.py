"""Turn the fields of one input claim (from any format) into a `ClaimRow`.

The rules themselves live in the claim model (`drg.claim.check_claim`), so a claims file and a
dict given to `drg.group` get the same verdict; the statuses, what they mean and whether the
row is grouped are `drg.status.RowStatus` (README's table is `drg.status.status_table()`).

Unknown or invalid codes are not row errors: they are grouped as the CMS grouper groups
them and the result says `recognized: false`.

Codes are normalised the same way in every format except the golden JSON form (taken exactly
as given): surrounding blanks and dots removed, ASCII letters upper-cased ("i50.21 " -> "I5021").
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from drg.claim import (
    MAX_PROCEDURES,
    MAX_SDX,
    ShapeProblem,
    blank,
    cached_version,
    check_claim,
    normalize_code,
    text,
    whole_number,
)
from drg.io.records import ClaimRow
from drg.tables.versions import Version

__all__ = ["MAX_PROCEDURES", "MAX_SDX", "blank", "build_row", "cached_version", "normalize_code", "text",
           "whole_number"]


def build_row(row_number: int, fields: Mapping[str, Any], *, version: "str | int | Version | None" = None,
              extra: Mapping[str, Any] | None = None, errors: Sequence["ShapeProblem | str"] = ()) -> ClaimRow:
    """Check and normalise one claim's fields into a ClaimRow (see drg.claim.check_claim for `fields`).

    `version` (the run's version) overrides the claim's own. `errors`: problems the reader found
    in the record's shape (status INVALID_RECORD, not grouped).
    """
    checked = check_claim(fields, version=version, errors=errors, extra=extra)
    return ClaimRow(row_number, text(fields.get("id")), checked.claim, checked.status, checked.message,
                    dict(extra or {}))
