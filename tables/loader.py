"""Load one MS-DRG version's tables from the compiled Parquet files.

`load(version)` returns an immutable `TableSet`, cached per process. Files are checked
against the manifest (size and SHA-256) before use, so a damaged file is refused with
a clear message instead of producing wrong DRGs.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Mapping

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from drg.tables.manifest import TableIntegrityError, check_bytes, read_manifest
from drg.tables.paths import DATA_DIR
from drg.tables.records import (BaseRate, Cluster, DiagnosisInfo, DrgFormula, DrgWeight,
                                HacCodeLists)
from drg.tables.versions import Version, parse_version

# Speed notes (cold `load` is on the path of every `drg group` from a shell):
# * files are read once; the manifest check hashes the same bytes that are parsed;
# * `pq.ParquetFile(...).read()` is used, not `pq.read_table`, which imports
#   pyarrow.dataset and with it pandas (~0.35 s);
# * columns become numpy through their buffers and Python lists through `to_pylist`:
#   pyarrow's `to_numpy` and `pyarrow.compute` (filter, sort) also import pandas, so the
#   version-range filter and the sorts are done with numpy and Python instead.

_SEVERITY = {"MCC": "MCC", "CC": "CC", "NCC": "NON_CC"}
_lock = threading.RLock()


@lru_cache(maxsize=None)
def _read_checked(name: str, data_dir: Path) -> pa.Table:
    return pq.ParquetFile(pa.BufferReader(checked_bytes(name, data_dir))).read(use_threads=False)


def checked_bytes(name: str, data_dir: Path = DATA_DIR) -> bytes:
    """The bytes of one compiled file, checked against the manifest (TableIntegrityError when
    missing, unlisted or damaged): for a reader that decodes only part of a file."""
    file_name = f"{name}.parquet"
    entry = read_manifest(data_dir)["files"].get(file_name)
    if entry is None:
        raise TableIntegrityError(f"{file_name}: not listed in the manifest; rebuild the tables")
    path = data_dir / file_name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise TableIntegrityError(f"refusing to load {file_name}: file missing from {data_dir}; "
                                  "reinstall the package or run `drg tables build`") from None
    problem = check_bytes(file_name, data, entry)
    if problem:
        raise TableIntegrityError(f"refusing to use damaged table {problem}; run `drg tables verify`")
    return data


def read_table(name: str, data_dir: Path | None = None) -> pa.Table:
    """One compiled table, checked against the manifest first (read once per process).

    `data_dir` defaults to the package's own tables; pass another directory to read (and
    check) a copy, e.g. in tests.
    """
    return _read_checked(name, Path(data_dir) if data_dir is not None else DATA_DIR)


def has_table(name: str) -> bool:
    """Whether the manifest lists a compiled table of this name."""
    return f"{name}.parquet" in read_manifest()["files"]


def _ints(array: pa.ChunkedArray) -> np.ndarray:
    """An integer column without nulls as a numpy array, read from its buffers (no pandas)."""
    if array.null_count:
        raise TableIntegrityError("unexpected null in an integer column of the compiled tables")
    parts = []
    kind = "i" if pa.types.is_signed_integer(array.type) else "u"
    dtype = np.dtype(f"{kind}{array.type.bit_width // 8}")
    for chunk in array.chunks:
        parts.append(np.frombuffer(chunk.buffers()[1], dtype=dtype, count=len(chunk),
                                   offset=chunk.offset * dtype.itemsize))
    return parts[0] if len(parts) == 1 else np.concatenate(parts) if parts else np.empty(0, dtype)


@lru_cache(maxsize=None)
def _column(name: str, column: str) -> "np.ndarray | list":
    """A whole column of a table: numpy for integer columns, a Python list otherwise."""
    array = read_table(name).column(column)
    if pa.types.is_integer(array.type):
        return _ints(array)
    return array.to_pylist()


@lru_cache(maxsize=None)
def _range_index(name: str, version_id: int) -> np.ndarray:
    """Positions of the rows whose [version_from, version_to] range holds the version."""
    low, high = np.asarray(_column(name, "version_from")), np.asarray(_column(name, "version_to"))
    return np.flatnonzero((low <= version_id) & (high >= version_id))


def _version_rows(name: str, version_id: int, columns: Iterable[str],
                  order: tuple[str, ...] = ()) -> dict[str, list]:
    """Columns (as lists) of a versioned table's rows for one version, optionally sorted by `order`."""
    index = _range_index(name, version_id)
    positions = index.tolist()
    out: dict[str, list] = {}
    for column in dict.fromkeys((*columns, *order)):
        values = _column(name, column)
        out[column] = values[index].tolist() if isinstance(values, np.ndarray) else [values[i] for i in positions]
    if order:
        keys = list(zip(*(out[c] for c in order)))
        perm = sorted(range(len(positions)), key=keys.__getitem__)
        out = {c: [v[i] for i in perm] for c, v in out.items()}
    return out


def _grouped_lists(keys: list, values: list) -> dict:
    """Consecutive runs of equal keys -> tuple of their values (input sorted by key, position)."""
    out: dict = {}
    for key, value in zip(keys, values):
        out.setdefault(key, []).append(value)
    return {k: tuple(v) for k, v in out.items()}


def _table_rows(name: str, order: tuple[str, ...]) -> dict[str, list]:
    """All columns of an unversioned table as lists, sorted by `order`."""
    table = read_table(name)
    columns = {c: _column(name, c) for c in table.column_names}
    columns = {c: v.tolist() if isinstance(v, np.ndarray) else v for c, v in columns.items()}
    keys = list(zip(*(columns[c] for c in order)))
    perm = sorted(range(table.num_rows), key=keys.__getitem__)
    return {c: [v[i] for i in perm] for c, v in columns.items()}


@lru_cache(maxsize=None)
def dx_pattern_lists() -> Mapping[int, tuple[str, ...]]:
    """Diagnosis pattern id -> its attribute names in stored order (all versions share them)."""
    table = _table_rows("dx_patterns", ("pattern_id", "position"))
    lists = _grouped_lists(table["pattern_id"], table["attribute"])
    return {k: tuple(a for a in v if a) for k, v in lists.items()}


@lru_cache(maxsize=None)
def pr_pattern_sets() -> Mapping[int, frozenset[str]]:
    """Procedure pattern id -> its attribute set (all versions share them)."""
    table = _table_rows("pr_patterns", ("pattern_id", "position"))
    lists = _grouped_lists(table["pattern_id"], table["attribute"])
    return {k: frozenset(a for a in v if a) for k, v in lists.items()}


@lru_cache(maxsize=None)
def exclusion_groups() -> Mapping[int, frozenset[str]]:
    """CC exclusion group id -> the secondary diagnoses it excludes (read on first use)."""
    ids = _column("cc_exclusion_groups", "exclusion_group_id")
    codes = _column("cc_exclusion_groups", "sdx_code")
    order = np.argsort(ids, kind="stable")
    ids = ids[order]
    codes = [codes[i] for i in order]
    bounds = np.flatnonzero(np.diff(ids)) + 1
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [len(ids)]))
    return {int(ids[s]): frozenset(codes[s:e]) for s, e in zip(starts, ends)}


@lru_cache(maxsize=None)
def _schemes() -> Mapping[int, DiagnosisInfo]:
    patterns = dx_pattern_lists()
    out = {}
    for row in read_table("dx_schemes").to_pylist():  # 828 rows
        attributes = patterns.get(row["dx_pattern_id"], ())
        out[row["scheme_id"]] = DiagnosisInfo(
            mdc=row["mdc"], severity=_SEVERITY[row["severity"]],
            attributes=frozenset(attributes),
            attributes_lower=frozenset(a.lower() for a in attributes),
            categories=patterns.get(row["dxcat_pattern_id"], ()),
            hac_attributes=patterns.get(row["hac_pattern_id"], ()),
        )
    return out


def _description_map(name: str, key: str, version_id: int) -> Mapping[int, str]:
    rows = _version_rows(name, version_id, (key, "description"))
    return MappingProxyType(dict(zip(rows[key], rows["description"])))


@dataclass(frozen=True)
class TableSet:
    """Everything the grouper knows for one MS-DRG version (immutable; build with `load`)."""

    version: Version
    diagnoses: Mapping[str, DiagnosisInfo]
    procedures: Mapping[str, frozenset[str]]           # code (also cluster ids Z@nnnn) -> attributes
    sex_mdcs: Mapping[str, tuple[int, int]]            # dx code -> (male MDC, female MDC)
    exclusion_group_ids: Mapping[str, int]             # pdx code -> exclusion group id
    clusters: Mapping[str, Cluster]
    procedure_clusters: Mapping[str, tuple[str, ...]]  # procedure code -> cluster ids
    hac_lists: Mapping[str, HacCodeLists]
    formulas: Mapping[int, tuple[DrgFormula, ...]]     # MDC -> rows in evaluation order
    hac_formulas: Mapping[int, tuple[str, ...]]        # HAC number -> formulas in stored order
    drg_titles: Mapping[int, str]
    base_drg_titles: Mapping[int, str]
    mdc_titles: Mapping[int, str]
    hac_titles: Mapping[int, str]
    weights: Mapping[int, DrgWeight]                   # DRG -> figures of the version's fiscal year
    base_rate: BaseRate | None

    def excluded_by(self, pdx_code: str) -> frozenset[str]:
        """Secondary diagnoses that the principal diagnosis excludes as CC/MCC."""
        group = self.exclusion_group_ids.get(pdx_code)
        return exclusion_groups()[group] if group is not None else frozenset()

    @property
    def drgs(self) -> tuple[int, ...]:
        """The DRGs this version can assign, ascending."""
        return tuple(sorted({f.drg for rows in self.formulas.values() for f in rows if f.drg}))


def _diagnoses(version_id: int) -> dict[str, DiagnosisInfo]:
    rows = _version_rows("dx_codes", version_id, ("code", "scheme_id"))
    schemes = _schemes()
    return dict(zip(rows["code"], map(schemes.__getitem__, rows["scheme_id"])))


def _procedures(version_id: int) -> dict[str, frozenset[str]]:
    rows = _version_rows("pr_codes", version_id, ("code", "pr_pattern_id"))
    patterns = pr_pattern_sets()
    empty: frozenset[str] = frozenset()
    return dict(zip(rows["code"], (patterns.get(p, empty) for p in rows["pr_pattern_id"])))


def _clusters(version_id: int) -> dict[str, Cluster]:
    choices = _version_rows("cluster_choices", version_id, ("code",), order=("cluster_id", "choice", "code_index"))
    slots: dict[str, dict[int, set[str]]] = {}
    for cid, choice, code in zip(choices["cluster_id"], choices["choice"], choices["code"]):
        slots.setdefault(cid, {}).setdefault(choice, set()).add(code)
    supp = _version_rows("cluster_suppression_mdcs", version_id, ("mdc",), order=("cluster_id", "position"))
    mdcs = _grouped_lists(supp["cluster_id"], supp["mdc"])
    return {cid: Cluster(cid, tuple(frozenset(s[k]) for k in sorted(s)), frozenset(mdcs.get(cid, ())))
            for cid, s in slots.items()}


def _formulas(version_id: int) -> dict[int, tuple[DrgFormula, ...]]:
    supp = _version_rows("drg_formula_suppression", version_id, ("mdc", "list_index", "operand"))
    suppression: dict[tuple[int, int], set[str]] = {}
    for mdc, index, operand in zip(supp["mdc"], supp["list_index"], supp["operand"]):
        if operand:
            suppression.setdefault((mdc, index), set()).add(operand)
    columns = ("drg", "base_drg", "surgical", "reroute_mdc", "drg_severity", "formula")
    table = _version_rows("drg_formulas", version_id, columns, order=("mdc", "rank", "list_index"))
    names = list(table)
    out: dict[int, list[DrgFormula]] = {}
    for values in zip(*table.values()):
        r = dict(zip(names, values))
        out.setdefault(r["mdc"], []).append(DrgFormula(
            mdc=r["mdc"], rank=r["rank"], list_index=r["list_index"], drg=r["drg"], base_drg=r["base_drg"],
            surgical=r["surgical"], reroute_mdc=r["reroute_mdc"], drg_severity=r["drg_severity"],
            formula=r["formula"], suppression=frozenset(suppression.get((r["mdc"], r["list_index"]), ()))))
    return {mdc: tuple(rows) for mdc, rows in out.items()}


_HAC_DIGITS = re.compile(r"(\d+)")


def _hac_lists(version_id: int, diagnoses: Mapping[str, DiagnosisInfo]) -> dict[str, HacCodeLists]:
    operands = _version_rows("hac_code_operands", version_id, ("hac_operand",), order=("code", "position"))
    numbers = _version_rows("hac_code_numbers", version_id, ("hac_number",), order=("code", "position"))
    if operands["code"]:
        ops = _grouped_lists(operands["code"], operands["hac_operand"])
        nums = _grouped_lists(numbers["code"], numbers["hac_number"])
        return {code: HacCodeLists(ops.get(code, ()), nums.get(code, ())) for code in ops.keys() | nums.keys()}
    # Versions without CMS HAC lists (44.0 comes from a source that lacks them): derive the
    # lists from each diagnosis's HAC attributes, which name the same HAC categories.
    out = {}
    for code, info in diagnoses.items():
        if not info.hac_attributes:
            continue
        found = sorted({int(n) for a in info.hac_attributes for n in _HAC_DIGITS.findall(a)})
        out[code] = HacCodeLists(tuple(sorted(info.hac_attributes)), tuple(found))
    return out


def _rows_of_year(name: str, fiscal_year: int) -> list[dict]:
    """The rows of one fiscal year of a table sorted by fiscal year (one contiguous slice)."""
    years = _column(name, "fiscal_year")
    start, stop = np.searchsorted(years, [fiscal_year, fiscal_year + 1])
    return read_table(name).slice(int(start), int(stop - start)).to_pylist()


def _weights(fiscal_year: int) -> tuple[dict[int, DrgWeight], BaseRate | None]:
    weights: dict[int, DrgWeight] = {}
    if has_table("drg_weights"):
        for r in _rows_of_year("drg_weights", fiscal_year):
            weights[r["drg"]] = DrgWeight(r["drg"], r["fiscal_year"], r["weight"], r["weight_before_cap"],
                                          r["gmlos"], r["amlos"], r["post_acute_transfer"], r["special_pay"],
                                          r["source_file"])
    rate = None
    if has_table("base_rates"):
        for r in _rows_of_year("base_rates", fiscal_year):
            rate = BaseRate(r["fiscal_year"], r["operating_standardized_amount"], r["capital_federal_rate"],
                            r["source"])
    return weights, rate


@lru_cache(maxsize=None)
def _load(version_id: int) -> TableSet:
    version = parse_version(version_id)
    diagnoses = _diagnoses(version_id)
    sex = _version_rows("dx_sex_mdcs", version_id, ("code", "male_mdc", "female_mdc"))
    excl = _version_rows("pdx_exclusion_ids", version_id, ("pdx_code", "exclusion_group_id"))
    pr_clusters = _version_rows("pr_cluster_ids", version_id, ("cluster_id",), order=("code", "position"))
    hac = _version_rows("hac_formulas", version_id, ("hac_number", "formula"), order=("hac", "list_index"))
    weights, rate = _weights(version.fiscal_year)
    ro = MappingProxyType
    return TableSet(
        version=version,
        diagnoses=ro(diagnoses),
        procedures=ro(_procedures(version_id)),
        sex_mdcs=ro({c: (m, f) for c, m, f in zip(sex["code"], sex["male_mdc"], sex["female_mdc"])}),
        exclusion_group_ids=ro(dict(zip(excl["pdx_code"], excl["exclusion_group_id"]))),
        clusters=ro(_clusters(version_id)),
        procedure_clusters=ro(_grouped_lists(pr_clusters["code"], pr_clusters["cluster_id"])),
        hac_lists=ro(_hac_lists(version_id, diagnoses)),
        formulas=ro(_formulas(version_id)),
        hac_formulas=ro(_grouped_lists(hac["hac_number"], hac["formula"])),
        drg_titles=_description_map("drg_descriptions", "drg", version_id),
        base_drg_titles=_description_map("base_drg_descriptions", "base_drg", version_id),
        mdc_titles=_description_map("mdc_descriptions", "mdc", version_id),
        hac_titles=_description_map("hac_descriptions", "hac", version_id),
        weights=ro(weights),
        base_rate=rate,
    )


def load(version: "str | int | Version") -> TableSet:
    """The table set of one version ("43.1", "431", 431, "v43.1"), cached per process."""
    version_id = parse_version(version).id
    with _lock:
        return _load(version_id)
