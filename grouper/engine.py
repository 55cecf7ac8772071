"""The processing chain for one claim (docs/GROUPER_LOGIC.md section 4): build the code records,
group (initial pass), mark, process HACs, group again (final pass), mark, assemble the output.

Pure: takes a claim and a version's table set, returns a GroupingResult.
"""
from __future__ import annotations

from drg.claim import Claim
from drg.grouper.compiled import compiled
from drg.grouper.evaluate import Evaluation
from drg.grouper.hac import process_hacs
from drg.grouper.marking import (ProcedureMarker, mark_diagnoses, mark_hac_procedures,
                                 mark_special_diagnoses, mark_special_procedures)
from drg.grouper.mask import build_mask
from drg.tables.cms import discharge_status_value
from drg.grouper.passes import PassResult, SeverityCalculator, grouping_pass, ungroupable
from drg.grouper.result import (DiagnosisResult, GroupingPath, GroupingResult, HacReport,
                                ProcedureResult)
from drg.grouper.state import (DEATH_EXCLUSION, EXCLUDED, FIRST_POSITION, MET, NOT_ON_HAC_LIST,
                               ON_SHOW_LIST, SEX_CONFLICT, DxRecord, HacEntry, PrRecord)
from drg.grouper.usage import fallback_final_usage, severity_usage
from drg.grouper.vocabulary import AffectsDrg, HacStatus, PoaError, Severity, SeverityUsage
from drg.tables import TableSet, TableSetCache
from drg.tables.cms import DIED, is_operating_room, with_orproc
from drg.tables.records import DiagnosisInfo

_SEVERITY_CLASS = {Severity.MCC: 0, Severity.CC: 1}
_SEVERITY_OF = {s.value: s for s in Severity}    # the tables' severity words, typed

# What each code brings, kept per version: every claim asks the same questions of the same codes.
ProcedureSpec = tuple[frozenset, bool, bool]                       # attributes with ORPROC, recognized, O.R.
SecondarySpec = tuple[DiagnosisInfo | None, Severity, tuple, bool]  # info, severity, HAC entries, on show list
_PROCEDURE_SPECS: TableSetCache[dict[str, ProcedureSpec]] = TableSetCache(lambda tables: {})
_SECONDARY_SPECS: TableSetCache[dict[str, SecondarySpec]] = TableSetCache(lambda tables: {})
_MASK_TOKENS: TableSetCache[dict] = TableSetCache(lambda tables: {})


def _sex(value: str | None) -> str:
    return value if value in ("M", "F") else "U"


def _procedure_spec(code: str, tables: TableSet, cache: dict[str, ProcedureSpec]) -> ProcedureSpec:
    """5.3: (attributes with ORPROC, recognized, O.R.) of a code."""
    spec = cache.get(code)
    if spec is None:
        table_attributes = tables.procedures.get(code.upper(), frozenset())
        spec = (with_orproc(table_attributes), bool(table_attributes),
                is_operating_room(table_attributes, tables.version.id))
        if table_attributes:            # only valid codes are kept: junk input cannot grow the cache
            cache[code] = spec
    return spec


def build_procedures(codes: tuple[str, ...], tables: TableSet) -> list[PrRecord]:
    """5.1 and 5.3: procedure records in claim order, with attributes, recognized and O.R. flags."""
    records = []
    cache = _PROCEDURE_SPECS(tables)
    for index, code in enumerate(codes):
        code = "null" if code is None else code
        attributes, recognized, is_or = _procedure_spec(code, tables, cache)
        record = PrRecord(code, attributes, recognized, is_or)
        if index == 0:
            record.marks.add(FIRST_POSITION)
        records.append(record)
    return records


def form_clusters(procedures: list[PrRecord], tables: TableSet) -> list[PrRecord]:
    """5.2: complete clusters become invisible extra procedures; members take their suppression MDCs."""
    if not procedures:
        return []
    candidates: set[str] = set()
    for p in procedures:
        candidates.update(c for c in tables.procedure_clusters.get(p.code.upper(), ()) if c in tables.clusters)
    formed = []
    for cluster_id in candidates:
        cluster = tables.clusters[cluster_id]
        filled: set[int] = set()
        chosen: set[str] = set()
        for p in procedures:
            slot = next((i for i, codes in enumerate(cluster.choices) if p.code in codes), None)
            if slot is not None:
                filled.add(slot)
                chosen.add(p.code)
            if len(filled) == len(cluster.choices):
                formed.append(cluster_id)
                for q in procedures:
                    if q.code in chosen:
                        q.suppression |= cluster.suppression_mdcs
                        q.cluster_ids.append(cluster_id)
                break
    out = []
    for cluster_id in sorted(formed):
        attributes = with_orproc(tables.procedures.get(cluster_id, frozenset()))
        out.append(PrRecord(cluster_id, attributes, bool(attributes)))
    return out


def _secondary_spec(code: str, tables: TableSet, cache: dict[str, SecondarySpec]) -> SecondarySpec:
    """What a valid code brings as a secondary diagnosis: (info, severity, HAC entries, on show list) (5.4)."""
    spec = cache.get(code)
    if spec is None:
        info = tables.diagnoses.get(code.upper())
        if info is None:
            return None, Severity.NON_CC, (), False
        entries: tuple[tuple[int, str], ...] = ()
        if any(a.startswith("HAC") for a in info.hac_attributes):
            lists = tables.hac_lists.get(code.upper())
            if lists is not None:
                count = len(set(lists.numbers))
                entries = tuple((number, next((op for op in lists.operands if str(number) in op), ""))
                                for number in lists.numbers[:count])
        spec = (info, _SEVERITY_OF[info.severity], entries, "hac06_show" in info.hac_attributes and bool(entries))
        cache[code] = spec
    return spec


def build_secondary(claim: Claim, tables: TableSet) -> list[DxRecord]:
    """5.4: sdx records in claim order with severity and HAC entries."""
    records = []
    cache = _SECONDARY_SPECS(tables)
    for index, dx in enumerate(claim.sdx):
        code = "null" if dx.code is None else dx.code
        info, severity, entries, on_show_list = _secondary_spec(code, tables, cache)
        d = DxRecord(code, dx.poa or "", info, severity)
        if entries:
            d.hac_entries = [HacEntry(number, name) for number, name in entries]
            if on_show_list:
                d.marks.add(ON_SHOW_LIST)
        records.append(d)
    return records


def apply_exclusions(pdx: DxRecord, sdx: list[DxRecord], status: int | None, tables: TableSet) -> None:
    """5.5: CC exclusion by the principal diagnosis (raw code compare) and death exclusions."""
    excluded = tables.excluded_by(pdx.code.upper())
    for d in sdx:
        if d.code in excluded:
            d.marks.add(EXCLUDED)
        if status == DIED and d.has("mccalive"):
            d.marks.add(DEATH_EXCLUSION)


def build_principal(claim: Claim, sex: str, tables: TableSet) -> tuple[DxRecord, int]:
    """5.6: the principal diagnosis record and its MDC (sex-dependent where the tables say so)."""
    code = "null" if claim.pdx is None or claim.pdx.code is None else claim.pdx.code
    poa = (claim.pdx.poa if claim.pdx else "") or ""
    if code == "":
        return DxRecord("", poa, None), -1
    info = tables.diagnoses.get(code.upper())
    pdx = DxRecord(code, poa, info,
                   _SEVERITY_OF[info.severity] if info else Severity.NON_CC)
    if info is not None and any(a.endswith("hac11_pdx") for a in info.hac_attributes):
        pdx.hac_entries.append(HacEntry(11, "hac11_pdx"))
    by_sex = tables.sex_mdcs.get(code.upper())
    if by_sex is not None:
        male, female = by_sex
        if sex == "M":
            mdc = male
        elif sex == "F":
            mdc = female
        else:
            pdx.marks.add(SEX_CONFLICT)
            mdc = female
    else:
        mdc = info.mdc if info is not None else -1
    return pdx, mdc


def processing_order(sdx: list[DxRecord]) -> list[DxRecord]:
    """5.8 (CLINICAL_SIGNIFICANCE): MCC first, then CC, then the rest; by code within a class."""
    return sorted(sdx, key=lambda d: (_SEVERITY_CLASS.get(d.severity, 2), d.code))


def _has_duplicate_codes(procedures: list[PrRecord]) -> bool:
    return len({p.code for p in procedures}) != len(procedures)


def _drg_cc_mcc(result: PassResult) -> Severity:
    """16.3: whether the deciding formula used an sdx CC/MCC."""
    if result.deciding is None:
        return Severity.NON_CC
    names = {name for prefix, name in result.deciding.accumulated if prefix == "NONE"}
    return Severity.MCC if "MCC" in names else Severity.CC if "CC" in names else Severity.NON_CC


def _path(result: PassResult, pdx_mdc: int) -> GroupingPath | None:
    if result.deciding is None:
        return None
    row = result.deciding.formula.row
    return GroupingPath(pdx_mdc, result.mdc_stops, row.mdc, row.rank, row.formula,
                        tuple(result.deciding.accumulated))


def mark_phase(phase: str, result: PassResult, initial: PassResult, pdx: DxRecord, sdx: list[DxRecord],
               procedures: list[PrRecord], clusters: list[PrRecord], pdx_mdc: int, version_id: int) -> None:
    """Section 12 for one phase (of a pass that grouped: it has a deciding formula)."""
    deciding = result.deciding
    assert deciding is not None
    drg_changed = initial.deciding is None or deciding is None or deciding.drg != initial.deciding.drg
    mark_diagnoses(phase, deciding, sdx, pdx, drg_changed and phase == "FINAL")
    if phase == "INITIAL":
        pdx.impact = AffectsDrg.INITIAL
    else:
        pdx.impact = AffectsDrg.BOTH
    if procedures:
        marker = ProcedureMarker(phase, deciding, procedures, clusters, pdx_mdc, version_id)
        marker.run()
        if phase == "FINAL" and drg_changed:
            mark_hac_procedures(procedures, sdx, marker.visible)
    mark_special_diagnoses(phase, result.pre, deciding, pdx, sdx)
    if procedures:
        mark_special_procedures(phase, deciding, procedures)


def group_claim(claim: Claim, tables: TableSet, hospital_status: str | None = None) -> GroupingResult:
    """Group one claim with one version's tables, exactly as the CMS grouper does."""
    version_id = tables.version.id
    program = compiled(tables)
    hospital = hospital_status or claim.hospital_status or "NON_EXEMPT"
    sex = _sex(claim.sex)
    status = discharge_status_value(claim.discharge_status)

    in_claim_order = build_procedures(claim.procedures, tables)
    procedures = sorted(in_claim_order, key=lambda p: p.code)
    clusters = form_clusters(procedures, tables)
    sdx_claim_order = build_secondary(claim, tables)
    pdx, pdx_mdc = build_principal(claim, sex, tables)
    apply_exclusions(pdx, sdx_claim_order, status, tables)
    sdx = processing_order(sdx_claim_order)

    mask = build_mask(pdx, sdx, procedures, clusters, status, sex, _MASK_TOKENS(tables))
    base = Evaluation(mask, pdx, sdx, procedures, pdx_mdc, None)

    initial = grouping_pass(program.formulas, base, SeverityCalculator(sdx), pdx_mdc)
    final = initial
    hac_stopped = False
    if not initial.ungroupable:
        mark_phase("INITIAL", initial, initial, pdx, sdx, procedures, clusters, pdx_mdc, version_id)
        for d in sdx:
            d.initial_usage = severity_usage(d, "INITIAL", version_id)
        outcome = process_hacs(hospital, sdx, procedures, program.hac_formulas, base, version_id)
        if outcome.return_code is not None:
            hac_stopped = True
            final = ungroupable(outcome.return_code)
            died = status == DIED
            for d in sdx:
                d.final_usage = fallback_final_usage(d, died, version_id)
        else:
            considered = [d for d in sdx if hospital == "EXEMPT" or not any(h.usage == MET for h in d.hac_entries)]
            if len(considered) == len(sdx) and not _has_duplicate_codes(procedures):
                # Same inputs as the initial pass, and no duplicate procedures whose marks could make
                # the special operands mark differently: the final pass would repeat the initial one.
                final = initial
            else:
                final = grouping_pass(program.formulas, base, SeverityCalculator(considered), pdx_mdc)
            if final.ungroupable:          # never with CMS data (section 15); both results follow it
                initial = final
            else:
                mark_phase("FINAL", final, initial, pdx, sdx, procedures, clusters, pdx_mdc, version_id)
                for d in sdx:
                    d.final_usage = severity_usage(d, "FINAL", version_id)

    return assemble(claim, tables, initial, final, hospital, pdx, pdx_mdc, sdx_claim_order, in_claim_order,
                    hac_stopped)


def assemble(claim: Claim, tables: TableSet, initial: PassResult, final: PassResult, hospital: str,
             pdx: DxRecord, pdx_mdc: int, sdx: list[DxRecord], procedures: list[PrRecord],
             hac_stopped: bool) -> GroupingResult:
    """Section 16: the output, codes in claim order."""
    met_numbers = {h.number for d in sdx for h in d.reported_hacs if h.usage == MET}
    categories = len(met_numbers)
    if hospital == "EXEMPT" or categories == 0:
        hac_status = HacStatus.NOT_APPLICABLE
    elif initial.drg == final.drg:
        hac_status = HacStatus.FINAL_DRG_NO_CHANGE
    elif final.drg == 999:
        hac_status = HacStatus.FINAL_DRG_UNGROUPABLE
    else:
        hac_status = HacStatus.FINAL_DRG_CHANGES

    pdx_hacs: tuple[HacReport, ...] = ()
    if pdx.hac_entries and any(h.number == 11 and h.usage == MET for d in sdx for h in d.reported_hacs):
        pdx_hacs = (HacReport(11, None, NOT_ON_HAC_LIST),)
    pdx_code = None if claim.pdx is None else claim.pdx.code
    pdx_result = DiagnosisResult(pdx_code, pdx.recognized, pdx.impact, SeverityUsage.NEITHER,
                                 SeverityUsage.NEITHER, PoaError.POA_NOT_CHECKED, pdx_hacs, pdx.severity)
    sdx_results = tuple(
        DiagnosisResult(d.code, d.info is not None, d.impact, d.initial_usage, d.final_usage, d.poa_error,
                        tuple([HacReport(h.number, h.list_name, h.usage) for h in d.reported_hacs])
                        if d.reported_hacs else (), d.severity)
        for d in sdx)
    procedure_results = tuple(
        ProcedureResult(p.code, p.recognized, p.impact, p.is_or, tuple(sorted(p.hac_usage)))
        for p in procedures)
    return GroupingResult(
        id=claim.id, version=tables.version.id,
        initial_drg=initial.drg, initial_mdc=initial.mdc, initial_base_drg=initial.base_drg,
        initial_return_code=initial.return_code, initial_med_surg=initial.med_surg,
        initial_severity=initial.severity,
        final_drg=final.drg, final_mdc=final.mdc, final_base_drg=final.base_drg,
        final_return_code=final.return_code, final_med_surg=final.med_surg, final_severity=final.severity,
        hac_status=hac_status, hac_categories=categories,
        pdx=pdx_result, sdx=sdx_results, procedures=procedure_results,
        initial_drg_cc_mcc=_drg_cc_mcc(initial),
        final_drg_cc_mcc=_drg_cc_mcc(final) if not hac_stopped else Severity.NON_CC,
        initial_path=_path(initial, pdx_mdc), final_path=_path(final, pdx_mdc),
    )
