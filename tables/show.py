"""What the tables say about one diagnosis, procedure or DRG in one version.

This is the query side of `drg tables show` and `drg tables list`: plain dataclasses that a
coder-facing text renderer and `--json` both use. It reads only through `load` and the
compiled tables, so it answers exactly what the grouper will see. The reverse lookups
(which principal diagnoses exclude a code, which formulas mention an attribute) are built
here, on demand, so that `load` stays lean.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from drg.tables import cms
from drg.tables.formula import atoms, parse
from drg.tables.loader import TableSet, _column, exclusion_groups, has_table, load
from drg.tables.versions import Version, available_versions

NO_DESCRIPTION = "no title in the ICD-10 titles of this fiscal year or any other"
EXAMPLES = 10          # how many codes a list shows before "and N more"



class NotInTables(LookupError):
    """A code or DRG that the tables do not hold in the version asked for."""


def normalize_code(code: str) -> str:
    """A code a person typed, as the tables store it: no dots or spaces, upper case ("i21.4" -> "I214")."""
    return cms.normalize_code(str(code), drop_inner_spaces=True)


def _labels(versions: list[Version]) -> list[str]:
    return [v.label for v in versions]


def _versions_with(table: str, key_column: str, key: str) -> list[str]:
    """Labels of the versions in which a versioned table has a row for the key."""
    keys = _column(table, key_column)
    rows = [i for i, k in enumerate(keys) if k == key]
    low, high = _column(table, "version_from"), _column(table, "version_to")
    return _labels([v for v in available_versions()
                    if any(low[i] <= v.id <= high[i] for i in rows)])


def versions_with_code(code_type: str, code: str) -> list[str]:
    """Labels of the versions in which a diagnosis ("dx") or procedure ("pr") code is valid."""
    table = "dx_codes" if code_type == "dx" else "pr_codes"
    return _versions_with(table, "code", normalize_code(code))


@dataclass(frozen=True)
class MdcRef:
    """An MDC number and its title."""

    mdc: int
    title: str


@dataclass(frozen=True)
class DxReport:
    """A diagnosis code in one version."""

    version: str
    code: str
    valid: bool
    valid_in_versions: list[str]
    description: str
    mdc: MdcRef | None                      # MDC as principal diagnosis (None: invalid)
    sex_mdcs: dict[str, MdcRef] | None      # {"male": .., "female": ..} when the MDC depends on sex
    severity: str | None                    # MCC, CC or NON_CC as a secondary diagnosis
    attributes: list[str]
    categories: list[str]
    hac_attributes: list[str]
    hac_categories: list[dict]              # [{"hac": n, "title": ...}]
    own_exclusion_group: int | None         # as principal: its CC-exclusion group id
    excludes_count: int                     # ... and how many secondary codes that group holds
    excluded_in_groups: list[int]           # as secondary: the exclusion groups that contain it
    excluded_by_count: int                  # principal diagnoses of this version that exclude it
    excluded_by_examples: list[str]
    mce_edits: list[dict] = dataclasses.field(default_factory=list)     # mce_edits_of


@dataclass(frozen=True)
class FormulaUse:
    """A formula row that mentions some of a procedure's attributes."""

    mdc: int
    drg: int                                # 0 for a control row (reroute_mdc then says where to)
    title: str
    reroute_mdc: int
    attributes: list[str]
    formula: str


@dataclass(frozen=True)
class PrReport:
    """A procedure code in one version."""

    version: str
    code: str
    valid: bool
    valid_in_versions: list[str]
    description: str
    operating_room: bool | None
    or_status: str
    attributes: list[str]
    mdcs: list[MdcRef]                      # MDCs whose formulas mention its attributes
    drgs: list[int]                         # DRGs whose formulas mention its attributes
    formulas: list[FormulaUse]
    clusters: list[dict]                    # [{"cluster_id", "choices", "suppression_mdcs", "attributes"}]
    hac_operands: list[str]
    mce_edits: list[dict] = dataclasses.field(default_factory=list)     # mce_edits_of


@dataclass(frozen=True)
class DrgFormulaText:
    """One formula row that assigns a DRG."""

    mdc: int
    rank: int
    formula: str
    severity_suppression: list[str]


@dataclass(frozen=True)
class DrgReport:
    """An MS-DRG in one version, with the weights of the version's fiscal year."""

    version: str
    drg: int
    title: str
    base_drg: int
    base_drg_title: str | None
    mdcs: list[MdcRef]
    surgical: str                           # SURGICAL, MEDICAL or NA
    fiscal_year: int
    relative_weight: float | None
    weight_before_cap: float | None
    gmlos: float | None
    amlos: float | None
    post_acute_transfer: bool | None
    special_pay: bool | None
    weights_source: str | None
    formulas: list[DrgFormulaText]


def _described(code_type: str, code: str, ts: TableSet) -> str:
    """The code's long title of the version's fiscal year (the nearest year's when that year has none)."""
    from drg.tables.titles import title

    return title(code_type, code, ts.version.fiscal_year) or NO_DESCRIPTION


def _mdc(ts: TableSet, mdc: int) -> MdcRef:
    return MdcRef(mdc, ts.mdc_titles.get(mdc, "(no title)"))


def _excluding_groups(code: str) -> set[int]:
    """Ids of the CC-exclusion groups that list `code` as an excluded secondary diagnosis."""
    codes = _column("cc_exclusion_groups", "sdx_code")
    ids = _column("cc_exclusion_groups", "exclusion_group_id")
    return {int(ids[i]) for i, c in enumerate(codes) if c == code}


def mce_edits_of(kind: str, code: str, version: Version) -> list[dict]:
    """Which Medicare Code Editor edits a code ("dx" or "pr") can raise, and when.

    One entry per range of discharge dates the MCE tables hold for the code (the MCE works by
    date, not by MS-DRG version): `date_from`, `date_through`, `in_version` (the range meets
    the version's effective dates) and `edits`, each with its CMS title and number, its type
    (prepayment / postpayment / informational) and `when`: the code's flags that raise it, in
    plain words. Empty when the MCE has never known the code: it is then INVALID_CODE on
    every date.
    """
    from drg.tables.mce import EditType, load_mce

    mce = load_mce()
    kinds = {EditType.PREPAYMENT: "prepayment", EditType.POSTPAYMENT: "postpayment"}
    out = []
    for entry in mce.code_edits(kind, code):
        edits = []
        for edit in entry.edits:
            info = mce.edits[edit]
            when = [meaning for flag, meaning in zip(entry.flags, entry.meanings)
                    if edit.value in mce.flag_info[flag].used_by]
            edits.append({"edit": edit.value, "title": info.title, "edit_number": info.manual_number or None,
                          "type": kinds.get(info.edit_type, "informational"), "when": "; ".join(when)})
        out.append({"date_from": entry.date_from.isoformat(), "date_through": entry.date_through.isoformat(),
                    "in_version": entry.date_from <= version.effective_through
                    and entry.date_through >= version.effective_from,
                    "edits": edits})
    return out


def show_dx(version: "str | int | Version", code: str) -> DxReport:
    """Everything the tables of `version` say about a diagnosis code."""
    ts = load(version)
    code = normalize_code(code)
    info = ts.diagnoses.get(code)
    valid_in = _versions_with("dx_codes", "code", code)
    if info is None:
        return DxReport(ts.version.label, code, False, valid_in, _described("dx", code, ts), None, None, None,
                        [], [], [], [], None, 0, [], 0, [], mce_edits_of("dx", code, ts.version))
    sex = ts.sex_mdcs.get(code)
    own = ts.exclusion_group_ids.get(code)
    groups = _excluding_groups(code)
    excluded_by = sorted(p for p, g in ts.exclusion_group_ids.items() if g in groups)
    hac_numbers = ts.hac_lists[code].numbers if code in ts.hac_lists else ()
    return DxReport(
        version=ts.version.label, code=code, valid=True, valid_in_versions=valid_in,
        description=_described("dx", code, ts),
        mdc=_mdc(ts, info.mdc),
        sex_mdcs={"male": _mdc(ts, sex[0]), "female": _mdc(ts, sex[1])} if sex else None,
        severity=info.severity,
        attributes=sorted(info.attributes), categories=list(info.categories),
        hac_attributes=list(info.hac_attributes),
        hac_categories=[{"hac": n, "title": ts.hac_titles.get(n, "")} for n in sorted(set(hac_numbers))],
        own_exclusion_group=own,
        excludes_count=len(exclusion_groups().get(own, ())) if own is not None else 0,
        excluded_in_groups=sorted(groups),
        excluded_by_count=len(excluded_by), excluded_by_examples=excluded_by[:EXAMPLES],
        mce_edits=mce_edits_of("dx", code, ts.version),
    )


def _formula_uses(ts: TableSet, attributes: frozenset[str]) -> list[FormulaUse]:
    """Formula rows whose unprefixed atoms (procedure attributes) include any of `attributes`."""
    out = []
    for mdc in sorted(ts.formulas):
        for f in ts.formulas[mdc]:
            names = {a.name for a in atoms(parse(f.formula, ts.version.id)) if a.prefix == "NONE"}
            hits = sorted(names & attributes)
            if hits:
                out.append(FormulaUse(mdc, f.drg, ts.drg_titles.get(f.drg, "") if f.drg else "",
                                      f.reroute_mdc, hits, f.formula))
    return out


def show_pr(version: "str | int | Version", code: str) -> PrReport:
    """Everything the tables of `version` say about a procedure code."""
    ts = load(version)
    code = normalize_code(code)
    attributes = ts.procedures.get(code)
    valid_in = _versions_with("pr_codes", "code", code)
    if attributes is None:
        return PrReport(ts.version.label, code, False, valid_in, _described("pr", code, ts), None,
                        "not valid in this version", [], [], [], [], [], [], mce_edits_of("pr", code, ts.version))
    or_kinds = [f"{words} procedure" for words in cms.or_kinds(attributes)]
    uses = _formula_uses(ts, attributes)
    clusters = []
    for cid in ts.procedure_clusters.get(code, ()):
        cluster = ts.clusters.get(cid)
        clusters.append({
            "cluster_id": cid,
            "choices": [sorted(c) for c in cluster.choices] if cluster else [],
            "suppression_mdcs": sorted(cluster.suppression_mdcs) if cluster else [],
            "attributes": sorted(ts.procedures.get(cid, ())),
        })
    hac = ts.hac_lists.get(code)
    return PrReport(
        version=ts.version.label, code=code, valid=True, valid_in_versions=valid_in,
        description=_described("pr", code, ts),
        operating_room=bool(or_kinds),
        or_status=", ".join(or_kinds) if or_kinds else "non-O.R. procedure",
        attributes=sorted(attributes),
        mdcs=[_mdc(ts, m) for m in sorted({u.mdc for u in uses})],
        drgs=sorted({u.drg for u in uses if u.drg}),
        formulas=uses, clusters=clusters,
        hac_operands=list(hac.operands) if hac else [],
        mce_edits=mce_edits_of("pr", code, ts.version),
    )


def show_drg(version: "str | int | Version", drg: "int | str") -> DrgReport:
    """Everything the tables of `version` say about an MS-DRG, with its fiscal year's weights."""
    ts = load(version)
    try:
        number = int(str(drg).strip())
    except ValueError:
        raise NotInTables(f"not a DRG number: {drg!r} (write it like 281)") from None
    rows = [f for mdc in sorted(ts.formulas) for f in ts.formulas[mdc] if f.drg == number]
    if not rows:
        raise NotInTables(f"DRG {number:03d} is not assigned by any formula of MS-DRG {ts.version.label}")
    weight = ts.weights.get(number)
    base = rows[0].base_drg
    return DrgReport(
        version=ts.version.label, drg=number, title=ts.drg_titles.get(number, "(no title)"),
        base_drg=base, base_drg_title=ts.base_drg_titles.get(base),
        mdcs=[_mdc(ts, m) for m in sorted({f.mdc for f in rows})],
        surgical=rows[0].surgical, fiscal_year=ts.version.fiscal_year,
        relative_weight=weight.relative_weight if weight else None,
        weight_before_cap=weight.weight_before_cap if weight else None,
        gmlos=weight.gmlos if weight else None, amlos=weight.amlos if weight else None,
        post_acute_transfer=weight.post_acute_transfer if weight else None,
        special_pay=weight.special_pay if weight else None,
        weights_source=weight.source_file if weight else None,
        formulas=[DrgFormulaText(f.mdc, f.rank, f.formula, sorted(f.suppression)) for f in rows],
    )


def list_versions() -> list[dict[str, Any]]:
    """Every version with fiscal year, effective dates, and which weights / base rates exist."""
    weight_files: dict[int, set[str]] = {}
    if has_table("drg_weights"):
        years = _column("drg_weights", "fiscal_year")
        files = _column("drg_weights", "source_file")
        for year, name in zip(np.asarray(years).tolist(), files):
            weight_files.setdefault(year, set()).add(name)
    rate_years: set[int] = set()
    if has_table("base_rates"):
        rate_years = set(np.unique(_column("base_rates", "fiscal_year")).tolist())
    return [{
        "version": v.label, "id": v.id, "fiscal_year": v.fiscal_year,
        "effective_from": v.effective_from.isoformat(), "effective_through": v.effective_through.isoformat(),
        "source": v.source,
        "weights": sorted(weight_files.get(v.fiscal_year, ())),
        "base_rates": v.fiscal_year in rate_years,
    } for v in available_versions()]


def as_json(report: Any) -> Any:
    """A report as plain JSON-ready data (dataclasses become dicts)."""
    if dataclasses.is_dataclass(report) and not isinstance(report, type):
        return dataclasses.asdict(report)
    return report

