"""Hospital-acquired conditions: POA checks, HAC criteria, HAC return codes and the reported
HAC lists (docs/GROUPER_LOGIC.md section 14)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from drg.grouper.evaluate import Evaluation, evaluate
from drg.grouper.state import (EXCLUDED, EXCLUSION, EXEMPT, MET, NOT_MET, ON_SHOW_LIST, DxRecord,
                               PrRecord)
from drg.grouper.vocabulary import PoaError, ReturnCode

POA_YES = frozenset({"Y", "W"})
POA_NO = frozenset({"N", "U"})
PROCEDURE_HACS = (8, 10, 11, 12, 13, 14)


def poa_unusable(poa: str) -> bool:
    """E, blank, 1 or any unrecognised value."""
    return poa not in POA_YES and poa not in POA_NO


def poa_error(poa: str) -> PoaError:
    """What the grouper reports about a POA value it checked."""
    if poa in POA_YES:
        return PoaError.POA_RECOGNIZED_YES_POA
    if poa in POA_NO:
        return PoaError.POA_RECOGNIZED_NOT_POA
    return PoaError.POA_NOT_RECOGNIZED


@dataclass
class HacOutcome:
    """What HAC processing decided for the claim."""

    return_code: ReturnCode | None = None   # a HAC return code that makes the final result ungroupable


def process_hacs(hospital_status: str, sdx: list[DxRecord], procedures: list[PrRecord],
                 hac_formulas: Mapping, base: Evaluation, version_id: int) -> HacOutcome:
    """Run section 14 for a claim whose initial pass grouped; returns the HAC return code, if any."""
    with_entries = [d for d in sdx if d.hac_entries]
    outcome = HacOutcome()
    if hospital_status == "EXEMPT":                                              # 14.1
        for d in with_entries:
            d.poa_error = PoaError.HOSPITAL_EXEMPT
            for h in d.hac_entries:
                h.usage = EXEMPT
        build_reported_lists(with_entries, version_id)
        return outcome

    met_codes: dict[int, list[DxRecord]] = {}                                    # 14.2
    owner_of_six = None
    bad_poa_seen = False
    criteria_cache: dict[int, bool] = {}
    for d in with_entries:
        for h in d.hac_entries:
            if d.poa in POA_YES:
                h.usage = NOT_MET
                d.poa_error = PoaError.POA_RECOGNIZED_YES_POA
            elif EXCLUDED in d.marks:
                h.usage = EXCLUSION
                d.poa_error = poa_error(d.poa)
            else:
                if h.number not in criteria_cache:
                    criteria_cache[h.number] = hac_criteria(hac_formulas.get(h.number, ()), base)
                h.usage = MET if criteria_cache[h.number] else NOT_MET
                d.poa_error = poa_error(d.poa)
                if poa_unusable(d.poa):
                    bad_poa_seen = True
                if h.usage == MET:
                    if h.number == 6 and ON_SHOW_LIST not in d.marks:
                        owner_of_six = d
                    met_codes.setdefault(h.number, []).append(d)
    if owner_of_six is None:
        for d in with_entries:
            for h in d.hac_entries:
                if h.list_name == "hac06_show":
                    h.usage = NOT_MET

    for d in with_entries:                                                       # 14.3
        for h in d.hac_entries:
            if h.usage == MET and h.number in PROCEDURE_HACS:
                needle = f"hac{h.number:02d}_proc"
                for p in procedures:
                    if any(needle in a for a in p.attributes):
                        p.hac_usage.add(f"HAC_{h.number:02d}")

    if met_codes and hospital_status == "NON_EXEMPT":                            # 14.4
        ungroupable = False
        for number, codes in met_codes.items():
            if number == 6:
                if owner_of_six is None:
                    continue
                if any(poa_unusable(c.poa) for c in codes):
                    ungroupable = True
            elif bad_poa_seen:
                ungroupable = True
        if ungroupable:
            outcome.return_code = ReturnCode.HAC_MISSING_ONE_POA
    elif met_codes and hospital_status == "UNKNOWN":                             # 14.5
        outcome.return_code = _unknown_status_code(with_entries, len(sdx))
    build_reported_lists(with_entries, version_id)
    return outcome


def _unknown_status_code(with_entries: list[DxRecord], sdx_count: int) -> ReturnCode | None:
    for d in with_entries:
        for _ in d.hac_entries:
            if sdx_count >= 2:
                return ReturnCode.HAC_STATUS_INVALID_MULT_HACS_POA_NOT_Y_W
            if d.poa in POA_NO:
                return ReturnCode.HAC_STATUS_INVALID_POA_N_OR_U
            if poa_unusable(d.poa):
                return ReturnCode.HAC_STATUS_INVALID_POA_INVALID_OR_1
    return None


def hac_criteria(formulas: tuple, base: Evaluation) -> bool:
    """A HAC's formulas on the claim's mask, without severity or suppression (section 14.2)."""
    for formula in formulas:
        ev = Evaluation(base.mask, base.pdx, base.sdx, base.procedures, base.pdx_mdc, None, None)
        if evaluate(formula.function, ev):
            return True
    return False


def build_reported_lists(with_entries: list[DxRecord], version_id: int) -> None:
    """14.6: the HAC entries each sdx reports; numbers are zeroed except for met and exclusion."""
    for d in with_entries:
        out = []
        six_seen = False
        reported_any = False
        for h in d.hac_entries:
            if h.usage == MET:
                if h.number == 6:
                    if six_seen:
                        continue
                    six_seen = True
                out.append(h)
                reported_any = True
            elif h.usage == NOT_MET and d.poa in POA_YES:
                h.number = 0
                out.append(h)
                reported_any = True
                break
            elif h.usage == EXCLUSION:
                out.append(h)
                reported_any = True
            elif h.usage == EXEMPT:
                h.number = 0
                out.append(h)
                reported_any = True
        if not reported_any:
            entries = d.hac_entries if version_id >= 410 else d.hac_entries[:1]
            for h in entries:
                h.number = 0
                out.append(h)
        d.reported_hacs = sorted(out, key=lambda h: h.number)
