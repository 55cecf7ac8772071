"""A version's formulas parsed once and kept with its table set."""
from __future__ import annotations

from dataclasses import dataclass

from drg.grouper.formula import Node, parse
from drg.tables import TableSet
from drg.tables.records import DrgFormula


@dataclass(frozen=True, slots=True)
class CompiledFormula:
    row: DrgFormula
    tree: Node


@dataclass(frozen=True, slots=True)
class CompiledVersion:
    version_id: int
    formulas: dict          # MDC -> tuple[CompiledFormula, ...] in evaluation order
    hac_formulas: dict      # HAC number -> tuple[Node, ...]


def compiled(tables: TableSet) -> CompiledVersion:
    """The parsed formulas of a table set (parsed on first use, then cached on it)."""
    cached = tables._cache.get("compiled")
    if cached is None:
        vid = tables.version.id
        cached = CompiledVersion(
            vid,
            {mdc: tuple(CompiledFormula(row, parse(row.formula, vid)) for row in rows)
             for mdc, rows in tables.formulas.items()},
            {number: tuple(parse(text, vid) for text in texts) for number, texts in tables.hac_formulas.items()},
        )
        tables._cache["compiled"] = cached
    return cached
