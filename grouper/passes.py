"""A grouping pass: claim severity per formula, the formulas of one MDC, pre-MDC, reroutes and
the pass result (docs/GROUPER_LOGIC.md sections 8, 9 and 10)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from drg.grouper.compiled import CompiledFormula
from drg.grouper.evaluate import Evaluation, evaluate
from drg.grouper.state import DEATH_EXCLUSION, EXCLUDED, SUPPRESSED
from drg.grouper.vocabulary import AffectsDrg, MedSurg, ReturnCode, Severity

SEVERITY_RANK = {Severity.MCC: 2, Severity.CC: 1, Severity.NON_CC: 0}
SEVERITY_BY_RANK = (Severity.NON_CC, Severity.CC, Severity.MCC)
OK = ReturnCode.OK
_MED_SURG = {"SURGICAL": MedSurg.SURGICAL, "MEDICAL": MedSurg.MEDICAL}


@dataclass(slots=True)
class Match:
    """The first true formula of an MDC list, with what it accumulated."""

    formula: CompiledFormula
    accumulated: dict
    return_code: ReturnCode

    @property
    def drg(self) -> int:
        return self.formula.row.drg

    @property
    def reroute_mdc(self) -> int:
        return self.formula.row.reroute_mdc


@dataclass(slots=True)
class PassResult:
    """The outcome of one grouping pass (initial or final)."""

    drg: int
    base_drg: int
    mdc: int
    med_surg: MedSurg
    severity: Severity
    return_code: ReturnCode
    deciding: Match | None = None
    pre: Match | None = None
    mdc_stops: tuple = ()

    @property
    def ungroupable(self) -> bool:
        return self.deciding is None


def ungroupable(return_code: ReturnCode) -> PassResult:
    """DRG 999 with a return code (section 10.6)."""
    return PassResult(999, 999, 0, MedSurg.NONE, Severity.NONE, return_code)


class PassStopped(Exception):
    """A return-code formula matched: the pass ends ungroupable."""

    def __init__(self, return_code: ReturnCode):
        super().__init__(return_code)
        self.return_code = return_code


class SeverityCalculator:
    """Claim severity for a formula's suppression set (section 8), remembering the last one used."""

    def __init__(self, considered: list):
        self.considered = considered
        self._cache: dict = {}
        self.last_suppression: frozenset = frozenset()

    def severity(self, suppression: frozenset) -> Severity:
        self.last_suppression = suppression
        cached = self._cache.get(suppression)
        if cached is None:
            lowered = {s.lower() for s in suppression}
            best = 0
            for d in self.considered:
                if d.marks & _NOT_COUNTED:
                    continue
                if lowered and d.info is not None and not lowered.isdisjoint(d.info.attributes_lower):
                    continue
                best = max(best, SEVERITY_RANK[d.severity])
            cached = SEVERITY_BY_RANK[best]
            self._cache[suppression] = cached
        return cached

    def leave_suppressed_marks(self) -> None:
        """Each considered code keeps the SUPPRESSED mark of the last formula evaluated."""
        lowered = {s.lower() for s in self.last_suppression}
        for d in self.considered:
            d.marks.discard(SUPPRESSED)
            if lowered and d.info is not None and not lowered.isdisjoint(d.info.attributes_lower):
                d.marks.add(SUPPRESSED)


_NOT_COUNTED = frozenset({EXCLUDED, DEATH_EXCLUSION})


def evaluate_mdc(formulas: Mapping, mdc: int, base: Evaluation, severity: SeverityCalculator
                 ) -> tuple[Match | None, Severity]:
    """The first true formula of an MDC's list, and the severity of the last formula tried (section 9).

    Formulas that cannot be true for this mask and have no side effects are skipped (the
    index of compiled.py); the last row of the list still counts as the last formula tried
    when none matches."""
    formula_list = formulas.get(mdc)
    if formula_list is None:
        return None, Severity.NONE
    rows = formula_list.rows
    ev = Evaluation(base.mask, base.pdx, base.sdx, base.procedures, base.pdx_mdc, mdc)
    for position in formula_list.candidates(base.mask.names):
        compiled = rows[position]
        current_severity = severity.severity(compiled.row.suppression)
        ev.severity = current_severity
        ev.accumulated = {}
        ev.return_code = OK
        if evaluate(compiled.function, ev):
            return Match(compiled, ev.accumulated, ev.return_code), current_severity
    if not rows:
        return None, Severity.NONE
    return None, severity.severity(rows[-1].row.suppression)


def grouping_pass(formulas: Mapping, base: Evaluation, severity: SeverityCalculator, pdx_mdc: int) -> PassResult:
    """Pre-MDC, reroutes and the principal diagnosis's MDC; the deciding match gives the result (section 10)."""
    stops = [0]
    pre, pass_severity = evaluate_mdc(formulas, 0, base, severity)
    try:
        if pre is not None and pre.return_code != OK:
            raise PassStopped(pre.return_code)
        reroute: Match | None = None
        rerouted = False
        pdx_match: Match | None = None
        done = False

        def reroute_step(previous: Match | None) -> None:                       # 10.2
            nonlocal reroute, rerouted, pass_severity
            if rerouted or previous is None or previous.reroute_mdc == 0:
                return
            match, sev = evaluate_mdc(formulas, previous.reroute_mdc, base, severity)
            if match is not None and match.return_code != OK:
                raise PassStopped(match.return_code)
            if match is not None and match.reroute_mdc != 0:
                match, sev = evaluate_mdc(formulas, match.reroute_mdc, base, severity)
                if match is not None and match.return_code != OK:
                    raise PassStopped(match.return_code)
            reroute, rerouted = match, True
            stops.append(previous.reroute_mdc)
            pass_severity = sev

        reroute_step(pre)
        if pre is None and reroute is None:                                       # 10.3
            pdx_match, sev = evaluate_mdc(formulas, pdx_mdc, base, severity)
            if pdx_match is not None and pdx_match.return_code != OK:
                base.pdx.impact = AffectsDrg.NONE
                raise PassStopped(pdx_match.return_code)
            done = True
            stops.append(pdx_mdc)
            pass_severity = sev
            reroute_step(pdx_match)
    except PassStopped as stop:
        severity.leave_suppressed_marks()
        return ungroupable(stop.return_code)
    severity.leave_suppressed_marks()

    deciding = reroute if rerouted and reroute is not None else (pdx_match if done else pre)   # 10.4
    if deciding is None or deciding.drg == 0:
        raise RuntimeError("no DRG formula decided the claim (docs/GROUPER_LOGIC.md section 10.4)")
    row = deciding.formula.row
    return PassResult(
        drg=row.drg, base_drg=row.base_drg, mdc=result_mdc(row.drg, pdx_mdc, stops),
        med_surg=_MED_SURG.get(row.surgical.upper(), MedSurg.NONE),
        severity=Severity.NONE if row.drg == 998 else pass_severity,
        return_code=OK, deciding=deciding, pre=pre, mdc_stops=tuple(stops))


def result_mdc(drg: int, pdx_mdc: int, stops: list[int]) -> int:
    """The MDC reported with the DRG (section 10.5)."""
    if drg == 999:
        return 0
    if stops[-1] == 29:
        return 24 if 24 in stops else 25 if 25 in stops else stops[-2]
    if stops[-1] != 0:
        return stops[-1]
    return pdx_mdc
