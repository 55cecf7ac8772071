"""Record types of a loaded table set: what the tables say about one code, formula or cluster."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DiagnosisInfo:
    """A diagnosis code's grouping facts in one version (shared by all codes of one CMS scheme)."""

    mdc: int
    severity: str                      # "MCC", "CC" or "NON_CC" as a secondary diagnosis
    attributes: frozenset[str]         # grouping attributes (dx_patterns via dx_pattern_id)
    attributes_lower: frozenset[str]   # the same, lower-cased, for the case-insensitive tests
    categories: tuple[str, ...]        # diagnosis categories dxcMMnn
    hac_attributes: tuple[str, ...]    # HAC attributes (HAC05, hac06_show, ...)


@dataclass(frozen=True, slots=True)
class DrgFormula:
    """One row of a DRG formula list (drg_formulas), in evaluation order within its MDC."""

    mdc: int
    rank: int
    list_index: int
    drg: int
    base_drg: int
    surgical: str                      # "SURGICAL", "MEDICAL" or "NA"
    reroute_mdc: int
    drg_severity: int
    formula: str
    suppression: frozenset[str]        # attributes whose codes do not count as CC/MCC for this row


@dataclass(frozen=True, slots=True)
class Cluster:
    """A procedure cluster: complete when the claim has a code of every choice."""

    cluster_id: str
    choices: tuple[frozenset[str], ...]   # in choice-number order
    suppression_mdcs: frozenset[int]


@dataclass(frozen=True, slots=True)
class HacCodeLists:
    """The two independently ordered HAC lists of a code (hac_code_operands / hac_code_numbers)."""

    operands: tuple[str, ...]
    numbers: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class DrgWeight:
    """CMS Table 5 figures of one DRG in one fiscal year; None where the source lacks a figure."""

    drg: int
    fiscal_year: int
    weight: float | None
    weight_before_cap: float | None
    gmlos: float | None
    amlos: float | None
    post_acute_transfer: bool | None
    special_pay: bool | None
    source_file: str

    @property
    def relative_weight(self) -> float | None:
        """The paid weight where known, else the uncapped one (FY2023-FY2025 sources)."""
        return self.weight if self.weight is not None else self.weight_before_cap


@dataclass(frozen=True, slots=True)
class BaseRate:
    """National IPPS standardized amounts of one fiscal year."""

    fiscal_year: int
    operating: float | None
    capital: float | None
    source: str

    @property
    def total(self) -> float | None:
        if self.operating is None or self.capital is None:
            return None
        return self.operating + self.capital
