"""Readers for the CMS Medicare Code Editor source tables (../shared/cms-mce).

The folder holds the MCE 43.1 data (extended by the FY 2027 data to 2027-03-31) as CSV:
the code masters with their flags and date ranges, the edits, age groups, discharge
statuses and what each flag means (cms-mce/README.md describes every column). Only the
ICD-10 rows are read: the product edits ICD-10 claims (discharges from 2015-10-01).

Every column is read as text first (codes keep their leading zeros, an empty flag string
means "no flag"), then the integer and date columns are cast.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from drg.tables.source import SourceError, read_csv

ICD10 = "10"

# compiled table name -> (source file, integer columns, date columns)
MCE_SOURCES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "mce_dx_codes": ("dx_codes.csv.gz", ("version_from", "version_to"), ("date_from", "date_through")),
    "mce_pr_codes": ("pr_codes.csv.gz", ("version_from", "version_to"), ("date_from", "date_through")),
    "mce_edits": ("edits.csv", ("ordinal", "counter_position_icd10", "dx_flag_position_icd10",
                                "pr_flag_position_icd10", "manual_number"), ()),
    "mce_age_groups": ("age_groups.csv", ("age_conflict_type", "start_age", "end_age"),
                       ("date_from", "date_through")),
    "mce_discharge_statuses": ("discharge_statuses.csv", ("code",), ("date_from", "date_through")),
    "mce_flags": ("flags.csv", (), ()),
}

# columns kept in the compiled tables (the ICD-9 positions and row counts are left out)
_KEEP: dict[str, tuple[str, ...]] = {
    "mce_dx_codes": ("code", "date_from", "date_through", "version_from", "version_to", "flags"),
    "mce_pr_codes": ("code", "date_from", "date_through", "version_from", "version_to", "flags"),
    "mce_edits": ("ordinal", "edit", "code_type", "edit_type", "counter_position_icd10",
                  "dx_flag_position_icd10", "pr_flag_position_icd10", "manual_number", "title"),
    "mce_age_groups": ("flag", "age_group", "age_conflict_type", "start_age", "end_age",
                       "date_from", "date_through"),
    "mce_discharge_statuses": ("code", "date_from", "date_through"),
    "mce_flags": ("flag", "used_by", "meaning"),
}


def _nullable_ints(table: pa.Table, name: str, path: Path) -> pa.Table:
    """An integer column where the empty string means "none" (null)."""
    column = table.column(name)
    try:
        values = [int(v) if v != "" else None for v in column.to_pylist()]
    except ValueError as exc:
        raise SourceError(f"{path}: column {name!r} holds a value that is not a whole number ({exc})") from None
    return table.set_column(table.schema.get_field_index(name), name, pa.array(values, pa.int16()))


def _dates(table: pa.Table, name: str, path: Path) -> pa.Table:
    try:
        values = [dt.date.fromisoformat(v) for v in table.column(name).to_pylist()]
    except ValueError as exc:
        raise SourceError(f"{path}: column {name!r} holds a value that is not a YYYY-MM-DD date ({exc})") from None
    return table.set_column(table.schema.get_field_index(name), name, pa.array(values, pa.date32()))


def read_mce_table(source_dir: Path, name: str) -> pa.Table:
    """One compiled MCE table (see MCE_SOURCES) read from the cms-mce folder: ICD-10 rows only."""
    file_name, int_columns, date_columns = MCE_SOURCES[name]
    path = Path(source_dir) / file_name
    table = read_csv(path)
    missing = [c for c in (*_KEEP[name], *int_columns, *date_columns) if c not in table.column_names]
    if missing:
        raise SourceError(f"{path}: expected column(s) {', '.join(missing)} not found")
    if "icd_version" in table.column_names:
        table = table.filter(pc.equal(table.column("icd_version"), ICD10))
    for column in int_columns:
        table = _nullable_ints(table, column, path)
    for column in date_columns:
        table = _dates(table, column, path)
    return table.select(list(_KEEP[name]))


def mce_source_present(source_dir: Path) -> bool:
    """Whether `source_dir` looks like the cms-mce folder (its code masters and edits are there)."""
    source_dir = Path(source_dir)
    return all((source_dir / MCE_SOURCES[name][0]).exists() for name in ("mce_dx_codes", "mce_pr_codes", "mce_edits"))
