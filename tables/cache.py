"""A value derived from one table set, built once and kept beside it.

A `TableSet` is frozen: the layers above derive their own working forms of it (the
grouper's compiled formulas, its per-code records, validation's lists of tested names)
and keep each in a `TableSetCache` of their own, typed by what it holds:

    COMPILED: TableSetCache[CompiledVersion] = TableSetCache(compile_version)
    program = COMPILED(tables)

Entries are keyed by the table set's identity and hold it, so an entry can never be
answered for another table set that happens to reuse a freed object's id. `load` keeps
every table set for the life of the process anyway, so nothing is kept longer than it
would be.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from drg.tables.loader import TableSet

V = TypeVar("V")


class TableSetCache(Generic[V]):
    """One `build(tables)` value per table set, built on first use (once, even across threads)."""

    __slots__ = ("_build", "_entries", "_lock")

    def __init__(self, build: Callable[[TableSet], V]) -> None:
        self._build = build
        self._entries: dict[int, tuple[TableSet, V]] = {}
        self._lock = threading.Lock()

    def __call__(self, tables: TableSet) -> V:
        entry = self._entries.get(id(tables))
        if entry is not None:
            return entry[1]
        with self._lock:
            entry = self._entries.get(id(tables))
            if entry is None:
                entry = (tables, self._build(tables))
                self._entries[id(tables)] = entry
        return entry[1]
