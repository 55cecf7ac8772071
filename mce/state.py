"""What the editor records while it edits one claim: the counts and each code's edits.

"Counted" adds 1 to the claim's count of an edit; "flagged" puts the edit on the code's own
list (docs/MCE_LOGIC.md, Names). A code's list keeps the order the edits were raised in,
without repeats (section 10).
"""
from __future__ import annotations

from drg.tables.mce import AgeGroup, Edit


class CodeSlot:
    """One code of the claim as the editor sees it: the code as written, its flags, its edits."""

    __slots__ = ("code", "flags", "valid", "edits", "age_group")

    def __init__(self, code: str | None, flags: frozenset | None) -> None:
        self.code = code                         # as written; None = the claim has none (PDX only)
        self.valid = flags is not None
        self.flags: frozenset = flags or frozenset()
        self.edits: list[Edit] = []
        self.age_group: AgeGroup | None = None   # the age-conflict type (7.1), diagnoses only


class EditLog:
    """The claim's edit counts, in the order first raised."""

    __slots__ = ("counts",)

    def __init__(self) -> None:
        self.counts: dict[Edit, int] = {}

    def count(self, edit: Edit) -> None:
        """Add 1 to the claim's count of the edit (a claim-level edit, or a counted code edit)."""
        self.counts[edit] = self.counts.get(edit, 0) + 1

    def raise_on(self, slot: CodeSlot, edit: Edit, counted: bool = True) -> None:
        """Flag the edit on the code and, unless `counted` is False, count it."""
        if edit not in slot.edits:
            slot.edits.append(edit)
        if counted:
            self.count(edit)
