"""Marking: which codes affected the initial and the final DRG (docs/GROUPER_LOGIC.md section 12)."""
from __future__ import annotations

from drg.grouper.evaluate import TRAUMA_REGIONS
from drg.grouper.passes import Match
from drg.grouper.state import (DEATH_EXCLUSION, EXCLUDED, FIRST_POSITION, FUSION, MARKED, MET,
                               NOT_INCIDENT, SIG_TRAUMA, STENT_4, SUPPRESSED, VESSEL_4, DxRecord,
                               PrRecord, add_impact, mark)
from drg.tables.cms import UNRELATED_OR_DRGS

_SEVERITY_TOKENS = ("MCC", "CC", "NON_CC")
_NOT_COUNTED = frozenset({SUPPRESSED, EXCLUDED, DEATH_EXCLUSION})


def has_reported_met_hac(d: DxRecord) -> bool:
    return any(h.usage == MET for h in d.reported_hacs)


def mark_diagnoses(phase: str, match: Match, sdx: list[DxRecord], pdx: DxRecord,
                   drg_changed: bool) -> None:
    """12.1: each accumulated name marks the first qualifying sdx; changed DRGs mark met HAC codes."""
    by_name: dict[str, tuple[str, str]] = {}
    for token in match.accumulated:
        by_name.setdefault(token[1], token)
    # (name, is a severity token, may mark by attribute); tokens that can never mark are dropped
    candidates = []
    for name in sorted(by_name):
        prefix = by_name[name][0]
        if (prefix, name) == ("ONLY", "incident") or (prefix in ("PDX", "ANY") and pdx.has(name)):
            continue
        by_severity = name.upper() in ("MCC", "CC")
        by_attribute = prefix in ("SDX", "ANY")
        if by_severity or by_attribute:
            candidates.append((name, by_severity, by_attribute))
    used: set[str] = set()
    for d in sdx:
        if not candidates:
            break
        for name, by_severity, by_attribute in candidates:
            if name in used:
                continue
            if ((by_severity and d.severity == name and not d.marks & _NOT_COUNTED)
                    or (by_attribute and d.has(name))):
                mark(d, phase)
                used.add(name)
                break
    if drg_changed:
        for d in sdx:
            if has_reported_met_hac(d):
                mark(d, phase)


def marking_mdc(match: Match, pdx_mdc: int) -> int:
    if match.reroute_mdc:
        return match.reroute_mdc
    return 29 if match.drg in UNRELATED_OR_DRGS else pdx_mdc


class ProcedureMarker:
    """12.2: procedure marking for one phase."""

    def __init__(self, phase: str, match: Match, procedures: list[PrRecord], clusters: list[PrRecord],
                 pdx_mdc: int, version_id: int):
        self.phase = phase
        self.match = match
        self.procedures = procedures
        self.clusters = clusters
        self.mdc = marking_mdc(match, pdx_mdc)
        self.version_id = version_id
        self.principal = next((p for p in procedures if FIRST_POSITION in p.marks), None)

    def visible(self, p: PrRecord) -> bool:
        return self.mdc not in p.suppression

    def principal_qualifies(self) -> bool:
        """The principal procedure must be O.R. from 41.0 on (section 19)."""
        return self.version_id < 410 or (self.principal is not None and self.principal.is_or)

    def mark_cluster_members(self, cluster: PrRecord) -> None:
        seen: set[str] = set()
        for p in self.procedures:
            if cluster.code in p.cluster_ids and p.code not in seen:
                seen.add(p.code)
                mark(p, self.phase)

    def whole_set_rule(self, names: set[str]) -> bool:
        principal = self.principal
        if (principal is not None and self.principal_qualifies() and self.visible(principal)
                and names <= principal.attributes):
            mark(principal, self.phase)
            if FUSION not in principal.marks:
                return True
        for p in self.procedures:
            if (p is not principal or self.version_id < 410) and self.visible(p) and names <= p.attributes:
                mark(p, self.phase)
                return True
        for cluster in self.clusters:
            if names <= cluster.attributes:
                self.mark_cluster_members(cluster)
                return True
        return False

    def revision_rule(self, name: str) -> bool:
        having = [p for p in self.procedures if self.visible(p) and name in p.attributes]
        if having and any(name in c.attributes for c in self.clusters):
            principal = self.principal
            target = principal if principal is not None and name in principal.attributes else having[0]
            mark(target, self.phase)
            return True
        return False

    def fusion_rule(self) -> bool:
        fused = [p for p in self.procedures if FUSION in p.marks]
        for p in fused:
            mark(p, self.phase)
        return bool(fused)

    def run(self) -> None:
        accumulated = list(self.match.accumulated)
        unprefixed = {name for prefix, name in accumulated if prefix == "NONE" and name not in _SEVERITY_TOKENS}
        if unprefixed and self.whole_set_rule(unprefixed):
            return
        for prefix, name in accumulated:
            if prefix != "NONE":
                continue
            if name == "revision" and self.revision_rule(name):
                continue
            having = [p for p in self.procedures if self.visible(p) and name in p.attributes]
            if len(having) >= 2 and not (self.mdc == 8 and self.version_id >= 420 and self.fusion_rule()):
                principal = self.principal
                if (principal is not None and name in principal.attributes and self.principal_qualifies()
                        and self.visible(principal)):
                    mark(principal, self.phase)
                else:
                    others = [p for p in having if p is not principal or self.version_id < 410]
                    if others:
                        mark(others[0], self.phase)
            elif having:
                mark(having[0], self.phase)
            else:
                cluster = next((c for c in self.clusters if name in c.attributes), None)
                if cluster is not None:
                    self.mark_cluster_members(cluster)


def mark_hac_procedures(procedures: list[PrRecord], sdx: list[DxRecord], pdx_mdc_visible) -> None:
    """12.2, FINAL phase with a changed DRG: procedures used by a met HAC affect the final DRG."""
    met_numbers = {h.number for d in sdx for h in d.hac_entries if h.usage == MET}
    for p in procedures:
        if p.hac_usage and pdx_mdc_visible(p):
            if any(int(usage[4:]) in met_numbers for usage in p.hac_usage):
                p.impact = add_impact(p.impact, "FINAL")


def mark_special_diagnoses(phase: str, pre: Match | None, deciding: Match, pdx: DxRecord,
                           sdx: list[DxRecord]) -> None:
    """12.3: significant trauma codes, and the non-incidental codes of DRG 794."""
    count = 0
    if SIG_TRAUMA in pdx.marks:
        mark(pdx, phase)
        count = 1
    if pre is not None and any(name in TRAUMA_REGIONS for _, name in pre.accumulated):
        for d in sdx:
            if count >= 2:
                break
            if SIG_TRAUMA in d.marks:
                mark(d, phase)
                count += 1
    if deciding.drg == 794:
        for d in sdx:
            if NOT_INCIDENT in d.marks:
                mark(d, phase)


def mark_special_procedures(phase: str, match: Match, procedures: list[PrRecord]) -> None:
    """12.4: stents and vessels counted by the special operands."""
    names = {name for prefix, name in match.accumulated if prefix == "NONE"}
    marked = MARKED[phase]
    if names & {"stent1", "stent2", "stent3", "stent4"}:
        for p in procedures:
            if STENT_4 in p.marks:
                mark(p, phase)
        pair = None
        if {"arterial", "NORdrugstent"} <= names:
            pair = {"arterial", "NORdrugstent"}
        elif {"arterial", "NORstent"} <= names:
            pair = {"arterial", "NORstent"}
        if pair:
            for p in procedures:
                if marked not in p.marks and pair <= p.attributes:
                    mark(p, phase)
    if names & {"vessel1", "vessel2", "vessel3", "vessel4"}:
        for p in procedures:
            if VESSEL_4 in p.marks:
                mark(p, phase)
