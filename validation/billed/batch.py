"""Validate many claims: rows from a claims file (drg.io) or a DataFrame; one output row per input row."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from drg.claim import Claim
from drg.validation.billed.core import validate_claim
from drg.validation.billed.records import Validation

EXTRA_FIELDS = ("billed_drg", "billed_version", "length_of_stay", "provider_id")


def _row_fields(row: Any) -> tuple[int, str, Claim | None, str, str, Mapping[str, Any]]:
    return row.row_number, row.claim_id, row.claim, row.status, row.message, _named_extra(row.extra)


_EXTRA_NAMES: dict[str, str | None] = {}


def _named_extra(extra: Mapping[str, Any]) -> Mapping[str, Any]:
    """The extra columns validation reads, found by drg.io's header matching ("Billed DRG",
    "BILLED-DRG" and "billed_drg" are all billed_drg); the first matching column wins."""
    if all(key in EXTRA_FIELDS for key in extra):
        return extra
    from drg.io.columns import canonical

    out: dict[str, Any] = {}
    for key, value in extra.items():
        name = _EXTRA_NAMES.get(key, "")
        if name == "":
            canon = canonical(key)
            name = _EXTRA_NAMES[key] = canon if canon in EXTRA_FIELDS else None
        if name is not None and name not in out:
            out[name] = value
    return out


def validate_rows(rows: Iterable[Any], **options: Any) -> Iterator[Validation]:
    """One Validation per ClaimRow (drg.io contract), in order; bad rows keep their status and message."""
    for row in rows:
        number, claim_id, claim, status, message, extra = _row_fields(row)
        if claim is None:
            yield Validation(row_number=number, claim_id=claim_id, status=status or "INVALID_RECORD",
                             message=message or "the row could not be read as a claim",
                             billed_drg_text="" if extra.get("billed_drg") is None else str(extra.get("billed_drg")),
                             provider_id=str(extra.get("provider_id") or ""))
            continue
        result = validate_claim(claim, extra.get("billed_drg"), billed_version=extra.get("billed_version"),
                                length_of_stay=extra.get("length_of_stay"), provider_id=extra.get("provider_id", ""),
                                row_number=number, **options)
        if status not in ("", "OK") and result.status == "OK":
            result = _with_status(result, status, message)
        yield result


def _with_status(v: Validation, status: str, message: str) -> Validation:
    import dataclasses
    return dataclasses.replace(v, status=status, message=message)


class _Row:
    """A ClaimRow stand-in for inputs read without drg.io (dicts, DataFrames, JSON Lines)."""

    __slots__ = ("row_number", "claim_id", "claim", "status", "message", "extra")

    def __init__(self, number: int, record: Mapping[str, Any]):
        self.row_number = number
        self.extra = {k: record.get(k) for k in EXTRA_FIELDS if k in record}
        self.claim_id = "" if record.get("id") is None else str(record.get("id"))
        if "_error" in record:
            self.claim, self.status, self.message = None, "INVALID_RECORD", str(record["_error"])
            return
        try:
            self.claim = Claim.from_dict(record)
            self.status, self.message = "OK", ""
        except (TypeError, ValueError, AttributeError) as exc:
            self.claim = None
            self.status = "INVALID_RECORD"
            self.message = f"row {number}: cannot read the claim ({type(exc).__name__}: {_first_words(exc)})"


def _first_words(exc: Exception) -> str:
    return str(exc).split("\n")[0][:120]


def rows_from_records(records: Iterable[Mapping[str, Any]]) -> Iterator[_Row]:
    """Rows from dicts in the golden JSON form plus billed_drg, billed_version, length_of_stay, provider_id."""
    for number, record in enumerate(records, start=1):
        yield _Row(number, record)


def read_rows(path: "str | Path", input_format: str | None = None, chunk_size: int = 10_000,
              version: Any = None) -> Iterator[Any]:
    """ClaimRows from any claims file drg.io reads; `version` overrides the claims' own."""
    from drg.io import read_claims

    for chunk in read_claims(path, input_format, chunk_size, version=version):
        yield from chunk


def frame_rows(frame: Any, version: Any = None) -> Iterator[Any]:
    """ClaimRows of a pandas DataFrame: golden-form records (pdx a dict, sdx a list of dicts), or
    the batch layouts (wide: billed_drg, pdx, sdx1.., proc1.. ...; long) read through drg.io's
    column matching, as `drg group` reads a CSV. `version` is the run's version (it overrides the
    claims' own, and makes claims without a version or discharge date readable)."""
    headers = [str(c) for c in frame.columns]
    named = frame.copy(deep=False)
    named.columns = headers
    records = named.astype(object).where(named.notna(), None).to_dict("records")
    if "pdx" in headers and any(isinstance(v, Mapping) for v in named["pdx"].head(50)):
        return rows_from_records(records)     # validate_rows(version=...) applies the run's version
    from drg.io.readers import TableRows

    return TableRows(headers, "<frame>", version).read(("", r) for r in records)


def validations_frame(validations: Iterable[Validation]):
    """A pandas DataFrame, one row per validation (list columns kept as lists).

    Column dtypes do not depend on the rows: `billed_drg` is the billed DRG number as a nullable
    integer (Int64; null when missing or not a number) and `billed_drg_text` the billed value
    exactly as given (text), so a batch with a billed "29I" keeps an integer `billed_drg`."""
    return _stable(_frame_of([v.to_dict() for v in validations]))


def _frame_of(rows: list[dict]):
    import pandas as pd
    return pd.DataFrame(rows, columns=list(Validation(row_number=0, claim_id="", status="", message="").to_dict()))


def _stable(frame):
    """billed_drg as Int64 and billed_drg_text as text, whatever the rows hold."""
    frame["billed_drg"] = frame["billed_drg"].astype("Int64")
    frame["billed_drg_text"] = frame["billed_drg_text"].astype("str")
    return frame


def write_validations(validations: Iterable[Validation], path: "str | Path",
                      grouping_details: bool = True) -> list[Validation]:
    """Write rows to .jsonl/.json (per-code grouping details included), .csv or .parquet; return them."""
    path = Path(path)
    kept = list(validations)
    suffix = "".join(path.suffixes[-2:]) if path.suffix == ".gz" else path.suffix
    if suffix in (".jsonl", ".json", ".ndjson", ".jsonl.gz"):
        import gzip
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "wt", encoding="utf-8") as out:
            for v in kept:
                out.write(json.dumps(v.to_dict(grouping_details), default=str) + "\n")
    elif suffix in (".csv", ".tsv"):
        frame = _stable(_frame_of([_flat(v.to_dict()) for v in kept]))
        frame.to_csv(path, index=False, sep="\t" if suffix == ".tsv" else ",")
    elif suffix == ".parquet":
        rows = []
        for v in kept:
            row = v.to_dict()
            row["reasons"] = json.dumps(row["reasons"])
            row["drivers"] = json.dumps(row["drivers"])
            rows.append(row)
        _stable(_frame_of(rows)).to_parquet(path, index=False)
    else:
        raise ValueError(f"cannot write {path.name}: use .jsonl, .csv, .tsv or .parquet")
    return kept


def _flat(row: dict) -> dict:
    out = dict(row)
    out["rule_hits"] = ";".join(row["rule_hits"])
    out["reasons"] = json.dumps(row["reasons"])
    out["drivers"] = ";".join(f"{d['code']}->{d['drg_without']}" for d in row["drivers"])
    return out
