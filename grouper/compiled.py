"""A version's formulas parsed once and kept with its table set."""
from __future__ import annotations

import gc
from dataclasses import dataclass
from typing import Callable

from drg.grouper.formula import RETURN_CODE_OPERANDS, And, Atom, Node, Not, Or, parse
from drg.tables import TableSet
from drg.tables.records import DrgFormula


SEVERITY_NAMES = frozenset({"MCC", "CC", "NON_CC"})
_QUIET_SPECIALS = frozenset(RETURN_CODE_OPERANDS) | {"INVALID_AGE", "MDC_20_FALL_THRU"}


@dataclass(frozen=True, slots=True)
class CompiledFormula:
    row: DrgFormula
    tree: Node
    # A quick necessary condition over the names present in the mask: when it is false the
    # formula is false. Only used to skip formulas whose evaluation has no side effects, so
    # skipping never changes a mark.
    possible: "Callable[[object], bool] | None"
    has_side_effects: bool


def possible_expression(node: Node) -> str | None:
    """Python source of a necessary condition over `present` (the mask's names); None = always possible."""
    if isinstance(node, Atom):
        if node.special is None and node.name not in SEVERITY_NAMES:
            return f"{node.name!r} in present"
        return None
    if isinstance(node, Not):
        return None
    parts = [possible_expression(n) for n in node.operands]
    if isinstance(node, And):
        parts = [p for p in parts if p is not None]
        return "(" + " and ".join(parts) + ")" if parts else None
    if any(p is None for p in parts):
        return None
    return "(" + " or ".join(parts) + ")"


def possible_check(node: Node) -> "Callable[[object], bool] | None":
    source = possible_expression(node)
    return None if source is None else eval(f"lambda present: {source}")  # generated from parsed atoms only


def has_side_effects(node: Node) -> bool:
    """Whether evaluating the node can set a mark (special operands other than the quiet ones)."""
    if isinstance(node, Atom):
        return node.special is not None and node.special not in _QUIET_SPECIALS
    if isinstance(node, Not):
        return has_side_effects(node.operand)
    return any(has_side_effects(n) for n in node.operands)


def compile_formula(row: DrgFormula, version_id: int) -> CompiledFormula:
    tree = parse(row.formula, version_id)
    return CompiledFormula(row, tree, possible_check(tree), has_side_effects(tree))


def trigger_names(node: Node) -> frozenset | None:
    """Names of which at least one must be in the mask for `node` to be true; None = no such set."""
    if isinstance(node, Atom):
        if node.special is None and node.name not in SEVERITY_NAMES:
            return frozenset({node.name})
        return None
    if isinstance(node, Not):
        return None
    triggers = [trigger_names(n) for n in node.operands]
    if isinstance(node, And):
        known = [t for t in triggers if t is not None]
        return min(known, key=len) if known else None
    if any(t is None for t in triggers):
        return None
    return frozenset().union(*triggers)


@dataclass(frozen=True, slots=True)
class FormulaList:
    """The formulas of one MDC in evaluation order, indexed by the names that can make them true."""

    rows: tuple             # tuple[CompiledFormula, ...]
    always: tuple           # positions that must always be tried
    by_name: dict           # name -> positions that need it (or another of their trigger names)

    def candidates(self, present) -> list[int]:
        """Positions of the formulas that can be true for a mask holding the names `present`."""
        positions = set(self.always)
        by_name = self.by_name
        for name in present:
            found = by_name.get(name)
            if found is not None:
                positions.update(found)
        return sorted(positions)


def index_formulas(rows: tuple) -> FormulaList:
    always, by_name = [], {}
    for position, formula in enumerate(rows):
        triggers = None if formula.has_side_effects else trigger_names(formula.tree)
        if triggers is None:
            always.append(position)
        else:
            for name in triggers:
                by_name.setdefault(name, []).append(position)
    return FormulaList(rows, tuple(always), {k: tuple(v) for k, v in by_name.items()})


@dataclass(frozen=True, slots=True)
class CompiledVersion:
    version_id: int
    formulas: dict          # MDC -> FormulaList
    hac_formulas: dict      # HAC number -> tuple[Node, ...]


def compiled(tables: TableSet) -> CompiledVersion:
    """The parsed formulas of a table set (parsed on first use, then cached on it)."""
    cached = tables._cache.get("compiled")
    if cached is None:
        vid = tables.version.id
        cached = CompiledVersion(
            vid,
            {mdc: index_formulas(tuple(compile_formula(row, vid) for row in rows))
             for mdc, rows in tables.formulas.items()},
            {number: tuple(parse(text, vid) for text in texts) for number, texts in tables.hac_formulas.items()},
        )
        tables._cache["compiled"] = cached
        # The tables and formulas live as long as the process: keep the cyclic garbage collector
        # from walking their hundreds of thousands of objects again and again (profiled: 20-30%
        # of batch time, and most of the single-claim p99).
        gc.collect()
        gc.freeze()
    return cached
