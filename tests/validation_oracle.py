"""Billed DRGs built by construction, with the finding and reason element each must give.

Used by the tests and by bench/validate_accuracy.py: from grouped claims, build billed DRGs
equal to the expected one, one severity level up and down in the same family, a DRG of
another MDC, a DRG that exists only in another version, and a number that is no DRG.
"""
from __future__ import annotations

from dataclasses import dataclass

from drg.tables import TableSet, available_versions
from drg.validation.billed.profile import LEVEL_RANK, _profiles, drg_profile

NO_DRG = 1234


@dataclass(frozen=True)
class Case:
    kind: str               # match, level_up, level_down, other_mdc, other_version, no_drg
    billed_drg: int
    finding: set            # acceptable findings
    elements: tuple         # a reason must name one of these elements (() = none required)


def _family_neighbours(tables: TableSet, drg: int) -> tuple[int | None, int | None]:
    """The next higher-level and next lower-level DRG of the same family (by severity level)."""
    me = drg_profile(tables, drg)
    if me is None:
        return None, None
    rank = LEVEL_RANK[me.level]
    members = [drg_profile(tables, d) for d in me.family_drgs if d != drg]
    up = [p for p in members if LEVEL_RANK[p.level] == rank + 1 and p.mdc == me.mdc]
    down = [p for p in members if LEVEL_RANK[p.level] == rank - 1 and p.mdc == me.mdc]
    return (up[0].drg if up else None), (down[0].drg if down else None)


def _weight_finding(tables: TableSet, billed: int, expected: int) -> set:
    b, e = tables.weights.get(billed), tables.weights.get(expected)
    if b is None or e is None or b.relative_weight is None or e.relative_weight is None:
        return {"MISMATCH_WEIGHT_UNKNOWN"}
    if b.relative_weight > e.relative_weight:
        return {"UPCODING_RISK"}
    if b.relative_weight < e.relative_weight:
        return {"DOWNCODING_RISK"}
    return {"MISMATCH_SAME_WEIGHT"}


def other_version_drg(tables: TableSet) -> int | None:
    """A DRG that some other version assigns and this one does not."""
    mine = set(_profiles(tables.version.label))
    for v in available_versions():
        extra = sorted(set(_profiles(v.label)) - mine)
        if extra:
            return extra[0]
    return None


def cases_for(tables: TableSet, expected_drg: int, pdx_mdc: int) -> list[Case]:
    """The constructed billed DRGs for one claim grouped to `expected_drg`."""
    out = [Case("match", expected_drg, {"MATCH"}, ())]
    up, down = _family_neighbours(tables, expected_drg)
    if up is not None:
        out.append(Case("level_up", up, _weight_finding(tables, up, expected_drg), ("severity",)))
    if down is not None:
        out.append(Case("level_down", down, _weight_finding(tables, down, expected_drg), ("sdx", "procedure")))
    me = drg_profile(tables, expected_drg)
    for drg, p in sorted(_profiles(tables.version.label).items()):
        if p.mdc not in (0, 25, me.mdc, pdx_mdc, 99) and drg not in (981, 982, 983, 987, 988, 989, 998, 999) \
                and not p.surgical:
            out.append(Case("other_mdc", drg, _weight_finding(tables, drg, expected_drg), ("pdx",)))
            break
    other = other_version_drg(tables)
    if other is not None:
        out.append(Case("other_version", other, {"BILLED_DRG_INVALID"}, ("billed_drg",)))
    out.append(Case("no_drg", NO_DRG, {"BILLED_DRG_INVALID"}, ("billed_drg",)))
    return out
