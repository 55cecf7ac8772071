"""Severity-usage flags of secondary diagnoses (docs/GROUPER_LOGIC.md section 13)."""
from __future__ import annotations

from drg.grouper.marking import has_reported_met_hac
from drg.grouper.state import DEATH_EXCLUSION, EXCLUDED, SUPPRESSED, DxRecord
from drg.grouper.vocabulary import Severity, SeverityUsage

MCC, CC = Severity.MCC, Severity.CC
NEITHER = SeverityUsage.NEITHER
_USED = {MCC: SeverityUsage.MCC, CC: SeverityUsage.CC}
_EXCLUDED = {MCC: SeverityUsage.MCC_EXCLUDED, CC: SeverityUsage.CC_EXCLUDED}
_EXCLUDED_BY_DRG_LOGIC = {MCC: SeverityUsage.MCC_EXCLUDED_BY_DRG_LOGIC, CC: SeverityUsage.CC_EXCLUDED_BY_DRG_LOGIC}


def severity_usage(d: DxRecord, phase: str, version_id: int) -> SeverityUsage:
    """Rule R(phase): how the code's CC/MCC level was used."""
    excluded = EXCLUDED in d.marks
    died = DEATH_EXCLUSION in d.marks
    suppressed = SUPPRESSED in d.marks and version_id >= 411
    level = d.severity
    if died and not excluded:
        usage = NEITHER
    elif excluded or died:
        usage = _EXCLUDED.get(level, NEITHER)
    elif suppressed:
        usage = _EXCLUDED_BY_DRG_LOGIC.get(level, NEITHER)
    else:
        usage = _USED.get(level, NEITHER)
    if phase == "FINAL" and not suppressed and has_reported_met_hac(d):
        usage = NEITHER
    return usage


def fallback_final_usage(d: DxRecord, died: bool, version_id: int) -> SeverityUsage:
    """Final usage when HAC processing stopped the chain before the final pass."""
    level = d.severity
    if EXCLUDED in d.marks:
        return _EXCLUDED.get(level, NEITHER)
    if SUPPRESSED in d.marks and version_id >= 411:
        return _EXCLUDED_BY_DRG_LOGIC.get(level, NEITHER)
    if (died and d.has("mccalive")) or has_reported_met_hac(d):
        return NEITHER
    return _USED.get(level, NEITHER)
