"""drg.grouper: the MS-DRG grouping engine, written from docs/GROUPER_LOGIC.md.

`group_claim(claim, tables)` is pure: no file access, no global state beyond what each
version's table set derives once (compiled formulas, per-code records), kept in typed
per-table-set caches.
"""
from drg.grouper.column_results import GroupedColumns
from drg.grouper.columnwise import group_columns
from drg.grouper.compiled import secondary_tested_names
from drg.grouper.engine import group_claim
from drg.grouper.result import DiagnosisResult, GroupingResult, HacReport, ProcedureResult
from drg.grouper.vocabulary import (AffectsDrg, HacStatus, HacUsage, MedSurg, PoaError, ReturnCode, Severity,
                                    SeverityUsage)

__all__ = [
    "group_claim", "group_columns", "GroupedColumns", "secondary_tested_names",
    "GroupingResult", "DiagnosisResult", "ProcedureResult", "HacReport",
    "AffectsDrg", "HacStatus", "HacUsage", "MedSurg", "PoaError", "ReturnCode", "Severity", "SeverityUsage",
]
