"""A version's formulas parsed once, compiled to Python functions and kept per table set
(docs/GROUPER_LOGIC.md section 7)."""
from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial

from drg.grouper.evaluate import RETURN_CODE_OPERANDS, SPECIALS, TRAUMA_REGIONS
from drg.grouper.mask import visible_in
from drg.tables import TableSet, TableSetCache
from drg.tables.formula import And, Atom, Node, Not, atoms, parse
from drg.tables.records import DrgFormula


SEVERITY_NAMES = frozenset({"MCC", "CC", "NON_CC"})
_QUIET_SPECIALS = frozenset(RETURN_CODE_OPERANDS) | {"INVALID_AGE", "MDC_20_FALL_THRU"}


@dataclass(frozen=True, slots=True)
class CompiledFormula:
    row: DrgFormula
    tree: Node
    # The formula as a Python function (T, S, mdc, severity, accumulated, evaluation) -> bool,
    # generated from the tree: Python's `and`/`or`/`not` give the same left-to-right short
    # circuit, and every true atom records its token (section 7.4).
    function: Callable
    has_side_effects: bool


def _hit(accumulated: dict, token: tuple) -> bool:
    accumulated[token] = None
    return True


def formula_source(node: Node, constants: dict) -> str:
    """Python expression for a formula tree; constants (tokens, special operands) go in `constants`."""
    if isinstance(node, Atom):
        if node.special is not None:
            name = f"_sp{len(constants)}"
            constants[name] = partial(SPECIALS[node.special], node)
            return f"{name}(ev)"
        token = f"_tk{len(constants)}"
        constants[token] = (node.prefix, node.name)
        test = f"{token} in T"
        if node.prefix == "NONE":
            test = f"({test} or (S and _visible(S, {node.name!r}, m)))"
            if node.name in SEVERITY_NAMES:
                test = f"(sev == {node.name!r} or {test})"
        return f"({test} and _hit(acc, {token}))"
    if isinstance(node, Not):
        return f"(not {formula_source(node.operand, constants)})"
    joiner = " and " if isinstance(node, And) else " or "
    return "(" + joiner.join(formula_source(n, constants) for n in node.operands) + ")"


def compile_functions(trees: list[Node]) -> list[Callable]:
    """One Python function per tree, compiled together in one generated module (fast to build)."""
    constants: dict = {"_hit": _hit, "_visible": visible_in}
    lines = []
    for index, tree in enumerate(trees):
        lines.append(f"def _f{index}(T, S, m, sev, acc, ev):\n    return bool({formula_source(tree, constants)})")
    namespace = dict(constants)
    exec(compile("\n".join(lines), "<drg formulas>", "exec"), namespace)  # source built from parsed atoms only
    return [namespace[f"_f{index}"] for index in range(len(trees))]


def has_side_effects(node: Node) -> bool:
    """Whether evaluating the node can set a mark (special operands other than the quiet ones)."""
    if isinstance(node, Atom):
        return node.special is not None and node.special not in _QUIET_SPECIALS
    if isinstance(node, Not):
        return has_side_effects(node.operand)
    return any(has_side_effects(n) for n in node.operands)


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
    known = [t for t in triggers if t is not None]
    if len(known) < len(triggers):
        return None
    return frozenset().union(*known)


@dataclass(frozen=True, slots=True)
class FormulaList:
    """The formulas of one MDC in evaluation order, indexed by the names that can make them true."""

    rows: tuple             # tuple[CompiledFormula, ...]
    always: tuple           # positions that must always be tried
    by_name: dict           # name -> positions that need it (or another of their trigger names)
    names: frozenset        # the keys of by_name

    def candidates(self, present) -> list[int]:
        """Positions of the formulas that can be true for a mask holding the names `present`."""
        positions = set(self.always)
        by_name = self.by_name
        for name in self.names.intersection(present):
            positions.update(by_name[name])
        return sorted(positions)


def index_formulas(rows: tuple) -> FormulaList:
    always: list[int] = []
    by_name: dict[str, list[int]] = {}
    for position, formula in enumerate(rows):
        triggers = None if formula.has_side_effects else trigger_names(formula.tree)
        if triggers is None:
            always.append(position)
        else:
            for name in triggers:
                by_name.setdefault(name, []).append(position)
    return FormulaList(rows, tuple(always), {k: tuple(v) for k, v in by_name.items()}, frozenset(by_name))


@dataclass(frozen=True, slots=True)
class HacFormula:
    tree: Node
    function: Callable


@dataclass(frozen=True, slots=True)
class CompiledVersion:
    version_id: int
    formulas: Mapping       # MDC -> FormulaList
    hac_formulas: Mapping   # HAC number -> tuple[HacFormula, ...] in stored order


class _CompiledLists(Mapping):
    """MDC (or HAC number) -> its compiled list, each compiled on first use: one claim needs the
    pre-MDC list and one or two MDCs, not the version's eight hundred formulas (a cold
    single-claim command compiles only those)."""

    def __init__(self, texts: Mapping, build: Callable) -> None:
        self._texts = texts
        self._build = build
        self._done: dict = {}

    def __getitem__(self, key: object) -> object:
        found = self._done.get(key)
        if found is None:
            found = self._done[key] = self._build(self._texts[key])   # KeyError: no such list
        return found

    def __iter__(self) -> Iterator:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)


def compile_version(tables: TableSet) -> CompiledVersion:
    """Parse and compile the DRG and HAC formulas of a table set (each list when first used)."""
    vid = tables.version.id

    def drg_list(rows: tuple) -> FormulaList:
        trees = [parse(row.formula, vid) for row in rows]
        functions = compile_functions(trees)
        return index_formulas(tuple(CompiledFormula(row, tree, function, has_side_effects(tree))
                                    for row, tree, function in zip(rows, trees, functions)))

    def hac_list(texts: tuple) -> tuple:
        trees = [parse(text, vid) for text in texts]
        return tuple(HacFormula(tree, function) for tree, function in zip(trees, compile_functions(trees)))

    program = CompiledVersion(vid, _CompiledLists(tables.formulas, drg_list),
                              _CompiledLists(tables.hac_formulas, hac_list))
    # The tables and formulas live as long as the process: keep the cyclic garbage collector
    # from walking their hundreds of thousands of objects again and again (profiled: 20-30%
    # of batch time, and most of the single-claim p99).
    gc.freeze()
    return program


_COMPILED: TableSetCache[CompiledVersion] = TableSetCache(compile_version)


def compiled(tables: TableSet) -> CompiledVersion:
    """The compiled formulas of a table set (built on first use, then kept for it)."""
    return _COMPILED(tables)


# Diagnosis lists that the special operands test on secondary diagnoses (evaluate.py):
# the trauma regions of MULTST, `incident`, and the death exclusion's `mccalive`.
_SPECIAL_SDX_NAMES = frozenset(TRAUMA_REGIONS) | {"incident", "mccalive"}


def _secondary_tested_names(tables: TableSet) -> frozenset[str]:
    program = compiled(tables)
    trees = [f.tree for rows in program.formulas.values() for f in rows.rows]
    trees += [formula.tree for formulas in program.hac_formulas.values() for formula in formulas]
    names = {atom.name for tree in trees for atom in atoms(tree) if atom.prefix in ("SDX", "ANY", "ONLY")}
    return frozenset(names | _SPECIAL_SDX_NAMES)


_SECONDARY_TESTED: TableSetCache[frozenset[str]] = TableSetCache(_secondary_tested_names)


def secondary_tested_names(tables: TableSet) -> frozenset[str]:
    """Every list name that a DRG or HAC formula of the version can test on a secondary diagnosis.

    A secondary diagnosis on none of these lists, neither CC nor MCC and on no HAC list can
    change no formula's truth: leaving it out cannot move the DRG (drg.validation's drivers
    skip regrouping such codes).
    """
    return _SECONDARY_TESTED(tables)
