"""Per-claim working records: one per diagnosis and procedure, carrying the marks and flags
that the grouping steps set (docs/GROUPER_LOGIC.md section 5.1). Internal to the engine."""
from __future__ import annotations

from dataclasses import dataclass, field

from drg.grouper.vocabulary import AffectsDrg, HacUsage, PoaError, Severity, SeverityUsage
from drg.tables.records import DiagnosisInfo

# internal marks
EXCLUDED = "EXCLUDED"
DEATH_EXCLUSION = "DEATH_EXCLUSION"
SUPPRESSED = "SUPPRESSED"
SIG_TRAUMA = "SIG_TRAUMA"
NOT_INCIDENT = "NOT_INCIDENT"
ON_SHOW_LIST = "ON_SHOW_LIST"
SEX_CONFLICT = "SEX_CONFLICT"
FIRST_POSITION = "FIRST_POSITION"
FUSION = "FUSION"
STENT_4 = "STENT_4"
VESSEL_4 = "VESSEL_4"
BILATERAL = "BILATERAL"
MARKED = {"INITIAL": "MARKED_FOR_INITIAL", "FINAL": "MARKED_FOR_FINAL"}

# HAC entry usages, by their short names in the engine
NOT_ON_HAC_LIST = HacUsage.NOT_ON_HAC_LIST
MET = HacUsage.HAC_CRITERIA_MET
NOT_MET = HacUsage.HAC_CRITERIA_NOT_MET
EXCLUSION = HacUsage.HAC_NOT_APPLICABLE_EXCLUSION
EXEMPT = HacUsage.HAC_NOT_APPLICABLE_EXEMPT


@dataclass(slots=True)
class HacEntry:
    number: int
    list_name: str | None
    usage: HacUsage = NOT_ON_HAC_LIST


@dataclass(eq=False, slots=True)
class DxRecord:
    """A principal or secondary diagnosis as the grouper works on it."""

    code: str                      # as given
    poa: str
    info: DiagnosisInfo | None     # None when not valid in the version
    severity: Severity = Severity.NON_CC
    marks: set = field(default_factory=set)
    impact: AffectsDrg = AffectsDrg.NONE
    initial_usage: SeverityUsage = SeverityUsage.NEITHER
    final_usage: SeverityUsage = SeverityUsage.NEITHER
    poa_error: PoaError = PoaError.POA_NOT_CHECKED
    hac_entries: list = field(default_factory=list)
    reported_hacs: list = field(default_factory=list)

    @property
    def recognized(self) -> bool:
        return self.info is not None

    def has(self, attribute: str) -> bool:
        """The main-attribute test, case-insensitive (section 6)."""
        return self.info is not None and attribute.lower() in self.info.attributes_lower


@dataclass(eq=False, slots=True)
class PrRecord:
    """A procedure (or a formed cluster, code Z@nnnn) as the grouper works on it."""

    code: str
    attributes: frozenset
    recognized: bool
    is_or: bool = False
    suppression: set = field(default_factory=set)
    cluster_ids: list = field(default_factory=list)
    marks: set = field(default_factory=set)
    impact: AffectsDrg = AffectsDrg.NONE
    hac_usage: set = field(default_factory=set)

    def state(self) -> tuple:
        """Code plus every piece of state: equal states make two records "the same" (section 7.5)."""
        return (self.code, frozenset(self.marks), self.impact, frozenset(self.hac_usage),
                frozenset(self.suppression), tuple(self.cluster_ids))


_AFTER_FINAL = {AffectsDrg.NONE: AffectsDrg.FINAL, AffectsDrg.INITIAL: AffectsDrg.BOTH}


def add_impact(current: AffectsDrg, phase: str) -> AffectsDrg:
    """The DRG-impact merge of section 12: INITIAL sets INITIAL; FINAL turns NONE->FINAL, INITIAL->BOTH."""
    if phase == "INITIAL":
        return AffectsDrg.INITIAL if current in (AffectsDrg.NONE, AffectsDrg.INITIAL) else current
    return _AFTER_FINAL.get(current, current)


def mark(record: "DxRecord | PrRecord", phase: str) -> None:
    """Mark a code as affecting the DRG of the phase."""
    record.marks.add(MARKED[phase])
    record.impact = add_impact(record.impact, phase)
