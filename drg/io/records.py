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


@dataclass
class ColumnChunk:
    """A chunk of input rows for the column-wise engine: the rows that are claims as columns,
    the rest as ClaimRows, and where each sits in the chunk (input order is kept by position).

    `grouped[k]` is the 0-based position in the chunk of claim k of `columns`, with its row
    status `status[k]`, message `message[k]` and input's extra columns `extra[k]` (None when the
    input has no extra columns); `others` are the rows that are no claim (`claim` None), in
    input order, at the positions not in `grouped`. `first_row` is the 1-based row number of
    the chunk's first row.
    """

    first_row: int
    size: int
    columns: Any                 # drg.claim_columns.ClaimColumns
    grouped: Any                 # numpy int64 positions
    status: Any                  # numpy object array of str
    message: Any                 # numpy object array of str
    extra: list | None
    others: list[ClaimRow]

    @classmethod
    def from_rows(cls, rows: list[ClaimRow], version_of: Any) -> "ColumnChunk":
        """The chunk of rows read one by one; `version_of(claim)` gives the version id a claim is
        grouped with."""
        import numpy as np

        from drg.claim_columns import ClaimColumns

        claims = [(k, r) for k, r in enumerate(rows) if r.claim is not None]
        grouped_claims: list[Claim] = [r.claim for _, r in claims if r.claim is not None]
        columns = ClaimColumns.from_claims(grouped_claims, [version_of(c) for c in grouped_claims])
        extra = [dict(r.extra) for _, r in claims] if any(r.extra for _, r in claims) else None

        def objects(values: list) -> Any:
            out = np.empty(len(values), dtype=object)
            out[:] = values
            return out

        return cls(first_row=rows[0].row_number if rows else 1, size=len(rows), columns=columns,
                   grouped=np.asarray([k for k, _ in claims], dtype=np.int64),
                   status=objects([str(r.status) for _, r in claims]),
                   message=objects([r.message for _, r in claims]), extra=extra,
                   others=[r for r in rows if r.claim is None])
