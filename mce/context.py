"""The editing context of one claim: the tables, the claim, its codes with their flags, the log."""
from __future__ import annotations

from dataclasses import dataclass, field

from drg.tables.mce import MceTables

from drg.mce.inputs import EditInput
from drg.mce.shared_rules import ClaimFlags
from drg.mce.state import CodeSlot, EditLog


@dataclass
class Context:
    """Everything a rule reads. `day` is the discharge date in epoch days (a valid date)."""

    tables: MceTables
    claim: EditInput
    day: int
    pdx: CodeSlot
    admit: CodeSlot | None
    sdx: list[CodeSlot]
    procedures: list[CodeSlot]
    wide: ClaimFlags
    log: EditLog = field(default_factory=EditLog)
