"""Version shift analysis: the same claims grouped under two MS-DRG versions.

    import drg.validation
    result = drg.validation.shift(claims, "43.1", "44.0")
    result.claims        # pandas DataFrame, one row per input claim (never dropped)
    result.summary       # ShiftSummary: shift matrix, CMI two ways, DRGs gaining/losing, top codes

Every claim is grouped under both versions (its own version field is ignored). Each row
carries DRG, MDC, severity and relative weight under each version, whether the DRG changed,
and why: structured reasons (JSON) and the same in plain words, derived from the two
versions' tables (version_shift/reasons.py). A claim whose codes are invalid in one
version is grouped anyway (the grouper reports what it does with an unknown code) and its
row names the codes; a row that could not be read at all keeps its status and message.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from drg.claim import Claim
from drg.claim_columns import ClaimColumns
from drg.grouper import group_claim, group_columns
from drg.tables import TableIntegrityError, load
from drg.tables.loader import TableSet
from drg.tables.versions import Version
from drg.validation.version_shift.reasons import ShiftReasonFinder
from drg.validation import statuses
from drg.validation.version_shift.summary import ShiftSummary, summarize_shift

__all__ = ["shift", "shift_rows", "shift_frame", "summary_part", "ShiftResult", "ShiftRowMaker",
           "SHIFT_COLUMNS", "SHIFT_DTYPES", "SUMMARY_COLUMNS"]

SHIFT_COLUMNS = (
    "row_number", "claim_id", "status", "message", "from_version", "to_version",
    "from_drg", "from_mdc", "from_severity", "from_return_code", "from_weight",
    "to_drg", "to_mdc", "to_severity", "to_return_code", "to_weight",
    "from_drg_weight_in_to_year", "to_drg_weight_in_from_year",
    "drg_changed", "mdc_changed", "severity_changed", "weight_change",
    "invalid_in_from", "invalid_in_to", "reason_kinds", "reasons", "reasons_json",
)

# One dtype per column whatever the rows hold, so that chunks, Dask partitions and whole frames
# agree: DRG, MDC and row numbers are nullable integers (a row that was not grouped has none;
# plain pandas would turn the whole column into floats), flags are booleans, the rest text.
_INTEGERS = ("row_number", "from_drg", "from_mdc", "to_drg", "to_mdc")
_FLOATS = ("from_weight", "to_weight", "from_drg_weight_in_to_year", "to_drg_weight_in_from_year", "weight_change")
_FLAGS = ("drg_changed", "mdc_changed", "severity_changed")
SHIFT_DTYPES: dict[str, str] = {c: ("Int64" if c in _INTEGERS else "float64" if c in _FLOATS
                                    else "bool" if c in _FLAGS else "str") for c in SHIFT_COLUMNS}

# What the summary (summary.summarize_shift) reads: a streaming run keeps only these per claim.
SUMMARY_COLUMNS = ("from_drg", "to_drg", "from_weight", "to_weight", "from_drg_weight_in_to_year",
                   "to_drg_weight_in_from_year", "weight_change", "drg_changed", "mdc_changed",
                   "invalid_in_from", "invalid_in_to", "reason_kinds", "reasons_json")


@dataclass(frozen=True)
class ShiftResult:
    """The per-claim frame (columns SHIFT_COLUMNS) and the summary computed from it."""

    claims: pd.DataFrame
    summary: ShiftSummary


def _weight(ts: TableSet, drg: int | None) -> float | None:
    if drg is None:
        return None
    w = ts.weights.get(drg)
    return w.relative_weight if w is not None else None


SHIFT_BLOCK = 10_000     # claims grouped together by the column-wise engine


@dataclass(frozen=True, slots=True)
class _Final:
    """What a shift row reads of a grouping: the final DRG, MDC, severity and return code."""

    final_drg: int
    final_mdc: int
    final_severity: str
    final_return_code: str

    @classmethod
    def of(cls, result: Any) -> "_Final":
        return cls(result.final_drg, result.final_mdc, str(result.final_severity), str(result.final_return_code))


class ShiftRowMaker:
    """Turns claims into shift rows for one ordered pair of versions (reusable across chunks)."""

    def __init__(self, from_version: "str | int | Version", to_version: "str | int | Version") -> None:
        self.a, self.b = load(from_version), load(to_version)
        self.finder = ShiftReasonFinder(self.a, self.b)

    def row(self, row_number: int, claim_id: str, claim: Claim | None, status: str = statuses.OK,
            message: str = "", finals: "tuple[_Final, _Final] | None" = None) -> dict[str, Any]:
        """One output row; `claim` None (unreadable input) gives a row with no DRGs. `finals`: the
        claim's final results in the two versions when grouped beforehand (`rows` does)."""
        a, b = self.a, self.b
        out: dict[str, Any] = dict.fromkeys(SHIFT_COLUMNS)
        out.update(row_number=row_number, claim_id=claim_id, status=status, message=message,
                   from_version=a.version.label, to_version=b.version.label,
                   drg_changed=False, mdc_changed=False, severity_changed=False,
                   invalid_in_from="", invalid_in_to="", reason_kinds="", reasons="", reasons_json="[]")
        if claim is None:
            return out
        if finals is not None:
            ra, rb = finals
        else:
            try:
                ra, rb = _Final.of(group_claim(claim, a)), _Final.of(group_claim(claim, b))
            except Exception as exc:  # a grouper fault must not stop the batch; the row says so
                out.update(status=statuses.GROUPER_ERROR,
                           message=f"claim could not be grouped: {type(exc).__name__}")
                return out
        fd, td = ra.final_drg, rb.final_drg
        fw, tw = _weight(a, fd), _weight(b, td)
        out.update(
            from_drg=fd, from_mdc=ra.final_mdc, from_severity=ra.final_severity,
            from_return_code=ra.final_return_code, from_weight=fw,
            to_drg=td, to_mdc=rb.final_mdc, to_severity=rb.final_severity,
            to_return_code=rb.final_return_code, to_weight=tw,
            from_drg_weight_in_to_year=_weight(b, fd), to_drg_weight_in_from_year=_weight(a, td),
            drg_changed=fd != td, mdc_changed=ra.final_mdc != rb.final_mdc,
            severity_changed=ra.final_severity != rb.final_severity,
            weight_change=(tw - fw) if fw is not None and tw is not None else None,
        )
        bad_a, bad_b, reasons = self.finder.reasons(claim, fd, td, fd != td)
        if bad_a or bad_b:
            words = []
            if bad_a:
                words.append(f"invalid in {a.version.label}: {' '.join(bad_a)}")
            if bad_b:
                words.append(f"invalid in {b.version.label}: {' '.join(bad_b)}")
            out["message"] = "; ".join(filter(None, [message, "codes " + "; ".join(words)]))
        out.update(
            invalid_in_from=" ".join(bad_a), invalid_in_to=" ".join(bad_b),
            reason_kinds="|".join(dict.fromkeys(r.kind for r in reasons)),
            reasons="; ".join(r.text for r in reasons),
            reasons_json=json.dumps([r.to_dict() for r in reasons], separators=(",", ":")),
        )
        return out

    def rows(self, items: Iterable[Any]) -> Iterator[dict[str, Any]]:
        """Shift rows for claims given as ClaimRow, Claim or golden-JSON dicts, in order; the
        claims of each block are grouped in both versions by the column-wise engine."""
        block: list[tuple[int, str, Claim | None, str, str]] = []
        for n, item in enumerate(items, 1):
            block.append(_unpack(n, item))
            if len(block) >= SHIFT_BLOCK:
                yield from self._block(block)
                block = []
        if block:
            yield from self._block(block)

    def _block(self, block: list[tuple[int, str, Claim | None, str, str]]) -> Iterator[dict[str, Any]]:
        claims = [unpacked[2] for unpacked in block if unpacked[2] is not None]
        finals: list[Any] = [None] * len(block)
        in_a: list[_Final] | None
        in_b: list[_Final] | None
        try:
            in_a = self._group(claims, self.a)
            in_b = self._group(claims, self.b)
        except TableIntegrityError:
            raise
        except Exception:                     # noqa: BLE001 - each claim then groups on its own
            in_a = in_b = None
        if in_a is not None and in_b is not None:
            k = 0
            for i, unpacked in enumerate(block):
                if unpacked[2] is not None:
                    finals[i] = (in_a[k], in_b[k])
                    k += 1
        for unpacked, pair in zip(block, finals):
            yield self.row(*unpacked, finals=pair)

    @staticmethod
    def _group(claims: list[Claim], tables: TableSet) -> list["_Final"]:
        grouped = group_columns(ClaimColumns.from_claims(claims, [tables.version.id] * len(claims)),
                                lambda _: tables)
        return [_Final(drg, mdc, severity, code) for drg, mdc, severity, code in zip(
            grouped.final_drg.tolist(), grouped.final_mdc.tolist(), grouped.final_severity.tolist(),
            grouped.final_return_code.tolist())]


def _unpack(n: int, item: Any) -> tuple[int, str, Claim | None, str, str]:
    """(row_number, claim_id, claim, status, message) of one input item."""
    if isinstance(item, Claim):
        return n, item.id, item, statuses.OK, ""
    if hasattr(item, "row_number") and hasattr(item, "claim"):      # a row as drg.io reads it (ClaimRow)
        return item.row_number, item.claim_id, item.claim, item.status, item.message
    if isinstance(item, Mapping):
        try:
            claim = Claim.from_dict(item)
        except Exception as exc:
            return n, str(item.get("id") or ""), None, statuses.INVALID_RECORD, f"claim could not be read: {exc}"
        return n, claim.id, claim, statuses.OK, ""
    return n, "", None, statuses.INVALID_RECORD, f"not a claim: {type(item).__name__}"


def shift_rows(items: Iterable[Any], from_version, to_version) -> pd.DataFrame:
    """The per-claim shift frame of claims given as ClaimRow, Claim or golden-JSON dicts."""
    maker = ShiftRowMaker(from_version, to_version)
    return shift_frame(list(maker.rows(items)))


def shift_frame(rows: "list[dict[str, Any]]") -> pd.DataFrame:
    """Shift rows (ShiftRowMaker.row) as a DataFrame with the columns SHIFT_COLUMNS and the dtypes
    SHIFT_DTYPES, the same for any set of rows."""
    return pd.DataFrame(rows, columns=list(SHIFT_COLUMNS)).astype(SHIFT_DTYPES)


def summary_part(frame: pd.DataFrame) -> pd.DataFrame:
    """The small part of a shift frame that `summarize_shift` needs (SUMMARY_COLUMNS): concatenate the
    parts of all chunks and summarize those, instead of holding every full row. The reasons JSON is
    kept only on rows the summary reads it from (DRG changed, or any reason given)."""
    part = frame.loc[:, list(SUMMARY_COLUMNS)].copy()
    unused = ~(part["drg_changed"] | (part["reason_kinds"].fillna("") != ""))
    part.loc[unused, "reasons_json"] = ""
    return part


def shift(claims: Iterable[Any], from_version: "str | int | Version",
          to_version: "str | int | Version") -> ShiftResult:
    """Group every claim under both versions; the per-claim frame and its summary.

    `claims`: any iterable of Claims, golden-JSON dicts, or rows carrying (row_number, claim_id,
    claim, status, message) such as drg.io's ClaimRows. Each input gives exactly one output row.
    A DataFrame of claims is the face's to read: use drg.shift (drg.validating.shift).
    """
    if hasattr(claims, "columns"):
        raise TypeError("drg.validation.shift takes claims, not a DataFrame: "
                        "use drg.shift (drg.validating.shift) for a DataFrame")
    frame = shift_rows(claims, from_version, to_version)
    return ShiftResult(frame, summarize_shift(frame, from_version, to_version))
