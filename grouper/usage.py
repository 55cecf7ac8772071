"""Severity-usage flags of secondary diagnoses (GROUPER_LOGIC.md section 13)."""
from __future__ import annotations

from drg.grouper.marking import has_reported_met_hac
from drg.grouper.state import DEATH_EXCLUSION, EXCLUDED, SUPPRESSED, DxRecord


def severity_usage(d: DxRecord, phase: str, version_id: int) -> str:
    """Rule R(phase): how the code's CC/MCC level was used."""
    excluded = EXCLUDED in d.marks
    died = DEATH_EXCLUSION in d.marks
    suppressed = SUPPRESSED in d.marks and version_id >= 411
    level = d.severity
    if died and not excluded:
        usage = "NEITHER"
    elif (excluded or died) and level == "MCC":
        usage = "MCC_EXCLUDED"
    elif (excluded or died) and level == "CC":
        usage = "CC_EXCLUDED"
    elif suppressed and level == "MCC":
        usage = "MCC_EXCLUDED_BY_DRG_LOGIC"
    elif suppressed and level == "CC":
        usage = "CC_EXCLUDED_BY_DRG_LOGIC"
    elif level in ("MCC", "CC"):
        usage = level
    else:
        usage = "NEITHER"
    if phase == "FINAL" and not suppressed and has_reported_met_hac(d):
        usage = "NEITHER"
    return usage


def fallback_final_usage(d: DxRecord, died: bool, version_id: int) -> str:
    """Final usage when HAC processing stopped the chain before the final pass."""
    level = d.severity
    if EXCLUDED in d.marks:
        return {"MCC": "MCC_EXCLUDED", "CC": "CC_EXCLUDED"}.get(level, "NEITHER")
    if SUPPRESSED in d.marks and version_id >= 411:
        return {"MCC": "MCC_EXCLUDED_BY_DRG_LOGIC", "CC": "CC_EXCLUDED_BY_DRG_LOGIC"}.get(level, "NEITHER")
    if (died and d.has("mccalive")) or has_reported_met_hac(d):
        return "NEITHER"
    return level if level in ("MCC", "CC") else "NEITHER"
