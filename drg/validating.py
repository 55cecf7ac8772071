"""The face of validation: claims files, DataFrames and lists of dicts in; validation out.

drg.validation takes claims and billed facts (`BilledClaim`); this module reads them from what
people have, and writes what validation returns:

    import drg
    frame = drg.validate(claims_frame)               # a DataFrame (golden form or the batch layout)
    v = drg.validate(claim_dict)                     # one claim -> a Validation

    # a file, chunk by chunk, in bounded memory (what `drg validate FILE` does):
    tally = ValidationTally()
    for chunk in read_chunks(path, version=...):     # lists of drg.io ClaimRows
        validations = list(validate_rows(chunk, base_rate=..., drivers=...))
        ...write the chunk...
        tally.add(validations)
    write_report(tally, "summary.html", subtitle=f"{path}: {tally.rows:,} rows")
    print(summary_line(tally, seconds))

The billed facts are found among a row's other columns by drg.io's header matching ("Billed DRG",
"BILLED-DRG" and "billed_drg" are all billed_drg).
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Iterable, Iterator

import pandas as pd

from drg.claim import Claim
from drg.validation import (BILLED_FIELDS, BilledClaim, Validation, ValidationTally, billed_claims_from_records,
                            summarize_validations, validate_claim, validate_items)
from drg.validation.reports.validation_report import (render_validation_html, render_validation_markdown,
                                                      summary_line)
from drg.validation.version_shift import ShiftResult
from drg.validation.version_shift import shift as shift_claims

__all__ = ["validate", "validate_claim", "validate_rows", "billed_claims", "read_rows", "read_chunks", "frame_rows",
           "validations_frame", "ValidationWriter", "write_validations", "report_renderer", "write_report",
           "summary_line", "shift", "shift_items", "ValidationTally"]


# ------------------------------------------------------------------ rows in

_EXTRA_NAMES: dict[str, str | None] = {}


def _named_extra(extra: Mapping[str, Any]) -> Mapping[str, Any]:
    """The extra columns validation reads, found by drg.io's header matching ("Billed DRG",
    "BILLED-DRG" and "billed_drg" are all billed_drg); the first matching column wins."""
    if all(key in BILLED_FIELDS for key in extra):
        return extra
    from drg.io.columns import canonical

    out: dict[str, Any] = {}
    for key, value in extra.items():
        name = _EXTRA_NAMES.get(key, "")
        if name == "":
            canon = canonical(key)
            name = _EXTRA_NAMES[key] = canon if canon in BILLED_FIELDS else None
        if name is not None and name not in out:
            out[name] = value
    return out


def billed_claims(rows: Iterable[Any]) -> Iterator[BilledClaim]:
    """BilledClaims of drg.io ClaimRows (the billed facts taken from each row's other columns);
    BilledClaims given as such pass through."""
    for row in rows:
        if isinstance(row, BilledClaim):
            yield row
            continue
        facts = _named_extra(row.extra)
        yield BilledClaim(row.row_number, row.claim_id, row.claim, row.status, row.message,
                          billed_drg=facts.get("billed_drg"), billed_version=facts.get("billed_version"),
                          length_of_stay=facts.get("length_of_stay"), provider_id=facts.get("provider_id", ""))


def validate_rows(rows: Iterable[Any], **options: Any) -> Iterator[Validation]:
    """One Validation per ClaimRow (or BilledClaim), in order; bad rows keep their status and message."""
    return validate_items(billed_claims(rows), **options)


def read_rows(path: "str | Path", input_format: str | None = None, chunk_size: int = 10_000,
              version: Any = None) -> Iterator[Any]:
    """ClaimRows from any claims file drg.io reads; `version` overrides the claims' own.

    An unknown `version` is refused here, before a row is read (ValueError naming it), as
    `drg group` refuses it."""
    if version is not None:
        from drg.tables import parse_version
        parse_version(version)
    return _rows_of(path, input_format, chunk_size, version)


def _rows_of(path: "str | Path", input_format: str | None, chunk_size: int, version: Any) -> Iterator[Any]:
    for chunk in _chunks_of(path, input_format, chunk_size, version):
        yield from chunk


def read_chunks(path: "str | Path", input_format: str | None = None, chunk_size: int = 10_000,
                version: Any = None) -> Iterator[list[Any]]:
    """Lists of at most `chunk_size` ClaimRows, in input order: what a streaming run validates,
    writes and folds into its ValidationTally one at a time. An unknown `version` is refused
    here, before a row is read (ValueError naming it)."""
    if version is not None:
        from drg.tables import parse_version
        parse_version(version)
    return _chunks_of(path, input_format, chunk_size, version)


def _chunks_of(path: "str | Path", input_format: str | None, chunk_size: int, version: Any) -> Iterator[list[Any]]:
    from drg.io import read_claims

    yield from read_claims(path, input_format, chunk_size, version=version)


def _records(frame: pd.DataFrame) -> tuple[list[str], pd.DataFrame, list[dict]]:
    headers = [str(c) for c in frame.columns]
    named = frame.copy(deep=False)
    named.columns = headers
    return headers, named, named.astype(object).where(named.notna(), None).to_dict("records")


def _golden_form(headers: list[str], named: pd.DataFrame) -> bool:
    return "pdx" in headers and any(isinstance(v, Mapping) for v in named["pdx"].head(50))


def frame_rows(frame: pd.DataFrame, version: Any = None) -> Iterator[Any]:
    """Rows of a pandas DataFrame: golden-form records (pdx a dict, sdx a list of dicts), or
    the batch layouts (wide: billed_drg, pdx, sdx1.., proc1.. ...; long) read through drg.io's
    column matching, as `drg group` reads a CSV. `version` is the run's version (it overrides the
    claims' own, and makes claims without a version or discharge date readable)."""
    headers, named, records = _records(frame)
    if _golden_form(headers, named):
        return billed_claims_from_records(records)     # validate_items(version=...) applies the run's version
    from drg.io.readers import TableRows

    return TableRows(headers, "<frame>", version).read(("", r) for r in records)


def _none_if_nan(value: Any) -> Any:
    """Frames fill missing cells with NaN; claims want None."""
    return None if isinstance(value, float) and value != value else value


def validate(claim_or_frame: Any, billed_drg: Any = None, *, billed_version: Any = None, version: Any = None,
             base_rate: float | None = None, length_of_stay: Any = None, drivers: bool = True) -> Any:
    """Validate one claim (returns a `Validation`) or a DataFrame / list of dicts (returns a DataFrame).

    For one claim, `billed_drg` (and billed_version, length_of_stay) come from the arguments or,
    for a dict, from its own keys. For a frame, each row carries them as columns. A DataFrame is
    in the golden form or in the batch layout `drg group` reads (wide: claim_id, pdx, sdx1..,
    proc1..; or long). In the result frame `billed_drg` is the billed DRG as a nullable integer
    (Int64) and `billed_drg_text` the billed value as given.
    """
    options = dict(version=version, base_rate=base_rate, drivers=drivers)
    if isinstance(claim_or_frame, (Claim, Mapping)):
        from drg.validation import validate as validate_one
        return validate_one(claim_or_frame, billed_drg, billed_version=billed_version,
                            length_of_stay=length_of_stay, **options)
    if hasattr(claim_or_frame, "to_dict") and hasattr(claim_or_frame, "columns"):
        return validations_frame(validate_rows(frame_rows(claim_or_frame, version), **options))
    records = [{k: _none_if_nan(v) for k, v in r.items()} for r in claim_or_frame]
    return validations_frame(validate_items(billed_claims_from_records(records), **options))


# ------------------------------------------------------------------ results out

def validations_frame(validations: Iterable[Validation]) -> pd.DataFrame:
    """A pandas DataFrame, one row per validation (list columns kept as lists).

    Column dtypes do not depend on the rows: `billed_drg` is the billed DRG number as a nullable
    integer (Int64; null when missing or not a number) and `billed_drg_text` the billed value
    exactly as given (text), so a batch with a billed "29I" keeps an integer `billed_drg`."""
    return _stable(_frame_of([v.to_dict() for v in validations]))


def _frame_of(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(Validation(row_number=0, claim_id="", status="", message="").to_dict()))


def _stable(frame: pd.DataFrame) -> pd.DataFrame:
    """billed_drg as Int64 and billed_drg_text as text, whatever the rows hold."""
    frame["billed_drg"] = frame["billed_drg"].astype("Int64")
    frame["billed_drg_text"] = frame["billed_drg_text"].astype("str")
    return frame


# Column types of written validation rows, the same for every chunk (so a file does not depend on
# how it was cut into chunks, and Parquet keeps one schema): whole numbers as nullable integers,
# figures as floats, everything else as text.
WHOLE_NUMBER_COLUMNS = ("row_number", "length_of_stay", "billed_drg", "expected_drg", "initial_drg", "initial_mdc",
                        "initial_base_drg", "final_drg", "final_mdc", "final_base_drg", "hac_categories")
FIGURE_COLUMNS = ("billed_weight", "expected_weight", "weight_delta", "base_rate", "dollar_impact", "risk_score")


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame = _stable(frame)
    for column in WHOLE_NUMBER_COLUMNS:
        frame[column] = pd.array(frame[column].tolist(), dtype="Int64")
    for column in FIGURE_COLUMNS:
        frame[column] = frame[column].astype("float64")
    return frame


def _arrow_schema(frame: pd.DataFrame) -> Any:
    import pyarrow as pa

    def kind(column: str) -> Any:
        if column == "rule_hits":
            return pa.list_(pa.string())
        if column in WHOLE_NUMBER_COLUMNS:
            return pa.int64()
        return pa.float64() if column in FIGURE_COLUMNS else pa.string()
    return pa.schema([(str(column), kind(str(column))) for column in frame.columns])


def _dumps(row: dict) -> str:
    return json.dumps(row, default=str)


class ValidationWriter:
    """Validation rows into one file, chunk by chunk (drg.io's registry and atomic output):
    JSON Lines with the per-code grouping details, flat CSV/TSV, or Parquet (reasons and drivers
    as JSON text). Created, and so checked, before any row is validated."""

    def __init__(self, path: "str | Path", *, inputs: Iterable["str | Path | None"] = (),
                 grouping_details: bool = True) -> None:
        from drg.io.frame_writer import FrameWriter

        self._out = FrameWriter(path, inputs=inputs)
        self._grouping_details = grouping_details

    def write(self, validations: list[Validation]) -> None:
        from drg.io.formats import FileFormat

        if self._out.format is FileFormat.JSONL:
            self._out.write_records((v.to_dict(self._grouping_details) for v in validations), _dumps)
        elif self._out.format is FileFormat.CSV:
            self._out.write_frame(_typed(_frame_of([_flat(v.to_dict()) for v in validations])))
        else:
            rows = []
            for v in validations:
                row = v.to_dict()
                row["reasons"] = json.dumps(row["reasons"])
                row["drivers"] = json.dumps(row["drivers"])
                rows.append(row)
            frame = _typed(_frame_of(rows))
            self._out.write_frame(frame, schema=_arrow_schema(frame))

    def close(self) -> None:
        self._out.close()

    def abandon(self) -> None:
        self._out.abandon()


def write_validations(validations: Iterable[Validation], path: "str | Path",
                      grouping_details: bool = True) -> list[Validation]:
    """Write rows to any output name of drg.io.formats (.jsonl with per-code grouping details,
    .csv/.tsv, .parquet; text formats also .gz), atomically; return them."""
    kept = list(validations)
    writer = ValidationWriter(path, grouping_details=grouping_details)
    try:
        writer.write(kept)
    except BaseException:
        writer.abandon()
        raise
    writer.close()
    return kept


def _flat(row: dict) -> dict:
    out = dict(row)
    out["rule_hits"] = ";".join(row["rule_hits"])
    out["reasons"] = json.dumps(row["reasons"])
    out["drivers"] = ";".join(f"{d['code']}->{d['drg_without']}" for d in row["drivers"])
    return out


def report_renderer(path: "str | Path") -> Any:
    """The renderer of a report path (.html/.htm or .md/.markdown); ValueError for another name,
    so a command can refuse it before any work."""
    suffix = Path(path).suffix.lower()
    if suffix in (".html", ".htm"):
        return render_validation_html
    if suffix in (".md", ".markdown"):
        return render_validation_markdown
    raise ValueError(f"cannot write a report to {Path(path).name}: use .html or .md")


def write_report(validations: "ValidationTally | Iterable[Validation]", path: "str | Path",
                 subtitle: str = "") -> ValidationTally:
    """Write the run's summary to `path` (.html/.htm or .md), atomically, and return its tally.

    Give the tally folded chunk by chunk (bounded memory), or the validations themselves."""
    from drg.io.atomic import AtomicFile

    render = report_renderer(path)
    tally = validations if isinstance(validations, ValidationTally) else summarize_validations(validations)
    with AtomicFile(path) as out:
        out.stream.write(render(tally, subtitle=subtitle).encode("utf-8"))
    return tally


# ------------------------------------------------------------------ version shift of a frame

def shift_items(frame: pd.DataFrame, from_version: Any) -> list[Any]:
    """The claims of a DataFrame, for drg.validation.shift: a `claim` column of Claim objects,
    golden-form columns (pdx a dict, sdx a list), or a wide claims table read through drg.io's
    column matching (TableRows).

    The claims' own version (and discharge date) are ignored by a shift, so rows are read with
    the from-version as the run's version: a claim without a version column stays readable.
    """
    if "claim" in frame.columns:
        return frame["claim"].tolist()
    from drg.io.normalize import build_row
    from drg.io.readers import TableRows, golden_fields
    from drg.tables import load

    version = load(from_version).version.id
    headers, named, records = _records(frame)
    if _golden_form(headers, named):
        rows = []
        for number, record in enumerate(records, 1):
            fields, extra, errors = golden_fields(record)
            rows.append(build_row(number, fields, version=version, extra=extra, errors=errors))
        return rows
    return list(TableRows(headers, "<frame>", version).read(("", r) for r in records))


def shift(claims: "pd.DataFrame | Iterable[Any]", from_version: Any, to_version: Any) -> ShiftResult:
    """drg.validation.shift of a DataFrame (see `shift_items`) or of any iterable of claims."""
    items = shift_items(claims, from_version) if isinstance(claims, pd.DataFrame) else claims
    return shift_claims(items, from_version, to_version)
