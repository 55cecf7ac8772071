"""What a claims reader yields: one `ClaimRow` per input claim, good or bad.

A reader never drops a row and never crashes on a bad value: it records what was wrong in
`status` and `message` (plain words naming the field; no patient data beyond the claim id).
Only a file that cannot be read as its format at all raises `MalformedFileError`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from drg.claim import Claim
from drg.status import RowStatus

OK = RowStatus.OK

# Row statuses: drg.status.RowStatus (what each means, whether the row is grouped). A row whose
# `claim` is None was not grouped; a row with a claim is grouped whatever its status.


class MalformedFileError(Exception):
    """The file cannot be read as its format: the message names file, line (or row group) and column."""

    def __init__(self, path: str, where: str, column: str | None, problem: str) -> None:
        self.path = path
        self.where = where
        self.column = column
        self.problem = problem
        place = (f"{path}, {where}" if where else path) + (f", column {column}" if column else "")
        super().__init__(f"{place}: {problem}")


@dataclass(frozen=True)
class ClaimRow:
    """One input claim as read: the claim (None when it could not be built) and what was wrong."""

    row_number: int            # 1-based position of the claim in the input
    claim_id: str              # as given ("" when missing)
    claim: Claim | None        # None when the row could not be turned into a claim
    status: str = OK           # a RowStatus: "OK" or an error status such as "INVALID_AGE", "UNKNOWN_VERSION"
    message: str = ""          # plain words naming the field; "" when OK
    extra: Mapping[str, Any] = field(default_factory=dict)   # other input columns, kept as given
