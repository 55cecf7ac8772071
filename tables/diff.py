"""What changed between two MS-DRG versions in the tables themselves.

`diff_dx`, `diff_pr` and `diff_drg` compare two loaded table sets code by code and return
plain records: codes added or removed, a diagnosis whose MDC or CC/MCC level moved, whose
CC-exclusion list as principal changed, a procedure that gained or lost O.R. status, a code
whose grouping attributes now lead to other DRGs, DRGs added, removed or retitled. The same
per-code comparisons (`dx_change`, `pr_change`) explain claim-level DRG shifts in
drg.validation.shift. Works for any pair of versions, in either direction.

"Leads to DRGs" means: the DRGs whose formulas test one of the code's attributes. Attribute
names are CMS's internal names and may be renamed between versions without any effect, so
the DRG sets, not the raw names, decide whether a code's DRG assignment changed.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache

from drg.tables import cms
from drg.tables.formula import atoms, parse
from drg.tables.loader import TableSet, load
from drg.tables.versions import Version

__all__ = ["DxChange", "PrChange", "DrgChange", "TablesDiff", "diff_dx", "diff_pr", "diff_drg",
           "diff_versions", "diff_rows", "render_diff", "dx_change", "pr_change", "or_status", "attribute_drgs"]

ADDED, REMOVED, CHANGED = "ADDED", "REMOVED", "CHANGED"

# Which DRGs an atom's prefix lets a code's attribute reach: a diagnosis under PDX/SDX/ANY,
# a procedure when the atom has no prefix (ONLY and PT test claim-level facts).
_KINDS_OF_PREFIX = {"PDX": ("PDX",), "SDX": ("SDX",), "ANY": ("PDX", "SDX"), "NONE": ("PR",)}


def or_status(attributes: frozenset[str] | None) -> str | None:
    """'extensive O.R.', 'non-extensive O.R.', 'O.R.' or 'non-O.R.'; None for an invalid code."""
    if attributes is None:
        return None
    kinds = cms.or_kinds(attributes)
    return kinds[0] if kinds else "non-O.R."


@lru_cache(maxsize=None)
def _attribute_index(version_id: int) -> dict[str, dict[str, frozenset[int]]]:
    """Per version: {"PDX"|"SDX"|"PR": {attribute: DRGs whose formulas test it}}."""
    ts = load(version_id)
    index: dict[str, dict[str, set[int]]] = {"PDX": {}, "SDX": {}, "PR": {}}
    for rows in ts.formulas.values():
        for f in rows:
            if not f.drg:
                continue
            for atom in atoms(parse(f.formula, ts.version.id)):
                for kind in _KINDS_OF_PREFIX.get(atom.prefix, ()):
                    index[kind].setdefault(atom.name, set()).add(f.drg)
    return {k: {a: frozenset(d) for a, d in v.items()} for k, v in index.items()}


def attribute_drgs(ts: TableSet, kind: str, attributes: frozenset[str] | None) -> frozenset[int]:
    """DRGs whose formulas test one of `attributes` as `kind` ("PDX", "SDX" or "PR")."""
    if not attributes:
        return frozenset()
    index = _attribute_index(ts.version.id)[kind]
    out: set[int] = set()
    for attribute in attributes:
        out |= index.get(attribute, frozenset())
    return frozenset(out)


@dataclass(frozen=True)
class DxChange:
    """How one diagnosis code differs between two versions (only what differs is set)."""

    code: str
    change: str                          # ADDED, REMOVED or CHANGED
    from_mdc: int | None
    to_mdc: int | None
    from_severity: str | None            # MCC, CC, NON_CC as a secondary diagnosis
    to_severity: str | None
    mdc_changed: bool
    severity_changed: bool
    pdx_drgs_gained: tuple[int, ...]     # DRGs its attributes lead to as principal, new ones
    pdx_drgs_lost: tuple[int, ...]
    exclusions_changed: bool             # the secondary codes it excludes as principal changed
    excludes_added: int                  # ... how many more / fewer it excludes
    excludes_removed: int

    def words(self, from_label: str, to_label: str) -> str:
        """One line in plain words."""
        if self.change == ADDED:
            return f"diagnosis {self.code} is new in {to_label} (MDC {self.to_mdc}, {self.to_severity})"
        if self.change == REMOVED:
            return f"diagnosis {self.code} is not valid in {to_label} (was MDC {self.from_mdc}, {self.from_severity})"
        parts = []
        if self.mdc_changed:
            parts.append(f"MDC {self.from_mdc} -> {self.to_mdc}")
        if self.severity_changed:
            parts.append(f"{self.from_severity} -> {self.to_severity}")
        if self.pdx_drgs_gained or self.pdx_drgs_lost:
            parts.append("as principal leads to " + _drg_delta(self.pdx_drgs_gained, self.pdx_drgs_lost))
        if self.exclusions_changed:
            parts.append(f"as principal excludes {self.excludes_added} more / {self.excludes_removed} fewer "
                         "secondary codes as CC/MCC")
        return f"diagnosis {self.code}: " + "; ".join(parts)


@dataclass(frozen=True)
class PrChange:
    """How one procedure code differs between two versions."""

    code: str
    change: str
    from_or_status: str | None
    to_or_status: str | None
    or_changed: bool
    drgs_gained: tuple[int, ...]         # DRGs its attributes lead to, new ones
    drgs_lost: tuple[int, ...]

    def words(self, from_label: str, to_label: str) -> str:
        if self.change == ADDED:
            return f"procedure {self.code} is new in {to_label} ({self.to_or_status})"
        if self.change == REMOVED:
            return f"procedure {self.code} is not valid in {to_label} (was {self.from_or_status})"
        parts = []
        if self.or_changed:
            parts.append(f"{self.from_or_status} -> {self.to_or_status}")
        if self.drgs_gained or self.drgs_lost:
            parts.append("leads to " + _drg_delta(self.drgs_gained, self.drgs_lost))
        return f"procedure {self.code}: " + "; ".join(parts)


@dataclass(frozen=True)
class DrgChange:
    """How one MS-DRG differs between two versions."""

    drg: int
    change: str                          # ADDED, REMOVED, RETITLED
    from_title: str | None
    to_title: str | None

    def words(self, from_label: str, to_label: str) -> str:
        if self.change == ADDED:
            return f"DRG {self.drg:03d} is new in {to_label}: {self.to_title}"
        if self.change == REMOVED:
            return f"DRG {self.drg:03d} was deleted in {to_label} (was: {self.from_title})"
        return f"DRG {self.drg:03d} retitled: {self.from_title!r} -> {self.to_title!r}"


def _drg_delta(gained: tuple[int, ...], lost: tuple[int, ...]) -> str:
    parts = []
    if gained:
        parts.append("+DRG " + ", ".join(f"{d:03d}" for d in gained))
    if lost:
        parts.append("-DRG " + ", ".join(f"{d:03d}" for d in lost))
    return " ".join(parts)


def _excluded(ts: TableSet, code: str) -> frozenset[str]:
    return ts.excluded_by(code)


def dx_change(a: TableSet, b: TableSet, code: str) -> DxChange | None:
    """How diagnosis `code` differs from version a to version b; None when it does not."""
    old, new = a.diagnoses.get(code), b.diagnoses.get(code)
    if old is None and new is None:
        return None
    if old is None or new is None:
        info = new or old
        return DxChange(code, ADDED if old is None else REMOVED,
                        old.mdc if old else None, new.mdc if new else None,
                        old.severity if old else None, new.severity if new else None,
                        False, False, (), (), False, 0, 0) if info else None
    old_mdc = a.sex_mdcs.get(code, (old.mdc, old.mdc))
    new_mdc = b.sex_mdcs.get(code, (new.mdc, new.mdc))
    mdc_changed = old.mdc != new.mdc or old_mdc != new_mdc
    severity_changed = old.severity != new.severity
    gained: tuple[int, ...] = ()
    lost: tuple[int, ...] = ()
    if old.attributes != new.attributes:
        da, db = attribute_drgs(a, "PDX", old.attributes), attribute_drgs(b, "PDX", new.attributes)
        gained, lost = tuple(sorted(db - da)), tuple(sorted(da - db))
    excl_added = excl_removed = 0
    group_a, group_b = a.exclusion_group_ids.get(code), b.exclusion_group_ids.get(code)
    if group_a != group_b:
        ea, eb = _excluded(a, code), _excluded(b, code)
        excl_added, excl_removed = len(eb - ea), len(ea - eb)
    exclusions_changed = bool(excl_added or excl_removed)
    if not (mdc_changed or severity_changed or gained or lost or exclusions_changed):
        return None
    return DxChange(code, CHANGED, old.mdc, new.mdc, old.severity, new.severity, mdc_changed,
                    severity_changed, gained, lost, exclusions_changed, excl_added, excl_removed)


def pr_change(a: TableSet, b: TableSet, code: str) -> PrChange | None:
    """How procedure `code` differs from version a to version b; None when it does not."""
    old, new = a.procedures.get(code), b.procedures.get(code)
    if old is None and new is None:
        return None
    if old is None or new is None:
        return PrChange(code, ADDED if old is None else REMOVED, or_status(old), or_status(new),
                        False, (), ())
    if old == new:
        return None
    status_a, status_b = or_status(old), or_status(new)
    da, db = attribute_drgs(a, "PR", old), attribute_drgs(b, "PR", new)
    gained, lost = tuple(sorted(db - da)), tuple(sorted(da - db))
    if status_a == status_b and not gained and not lost:
        return None
    return PrChange(code, CHANGED, status_a, status_b, status_a != status_b, gained, lost)


def _versions(from_version: "str | int | Version | TableSet",
              to_version: "str | int | Version | TableSet") -> tuple[TableSet, TableSet]:
    a = from_version if isinstance(from_version, TableSet) else load(from_version)
    b = to_version if isinstance(to_version, TableSet) else load(to_version)
    return a, b


def diff_dx(from_version, to_version) -> list[DxChange]:
    """Every diagnosis code added, removed or changed (MDC, CC/MCC level, DRGs, exclusions)."""
    a, b = _versions(from_version, to_version)
    out = (dx_change(a, b, code) for code in sorted(a.diagnoses.keys() | b.diagnoses.keys()))
    return [c for c in out if c is not None]


def diff_pr(from_version, to_version) -> list[PrChange]:
    """Every procedure code added, removed or changed (O.R. status, DRGs its attributes lead to)."""
    a, b = _versions(from_version, to_version)
    out = (pr_change(a, b, code) for code in sorted(a.procedures.keys() | b.procedures.keys()))
    return [c for c in out if c is not None]


def _assignable(ts: TableSet) -> dict[int, str]:
    return {d: ts.drg_titles.get(d, "(no title)") for d in ts.drgs}


def diff_drg(from_version, to_version) -> list[DrgChange]:
    """DRGs added, removed (assignable by a formula in one version only) or retitled."""
    a, b = _versions(from_version, to_version)
    old, new = _assignable(a), _assignable(b)
    out = []
    for drg in sorted(old.keys() | new.keys()):
        if drg not in old:
            out.append(DrgChange(drg, ADDED, None, new[drg]))
        elif drg not in new:
            out.append(DrgChange(drg, REMOVED, old[drg], None))
        elif old[drg] != new[drg]:
            out.append(DrgChange(drg, "RETITLED", old[drg], new[drg]))
    return out


@dataclass(frozen=True)
class TablesDiff:
    """All table changes from one version to another."""

    from_version: str
    to_version: str
    dx: list[DxChange]
    pr: list[PrChange]
    drg: list[DrgChange]

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def diff_versions(from_version, to_version, kinds: tuple[str, ...] = ("dx", "pr", "drg")) -> TablesDiff:
    """The table changes of the kinds asked for ("dx", "pr", "drg"); the others are left empty."""
    a, b = _versions(from_version, to_version)
    return TablesDiff(a.version.label, b.version.label,
                      diff_dx(a, b) if "dx" in kinds else [],
                      diff_pr(a, b) if "pr" in kinds else [],
                      diff_drg(a, b) if "drg" in kinds else [])


def diff_rows(diff: TablesDiff) -> list[dict[str, str]]:
    """One flat row per change (kind, key, change, from, to, words): the CSV and text form."""
    f, t = diff.from_version, diff.to_version
    rows = []
    for c in diff.dx:
        what = [] if c.change != CHANGED else [w for w, on in (
            ("MDC", c.mdc_changed), ("CC/MCC level", c.severity_changed),
            ("DRGs as principal", bool(c.pdx_drgs_gained or c.pdx_drgs_lost)),
            ("CC exclusions as principal", c.exclusions_changed)) if on]
        rows.append({"kind": "dx", "key": c.code, "change": c.change, "what": ", ".join(what),
                     "from": _dx_state(c.from_mdc, c.from_severity), "to": _dx_state(c.to_mdc, c.to_severity),
                     "words": c.words(f, t)})
    for p in diff.pr:
        what = [] if p.change != CHANGED else [w for w, on in (
            ("O.R. status", p.or_changed), ("DRGs", bool(p.drgs_gained or p.drgs_lost))) if on]
        rows.append({"kind": "pr", "key": p.code, "change": p.change, "what": ", ".join(what),
                     "from": p.from_or_status or "", "to": p.to_or_status or "", "words": p.words(f, t)})
    for d in diff.drg:
        rows.append({"kind": "drg", "key": f"{d.drg:03d}", "change": d.change, "what": "",
                     "from": d.from_title or "", "to": d.to_title or "", "words": d.words(f, t)})
    return rows


def _dx_state(mdc: int | None, severity: str | None) -> str:
    return "" if mdc is None else f"MDC {mdc} {severity}"


def render_diff(diff: TablesDiff, kinds: tuple[str, ...] = ("dx", "pr", "drg")) -> str:
    """The readable text form: counts first, then one line per change, grouped by kind."""
    f, t = diff.from_version, diff.to_version
    lines = [f"MS-DRG tables: {f} -> {t}", ""]
    sections = (("dx", "Diagnoses", diff.dx), ("pr", "Procedures", diff.pr), ("drg", "DRGs", diff.drg))
    asked = [(title, items) for kind, title, items in sections if kind in kinds]
    for title, items in asked:
        counts: dict[str, int] = {}
        for c in items:
            counts[c.change] = counts.get(c.change, 0) + 1
        summary = ", ".join(f"{n} {k.lower()}" for k, n in sorted(counts.items())) or "no changes"
        lines.append(f"{title}: {summary}")
    if "dx" in kinds:
        sev = sum(1 for c in diff.dx if c.severity_changed)
        mdc = sum(1 for c in diff.dx if c.mdc_changed)
        lines.append(f"  diagnoses with a new CC/MCC level: {sev}; with a new MDC: {mdc}")
    if "pr" in kinds:
        lines.append(f"  procedures with a new O.R. status: {sum(1 for c in diff.pr if c.or_changed)}")
    for title, items in asked:
        if not items:
            continue
        lines += ["", f"{title}:"]
        lines += [f"  {c.words(f, t)}" for c in items]
    return "\n".join(lines)
