"""What a DRG is, read from its version's formula list: MDC, family, medical/surgical, severity
level and the atoms its formula asks for.

The reasons of a validation compare a billed DRG's profile with the claim, so they come
from the grouping logic (the DRG's own formula), not from a table of DRG-pair texts.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from drg.tables import TableSet, available_versions, load
from drg.tables.cms import OR_ATTRIBUTES
from drg.tables.cms import UNRELATED_OR_DRGS as UNRELATED_OR_DRGS  # noqa: F401  (reasons.py, rules.py)
from drg.tables.formula import And, Atom, Node, Not, Or, parse

PRE_MDC = 0
ERROR_DRGS = frozenset({998, 999})
STATUS_ATOMS = {"ALIVE": "discharged alive", "DIED": "died (status 20)",
                "AMA": "left against medical advice (status 07)",
                "XFRNBA": "transferred to another acute care hospital (status 02, 05, 66, 82, 85, 94)"}
OR_ATOMS = frozenset(OR_ATTRIBUTES)

# Severity level of a DRG within its family, from the severity atoms of its formula.
LEVEL_MCC, LEVEL_CC, LEVEL_CC_OR_MCC, LEVEL_NONE = "MCC", "CC", "CC/MCC", "base"
LEVEL_RANK = {LEVEL_NONE: 0, LEVEL_CC: 1, LEVEL_CC_OR_MCC: 1, LEVEL_MCC: 2}


@dataclass(frozen=True)
class DrgProfile:
    """One DRG of one version as its formula rows describe it."""

    drg: int
    version: str
    title: str
    mdc: int
    mdc_title: str
    base_drg: int
    base_title: str
    surgical: bool
    level: str                                  # MCC, CC, CC/MCC or base
    formulas: tuple[str, ...]
    required_atoms: frozenset[tuple[str, str]]  # (prefix, name) every formula row needs (And at top)
    any_atoms: frozenset[tuple[str, str]]       # every positive atom of any row
    weight: float | None
    gmlos: float | None
    post_acute_transfer: bool | None

    @property
    def family_drgs(self) -> tuple[int, ...]:
        return _family(self.version, self.base_drg)


def _positive_atoms(node: Node, negated: bool = False) -> set[tuple[str, str]]:
    if isinstance(node, Atom):
        return set() if negated else {(node.prefix, node.name)}
    if isinstance(node, Not):
        return _positive_atoms(node.operand, not negated)
    out: set[tuple[str, str]] = set()
    for operand in node.operands:
        out |= _positive_atoms(operand, negated)
    return out


def _required_atoms(node: Node) -> set[tuple[str, str]]:
    """Atoms that must be true for the formula to be true (the conjuncts at the top)."""
    if isinstance(node, Atom):
        return {(node.prefix, node.name)}
    if isinstance(node, And):
        out: set[tuple[str, str]] = set()
        for operand in node.operands:
            out |= _required_atoms(operand)
        return out
    if isinstance(node, Or):
        sets = [_required_atoms(o) for o in node.operands]
        return set.intersection(*sets) if sets else set()
    return set()


def _level(any_atoms: set[tuple[str, str]], required: set[tuple[str, str]]) -> str:
    names = {n for p, n in any_atoms if p == "NONE"}
    if "MCC" in names and "CC" in names:
        return LEVEL_CC_OR_MCC
    if "MCC" in names:
        return LEVEL_MCC
    if "CC" in names:
        return LEVEL_CC
    return LEVEL_NONE


@lru_cache(maxsize=None)
def _profiles(version_label: str) -> dict[int, DrgProfile]:
    tables = load(version_label)
    rows: dict[int, list] = {}
    for mdc_rows in tables.formulas.values():
        for row in mdc_rows:
            if row.drg:
                rows.setdefault(row.drg, []).append(row)
    out = {}
    for drg, drg_rows in rows.items():
        first = drg_rows[0]
        trees = [parse(r.formula, tables.version.id) for r in drg_rows]
        any_atoms: set[tuple[str, str]] = set()
        for t in trees:
            any_atoms |= _positive_atoms(t)
        required = set.intersection(*(_required_atoms(t) for t in trees))
        weight = tables.weights.get(drg)
        out[drg] = DrgProfile(
            drg=drg, version=tables.version.label, title=tables.drg_titles.get(drg, ""),
            mdc=first.mdc, mdc_title=tables.mdc_titles.get(first.mdc, ""), base_drg=first.base_drg,
            base_title=tables.base_drg_titles.get(first.base_drg, ""), surgical=first.surgical == "SURGICAL",
            level=_level(any_atoms, required), formulas=tuple(r.formula for r in drg_rows),
            required_atoms=frozenset(required), any_atoms=frozenset(any_atoms),
            weight=weight.relative_weight if weight else None, gmlos=weight.gmlos if weight else None,
            post_acute_transfer=weight.post_acute_transfer if weight else None)
    return out


@lru_cache(maxsize=None)
def _family(version_label: str, base_drg: int) -> tuple[int, ...]:
    return tuple(sorted(d for d, p in _profiles(version_label).items() if p.base_drg == base_drg))


def drg_profile(tables: TableSet, drg: int | None) -> DrgProfile | None:
    """The profile of `drg` in the table set's version; None when the version has no such DRG."""
    if drg is None:
        return None
    return _profiles(tables.version.label).get(drg)


def versions_with_drg(drg: int) -> tuple[str, ...]:
    """Labels of every available version whose formula lists assign `drg`."""
    return tuple(v.label for v in available_versions() if drg in _profiles(v.label))
