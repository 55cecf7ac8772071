"""drg.grouper: the MS-DRG grouping engine, written from GROUPER_LOGIC.md.

`group_claim(claim, tables)` is pure: no file access, no global state beyond the
per-version compiled formulas cached on the table set.
"""
from drg.grouper.engine import group_claim
from drg.grouper.result import DiagnosisResult, GroupingResult, HacReport, ProcedureResult

__all__ = ["group_claim", "GroupingResult", "DiagnosisResult", "ProcedureResult", "HacReport"]
