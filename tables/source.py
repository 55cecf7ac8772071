"""Readers for the CMS MS-DRG source tables (../shared/cms-msdrg) and the CMS weights.

Every code column is read as text (ICD-10-PCS codes keep their leading zeros) and no
value is taken for "missing": the column `surgical` holds the literal `NA`.
"""
from __future__ import annotations

import gzip
import io
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

# table name -> integer columns (every other column is text)
CMS_TABLES: dict[str, tuple[str, ...]] = {
    "dx_codes": ("version_from", "version_to", "scheme_id", "mdc", "dx_pattern_id", "hac_pattern_id",
                 "dxcat_pattern_id"),
    "dx_schemes": ("scheme_id", "mdc", "dx_pattern_id", "hac_pattern_id", "dxcat_pattern_id"),
    "dx_patterns": ("pattern_id", "position"),
    "dx_sex_mdcs": ("version_from", "version_to", "female_mdc", "male_mdc"),
    "pr_codes": ("version_from", "version_to", "pr_pattern_id"),
    "pr_patterns": ("pattern_id", "position"),
    "pdx_exclusion_ids": ("version_from", "version_to", "exclusion_group_id"),
    "cc_exclusion_groups": ("exclusion_group_id", "position"),
    "cluster_choices": ("version_from", "version_to", "choice_index", "choice", "code_index"),
    "cluster_suppression_mdcs": ("version_from", "version_to", "position", "mdc"),
    "pr_cluster_ids": ("version_from", "version_to", "position"),
    "hac_code_operands": ("version_from", "version_to", "position"),
    "hac_code_numbers": ("version_from", "version_to", "position", "hac_number"),
    "drg_formulas": ("mdc", "version_from", "version_to", "list_index", "rank", "drg", "base_drg", "reroute_mdc",
                     "drg_severity"),
    "drg_formula_suppression": ("mdc", "version_from", "version_to", "list_index"),
    "hac_formulas": ("hac", "version_from", "version_to", "list_index", "hac_number"),
    "drg_descriptions": ("drg", "version_from", "version_to"),
    "base_drg_descriptions": ("base_drg", "version_from", "version_to"),
    "mdc_descriptions": ("mdc", "version_from", "version_to"),
    "hac_descriptions": ("hac", "version_from", "version_to"),
}


class SourceError(ValueError):
    """A CMS source file is missing or does not have the expected shape."""


def read_csv(path: Path, int_columns: tuple[str, ...] = ()) -> pa.Table:
    """Read a (possibly gzip-compressed) CSV: text everywhere, then cast the int columns."""
    if not path.exists():
        raise SourceError(f"{path}: source file not found")
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    header = raw.split(b"\n", 1)[0].decode("utf-8").strip().split(",")
    missing = [c for c in int_columns if c not in header]
    if missing:
        raise SourceError(f"{path}: expected column(s) {', '.join(missing)} not found")
    table = pacsv.read_csv(
        io.BytesIO(raw),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    for name in int_columns:
        index = table.schema.get_field_index(name)
        try:
            column = table.column(name).cast(pa.int32())
        except pa.ArrowInvalid as exc:
            raise SourceError(f"{path}: column {name!r} is not an integer column ({exc})") from exc
        table = table.set_column(index, name, column)
    return table


def read_cms_table(source_dir: Path, name: str) -> pa.Table:
    """One CMS definition table by name (see CMS_TABLES)."""
    return read_csv(source_dir / f"{name}.csv.gz", CMS_TABLES[name])


def read_versions(source_dir: Path) -> list[dict]:
    """The rows of versions.csv as dicts (ids as int, empty end date as None)."""
    table = read_csv(source_dir / "versions.csv", ("version_id", "fiscal_year"))
    rows = table.to_pylist()
    for row in rows:
        row["discharge_through"] = row["discharge_through"] or None
    return rows
