"""The grouper's words, spelled exactly as the CMS grouper writes them (golden/README.md).

Each is a StrEnum: a member is a `str` equal to its spelling, so results compare, print,
serialize to JSON, CSV and Parquet exactly as the plain words did, and a typo in the code
is an AttributeError instead of a silently different word.
"""
from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    """A code's CC/MCC level, or a DRG's severity (NONE: the DRG has no severity, or ungroupable)."""

    MCC = "MCC"
    CC = "CC"
    NON_CC = "NON_CC"
    NONE = "NONE"


class SeverityUsage(StrEnum):
    """How a secondary diagnosis's CC/MCC level was used in a pass (docs/GROUPER_LOGIC.md section 13)."""

    MCC = "MCC"
    CC = "CC"
    MCC_EXCLUDED = "MCC_EXCLUDED"                          # CC exclusion by the principal diagnosis
    CC_EXCLUDED = "CC_EXCLUDED"
    MCC_EXCLUDED_BY_DRG_LOGIC = "MCC_EXCLUDED_BY_DRG_LOGIC"  # the DRG formula's severity suppression
    CC_EXCLUDED_BY_DRG_LOGIC = "CC_EXCLUDED_BY_DRG_LOGIC"
    NEITHER = "NEITHER"


class AffectsDrg(StrEnum):
    """Whether a code decided the initial and/or the final DRG (section 12)."""

    INITIAL = "INITIAL"
    FINAL = "FINAL"
    BOTH = "BOTH"
    NONE = "NONE"


class ReturnCode(StrEnum):
    """The grouper's return code of a pass; anything but OK means DRG 999 (sections 10.6, 14.4-14.5)."""

    OK = "OK"
    DX_CANNOT_BE_PDX = "DX_CANNOT_BE_PDX"
    INVALID_SEX = "INVALID_SEX"
    INVALID_DISCHARGE_STATUS = "INVALID_DISCHARGE_STATUS"
    INVALID_PDX = "INVALID_PDX"
    HAC_MISSING_ONE_POA = "HAC_MISSING_ONE_POA"
    HAC_STATUS_INVALID_POA_N_OR_U = "HAC_STATUS_INVALID_POA_N_OR_U"
    HAC_STATUS_INVALID_POA_INVALID_OR_1 = "HAC_STATUS_INVALID_POA_INVALID_OR_1"
    HAC_STATUS_INVALID_MULT_HACS_POA_NOT_Y_W = "HAC_STATUS_INVALID_MULT_HACS_POA_NOT_Y_W"


class MedSurg(StrEnum):
    """Whether the DRG is medical or surgical (NONE: neither, as for DRG 999)."""

    MEDICAL = "MEDICAL"
    SURGICAL = "SURGICAL"
    NONE = "NONE"


class HacStatus(StrEnum):
    """What the hospital-acquired-condition logic did to the claim's DRG (section 16)."""

    NOT_APPLICABLE = "NOT_APPLICABLE"
    FINAL_DRG_NO_CHANGE = "FINAL_DRG_NO_CHANGE"
    FINAL_DRG_CHANGES = "FINAL_DRG_CHANGES"
    FINAL_DRG_UNGROUPABLE = "FINAL_DRG_UNGROUPABLE"


class HacUsage(StrEnum):
    """How one HAC entry of a diagnosis was used (section 14)."""

    NOT_ON_HAC_LIST = "NOT_ON_HAC_LIST"
    HAC_CRITERIA_MET = "HAC_CRITERIA_MET"
    HAC_CRITERIA_NOT_MET = "HAC_CRITERIA_NOT_MET"
    HAC_NOT_APPLICABLE_EXCLUSION = "HAC_NOT_APPLICABLE_EXCLUSION"
    HAC_NOT_APPLICABLE_EXEMPT = "HAC_NOT_APPLICABLE_EXEMPT"


class PoaError(StrEnum):
    """What the grouper made of a diagnosis's present-on-admission indicator (section 14)."""

    POA_NOT_CHECKED = "POA_NOT_CHECKED"
    POA_NOT_RECOGNIZED = "POA_NOT_RECOGNIZED"
    POA_RECOGNIZED_NOT_POA = "POA_RECOGNIZED_NOT_POA"
    POA_RECOGNIZED_YES_POA = "POA_RECOGNIZED_YES_POA"
    HOSPITAL_EXEMPT = "HOSPITAL_EXEMPT"
    BLANK_DX_NOT_CONSIDERED = "BLANK_DX_NOT_CONSIDERED"
