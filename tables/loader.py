"""Load one MS-DRG version's tables from the compiled Parquet files.

`load(version)` returns an immutable `TableSet`, cached per process. Files are checked
against the manifest (size and SHA-256) before use, so a damaged file is refused with
a clear message instead of producing wrong DRGs.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from drg.tables.manifest import TableIntegrityError, check_file, read_manifest
from drg.tables.paths import DATA_DIR
from drg.tables.records import (BaseRate, Cluster, DiagnosisInfo, DrgFormula, DrgWeight,
                                HacCodeLists)
from drg.tables.versions import Version, parse_version

_SEVERITY = {"MCC": "MCC", "CC": "CC", "NCC": "NON_CC"}
_lock = threading.RLock()


@lru_cache(maxsize=None)
def read_table(name: str) -> pa.Table:
    """One compiled table, checked against the manifest first (read once per process)."""
    file_name = f"{name}.parquet"
    entry = read_manifest()["files"].get(file_name)
    if entry is None:
        raise TableIntegrityError(f"{file_name}: not listed in the manifest; rebuild the tables")
    problem = check_file(DATA_DIR, file_name, entry)
    if problem:
        raise TableIntegrityError(f"refusing to use damaged table {problem}; run `drg tables verify`")
    return pq.read_table(DATA_DIR / file_name)


def has_table(name: str) -> bool:
    return f"{name}.parquet" in read_manifest()["files"]


def rows_for(name: str, version_id: int) -> pa.Table:
    """The rows of a versioned table whose [version_from, version_to] range holds the version."""
    table = read_table(name)
    keep = pc.and_(pc.less_equal(table["version_from"], version_id),
                   pc.greater_equal(table["version_to"], version_id))
    return table.filter(keep)


def _grouped_lists(keys: list, values: list) -> dict:
    """Consecutive runs of equal keys -> tuple of their values (input sorted by key, position)."""
    out: dict = {}
    for key, value in zip(keys, values):
        out.setdefault(key, []).append(value)
    return {k: tuple(v) for k, v in out.items()}


def _sorted_by(table: pa.Table, *columns: str) -> pa.Table:
    return table.sort_by([(c, "ascending") for c in columns])


@lru_cache(maxsize=None)
def dx_pattern_lists() -> Mapping[int, tuple[str, ...]]:
    table = _sorted_by(read_table("dx_patterns"), "pattern_id", "position")
    lists = _grouped_lists(table["pattern_id"].to_pylist(), table["attribute"].to_pylist())
    return {k: tuple(a for a in v if a) for k, v in lists.items()}


@lru_cache(maxsize=None)
def pr_pattern_sets() -> Mapping[int, frozenset[str]]:
    table = _sorted_by(read_table("pr_patterns"), "pattern_id", "position")
    lists = _grouped_lists(table["pattern_id"].to_pylist(), table["attribute"].to_pylist())
    return {k: frozenset(a for a in v if a) for k, v in lists.items()}


@lru_cache(maxsize=None)
def exclusion_groups() -> Mapping[int, frozenset[str]]:
    table = read_table("cc_exclusion_groups")
    ids = table["exclusion_group_id"].to_numpy()
    codes = table["sdx_code"].to_pylist()
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
    for row in read_table("dx_schemes").to_pylist():
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
    rows = rows_for(name, version_id)
    return MappingProxyType(dict(zip(rows[key].to_pylist(), rows["description"].to_pylist())))


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
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def excluded_by(self, pdx_code: str) -> frozenset[str]:
        """Secondary diagnoses that the principal diagnosis excludes as CC/MCC."""
        group = self.exclusion_group_ids.get(pdx_code)
        return exclusion_groups()[group] if group is not None else frozenset()

    @property
    def drgs(self) -> tuple[int, ...]:
        """The DRGs this version can assign, ascending."""
        return tuple(sorted({f.drg for rows in self.formulas.values() for f in rows if f.drg}))


def _diagnoses(version_id: int) -> dict[str, DiagnosisInfo]:
    rows = rows_for("dx_codes", version_id)
    schemes = _schemes()
    return dict(zip(rows["code"].to_pylist(), map(schemes.__getitem__, rows["scheme_id"].to_pylist())))


def _procedures(version_id: int) -> dict[str, frozenset[str]]:
    rows = rows_for("pr_codes", version_id)
    patterns = pr_pattern_sets()
    empty = frozenset()
    return dict(zip(rows["code"].to_pylist(),
                    (patterns.get(p, empty) for p in rows["pr_pattern_id"].to_pylist())))


def _clusters(version_id: int) -> dict[str, Cluster]:
    choices = _sorted_by(rows_for("cluster_choices", version_id), "cluster_id", "choice", "code_index")
    slots: dict[str, dict[int, set[str]]] = {}
    for cid, choice, code in zip(choices["cluster_id"].to_pylist(), choices["choice"].to_pylist(),
                                 choices["code"].to_pylist()):
        slots.setdefault(cid, {}).setdefault(choice, set()).add(code)
    supp = _sorted_by(rows_for("cluster_suppression_mdcs", version_id), "cluster_id", "position")
    mdcs = _grouped_lists(supp["cluster_id"].to_pylist(), supp["mdc"].to_pylist())
    return {cid: Cluster(cid, tuple(frozenset(s[k]) for k in sorted(s)), frozenset(mdcs.get(cid, ())))
            for cid, s in slots.items()}


def _formulas(version_id: int) -> dict[int, tuple[DrgFormula, ...]]:
    supp = rows_for("drg_formula_suppression", version_id)
    suppression: dict[tuple[int, int], set[str]] = {}
    for mdc, index, operand in zip(supp["mdc"].to_pylist(), supp["list_index"].to_pylist(),
                                   supp["operand"].to_pylist()):
        if operand:
            suppression.setdefault((mdc, index), set()).add(operand)
    rows = _sorted_by(rows_for("drg_formulas", version_id), "mdc", "rank", "list_index").to_pylist()
    out: dict[int, list[DrgFormula]] = {}
    for r in rows:
        out.setdefault(r["mdc"], []).append(DrgFormula(
            mdc=r["mdc"], rank=r["rank"], list_index=r["list_index"], drg=r["drg"], base_drg=r["base_drg"],
            surgical=r["surgical"], reroute_mdc=r["reroute_mdc"], drg_severity=r["drg_severity"],
            formula=r["formula"], suppression=frozenset(suppression.get((r["mdc"], r["list_index"]), ()))))
    return {mdc: tuple(rows) for mdc, rows in out.items()}


_HAC_DIGITS = re.compile(r"(\d+)")


def _hac_lists(version_id: int, diagnoses: Mapping[str, DiagnosisInfo]) -> dict[str, HacCodeLists]:
    operands = _sorted_by(rows_for("hac_code_operands", version_id), "code", "position")
    numbers = _sorted_by(rows_for("hac_code_numbers", version_id), "code", "position")
    if operands.num_rows:
        ops = _grouped_lists(operands["code"].to_pylist(), operands["hac_operand"].to_pylist())
        nums = _grouped_lists(numbers["code"].to_pylist(), numbers["hac_number"].to_pylist())
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


def _weights(fiscal_year: int) -> tuple[dict[int, DrgWeight], BaseRate | None]:
    weights: dict[int, DrgWeight] = {}
    if has_table("drg_weights"):
        table = read_table("drg_weights")
        rows = table.filter(pc.equal(table["fiscal_year"], fiscal_year)).to_pylist()
        for r in rows:
            weights[r["drg"]] = DrgWeight(r["drg"], r["fiscal_year"], r["weight"], r["weight_before_cap"],
                                          r["gmlos"], r["amlos"], r["post_acute_transfer"], r["special_pay"],
                                          r["source_file"])
    rate = None
    if has_table("base_rates"):
        table = read_table("base_rates")
        for r in table.filter(pc.equal(table["fiscal_year"], fiscal_year)).to_pylist():
            rate = BaseRate(r["fiscal_year"], r["operating_standardized_amount"], r["capital_federal_rate"],
                            r["source"])
    return weights, rate


@lru_cache(maxsize=None)
def _load(version_id: int) -> TableSet:
    version = parse_version(version_id)
    diagnoses = _diagnoses(version_id)
    sex = rows_for("dx_sex_mdcs", version_id)
    excl = rows_for("pdx_exclusion_ids", version_id)
    pr_clusters = _sorted_by(rows_for("pr_cluster_ids", version_id), "code", "position")
    hac = rows_for("hac_formulas", version_id).sort_by([("hac", "ascending"), ("list_index", "ascending")])
    weights, rate = _weights(version.fiscal_year)
    ro = MappingProxyType
    return TableSet(
        version=version,
        diagnoses=ro(diagnoses),
        procedures=ro(_procedures(version_id)),
        sex_mdcs=ro({c: (m, f) for c, m, f in zip(sex["code"].to_pylist(), sex["male_mdc"].to_pylist(),
                                                   sex["female_mdc"].to_pylist())}),
        exclusion_group_ids=ro(dict(zip(excl["pdx_code"].to_pylist(), excl["exclusion_group_id"].to_pylist()))),
        clusters=ro(_clusters(version_id)),
        procedure_clusters=ro(_grouped_lists(pr_clusters["code"].to_pylist(), pr_clusters["cluster_id"].to_pylist())),
        hac_lists=ro(_hac_lists(version_id, diagnoses)),
        formulas=ro(_formulas(version_id)),
        hac_formulas=ro(_grouped_lists(hac["hac_number"].to_pylist(), hac["formula"].to_pylist())),
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
