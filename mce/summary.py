"""Batch summaries of MCE results: claims per edit type, claims and occurrences per edit.

For the batch commands (a report counts edits per kind and lists the claims): add each
claim's EditResult to an `EditTally`, then read its counters or `rows()`.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from drg.tables.mce import Edit, EditType

from drg.mce.result import EditResult


@dataclass
class EditTally:
    """Running counts over many claims' MCE results (not thread-safe; one per worker, then `merge`)."""

    claims: int = 0
    per_edit_type: Counter = field(default_factory=Counter)      # EditType -> claims
    claims_per_edit: Counter = field(default_factory=Counter)    # Edit -> claims with it
    occurrences: Counter = field(default_factory=Counter)        # Edit -> sum of its counts
    prepayment_claims: list[str] = field(default_factory=list)   # ids of claims with a prepayment edit
    keep_claim_ids: bool = True      # False: count only (a batch of millions keeps no id list)

    def add(self, result: EditResult) -> None:
        self.claims += 1
        self.per_edit_type[result.edit_type] += 1
        for entry in result.edits:
            self.claims_per_edit[entry.edit] += 1
            self.occurrences[entry.edit] += entry.count
        if result.prepayment and self.keep_claim_ids:
            self.prepayment_claims.append(result.claim_id)

    def add_golden(self, golden: Mapping) -> None:
        """Add one result in the golden form (`EditResult.to_dict()`, the `mce` object of a
        `drg group --edits` row); one without an edit type is not counted."""
        kind = golden.get("edit_type")
        if kind is None:
            return
        self.claims += 1
        edit_type = EditType(kind)
        self.per_edit_type[edit_type] += 1
        for entry in golden.get("edits") or ():
            edit = Edit(entry["edit"])
            self.claims_per_edit[edit] += 1
            self.occurrences[edit] += entry["count"]
        if edit_type in (EditType.PREPAYMENT, EditType.BOTH) and self.keep_claim_ids:
            self.prepayment_claims.append(str(golden.get("id", "")))

    def add_all(self, results: Iterable[EditResult]) -> "EditTally":
        for result in results:
            self.add(result)
        return self

    def merge(self, other: "EditTally") -> "EditTally":
        self.claims += other.claims
        self.per_edit_type.update(other.per_edit_type)
        self.claims_per_edit.update(other.claims_per_edit)
        self.occurrences.update(other.occurrences)
        self.prepayment_claims.extend(other.prepayment_claims)
        return self

    def rows(self) -> list[dict]:
        """One row per edit raised: edit, claims, occurrences; most claims first, then by name."""
        order = sorted(self.claims_per_edit, key=lambda e: (-self.claims_per_edit[e], e.value))
        return [{"edit": e.value, "claims": self.claims_per_edit[e], "occurrences": self.occurrences[e]}
                for e in order]

    def edit_types(self) -> dict[str, int]:
        """Claims per edit type, every type listed (0 when none)."""
        return {t.value: self.per_edit_type.get(t, 0) for t in EditType}


__all__ = ["Edit", "EditTally"]
