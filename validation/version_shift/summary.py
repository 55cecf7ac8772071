"""The summary of a version shift, computed from the per-claim shift frame (pure pandas).

Case-mix index (CMI) = mean relative weight of the claims. It is computed four ways, for
each grouping (from-version, to-version) with each fiscal year's weights, so that the total
change splits into a regrouping effect (same weights, other DRGs) and a reweighting effect
(same DRGs, other weights), along two paths:

  at the from-year weights:  regrouping = CMI(to DRGs, from FY) - CMI(from DRGs, from FY)
                             reweighting = CMI(to DRGs, to FY) - CMI(to DRGs, from FY)
  at the to-year weights:    reweighting = CMI(from DRGs, to FY) - CMI(from DRGs, from FY)
                             regrouping = CMI(to DRGs, to FY) - CMI(from DRGs, to FY)

Each path uses the claims for which all three weights it needs exist, so its two effects
add up exactly to its total; the claims left out (e.g. a DRG that does not exist in the other
fiscal year has no weight there) are counted, never guessed.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd

from drg.tables import load
from drg.validation.version_shift.reasons import CODE_REASON_KINDS

__all__ = ["ShiftSummary", "CmiFigure", "CmiPath", "summarize_shift"]



@dataclass(frozen=True)
class CmiFigure:
    """CMI of one grouping with one fiscal year's weights."""

    grouping: str          # version label whose DRGs are weighed
    fiscal_year: int       # whose weights
    cmi: float | None
    claims: int            # claims with a weight
    claims_without_weight: int


@dataclass(frozen=True)
class CmiPath:
    """One decomposition of the CMI change into regrouping and reweighting."""

    name: str              # "at FY2026 weights" ...
    claims: int
    claims_left_out: int
    start_cmi: float | None
    end_cmi: float | None
    regrouping: float | None
    reweighting: float | None

    @property
    def total(self) -> float | None:
        if self.start_cmi is None or self.end_cmi is None:
            return None
        return self.end_cmi - self.start_cmi


@dataclass
class ShiftSummary:
    """Everything the report shows; every table is a pandas DataFrame."""

    from_version: str
    to_version: str
    from_fiscal_year: int
    to_fiscal_year: int
    claims: int
    grouped: int                     # rows with a DRG under both versions
    not_grouped: int                 # rows that could not be read or grouped (status says why)
    changed: int                     # grouped rows whose DRG differs
    mdc_changed: int
    invalid_in_from: int             # rows with at least one code invalid in the from-version
    invalid_in_to: int
    cmi: list[CmiFigure]
    cmi_paths: list[CmiPath]
    matrix: pd.DataFrame             # from_drg, to_drg, claims, from_weight, to_weight (sums)
    drg_movement: pd.DataFrame       # drg, title, claims_from, claims_to, net, gained, lost
    top_codes: pd.DataFrame          # kind, code, claims, weight_change, example
    reason_counts: pd.DataFrame      # kind, claims
    missing_weights: pd.DataFrame    # fiscal_year, drg, claims
    notes: list[str] = field(default_factory=list)

    @property
    def total_cmi_change(self) -> float | None:
        own = {(f.grouping, f.fiscal_year): f.cmi for f in self.cmi}
        start = own.get((self.from_version, self.from_fiscal_year))
        end = own.get((self.to_version, self.to_fiscal_year))
        return None if start is None or end is None else end - start

    def to_dict(self) -> dict:
        """JSON-ready form (tables as lists of records)."""
        def records(df: pd.DataFrame) -> list[dict]:
            return json.loads(df.to_json(orient="records"))
        return {
            "from_version": self.from_version, "to_version": self.to_version,
            "from_fiscal_year": self.from_fiscal_year, "to_fiscal_year": self.to_fiscal_year,
            "claims": self.claims, "grouped": self.grouped, "not_grouped": self.not_grouped,
            "changed": self.changed, "mdc_changed": self.mdc_changed,
            "invalid_in_from": self.invalid_in_from, "invalid_in_to": self.invalid_in_to,
            "total_cmi_change": self.total_cmi_change,
            "cmi": [vars(f) for f in self.cmi],
            "cmi_paths": [{**vars(p), "total": p.total} for p in self.cmi_paths],
            "matrix": records(self.matrix), "drg_movement": records(self.drg_movement),
            "top_codes": records(self.top_codes), "reason_counts": records(self.reason_counts),
            "missing_weights": records(self.missing_weights), "notes": self.notes,
        }


def _mean(values: pd.Series) -> float | None:
    return float(values.mean()) if len(values) else None


def _cmi_figures(g: pd.DataFrame, fl: str, tl: str, fy: int, ty: int) -> list[CmiFigure]:
    out = []
    for grouping, year, column in ((fl, fy, "from_weight"), (tl, ty, "to_weight"),
                                   (fl, ty, "from_drg_weight_in_to_year"),
                                   (tl, fy, "to_drg_weight_in_from_year")):
        known = g[column].dropna()
        out.append(CmiFigure(grouping, year, _mean(known), int(len(known)), int(len(g) - len(known))))
    return out


def _cmi_paths(g: pd.DataFrame, fy: int, ty: int) -> list[CmiPath]:
    paths = []
    # path 1: regroup at the from-year weights, then reweight
    need = g[["from_weight", "to_drg_weight_in_from_year", "to_weight"]].dropna()
    if len(need):
        start, mid, end = (float(need[c].mean()) for c in need.columns)
        paths.append(CmiPath(f"regroup at FY{fy} weights, then reweight", len(need), len(g) - len(need),
                             start, end, mid - start, end - mid))
    else:
        paths.append(CmiPath(f"regroup at FY{fy} weights, then reweight", 0, len(g), None, None, None, None))
    # path 2: reweight the from-DRGs to the to-year, then regroup at the to-year weights
    need = g[["from_weight", "from_drg_weight_in_to_year", "to_weight"]].dropna()
    if len(need):
        start, mid, end = (float(need[c].mean()) for c in need.columns)
        paths.append(CmiPath(f"reweight to FY{ty}, then regroup at FY{ty} weights", len(need),
                             len(g) - len(need), start, end, end - mid, mid - start))
    else:
        paths.append(CmiPath(f"reweight to FY{ty}, then regroup at FY{ty} weights", 0, len(g),
                             None, None, None, None))
    return paths


def _matrix(g: pd.DataFrame) -> pd.DataFrame:
    m = (g.groupby(["from_drg", "to_drg"], sort=True)
          .agg(claims=("from_drg", "size"),
               from_weight=("from_weight", lambda s: s.sum(min_count=1)),
               to_weight=("to_weight", lambda s: s.sum(min_count=1)))
          .reset_index())
    return m.sort_values(["claims", "from_drg", "to_drg"], ascending=[False, True, True]).reset_index(drop=True)


def _movement(g: pd.DataFrame, fl: str, tl: str) -> pd.DataFrame:
    a, b = load(fl), load(tl)
    claims_from = g["from_drg"].value_counts()
    claims_to = g["to_drg"].value_counts()
    moved = g[g["drg_changed"]]
    gained = moved["to_drg"].value_counts()
    lost = moved["from_drg"].value_counts()
    drgs = sorted(set(claims_from.index) | set(claims_to.index))
    rows = []
    for d in drgs:
        rows.append({"drg": int(d), "title": b.drg_titles.get(int(d)) or a.drg_titles.get(int(d)) or "",
                     "claims_from": int(claims_from.get(d, 0)), "claims_to": int(claims_to.get(d, 0)),
                     "gained": int(gained.get(d, 0)), "lost": int(lost.get(d, 0))})
    df = pd.DataFrame(rows, columns=["drg", "title", "claims_from", "claims_to", "gained", "lost"])
    df.insert(4, "net", df["claims_to"] - df["claims_from"])
    return df.sort_values(["net", "drg"], ascending=[False, True]).reset_index(drop=True)


def _reasons(g: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(top codes behind shifts, claims per reason kind) over the rows whose DRG changed
    (code validity is also counted over unchanged rows)."""
    code_rows, kind_rows = [], []
    relevant = g[g["drg_changed"] | (g["reason_kinds"] != "")]
    for changed, text, change in zip(relevant["drg_changed"], relevant["reasons_json"],
                                     relevant["weight_change"]):
        reasons = json.loads(text) if text else []
        for kind in dict.fromkeys(r["kind"] for r in reasons):
            kind_rows.append({"kind": kind, "drg_changed": bool(changed)})
        if not changed:
            continue
        for r in {(r["kind"], r["code"]): r for r in reasons if r["kind"] in CODE_REASON_KINDS}.values():
            code_rows.append({"kind": r["kind"], "code": r["code"], "weight_change": change,
                              "before": r["before"], "after": r["after"], "example": r["text"]})
    codes = pd.DataFrame(code_rows, columns=["kind", "code", "weight_change", "before", "after", "example"])
    if len(codes):
        codes = (codes.groupby(["kind", "code"], sort=False)
                 .agg(claims=("code", "size"), weight_change=("weight_change", lambda s: s.sum(min_count=1)),
                      before=("before", "first"), after=("after", "first"), example=("example", "first"))
                 .reset_index()
                 .sort_values(["claims", "kind", "code"], ascending=[False, True, True]).reset_index(drop=True))
    else:
        codes = pd.DataFrame(columns=["kind", "code", "claims", "weight_change", "before", "after", "example"])
    kinds = pd.DataFrame(kind_rows, columns=["kind", "drg_changed"])
    kinds = (kinds.groupby("kind").agg(claims=("kind", "size"), of_them_drg_changed=("drg_changed", "sum"))
             .reset_index().sort_values("claims", ascending=False).reset_index(drop=True))
    return codes, kinds


def _missing(g: pd.DataFrame, fy: int, ty: int) -> pd.DataFrame:
    parts = []
    for year, drg_col, w_col in ((fy, "from_drg", "from_weight"), (ty, "to_drg", "to_weight"),
                                 (ty, "from_drg", "from_drg_weight_in_to_year"),
                                 (fy, "to_drg", "to_drg_weight_in_from_year")):
        miss = g.loc[g[w_col].isna(), drg_col].value_counts()
        parts += [{"fiscal_year": year, "drg": int(d), "claims": int(n), "used_for": w_col}
                  for d, n in miss.items()]
    df = pd.DataFrame(parts, columns=["fiscal_year", "drg", "claims", "used_for"])
    if len(df):
        df = (df.groupby(["fiscal_year", "drg"]).agg(claims=("claims", "max"),
                                                     used_for=("used_for", lambda s: ", ".join(s)))
              .reset_index().sort_values(["fiscal_year", "claims"], ascending=[True, False])
              .reset_index(drop=True))
    return df


def _weight_notes(fl: str, tl: str, g: pd.DataFrame) -> list[str]:
    notes = []
    for label in dict.fromkeys((fl, tl)):
        ts = load(label)
        year = ts.version.fiscal_year
        if not ts.weights:
            notes.append(f"No relative weights for FY{year} ({label}) in the tables: its CMI figures are empty.")
            continue
        used = set(g["from_drg"].dropna().astype(int)) | set(g["to_drg"].dropna().astype(int))
        uncapped = sorted(d for d in used if d in ts.weights and ts.weights[d].weight is None
                          and ts.weights[d].weight_before_cap is not None)
        if uncapped:
            source = ts.weights[uncapped[0]].source_file
            notes.append(f"FY{year} weights ({source}): the paid (capped) weight is not in the source; "
                         f"the uncapped weight was used for {len(uncapped)} DRGs.")
    return notes


def summarize_shift(claims: pd.DataFrame, from_version, to_version) -> ShiftSummary:
    """The summary of a per-claim shift frame (drg.validation.version_shift.SHIFT_COLUMNS, or only
    its SUMMARY_COLUMNS: see summary_part)."""
    a, b = load(from_version), load(to_version)
    fl, tl = a.version.label, b.version.label
    fy, ty = a.version.fiscal_year, b.version.fiscal_year
    g = claims[claims["from_drg"].notna() & claims["to_drg"].notna()].copy()
    for column in ("from_drg", "to_drg"):
        g[column] = g[column].astype(int)
    for column in ("from_weight", "to_weight", "from_drg_weight_in_to_year", "to_drg_weight_in_from_year",
                   "weight_change"):
        g[column] = pd.to_numeric(g[column], errors="coerce")
    g["drg_changed"] = g["drg_changed"].astype(bool)
    codes, kinds = _reasons(g)
    notes = _weight_notes(fl, tl, g)
    missing = _missing(g, fy, ty)
    if len(missing):
        notes.append(f"{missing['drg'].nunique()} DRG(s) have no weight in a fiscal year used here "
                     "(e.g. DRGs 998/999, or a DRG that does not exist that year); their claims are left "
                     "out of the CMI figures that need that weight and counted as such.")
    if fy == ty:
        notes.append(f"Both versions use FY{fy} weights: the whole CMI change is regrouping.")
    return ShiftSummary(
        from_version=fl, to_version=tl, from_fiscal_year=fy, to_fiscal_year=ty,
        claims=int(len(claims)), grouped=int(len(g)), not_grouped=int(len(claims) - len(g)),
        changed=int(g["drg_changed"].sum()), mdc_changed=int(g["mdc_changed"].astype(bool).sum()),
        invalid_in_from=int((claims["invalid_in_from"].fillna("") != "").sum()),
        invalid_in_to=int((claims["invalid_in_to"].fillna("") != "").sum()),
        cmi=_cmi_figures(g, fl, tl, fy, ty), cmi_paths=_cmi_paths(g, fy, ty),
        matrix=_matrix(g), drg_movement=_movement(g, fl, tl), top_codes=codes, reason_counts=kinds,
        missing_weights=missing, notes=notes,
    )
