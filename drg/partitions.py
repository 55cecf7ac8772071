"""One partition of claims, grouped, validated or shifted: what a Dask or Spark worker runs.

A partition is an ordinary pandas frame in the wide layout (one row per claim). Each function
here runs the single-machine function on it (`drg.group_frame`, `drg.validation.validate_rows`,
`drg.validation.shift`) and hands back a frame with exactly the declared output columns and
dtypes, so a cluster's results are the single-machine results. drg.dask and drg.spark both
call these; neither knows the other.

The output columns are declared before anything runs on a cluster (Dask's `meta`, Spark's
schema): `group_meta`, `validate_meta` and `shift_meta` compute them locally from a one-row
sample claim laid out in the input's own columns (`wide_sample`). Integer result fields are
nullable (`Int64`) so that a partition holding an ungrouped row (null DRG) has the same dtype
as one that does not; pandas alone would switch such a column to float64.

Tasks carry version ids only (`version_id`), never a TableSet: each worker process loads the
tables it needs once through `drg.tables.load`, which is cached per process.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["wide_sample", "meta_of", "conform", "version_id", "claim_rows", "group_meta", "validate_meta",
           "shift_meta", "group_part", "validate_part", "shift_part"]

_SAMPLE_PDX = ("I5021", "Y")          # acute systolic heart failure: valid in every shipped version
_SAMPLE_SDX = ("N179", "Y")           # acute kidney failure: a CC, so severity fields are filled


# ------------------------------------------------------------------ a local sample for the output columns

def wide_sample(columns: pd.DataFrame, version: Any = None, billed_drg: int = 291) -> pd.DataFrame:
    """One valid claim laid out in the input's own wide columns (other columns null).

    Used only to learn the output columns and dtypes locally; the values are a fixed
    heart-failure claim, not patient data.
    """
    from drg.io.columns import is_long, map_wide
    from drg.tables import available_versions

    headers = [str(c) for c in columns.columns]
    if is_long(headers):
        raise ValueError("the Dask and Spark paths take the wide layout (one row per claim); a long file's "
                         "claims may cross partitions - turn it wide first")
    mapping = map_wide(headers)
    if "pdx" not in mapping.fields:
        raise ValueError("no principal diagnosis column (pdx, principal_dx, dx1, diag_1 ...) in the frame; "
                         "columns: " + ", ".join(headers))
    newest = available_versions()[-1]
    values: dict[str, Any] = {"id": "sample", "age": 70, "sex": "M", "discharge_status": 1,
                              "hospital_status": "NON_EXEMPT", "pdx": _SAMPLE_PDX[0], "pdx_poa": _SAMPLE_PDX[1]}
    if version is None:
        values["version"] = newest.label
        values["discharge_date"] = newest.effective_from.isoformat()
    row: dict[str, Any] = {h: None for h in headers}
    for name, header in mapping.fields.items():
        if name in values:
            value = values[name]
            if name == "version" and pd.api.types.is_numeric_dtype(columns[header].dtype):
                value = newest.id
            row[header] = value
    if 1 in mapping.sdx:
        row[mapping.sdx[1]] = _SAMPLE_SDX[0]
        if 1 in mapping.sdx_poa:
            row[mapping.sdx_poa[1]] = _SAMPLE_SDX[1]
    for header in mapping.extra:
        key = header.lower()
        if key == "billed_drg":
            row[header] = billed_drg if pd.api.types.is_numeric_dtype(columns[header].dtype) else str(billed_drg)
        elif key == "length_of_stay":
            row[header] = 5 if pd.api.types.is_numeric_dtype(columns[header].dtype) else "5"
    sample = pd.DataFrame([row], columns=list(columns.columns))
    for column in columns.columns:           # keep the input's dtypes where the sample value allows
        try:
            sample[column] = sample[column].astype(columns[column].dtype)
        except (TypeError, ValueError):
            pass
    return sample


def _stable_dtype(dtype: Any) -> Any:
    """A dtype every partition can hold: integers and booleans become nullable."""
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "Int64"
    return dtype


def meta_of(sample_out: pd.DataFrame, inputs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Empty frame with the output columns; nullable dtypes; all-null sample columns as object.

    Input columns that are not claim fields ("kept as given") take the input's dtype.
    """
    kept: set[str] = set()
    if inputs is not None:
        from drg.io.columns import map_wide

        kept = set(map_wide([str(c) for c in inputs.columns]).extra)
    dtypes: dict[str, Any] = {}
    for column in sample_out.columns:
        if column in kept and inputs is not None:
            source = inputs[column].dtype
            if pd.api.types.is_string_dtype(source):      # dask's pyarrow strings come back as pandas' str
                dtypes[column] = "str"
            else:
                dtypes[column] = _stable_dtype(source)
        elif sample_out[column].isna().all():
            dtypes[column] = object
        else:
            dtypes[column] = _stable_dtype(sample_out[column].dtype)
    return pd.DataFrame({c: pd.Series([], dtype=d) for c, d in dtypes.items()})


def conform(frame: pd.DataFrame, meta: pd.DataFrame, index: pd.Index | None = None) -> pd.DataFrame:
    """`frame` with exactly the columns and dtypes of `meta` (and the input partition's index)."""
    out = frame.reindex(columns=meta.columns)
    for column in meta.columns:
        target = meta[column].dtype
        if out[column].dtype != target:
            try:
                out[column] = out[column].astype(target)
            except (TypeError, ValueError):
                out[column] = out[column].astype(object)
    if index is not None and len(index) == len(out):
        out.index = index
    return out


def version_id(version: Any) -> Any:
    """The version as its plain id (an int), so a task never carries a TableSet; None stays None."""
    if version is None:
        return None
    from drg.tables import parse_version

    return parse_version(version).id


def claim_rows(part: pd.DataFrame, version: Any, first_row: int) -> list:
    """drg.io ClaimRows of a wide partition, numbered from `first_row` (the global position)."""
    import dataclasses

    from drg.io.readers import TableRows

    headers = [str(c) for c in part.columns]
    frame = part.copy(deep=False)
    frame.columns = headers
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    rows = TableRows(headers, "<partition>", version).read(("", r) for r in records)
    return [dataclasses.replace(r, row_number=r.row_number + first_row - 1) for r in rows]


# ------------------------------------------------------------------ the declared output columns

def group_meta(inputs: pd.DataFrame, version: Any = None) -> pd.DataFrame:
    """The output columns and dtypes of `group_part` for a partition shaped like `inputs`."""
    from drg.batch import group_frame

    return meta_of(group_frame(wide_sample(inputs, version), version), inputs)


def validate_meta(inputs: pd.DataFrame, version: Any, options: dict) -> pd.DataFrame:
    """The output columns and dtypes of `validate_part` (`options`: base_rate, drivers)."""
    from drg.validating import validate_rows, validations_frame

    sample = wide_sample(inputs, None)
    return meta_of(validations_frame(validate_rows(claim_rows(sample, version, 1), version=version, **options)))


def shift_meta(inputs: pd.DataFrame, from_version: Any, to_version: Any) -> pd.DataFrame:
    """The output columns and dtypes of `shift_part`."""
    from drg.validation.version_shift import shift_rows

    sample = wide_sample(inputs, from_version)
    return meta_of(shift_rows(claim_rows(sample, from_version, 1), from_version, to_version))


# ------------------------------------------------------------------ what runs on a worker

def group_part(part: pd.DataFrame, version: Any, meta: pd.DataFrame) -> pd.DataFrame:
    """`drg.group_frame` of one partition, in the declared columns, keeping its index."""
    from drg.batch import group_frame

    return conform(group_frame(part, version), meta, part.index)


def validate_part(part: pd.DataFrame, first_row: int, version: Any, options: dict,
                  meta: pd.DataFrame) -> pd.DataFrame:
    """The validation rows of one partition whose first row is the input's `first_row`."""
    from drg.validating import validate_rows, validations_frame

    # the run's version (when given) is also the reading version: claims without one stay readable
    frame = validations_frame(validate_rows(claim_rows(part, version, first_row), version=version, **options))
    return conform(frame, meta, part.index)


def shift_part(part: pd.DataFrame, first_row: int, from_version: Any, to_version: Any,
               meta: pd.DataFrame) -> pd.DataFrame:
    """The per-claim version shift rows of one partition whose first row is the input's `first_row`."""
    from drg.validation.version_shift import shift_rows

    # the claims' own versions are ignored by a shift; reading them with the "from" version keeps a
    # claim without a version or discharge date readable
    rows = claim_rows(part, from_version, first_row)
    return conform(shift_rows(rows, from_version, to_version), meta, part.index)
