"""The column-wise grouping engine: a whole chunk of claims at once (docs/GROUPER_LOGIC.md).

`group_columns(columns, tables_for)` groups the claims of a ClaimColumns chunk and returns a
GroupedColumns (drg.grouper.column_results) in the same order. Each result equals what the
per-claim engine (drg.grouper.engine.group_claim) gives for the claim.

(In progress: today every claim is grouped by the per-claim engine and counted in `per_claim`.)
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from drg.claim_columns import ClaimColumns
from drg.grouper.column_results import GroupedColumns, concatenate, reorder
from drg.grouper.engine import group_claim
from drg.tables import TableSet


def group_per_claim(columns: ClaimColumns, positions: np.ndarray,
                    tables_for: Callable[[int], TableSet]) -> GroupedColumns:
    """The claims at `positions` grouped one by one by the per-claim engine (the fallback)."""
    results = []
    for i in positions.tolist():
        claim = columns.claim(i)
        results.append(group_claim(claim, tables_for(int(columns.version[i]))))
    return GroupedColumns.from_results(results)


def group_columns(columns: ClaimColumns, tables_for: Callable[[int], TableSet]) -> GroupedColumns:
    """Group a chunk of claims; `tables_for(version_id)` gives a version's table set."""
    positions = np.arange(len(columns), dtype=np.int64)
    parts = [group_per_claim(columns, positions, tables_for)]
    merged = concatenate(parts)
    order = np.argsort(positions, kind="stable")
    return reorder(merged, order)
