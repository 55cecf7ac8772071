"""The column-wise grouping engine: a whole chunk of claims at once (docs/GROUPER_LOGIC.md).

`group_columns(columns, tables_for)` groups the claims of a ClaimColumns chunk and returns a
GroupedColumns (drg.grouper.column_results) in the same order. Each result equals what the
per-claim engine (drg.grouper.engine.group_claim) gives for the claim.

How the two engines correspond, step by step (section numbers of the specification):

- 5.1-5.6 code records: the per-claim engine builds one record per code; here every code of
  the chunk gets a fact row per version (grouper/column_tables.py) and the claim's codes are
  flat arrays of row numbers (`_Codes`).
- 5.5 CC exclusions and death exclusions, 5.8 processing order: arrays over all secondary
  diagnoses of the chunk (`_exclusions`, `_processing_order`).
- 6 the mask: one sorted array of (token, claim) keys for the chunk (`_Mask`); an atom is the
  membership column of one token.
- 7-10 formulas and the pass: each MDC's formulas are tried in order on all undecided claims
  of that MDC together, first true wins (`_ListEvaluation`); the short circuit of `&` and `|`
  is kept by evaluating each operand only where the ones before leave it undecided, so the
  atoms a claim "accumulates" are exactly the per-claim engine's. Severity per suppression
  set (section 8) is one array per set. Pre-MDC, reroutes and the principal diagnosis's MDC
  follow `passes.grouping_pass` (`_grouping_pass`).
- 12 marking and 13 severity usage: the usage is array arithmetic; the marking rules of
  12.1/12.2 run per claim on the claim's deciding atoms (`_mark_claim`), as in marking.py.
- 14 HACs: a secondary diagnosis on a HAC list that is present on admission (Y, W), or any at
  an exempt hospital, is reported here; HAC criteria are not evaluated column-wise.

What the column-wise engine does not express, the per-claim engine does, for that claim
only (`GroupedColumns.per_claim` counts them): procedure clusters, duplicate procedure codes,
a HAC-list code not present on admission at a non-exempt hospital, a counting special
operand (multiple trauma, bilateral joints, four vessels or stents, spinal fusion counters)
that can be true where it is evaluated, DRG 794, missing codes, and any claim the formulas
do not decide.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from drg.claim_columns import ClaimColumns, object_array
from drg.grouper.column_results import GroupedColumns, concatenate, ranges, reorder, take
from drg.grouper.column_tables import (COUNTING_SPECIALS, NO_SEVERITY, SEVERITY_RANK, VectorFormula,
                                       VersionFacts, version_facts)
from drg.grouper.compiled import SEVERITY_NAMES, compiled
from drg.grouper.engine import group_claim
from drg.grouper.evaluate import JOINT_SIDES, RETURN_CODE_OPERANDS, STENTS, TRAUMA_REGIONS, VESSELS
from drg.grouper.vocabulary import (AffectsDrg, HacStatus, HacUsage, MedSurg, PoaError, ReturnCode, Severity,
                                    SeverityUsage)
from drg.tables import TableSet
from drg.tables.cms import (DIED, KNOWN_DISCHARGE_STATUSES, LEFT_AMA, TRANSFER_TO_ACUTE, UNRELATED_OR_DRGS,
                            with_orproc)
from drg.tables.formula import And, Atom, Not
from drg.tables.loader import exclusion_groups

_SEVERITY_WORDS = np.array([Severity.NON_CC.value, Severity.CC.value, Severity.MCC.value, Severity.NONE.value],
                           dtype=object)   # index by rank; NO_SEVERITY (-1) reads the last: NONE
_RETURN_CODES = [ReturnCode.OK] + [code for _, _, code in RETURN_CODE_OPERANDS.values()]
_RETURN_CODE_INDEX = {code: i for i, code in enumerate(_RETURN_CODES)}
_MED_SURG = {"SURGICAL": MedSurg.SURGICAL.value, "MEDICAL": MedSurg.MEDICAL.value}
_STENT_NAMES = frozenset({"stent1", "stent2", "stent3", "stent4"})
_VESSEL_NAMES = frozenset({"vessel1", "vessel2", "vessel3", "vessel4"})
_WEIGHTED = {"FOUR_VESSELS": (VESSELS, "vessel4", None), "FOUR_STENTS": (STENTS, "stent4", None),
             "FOUR_DRUG_ELUTING_STENTS": (STENTS, "stent4", "NORdrugstent"),
             "FOUR_NON_DRUG_ELUTING_STENTS": (STENTS, "stent4", "NORstent")}
_FUSION_COUNTERS = {"SINGLEFUSIONCTR": (("sglantfuse", "sglpostfuse"), True, 3),
                    "MULTFUSE": (("sglantfuse", "sglpostfuse1"), False, 2),
                    "SGLANTSECTXCTR": (("sglantsectXfuse",), False, 2),
                    "SGLPOSTFUSECTR": (("sglpostfuse",), False, 2),
                    "SGLANTCTR": (("sglantfuse",), False, 2),
                    "SGLPOST1CTR": (("sglpostfuse1",), False, 2)}
_POA_YES = frozenset({"Y", "W"})
_SEVERITY_OF_RANK = ("NON_CC", "CC", "MCC")
_RETURN_CODE_WORDS = np.array([code.value for code in _RETURN_CODES], dtype=object)
_AFFECTS = np.array([AffectsDrg.NONE.value, AffectsDrg.INITIAL.value, AffectsDrg.FINAL.value, AffectsDrg.BOTH.value],
                    dtype=object)      # index: marked in the initial phase + 2 x marked in the final phase
_NEITHER = SeverityUsage.NEITHER.value
_LEVEL_WORDS = {   # by severity rank (NON_CC 0, CC 1, MCC 2): section 13
    "used": np.array([_NEITHER, SeverityUsage.CC.value, SeverityUsage.MCC.value], dtype=object),
    "cut": np.array([_NEITHER, SeverityUsage.CC_EXCLUDED.value, SeverityUsage.MCC_EXCLUDED.value], dtype=object),
    "logic": np.array([_NEITHER, SeverityUsage.CC_EXCLUDED_BY_DRG_LOGIC.value,
                       SeverityUsage.MCC_EXCLUDED_BY_DRG_LOGIC.value], dtype=object),
}


def _formed_clusters(procedure_codes: list[str], facts: VersionFacts) -> list[tuple[str, set[str]]]:
    """The clusters the claim's procedures complete, each with the codes that filled it (5.2,
    engine.form_clusters): in code order, each code fills the first choice listing it, until the
    cluster is complete."""
    slots = facts.cluster_slots()
    ordered = sorted(procedure_codes)
    members: dict[str, list[str]] = {}
    for code in ordered:
        for cluster_id in slots.by_code.get(code.upper(), ()):
            members.setdefault(cluster_id, []).append(code)
    formed = []
    for cluster_id, listed in members.items():
        first_slot = slots.first_slot[cluster_id]
        needed = slots.choices[cluster_id]
        if len({first_slot.get(code) for code in listed} - {None}) < needed:
            continue                       # every choice must be filled by some code of the claim
        filled: set[int] = set()
        chosen: set[str] = set()
        for code in ordered:
            slot = first_slot.get(code)
            if slot is not None:
                filled.add(slot)
                chosen.add(code)
            if len(filled) == needed:
                formed.append((cluster_id, chosen))
                break
    return formed


# ---------------------------------------------------------------------------- claims of one version
class _Codes:
    """The codes of the claims of one version as fact rows (sections 5.1-5.6)."""

    def __init__(self, columns: ClaimColumns, chosen: np.ndarray, facts: VersionFacts) -> None:
        self.m = m = len(chosen)
        self.chosen = chosen
        self.sex = columns.sex[chosen]
        raw_status = columns.discharge_status[chosen]
        known = np.isin(raw_status, np.fromiter(KNOWN_DISCHARGE_STATUSES, dtype=np.int64))
        self.status = np.where(known, raw_status, -1)                   # -1: the grouper's NONE
        self.hospital = columns.hospital_status[chosen]
        self.pdx_code = columns.pdx_code[chosen]
        self.pdx_poa = columns.pdx_poa[chosen]
        self.bad = np.zeros(m, dtype=bool)                               # to the per-claim engine

        def flat(start: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            begin, end = start[chosen], start[chosen + 1]
            counts = end - begin
            offsets = np.zeros(m + 1, dtype=np.int64)
            np.cumsum(counts, out=offsets[1:])
            positions = np.arange(int(offsets[-1]), dtype=np.int64) - np.repeat(offsets[:-1] - begin, counts)
            owner = np.repeat(np.arange(m, dtype=np.int64), counts)
            return offsets, positions, owner

        self.sdx_start, sdx_positions, self.sdx_claim = flat(columns.sdx_start)
        self.sdx_code = columns.sdx_code[sdx_positions]
        self.sdx_poa = columns.sdx_poa[sdx_positions]
        self.pr_start, pr_positions, self.pr_claim = flat(columns.procedure_start)
        self.pr_code = columns.procedure_code[pr_positions]

        self.pdx_row = facts.codes_to_rows([c if c else None for c in self.pdx_code.tolist()], True)
        self.sdx_row = facts.codes_to_rows(self.sdx_code.tolist(), True)
        self.pr_row = facts.codes_to_rows(self.pr_code.tolist(), False)
        self.bad |= self.pdx_row < 0                                     # no principal diagnosis code
        for rows, owner in ((self.sdx_row, self.sdx_claim), (self.pr_row, self.pr_claim)):
            self.bad[owner[rows < 0]] = True                             # a code given as null


def _dx(facts: VersionFacts, name: str, rows: np.ndarray, missing: object = 0) -> np.ndarray:
    """A diagnosis fact of fact rows (row -1: `missing`)."""
    values = facts.dx.array(name)
    if len(values) == 0:
        return np.full(len(rows), missing)
    out = values[np.maximum(rows, 0)]
    if (rows < 0).any():
        out = out.copy()
        for k in np.nonzero(rows < 0)[0].tolist():
            out[k] = missing
    return out


def _pr(facts: VersionFacts, name: str, rows: np.ndarray) -> np.ndarray:
    values = facts.pr.array(name)
    return values[np.maximum(rows, 0)] if len(values) else np.zeros(len(rows), dtype=values.dtype)


# ---------------------------------------------------------------------------- the mask (section 6)
class _Mask:
    """Every claim's mask entries as sorted keys token * m + claim; columns built on demand."""

    def __init__(self, keys: np.ndarray, m: int, facts: VersionFacts,
                 suppressed: dict[int, list[tuple[int, frozenset]]]) -> None:
        self.suppressed = suppressed          # NONE token -> (claim, MDCs hiding it) of cluster members
        self._visible: dict[tuple[int, int | None], np.ndarray] = {}
        keys.sort()
        self.keys = keys
        self.m = m
        self.facts = facts
        self._columns: dict[int, np.ndarray] = {}
        self._names: dict[str, np.ndarray] = {}
        by_token = self.keys // m if m else self.keys
        present = by_token[np.r_[True, by_token[1:] != by_token[:-1]]] if len(by_token) else by_token
        entries = facts.tokens.entries
        self.names_present = frozenset([entries[t][1] for t in present.tolist()]
                                       + [entries[t][1] for t in suppressed])

    def visible(self, token: int, mdc: int | None) -> np.ndarray:
        """Claims with a hidden entry `token` visible in `mdc` (None: any; mask.visible_in)."""
        found = self._visible.get((token, mdc))
        if found is None:
            found = np.zeros(self.m, dtype=bool)
            for claim, hidden in self.suppressed.get(token, ()):
                if mdc is None or mdc not in hidden:
                    found[claim] = True
            self._visible[(token, mdc)] = found
        return found

    def column(self, token: int | None) -> np.ndarray:
        if token is None:
            return np.zeros(self.m, dtype=bool)
        found = self._columns.get(token)
        if found is None:
            m = self.m
            lo, hi = np.searchsorted(self.keys, [token * m, (token + 1) * m])
            found = np.zeros(m, dtype=bool)
            found[self.keys[lo:hi] - token * m] = True
            self._columns[token] = found
        return found

    def has_name(self, name: str) -> np.ndarray:
        """Claims with an entry `name` under any prefix (the trigger test of compiled.py)."""
        found = self._names.get(name)
        if found is None:
            ids = self.facts.tokens.ids
            found = np.zeros(self.m, dtype=bool)
            for prefix in ("PDX", "SDX", "ANY", "NONE", "ONLY"):
                token = ids.get((prefix, name))
                if token is not None:
                    found |= self.column(token)
                    if token in self.suppressed:
                        found |= self.visible(token, None)
            self._names[name] = found
        return found


# ---------------------------------------------------------------------------- evaluating formulas
class _Evaluation:
    """One formula over the claims `sub` (sections 7.3-7.5): values, accumulated atoms, return codes."""

    def __init__(self, engine: "_VersionRun", sub: np.ndarray, severity: np.ndarray, mdc: int | None) -> None:
        self.mdc = mdc                 # the list's MDC, for entries hidden in some MDCs (None: HAC formulas)
        self.engine = engine
        self.sub = sub
        self.severity = severity
        self.hits: list[tuple[int, np.ndarray]] = []
        self.return_code = np.zeros(len(sub), dtype=np.int64)

    def value(self, node: object, active: np.ndarray) -> np.ndarray:
        if isinstance(node, Atom):
            return self.atom(node, active)
        if isinstance(node, Not):
            return ~self.value(node.operand, active)
        is_and = isinstance(node, And)
        result = np.full(len(self.sub), is_and)
        for operand in node.operands:                      # type: ignore[attr-defined]
            still = active & result if is_and else active & ~result
            if not still.any():
                break
            found = self.value(operand, still)
            if is_and:
                result &= found | ~still
            else:
                result |= found & still
        return result & active if not is_and else result

    def atom(self, atom: Atom, active: np.ndarray) -> np.ndarray:
        engine = self.engine
        sub = self.sub
        token = engine.facts.tokens.id
        if atom.special is None:
            known = engine.facts.tokens.ids.get((atom.prefix, atom.name))
            found = engine.mask.column(known)[sub]
            if known in engine.mask.suppressed:
                found = found | engine.mask.visible(known, self.mdc)[sub]
            if atom.prefix == "NONE" and atom.name in SEVERITY_NAMES:
                found = found | (self.severity == SEVERITY_RANK[atom.name])
            self.hits.append((token(atom.prefix, atom.name), active & found))
            return found
        special = atom.special
        if special in RETURN_CODE_OPERANDS:
            prefix, name, code = RETURN_CODE_OPERANDS[special]
            found = engine.mask.column(token(prefix, name))[sub]
            hit = active & found
            self.hits.append((token(prefix, name), hit))
            self.return_code[hit] = _RETURN_CODE_INDEX[code]
            return found
        if special == "INVALID_AGE":
            return np.zeros(len(sub), dtype=bool)
        if special == "MDC_20_FALL_THRU":
            return engine.pdx_mdc[sub] == 20
        if special == "incident":
            found = engine.mask.column(engine.facts.tokens.ids.get(("ONLY", "incident")))[sub]
            self.hits.append((token("ONLY", "incident"), active & found))
            engine.incident_false[sub[active & ~found]] = True       # it marks a non-incidental code
            return found
        if special in COUNTING_SPECIALS:
            # counted per claim where the counts allow it to be true; a true counter marks its
            # codes and accumulates the names it counted, a false one has no effect (evaluate.py)
            value = np.zeros(len(sub), dtype=bool)
            where = np.nonzero(active & engine.possible(special)[sub])[0]
            found_tokens: dict[int, np.ndarray] = {}
            for w, j in zip(where.tolist(), sub[where].tolist()):
                names = engine.count(special, j)
                if names is not None:
                    value[w] = True
                    for name in names:
                        t = token("NONE", name)
                        if t not in found_tokens:
                            found_tokens[t] = np.zeros(len(sub), dtype=bool)
                        found_tokens[t][w] = True
            for t, on in found_tokens.items():
                self.hits.append((t, on))
            return value
        raise ValueError(f"special operand {special} has no column-wise form")


def _accumulated(hits: list[tuple[int, np.ndarray]], value: np.ndarray) -> np.ndarray:
    """Per matched claim: the tuple of token ids its true atoms added, in evaluation order (7.4).
    Claims with the same true atoms share one tuple."""
    count = int(value.sum())
    out = np.empty(count, dtype=object)
    if not hits:
        out[:] = [()] * count
        return out
    matrix = np.array([h[value] for _, h in hits])                   # atoms x matched claims
    tokens = [t for t, _ in hits]
    if count <= 4:
        for k in range(count):
            seen: dict[int, None] = {}
            for t, on in zip(tokens, matrix[:, k].tolist()):
                if on:
                    seen.setdefault(t, None)
            out[k] = tuple(seen)
        return out
    packed = np.ascontiguousarray(np.packbits(matrix, axis=0).T)
    keys = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    unique, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    patterns = np.empty(len(unique), dtype=object)
    for u, k in enumerate(first.tolist()):
        seen = {}
        for t, on in zip(tokens, matrix[:, k].tolist()):
            if on:
                seen.setdefault(t, None)
        patterns[u] = tuple(seen)
    out[:] = patterns[inverse.ravel()]
    return out


class _ListResult:
    """What evaluating one MDC's list did to each claim of `claims`."""

    def __init__(self, claims: np.ndarray) -> None:
        n = len(claims)
        self.claims = claims
        self.position = np.full(n, -1, dtype=np.int64)        # matched formula, -1 none
        self.severity = np.full(n, NO_SEVERITY, dtype=np.int64)
        self.suppression = np.full(n, -1, dtype=np.int64)     # last suppression set tried, -1 none
        self.return_code = np.zeros(n, dtype=np.int64)
        self.accumulated = np.empty(n, dtype=object)           # tuple of token ids of the match


# ---------------------------------------------------------------------------- one version's claims
class _VersionRun:
    """Grouping the claims of one version of a chunk."""

    def __init__(self, columns: ClaimColumns, chosen: np.ndarray, facts: VersionFacts) -> None:
        self.facts = facts
        self.version_id = facts.version_id
        self.codes = codes = _Codes(columns, chosen, facts)
        self.m = codes.m
        self.to_per_claim = codes.bad.copy()
        self.considered: np.ndarray | None = None
        self.incident_false = np.zeros(self.m, dtype=bool)   # the `incident` operand was false (7.5)
        self.sig_trauma_pdx = np.zeros(self.m, dtype=bool)   # marks of true counting operands (7.5)
        self.sig_trauma_sdx = np.zeros(len(codes.sdx_row), dtype=bool)
        self.stent4 = np.zeros(len(codes.pr_row), dtype=bool)
        self.vessel4 = np.zeros(len(codes.pr_row), dtype=bool)
        self.fusion = np.zeros(len(codes.pr_row), dtype=bool)
        self.clusters: dict[int, list[tuple[str, frozenset]]] = {}   # claim -> formed clusters (5.2), by id
        self.member_suppression: dict[int, frozenset] = {}         # procedure entry -> MDCs that hide it
        self.member_clusters: dict[int, list[str]] = {}            # procedure entry -> its clusters
        self._possible: dict[str, np.ndarray] = {}
        self._prepare()

    # ---- 5.4-5.8 and 14 (what can stay column-wise)
    def _prepare(self) -> None:
        facts, codes = self.facts, self.codes
        sdx_row, pr_row = codes.sdx_row, codes.pr_row
        # procedures: clusters and duplicate codes go per claim (sections 5.2, 7.5)
        if len(pr_row):
            in_cluster = _pr(facts, "in_cluster", pr_row).astype(bool)
            for j in np.unique(codes.pr_claim[in_cluster]).tolist():
                start, end = int(codes.pr_start[j]), int(codes.pr_start[j + 1])
                formed = _formed_clusters(codes.pr_code[start:end].tolist(), facts)
                if not formed:
                    continue
                records = []
                for cluster_id, chosen in sorted(formed):
                    cluster = facts.tables.clusters[cluster_id]
                    records.append((cluster_id, with_orproc(facts.tables.procedures.get(cluster_id, frozenset()))))
                    for k in range(start, end):
                        if codes.pr_code[k] in chosen:
                            self.member_suppression[k] = self.member_suppression.get(k, frozenset()) | \
                                cluster.suppression_mdcs
                            self.member_clusters.setdefault(k, []).append(cluster_id)
                self.clusters[j] = records
            counts = np.diff(codes.pr_start)
            for i in np.nonzero(counts > 1)[0].tolist():
                chunk = codes.pr_code[codes.pr_start[i]:codes.pr_start[i + 1]]
                if len(set(chunk)) != len(chunk):
                    self.to_per_claim[i] = True
        # HAC lists (section 14)
        self.sdx_hac_lists = _dx(facts, "hac_lists", sdx_row, ())
        self.sdx_has_hac = _dx(facts, "has_hac", sdx_row, False).astype(bool)
        # principal diagnosis and its MDC (5.6)
        pdx_row = codes.pdx_row
        self.pdx_valid = _dx(facts, "valid", pdx_row, False).astype(bool)
        mdc = _dx(facts, "mdc", pdx_row, -1).astype(np.int64)
        by_sex = _dx(facts, "sex_dependent", pdx_row, False).astype(bool)
        male = _dx(facts, "male_mdc", pdx_row, -1).astype(np.int64)
        female = _dx(facts, "female_mdc", pdx_row, -1).astype(np.int64)
        is_male = codes.sex == "M"
        self.pdx_mdc = np.where(by_sex, np.where(is_male, male, female), mdc)
        self.sex_conflict = by_sex & (codes.sex != "M") & (codes.sex != "F")
        # secondary diagnoses: severity, exclusions (5.5), processing order (5.8)
        self.sdx_valid = _dx(facts, "valid", sdx_row, False).astype(bool)
        self.sdx_severity = _dx(facts, "severity", sdx_row, 0).astype(np.int64)
        self.sdx_excluded = self._exclusions()
        died = codes.status[codes.sdx_claim] == DIED if len(sdx_row) else np.zeros(0, dtype=bool)
        self.sdx_death = died & _dx(facts, "mccalive", sdx_row, False).astype(bool)
        self.sdx_order = self._processing_order()
        self.mask = self._mask()

    def _exclusions(self) -> np.ndarray:
        """5.5: secondary diagnoses the principal diagnosis excludes (raw code compare). Only a CC,
        an MCC or a code on a HAC list can be affected by the mark, so only those are looked up."""
        codes = self.codes
        n_sdx = len(codes.sdx_row)
        out = np.zeros(n_sdx, dtype=bool)
        if not n_sdx:
            return out
        groups = _dx(self.facts, "exclusion_group", codes.pdx_row, -1)
        matter = ((self.sdx_severity > 0) | self.sdx_has_hac) & (groups[codes.sdx_claim] >= 0)
        where = np.nonzero(matter)[0]
        if len(where):
            all_groups = exclusion_groups()
            entry_groups = groups[codes.sdx_claim[where]].tolist()
            out[where] = np.fromiter((code in all_groups[g] for code, g in zip(codes.sdx_code[where].tolist(),
                                                                                 entry_groups)),
                                     dtype=bool, count=len(where))
        return out

    def _processing_order(self) -> np.ndarray:
        """Flat sdx positions claim by claim, each claim's codes MCC first, then CC, by code (5.8)."""
        codes = self.codes
        if not len(codes.sdx_row):
            return np.zeros(0, dtype=np.int64)
        severity_class = 2 - self.sdx_severity           # MCC 0, CC 1, else 2
        code_rank = self.facts.code_rank()[codes.sdx_row]
        return np.lexsort((code_rank, severity_class, codes.sdx_claim))

    def _mask(self) -> _Mask:
        facts, codes, m = self.facts, self.codes, self.m
        token = facts.tokens.id
        parts: list[np.ndarray] = []

        def add(claims: np.ndarray, rows: np.ndarray, table: object, name: str) -> None:
            offsets, flat = facts.token_lists(table, name)            # type: ignore[arg-type]
            rows_known = rows >= 0
            claims, rows = claims[rows_known], rows[rows_known]
            new_start, positions = ranges(offsets, rows)
            if len(positions):
                counts = np.diff(new_start)
                parts.append(flat[positions] * m + np.repeat(claims, counts))

        if len(codes.sdx_row):
            add(codes.sdx_claim, codes.sdx_row, facts.dx, "sdx_tokens")
        suppressed: dict[int, list[tuple[int, frozenset]]] = {}
        if len(codes.pr_row):
            hidden = [k for k, mdcs in self.member_suppression.items() if mdcs]
            visible_rows = codes.pr_row.copy()
            visible_rows[hidden] = -1
            add(codes.pr_claim, visible_rows, facts.pr, "tokens")
            pr_tokens = facts.pr.column("tokens")
            for k in hidden:                                  # 6: entries hidden in some MDCs
                for t in pr_tokens[codes.pr_row[k]]:
                    suppressed.setdefault(t, []).append((int(codes.pr_claim[k]), self.member_suppression[k]))
        for j, records in self.clusters.items():              # a formed cluster is one more procedure
            for _, attributes in records:
                for name in attributes:
                    if ("NONE", name) in facts.tested:
                        parts.append(np.array([token("NONE", name) * m + j], dtype=np.int64))
        add(np.arange(m, dtype=np.int64), codes.pdx_row, facts.dx, "pdx_tokens")
        everyone = np.arange(m, dtype=np.int64)

        def claim_level(prefix: str, name: str, where: np.ndarray) -> None:
            parts.append(token(prefix, name) * m + everyone[where])

        status = codes.status
        claim_level("PDX", "invalid_pdx", ~self.pdx_valid)
        ecode = _dx(facts, "ecode", codes.pdx_row, False).astype(bool)
        claim_level("PDX", "pdx_ecode", ecode)
        claim_level("NONE", "ALIVE", status != DIED)
        claim_level("NONE", "invalid_dstat", status == -1)
        claim_level("NONE", "AMA", status == LEFT_AMA)
        claim_level("NONE", "DIED", status == DIED)
        claim_level("NONE", "XFRNBA", np.isin(status, np.fromiter(TRANSFER_TO_ACUTE, dtype=np.int64)))
        claim_level("NONE", "ANYDX", np.ones(m, dtype=bool))
        pdx_incident = _dx(facts, "incident", codes.pdx_row, False).astype(bool)
        not_incident = np.zeros(m, dtype=bool)
        if len(codes.sdx_row):
            sdx_incident = _dx(facts, "incident", codes.sdx_row, False).astype(bool)
            offending = self.sdx_valid & ~sdx_incident
            not_incident[codes.sdx_claim[offending]] = True
        claim_level("ONLY", "incident", pdx_incident & ~not_incident)
        claim_level("NONE", "invalid_sex", self.sex_conflict)
        keys = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        return _Mask(keys, m, facts, suppressed)

    # ---- counting special operands (section 7.5, evaluate.py), for one claim
    def count(self, special: str, j: int) -> list[str] | None:
        """The names a counting operand accumulates when true for claim j (marking its codes), else None."""
        codes, facts = self.codes, self.facts
        if special == "MULTST":
            infos = facts.dx.column("info")
            pdx_info = infos[codes.pdx_row[j]] if codes.pdx_row[j] >= 0 else None
            order = self.sdx_order[codes.sdx_start[j]:codes.sdx_start[j + 1]].tolist()
            candidates = [(-1, pdx_info)] + [(k, infos[codes.sdx_row[k]] if codes.sdx_row[k] >= 0 else None)
                                             for k in order]
            found: list[tuple[str, int]] = []
            for k, info in candidates:
                taken = {region for region, _ in found}
                for region in TRAUMA_REGIONS:
                    if region not in taken and info is not None and region.lower() in info.attributes_lower:
                        found.append((region, k))
                        break
                if len(found) == 2:
                    break
            if len(found) < 2:
                return None
            for _, k in found:
                if k < 0:
                    self.sig_trauma_pdx[j] = True
                else:
                    self.sig_trauma_sdx[k] = True
            return [region for region, _ in found]
        by_code = self._procedures_by_code()[int(codes.pr_start[j]):int(codes.pr_start[j + 1])]
        attributes = facts.pr.column("attributes")
        having = [(k, attributes[codes.pr_row[k]]) for k in by_code]
        if special == "BILATERAL":
            sides: list[str] = []
            for _, a in having:
                for side in JOINT_SIDES:
                    if side not in sides and side in a:
                        sides.append(side)
                        break
                if len(sides) == 2:
                    return sides
            return None
        if special in _WEIGHTED:
            weights, mark, required = _WEIGHTED[special]
            total, contributors, names = 0, [], []
            for k, a in having:
                if total >= 4:
                    break
                if required is not None and required not in a:
                    continue
                for name, weight in weights:
                    if name in a:
                        total += weight
                        contributors.append(k)
                        if name not in names:
                            names.append(name)
            if total < 4:
                return None
            getattr(self, mark)[contributors] = True
            return names
        counted, need_all, minimum = _FUSION_COUNTERS[special]
        hits, contributors, names = 0, [], []
        for k, a in having:
            for name in counted:
                if name in a:
                    hits += 1
                    contributors.append(k)
                    if name not in names:
                        names.append(name)
        if hits < minimum or (need_all and len(names) != len(counted)):
            return None
        self.fusion[contributors] = True
        return names

    # ---- counting special operands: where can they be true? (section 7.5)
    def possible(self, special: str) -> np.ndarray:
        found = self._possible.get(special)
        if found is not None:
            return found
        codes, facts, m = self.codes, self.facts, self.m

        def per_claim(values: np.ndarray, owner: np.ndarray) -> np.ndarray:
            return np.bincount(owner, weights=values.astype(np.float64), minlength=m) if len(owner) else \
                np.zeros(m)

        pr_row = codes.pr_row
        if special == "MULTST":
            trauma = per_claim(_dx(facts, "trauma", codes.sdx_row, False).astype(bool), codes.sdx_claim)
            trauma += _dx(facts, "trauma", codes.pdx_row, False).astype(bool)
            found = trauma >= 2
        elif special == "BILATERAL":
            found = per_claim(_pr(facts, "side", pr_row).astype(bool), codes.pr_claim) >= 2
        elif special == "FOUR_VESSELS":
            found = per_claim(_pr(facts, "vessel_weight", pr_row), codes.pr_claim) >= 4
        elif special == "FOUR_STENTS":
            found = per_claim(_pr(facts, "stent_weight", pr_row), codes.pr_claim) >= 4
        elif special == "FOUR_DRUG_ELUTING_STENTS":
            found = per_claim(_pr(facts, "drug_stent_weight", pr_row), codes.pr_claim) >= 4
        elif special == "FOUR_NON_DRUG_ELUTING_STENTS":
            found = per_claim(_pr(facts, "plain_stent_weight", pr_row), codes.pr_claim) >= 4
        else:                                               # the spinal fusion counters: 2 or more hits
            found = per_claim(_pr(facts, "fusion_hits", pr_row), codes.pr_claim) >= 2
        self._possible[special] = found
        return found

    # ---- severity per suppression set (section 8)
    def severity_for(self, suppression: int) -> np.ndarray:
        """Claim severity for a suppression set over the considered codes (all in the initial
        pass; the final pass leaves out codes with a met HAC: section 14)."""
        cache = self.__dict__.setdefault("_severity", {})
        key = (suppression, self.considered is not None)
        found = cache.get(key)
        if found is None:
            codes = self.codes
            found = np.zeros(self.m, dtype=np.int64)
            if len(codes.sdx_row):
                counted = ~self.sdx_excluded & ~self.sdx_death
                if self.considered is not None:
                    counted &= self.considered
                if self.facts.suppressions[suppression]:
                    suppressed = self.facts.suppressed_rows(suppression)
                    counted &= ~(suppressed[np.maximum(codes.sdx_row, 0)] & (codes.sdx_row >= 0))
                level = np.where(counted, self.sdx_severity, 0)
                np.maximum.at(found, codes.sdx_claim, level)
            cache[key] = found
        return found

    def _triggered(self, formula: VectorFormula) -> np.ndarray:
        """Claims whose mask holds one of the formula's trigger names (compiled.FormulaList)."""
        cache = self.__dict__.setdefault("_triggers", {})
        found = cache.get(formula.index)
        if found is None:
            found = np.zeros(self.m, dtype=bool)
            for name in formula.triggers or ():
                if name in self.mask.names_present:
                    found |= self.mask.has_name(name)
            cache[formula.index] = found
        return found

    # ---- one MDC list (section 9)
    def evaluate_list(self, mdc: int, claims: np.ndarray) -> _ListResult:
        result = _ListResult(claims)
        rows: list[VectorFormula] | None = self.facts.formulas.get(mdc)
        if not rows or not len(claims):
            return result
        undecided = np.ones(len(claims), dtype=bool)
        names_present = self.mask.names_present
        for formula in rows:
            if formula.triggers is not None:
                if names_present.isdisjoint(formula.triggers):
                    continue
                candidate = self._triggered(formula)[claims] & undecided
            else:
                candidate = undecided & ~self.to_per_claim[claims]
            where = np.nonzero(candidate)[0]
            if not len(where):
                continue
            sub = claims[where]
            severity = self.severity_for(formula.suppression)[sub]
            evaluation = _Evaluation(self, sub, severity, mdc)
            value = evaluation.value(formula.tree, np.ones(len(sub), dtype=bool))
            value &= ~self.to_per_claim[sub]
            matched = where[value]
            if not len(matched):
                continue
            undecided[matched] = False
            result.position[matched] = formula.index
            result.severity[matched] = severity[value]
            result.suppression[matched] = formula.suppression
            result.return_code[matched] = evaluation.return_code[value]
            result.accumulated[matched] = _accumulated(evaluation.hits, value)
            if not undecided.any():
                break
        last = rows[-1]
        rest = np.nonzero(undecided)[0]
        if len(rest):
            result.severity[rest] = self.severity_for(last.suppression)[claims[rest]]
            result.suppression[rest] = last.suppression
        return result

    # ---- the pass (section 10)
    def grouping_pass(self, everyone: np.ndarray) -> dict:
        """Section 10 for the claims `everyone` (local positions); per-claim state arrays over all m."""
        m = self.m
        state = {
            "stopped": np.zeros(m, dtype=np.int64),           # return code index, 0 = none
            "pdx_stopped": np.zeros(m, dtype=bool),
            "mdc": np.full(m, -1, dtype=np.int64),             # list of the deciding formula
            "position": np.full(m, -1, dtype=np.int64),
            "accumulated": np.empty(m, dtype=object),
            "severity": np.full(m, NO_SEVERITY, dtype=np.int64),
            "suppression": np.full(m, -1, dtype=np.int64),
            "stop1": np.full(m, -1, dtype=np.int64),
            "stop2": np.full(m, -1, dtype=np.int64),
            "tried": np.zeros(m, dtype=bool),
        }
        state["tried"][everyone] = True

        def take(result: _ListResult, claims_mdc: int | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            """Record a list's severity and suppression; return (matched, stopped) claim ids."""
            claims = result.claims
            tried = result.suppression >= 0
            state["suppression"][claims[tried]] = result.suppression[tried]
            state["severity"][claims] = result.severity
            hit = result.position >= 0
            stopped = hit & (result.return_code > 0)
            state["stopped"][claims[stopped]] = result.return_code[stopped]
            return claims[hit & ~stopped], claims[stopped]

        def by_mdc(claims: np.ndarray, mdcs: np.ndarray) -> list[_ListResult]:
            out = []
            for mdc in np.unique(mdcs).tolist():
                out.append(self.evaluate_list(int(mdc), claims[mdcs == mdc]))
            return out

        def decide(result: _ListResult, matched_mask: np.ndarray, mdc_of: int) -> None:
            claims = result.claims[matched_mask]
            state["mdc"][claims] = mdc_of
            state["position"][claims] = result.position[matched_mask]
            state["accumulated"][claims] = result.accumulated[matched_mask]

        def reroute(claims: np.ndarray, targets: np.ndarray, stop_key: str) -> None:
            """10.2: the reroute of matched claims; the rerouted match decides when there is one."""
            state[stop_key][claims] = targets
            for first in by_mdc(claims, targets):
                first_mdc = int(targets[claims == first.claims[0]][0]) if len(first.claims) else 0
                matched, _ = take(first, first_mdc)
                hit = np.isin(first.claims, matched)
                again = np.where(first.position >= 0, reroute_of[np.maximum(first.position, 0)], 0)
                final_hit = hit & (again == 0)
                decide(first, final_hit, first_mdc)
                second_claims = first.claims[hit & (again != 0)]
                if len(second_claims):
                    second_targets = again[hit & (again != 0)]
                    for second in by_mdc(second_claims, second_targets):
                        second_mdc = int(second_targets[second_claims == second.claims[0]][0])
                        matched2, _ = take(second, second_mdc)
                        decide(second, np.isin(second.claims, matched2), second_mdc)

        reroute_of = self.facts.formula_reroute
        pre = self.evaluate_list(0, everyone)
        matched, _ = take(pre, 0)
        decide(pre, np.isin(pre.claims, matched), 0)
        state["pre"] = state["accumulated"].copy()              # the pre-MDC match's atoms (12.3)
        pre_reroute = reroute_of[state["position"][matched]]
        if len(matched):
            reroute(matched[pre_reroute != 0], pre_reroute[pre_reroute != 0], "stop1")
        unmatched = pre.claims[pre.position < 0]
        if len(unmatched):
            mdcs = self.pdx_mdc[unmatched]
            state["stop1"][unmatched] = mdcs
            for result in by_mdc(unmatched, mdcs):
                mdc = int(mdcs[unmatched == result.claims[0]][0])
                got, stopped = take(result, mdc)
                state["pdx_stopped"][stopped] = True
                hit = np.isin(result.claims, got)
                decide(result, hit, mdc)
                targets = np.where(result.position >= 0, reroute_of[np.maximum(result.position, 0)], 0)
                rerouting = hit & (targets != 0)
                if rerouting.any():
                    reroute(result.claims[rerouting], targets[rerouting], "stop2")
        return state


    # ---- sections 10.4-10.6: what a pass gives each claim
    def _outcome(self, state: dict) -> dict:
        """Claim-level results of a pass; claims it cannot finish column-wise go per claim."""
        facts = self.facts
        stopped, position = state["stopped"], state["position"]
        decided = (position >= 0) & (stopped == 0)
        to_per_claim = self.to_per_claim
        to_per_claim |= (stopped == 0) & (position < 0) & state["tried"]   # no formula decided (10.4)
        formula = np.maximum(position, 0)
        drg = np.where(decided, facts.formula_drg[formula], 999)
        to_per_claim |= decided & (drg == 0)                                # no DRG (10.4)
        surgical = facts.formula_surgical[formula]
        stop1, stop2 = state["stop1"], state["stop2"]
        last_stop = np.where(stop2 >= 0, stop2, np.where(stop1 >= 0, stop1, 0))
        before_last = np.where(stop2 >= 0, stop1, 0)
        in_stops = lambda mdc: (stop1 == mdc) | (stop2 == mdc)           # noqa: E731
        mdc_29 = np.where(in_stops(24), 24, np.where(in_stops(25), 25, before_last))
        result_mdc = np.where(last_stop == 29, mdc_29, np.where(last_stop != 0, last_stop, self.pdx_mdc))
        severity_word = _SEVERITY_WORDS[state["severity"]]
        return {
            "decided": decided,
            "drg": drg,
            "base_drg": np.where(decided, facts.formula_base_drg[formula], 999),
            "mdc": np.where(decided, result_mdc, 0),
            "med_surg": np.where(decided & (surgical == "SURGICAL"), MedSurg.SURGICAL.value,
                                 np.where(decided & (surgical == "MEDICAL"), MedSurg.MEDICAL.value,
                                          MedSurg.NONE.value)),
            "severity": np.where(decided & (drg != 998), severity_word, Severity.NONE.value),
            "return_code": _RETURN_CODE_WORDS[stopped],
        }

    def _suppressed(self, state: dict) -> np.ndarray:
        """The SUPPRESSED mark of each secondary diagnosis after a pass: the last formula tried (8)."""
        facts, codes = self.facts, self.codes
        n_sdx = len(codes.sdx_row)
        last = state["suppression"][codes.sdx_claim] if n_sdx else np.zeros(0, dtype=np.int64)
        suppressed = np.zeros(n_sdx, dtype=bool)
        for sup in np.unique(last).tolist():
            if sup < 0 or not facts.suppressions[sup]:
                continue
            on = last == sup
            rows = facts.suppressed_rows(sup)
            suppressed[on] = rows[np.maximum(codes.sdx_row[on], 0)] & (codes.sdx_row[on] >= 0)
        return suppressed

    # ---- sections 10-16: the results of the claims that stayed column-wise
    def results(self) -> tuple[GroupedColumns, np.ndarray]:
        """The GroupedColumns of the claims that stayed column-wise, and their local positions."""
        facts, codes, m = self.facts, self.codes, self.m
        version_id = self.version_id
        initial_state = self.grouping_pass(np.nonzero(~self.to_per_claim)[0])
        initial = self._outcome(initial_state)
        grouped = initial["decided"] & ~self.to_per_claim
        suppressed_initial = self._suppressed(initial_state)
        hacs = _HacProcessing(self, grouped)
        # the final pass (section 14 then 10): only where a met HAC leaves codes out of the severity
        final = {key: value.copy() for key, value in initial.items()}
        suppressed_final = suppressed_initial.copy()
        final_state = initial_state
        rerun = hacs.rerun & grouped
        if rerun.any():
            self.considered = hacs.considered
            final_state = self.grouping_pass(np.nonzero(rerun & ~self.to_per_claim)[0])
            self.considered = None
            again = self._outcome(final_state)
            self.to_per_claim |= rerun & ~again["decided"]                   # ungroupable final pass (15)
            for key, value in again.items():
                final[key] = np.where(rerun, value, final[key])
            after = self._suppressed(final_state)
            entries_rerun = rerun[codes.sdx_claim] & hacs.considered if len(codes.sdx_row) else rerun[:0]
            suppressed_final[entries_rerun] = after[entries_rerun]
        # DRG 794 marks its non-incidental code (12.3), and a met HAC's procedures are marked where
        # visible (12.2): column-wise when the final pass repeats the initial, or without clusters
        self.to_per_claim |= rerun & ((initial["drg"] == 794) | (final["drg"] == 794))
        for j in self.clusters:
            if rerun[j]:
                self.to_per_claim[j] = True
        counted_marks = self.sig_trauma_pdx.copy()
        for marks, owner_of in ((self.sig_trauma_sdx, codes.sdx_claim), (self.stent4, codes.pr_claim),
                                (self.vessel4, codes.pr_claim), (self.fusion, codes.pr_claim)):
            counted_marks[owner_of[marks]] = True
        self.to_per_claim |= rerun & counted_marks
        stopped = hacs.return_code > 0
        if stopped.any():
            final["drg"][stopped] = 999
            final["base_drg"][stopped] = 999
            final["mdc"][stopped] = 0
            final["med_surg"][stopped] = MedSurg.NONE.value
            final["severity"][stopped] = Severity.NONE.value
            final["return_code"][stopped] = hacs.return_code_words[stopped]
        keep = np.nonzero(~self.to_per_claim)[0]
        grouped &= ~self.to_per_claim
        final_grouped = grouped & ~stopped
        changed = final_grouped & (final["drg"] != initial["drg"])
        # secondary diagnoses: severity usage (13)
        n_sdx = len(codes.sdx_row)
        owner = codes.sdx_claim
        sdx_grouped = grouped[owner] if n_sdx else np.zeros(0, dtype=bool)
        neither = SeverityUsage.NEITHER.value
        initial_usage = np.where(sdx_grouped, self._severity_usage(suppressed_initial & (version_id >= 411)),
                                 neither)
        final_suppressed = suppressed_final & (version_id >= 411)
        final_usage = self._severity_usage(final_suppressed)
        final_usage = np.where(~final_suppressed & hacs.reported_met, neither, final_usage)
        if stopped.any():
            entries_stopped = stopped[owner]
            fallback = self._fallback_final_usage(suppressed_initial & (version_id >= 411), hacs.reported_met)
            final_usage = np.where(entries_stopped, fallback, final_usage)
        final_usage = np.where(sdx_grouped, final_usage, neither)
        # marking (12): each phase marks from its deciding atoms
        sdx_initial = np.zeros(n_sdx, dtype=bool)
        pr_initial = np.zeros(len(codes.pr_row), dtype=bool)
        self._mark(np.nonzero(grouped)[0], initial_state["accumulated"], suppressed_initial, sdx_initial,
                   pr_initial, initial_state["position"])
        self._mark_specials(np.nonzero(grouped & counted_marks)[0], initial_state, sdx_initial, pr_initial)
        sdx_final = sdx_initial & final_grouped[owner] if n_sdx else sdx_initial
        pr_final = pr_initial & final_grouped[codes.pr_claim] if len(codes.pr_row) else pr_initial
        if rerun.any():
            rerun_entries = rerun[owner]
            sdx_final[rerun_entries] = False
            rerun_procedures = rerun[codes.pr_claim]
            pr_final[rerun_procedures] = False
            self._mark(np.nonzero(rerun & final_grouped)[0], final_state["accumulated"], suppressed_final,
                       sdx_final, pr_final, final_state["position"])
        newborn = np.nonzero(grouped & (initial["drg"] == 794) & self.incident_false)[0]
        if len(newborn):
            first = self._first_not_incidental(newborn)
            sdx_initial[first] = True
            sdx_final[first[final_grouped[owner[first]]]] = True
        if changed.any():
            sdx_final |= changed[owner] & hacs.reported_met if n_sdx else sdx_final
            pr_final |= changed[codes.pr_claim] & hacs.procedure_has_hac if len(codes.pr_row) else pr_final
        pdx_affects = np.where(final_grouped, AffectsDrg.BOTH.value,
                               np.where(grouped, AffectsDrg.INITIAL.value, AffectsDrg.NONE.value))
        # HAC status (16)
        exempt_claim = codes.hospital == "EXEMPT"
        hac_status = np.where(exempt_claim | (hacs.categories == 0), HacStatus.NOT_APPLICABLE.value,
                              np.where(initial["drg"] == final["drg"], HacStatus.FINAL_DRG_NO_CHANGE.value,
                                       np.where(final["drg"] == 999, HacStatus.FINAL_DRG_UNGROUPABLE.value,
                                                HacStatus.FINAL_DRG_CHANGES.value)))
        pr_row = codes.pr_row
        columns = GroupedColumns(
            claim_id=np.empty(m, dtype=object), version=np.full(m, version_id, dtype=np.int32),
            initial_drg=initial["drg"].astype(np.int32), initial_mdc=initial["mdc"].astype(np.int32),
            initial_base_drg=initial["base_drg"].astype(np.int32), initial_return_code=initial["return_code"],
            initial_med_surg=initial["med_surg"], initial_severity=initial["severity"],
            final_drg=final["drg"].astype(np.int32), final_mdc=final["mdc"].astype(np.int32),
            final_base_drg=final["base_drg"].astype(np.int32), final_return_code=final["return_code"],
            final_med_surg=final["med_surg"], final_severity=final["severity"],
            hac_status=hac_status, hac_categories=hacs.categories.astype(np.int32),
            pdx_code=codes.pdx_code, pdx_recognized=self.pdx_valid,
            pdx_affects_drg=pdx_affects,
            pdx_initial_severity_usage=np.full(m, neither, dtype=object),
            pdx_final_severity_usage=np.full(m, neither, dtype=object),
            pdx_poa_error=np.full(m, PoaError.POA_NOT_CHECKED.value, dtype=object),
            pdx_hac_start=np.concatenate([[0], np.cumsum(hacs.pdx_hac11)]).astype(np.int64),
            pdx_hac_number=np.full(int(hacs.pdx_hac11.sum()), 11, dtype=np.int32),
            pdx_hac_list=np.full(int(hacs.pdx_hac11.sum()), None, dtype=object),
            pdx_hac_usage=np.full(int(hacs.pdx_hac11.sum()), HacUsage.NOT_ON_HAC_LIST.value, dtype=object),
            sdx_start=codes.sdx_start, sdx_code=codes.sdx_code, sdx_recognized=self.sdx_valid,
            sdx_affects_drg=_AFFECTS[sdx_initial.astype(np.int64) + 2 * sdx_final.astype(np.int64)],
            sdx_initial_severity_usage=initial_usage, sdx_final_severity_usage=final_usage,
            sdx_poa_error=hacs.poa_error,
            sdx_hac_start=hacs.hac_start, sdx_hac_number=hacs.hac_number, sdx_hac_list=hacs.hac_list,
            sdx_hac_usage=hacs.hac_usage,
            procedure_start=codes.pr_start, procedure_code=codes.pr_code,
            procedure_recognized=_pr(facts, "valid", pr_row).astype(bool),
            procedure_affects_drg=_AFFECTS[pr_initial.astype(np.int64) + 2 * pr_final.astype(np.int64)],
            procedure_is_or=_pr(facts, "is_or", pr_row).astype(bool),
            procedure_hac_start=hacs.procedure_hac_start, procedure_hac_usage=hacs.procedure_hac_usage,
        )
        return GroupedColumns(**take(columns, keep), per_claim=0), keep

    def _first_not_incidental(self, claims: np.ndarray) -> np.ndarray:
        """For DRG 794 (12.3): the secondary diagnosis that the false `incident` operand marked,
        the first code of the principal and secondary diagnoses (processing order) not on the
        incidental list, where that code is a secondary diagnosis."""
        codes = self.codes
        pdx_incident = _dx(self.facts, "incident", codes.pdx_row, False).astype(bool)
        sdx_incident = _dx(self.facts, "incident", codes.sdx_row, False).astype(bool).tolist()
        order = self.sdx_order.tolist()
        start = codes.sdx_start.tolist()
        out = []
        for j in claims.tolist():
            if not pdx_incident[j]:
                continue
            first = next((k for k in order[start[j]:start[j + 1]] if not sdx_incident[k]), None)
            if first is not None:
                out.append(first)
        return np.asarray(out, dtype=np.int64)

    def _fallback_final_usage(self, suppressed: np.ndarray, reported_met: np.ndarray) -> np.ndarray:
        """Final usage when HAC processing stopped the claim before the final pass (usage.py)."""
        level = self.sdx_severity
        used = _LEVEL_WORDS["used"][level]
        out = np.where(self.sdx_death | reported_met, SeverityUsage.NEITHER.value, used)
        out = np.where(suppressed, _LEVEL_WORDS["logic"][level], out)
        return np.where(self.sdx_excluded, _LEVEL_WORDS["cut"][level], out)

    def _severity_usage(self, suppressed: np.ndarray) -> np.ndarray:
        """Rule R of section 13 for every secondary diagnosis (usage.py), before the HAC check."""
        level = self.sdx_severity
        excluded, died = self.sdx_excluded, self.sdx_death
        out = np.where(suppressed, _LEVEL_WORDS["logic"][level], _LEVEL_WORDS["used"][level])
        out = np.where(excluded | died, _LEVEL_WORDS["cut"][level], out)
        return np.where(died & ~excluded, SeverityUsage.NEITHER.value, out)

    def _plan(self, acc: tuple) -> tuple:
        """What the marking rules do with a deciding formula's accumulated atoms (12.1, 12.2)."""
        entries = self.facts.tokens.entries
        by_name: dict[str, str] = {}
        for t in acc:
            prefix, name = entries[t]
            by_name.setdefault(name, prefix)
        candidates = []
        for name in sorted(by_name):
            prefix = by_name[name]
            if (prefix, name) == ("ONLY", "incident"):
                continue
            by_severity = name.upper() in ("MCC", "CC")
            by_attribute = prefix in ("SDX", "ANY")
            if by_severity or by_attribute:
                candidates.append((name, name.lower(), prefix in ("PDX", "ANY"), by_severity, by_attribute))
        severity_only = tuple(c[0] for c in candidates) if all(
            c[0] in ("MCC", "CC") and not c[4] for c in candidates) else None
        procedure_names = self.facts.procedure_names()
        none_names = [entries[t][1] for t in acc if entries[t][0] == "NONE"]
        unprefixed = frozenset(n for n in none_names if n not in ("MCC", "CC", "NON_CC"))
        # a name no procedure has can neither complete the whole set nor mark by itself
        whole_set = unprefixed if unprefixed and unprefixed <= procedure_names else None
        names = [n for n in none_names if n in procedure_names]
        return severity_only, candidates, unprefixed, whole_set, names, none_names

    def _mark(self, claims: np.ndarray, accumulated: np.ndarray, suppressed: np.ndarray,
              sdx_marked: np.ndarray, pr_marked: np.ndarray, formula: np.ndarray) -> None:
        """Sections 12.1 and 12.2 on each claim's deciding atoms (marking.py): a severity-only
        formula marks column-wise, the rest per claim."""
        facts, codes = self.facts, self.codes
        entries = facts.tokens.entries
        infos = facts.dx.column("info")
        pr_attributes = facts.pr.column("attributes")
        pr_is_or = facts.pr.column("is_or")
        counted_array = ~(suppressed | self.sdx_excluded | self.sdx_death)
        not_counted = (~counted_array).tolist()
        severity = [_SEVERITY_OF_RANK[s] for s in self.sdx_severity.tolist()]
        sdx_rows = codes.sdx_row.tolist()
        order = self.sdx_order.tolist()
        sdx_start = codes.sdx_start.tolist()
        pr_start = codes.pr_start.tolist()
        pr_rows = codes.pr_row.tolist()
        pdx_rows = codes.pdx_row.tolist()
        pr_by_code = self._procedures_by_code()
        old_rules = self.version_id < 410
        cache = self.__dict__.setdefault("_plans", {})
        fused = set(codes.pr_claim[self.fusion].tolist()) if len(codes.pr_row) else set()
        by_severity_claims: dict[str, list[int]] = {"MCC": [], "CC": []}
        for j in claims.tolist():
            acc = accumulated[j]
            plan = cache.get(acc)
            if plan is None:
                plan = cache[acc] = self._plan(acc)
            severity_only, candidates, unprefixed, whole_set, names, none_names = plan
            # 12.1
            if severity_only is not None:
                for name in severity_only:
                    by_severity_claims[name].append(j)
            elif candidates:
                pdx_row = pdx_rows[j]
                pdx_info = infos[pdx_row] if pdx_row >= 0 else None
                live = [c for c in candidates
                        if not (c[2] and pdx_info is not None and c[1] in pdx_info.attributes_lower)]
                used: set[str] = set()
                start, end = sdx_start[j], sdx_start[j + 1]
                if live:
                    # processing order: the claim's entries of self.sdx_order sit at start..end
                    for k in order[start:end]:
                        info = infos[sdx_rows[k]] if sdx_rows[k] >= 0 else None
                        for name, lower, _, by_severity, by_attribute in live:
                            if name in used:
                                continue
                            if ((by_severity and severity[k] == name and not not_counted[k])
                                    or (by_attribute and info is not None and lower in info.attributes_lower)):
                                sdx_marked[k] = True
                                used.add(name)
                                break
                        if len(used) == len(live):
                            break
            # 12.2
            p0, p1 = pr_start[j], pr_start[j + 1]
            if p0 == p1 or not none_names:
                continue
            if j in self.clusters or j in fused:
                self._mark_with_clusters(j, [entries[t] for t in acc], int(formula[j]), pr_marked)
                continue
            if not names:
                continue
            principal = p0
            by_code = pr_by_code[p0:p1]
            attributes = {k: pr_attributes[pr_rows[k]] for k in by_code}
            qualifies = old_rules or pr_is_or[pr_rows[principal]]
            if whole_set is not None:
                if qualifies and whole_set <= attributes[principal]:
                    pr_marked[principal] = True
                    continue
                other = next((k for k in by_code if (k != principal or old_rules) and whole_set <= attributes[k]),
                             None)
                if other is not None:
                    pr_marked[other] = True
                    continue
            for name in names:
                having = [k for k in by_code if name in attributes[k]]
                if len(having) >= 2:
                    if name in attributes[principal] and qualifies:
                        pr_marked[principal] = True
                    else:
                        others = [k for k in having if k != principal or old_rules]
                        if others:
                            pr_marked[others[0]] = True
                elif having:
                    pr_marked[having[0]] = True
        # 12.1 for severity-only formulas: each of MCC, CC marks the claim's first counted code of
        # that level in processing order
        n_sdx = len(codes.sdx_row)
        if n_sdx:
            in_order = self.sdx_order
            owners = codes.sdx_claim[in_order]
            for name, rank in (("MCC", 2), ("CC", 1)):
                chosen = by_severity_claims[name]
                if not chosen:
                    continue
                wanted = np.zeros(self.m, dtype=bool)
                wanted[chosen] = True
                eligible = wanted[owners] & (self.sdx_severity[in_order] == rank) & counted_array[in_order]
                picked = in_order[eligible]
                if len(picked):
                    _, first = np.unique(codes.sdx_claim[picked], return_index=True)
                    sdx_marked[picked[first]] = True

    def _procedures_by_code(self) -> list[int]:
        """Procedure entries claim by claim, each claim's in code order (the marking order, 12.2)."""
        found = self.__dict__.get("_pr_by_code")
        if found is None:
            codes = self.codes
            if len(codes.pr_row):
                rank = self.facts.procedure_rank()[codes.pr_row]
                found = np.lexsort((rank, codes.pr_claim)).tolist()
            else:
                found = []
            self.__dict__["_pr_by_code"] = found
        return found

    def _mark_specials(self, claims: np.ndarray, state: dict, sdx_marked: np.ndarray, pr_marked: np.ndarray) -> None:
        """12.3 and 12.4 where a counting operand was true: the significant trauma codes (when the
        pre-MDC match counted trauma regions), and the stents and vessels it counted."""
        codes, entries = self.codes, self.facts.tokens.entries
        attributes = self.facts.pr.column("attributes")
        for j in claims.tolist():
            pre = state["pre"][j]
            if pre and any(entries[t][1] in TRAUMA_REGIONS for t in pre):
                count = 1 if self.sig_trauma_pdx[j] else 0
                for k in self.sdx_order[codes.sdx_start[j]:codes.sdx_start[j + 1]].tolist():
                    if count >= 2:
                        break
                    if self.sig_trauma_sdx[k]:
                        sdx_marked[k] = True
                        count += 1
            names = {entries[t][1] for t in state["accumulated"][j] or () if entries[t][0] == "NONE"}
            procedures = range(int(codes.pr_start[j]), int(codes.pr_start[j + 1]))
            if names & _STENT_NAMES:
                for k in procedures:
                    if self.stent4[k]:
                        pr_marked[k] = True
                pair = ({"arterial", "NORdrugstent"} if {"arterial", "NORdrugstent"} <= names
                        else {"arterial", "NORstent"} if {"arterial", "NORstent"} <= names else None)
                if pair:
                    for k in procedures:
                        if pair <= attributes[codes.pr_row[k]]:
                            pr_marked[k] = True
            if names & _VESSEL_NAMES:
                for k in procedures:
                    if self.vessel4[k]:
                        pr_marked[k] = True

    def _mark_with_clusters(self, j: int, accumulated: list, formula: int, pr_marked: np.ndarray) -> None:
        """12.2 for a claim with formed clusters or fused procedures: marking.ProcedureMarker, with
        the members hidden in the marking MDC, the clusters' own rules and the fusion rule."""
        facts, codes = self.facts, self.codes
        reroute = int(facts.formula_reroute[formula])
        drg = int(facts.formula_drg[formula])
        mdc = reroute if reroute else (29 if drg in UNRELATED_OR_DRGS else int(self.pdx_mdc[j]))
        p0, p1 = int(codes.pr_start[j]), int(codes.pr_start[j + 1])
        pr_codes = codes.pr_code
        pr_attributes = facts.pr.column("attributes")
        pr_is_or = facts.pr.column("is_or")
        by_code = sorted(range(p0, p1), key=lambda k: pr_codes[k])
        attributes = {k: pr_attributes[codes.pr_row[k]] for k in by_code}
        clusters = self.clusters.get(j, [])
        principal = p0
        old_rules = self.version_id < 410
        qualifies = old_rules or pr_is_or[codes.pr_row[principal]]

        def visible(k: int) -> bool:
            return mdc not in self.member_suppression.get(k, frozenset())

        def mark_members(cluster_id: str) -> None:
            seen: set[str] = set()
            for k in by_code:
                if cluster_id in self.member_clusters.get(k, ()) and pr_codes[k] not in seen:
                    seen.add(pr_codes[k])
                    pr_marked[k] = True

        unprefixed = {name for prefix, name in accumulated if prefix == "NONE" and name not in ("MCC", "CC", "NON_CC")}
        fusion = self.fusion

        def fusion_rule() -> bool:
            fused = [k for k in by_code if fusion[k]]
            for k in fused:
                pr_marked[k] = True
            return bool(fused)

        if unprefixed:
            if qualifies and visible(principal) and unprefixed <= attributes[principal]:
                pr_marked[principal] = True
                if not fusion[principal]:
                    return
            other = next((k for k in by_code if (k != principal or old_rules) and visible(k)
                          and unprefixed <= attributes[k]), None)
            if other is not None:
                pr_marked[other] = True
                return
            whole = next((cluster_id for cluster_id, cluster_attributes in clusters
                          if unprefixed <= cluster_attributes), None)
            if whole is not None:
                mark_members(whole)
                return
        for prefix, name in accumulated:
            if prefix != "NONE":
                continue
            having = [k for k in by_code if visible(k) and name in attributes[k]]
            if name == "revision" and having and any(name in a for _, a in clusters):
                pr_marked[principal if name in attributes[principal] else having[0]] = True
                continue
            if len(having) >= 2 and not (mdc == 8 and self.version_id >= 420 and fusion_rule()):
                if name in attributes[principal] and qualifies and visible(principal):
                    pr_marked[principal] = True
                else:
                    others = [k for k in having if k != principal or old_rules]
                    if others:
                        pr_marked[others[0]] = True
            elif having:
                pr_marked[having[0]] = True
            else:
                cluster_id = next((c for c, a in clusters if name in a), None)
                if cluster_id is not None:
                    mark_members(cluster_id)


# ---------------------------------------------------------------------------- HACs (section 14)
_POA_NO = frozenset({"N", "U"})
_PROCEDURE_HACS = (8, 10, 11, 12, 13, 14)
_MET = HacUsage.HAC_CRITERIA_MET.value
_NOT_MET = HacUsage.HAC_CRITERIA_NOT_MET.value
_EXCLUSION = HacUsage.HAC_NOT_APPLICABLE_EXCLUSION.value
_EXEMPT = HacUsage.HAC_NOT_APPLICABLE_EXEMPT.value
_HAC_RETURN_CODES = (None, ReturnCode.HAC_MISSING_ONE_POA, ReturnCode.HAC_STATUS_INVALID_MULT_HACS_POA_NOT_Y_W,
                     ReturnCode.HAC_STATUS_INVALID_POA_N_OR_U, ReturnCode.HAC_STATUS_INVALID_POA_INVALID_OR_1)
_HAC_RETURN_WORDS = np.array(["", *(code.value for code in _HAC_RETURN_CODES[1:])], dtype=object)


def _poa_error(poa: str) -> str:
    if poa in _POA_YES:
        return PoaError.POA_RECOGNIZED_YES_POA.value
    if poa in _POA_NO:
        return PoaError.POA_RECOGNIZED_NOT_POA.value
    return PoaError.POA_NOT_RECOGNIZED.value


class _HacProcessing:
    """Section 14 (grouper/hac.py) for the claims whose initial pass grouped: the HAC usage of
    every listed code, the HAC return codes, the reported lists and what the final pass leaves
    out. The HAC criteria (the HAC formulas on the mask) are evaluated column-wise; the rest
    runs per claim over its few listed codes, in processing order, as hac.py does."""

    def __init__(self, run: _VersionRun, grouped: np.ndarray) -> None:
        codes, m = run.codes, run.m
        n_sdx, n_pr = len(codes.sdx_row), len(codes.pr_row)
        self.rerun = np.zeros(m, dtype=bool)
        self.considered = np.ones(n_sdx, dtype=bool)
        self.return_code = np.zeros(m, dtype=np.int64)
        self.reported_met = np.zeros(n_sdx, dtype=bool)
        self.procedure_has_hac = np.zeros(n_pr, dtype=bool)
        self.categories = np.zeros(m, dtype=np.int64)
        self.pdx_hac11 = np.zeros(m, dtype=np.int64)
        self.poa_error = np.full(n_sdx, PoaError.POA_NOT_CHECKED.value, dtype=object)
        reported: dict[int, list] = {}
        procedure_usage: dict[int, set] = {}
        with_entries = run.sdx_has_hac & grouped[codes.sdx_claim] if n_sdx else np.zeros(0, dtype=bool)
        claims = np.unique(codes.sdx_claim[with_entries]) if n_sdx else np.zeros(0, dtype=np.int64)
        # Simple claims: every listed code present on admission, or an exempt hospital. No HAC can
        # be met; each code reports its first list (Y/W) or all of them (exempt) with number 0.
        if n_sdx:
            exempt_entry = codes.hospital[codes.sdx_claim] == "EXEMPT"
            poa_yes = np.isin(codes.sdx_poa, ("Y", "W"))
            hard = with_entries & ~exempt_entry & ~poa_yes
            hard_claims = np.zeros(m, dtype=bool)
            hard_claims[codes.sdx_claim[hard]] = True
            simple = with_entries & ~hard_claims[codes.sdx_claim]
            for k in np.nonzero(simple & exempt_entry)[0].tolist():
                reported[k] = [(0, name, _EXEMPT) for _, name in run.sdx_hac_lists[k]]
            for k in np.nonzero(simple & ~exempt_entry)[0].tolist():
                reported[k] = [(0, run.sdx_hac_lists[k][0][1], _NOT_MET)]
            self.poa_error[simple & exempt_entry] = PoaError.HOSPITAL_EXEMPT.value
            self.poa_error[simple & ~exempt_entry] = PoaError.POA_RECOGNIZED_YES_POA.value
            claims = claims[hard_claims[claims]]
        criteria = self._criteria(run, claims)
        facts = run.facts
        pr_attributes = facts.pr.column("attributes")
        pdx_hac11 = _dx(facts, "hac11", codes.pdx_row, False).astype(bool)
        on_show = _dx(facts, "on_show_list", codes.sdx_row, False).astype(bool).tolist() if n_sdx else []
        lists_of = run.sdx_hac_lists
        order = run.sdx_order.tolist()
        has_hac = run.sdx_has_hac.tolist()
        excluded = run.sdx_excluded.tolist()
        poas = codes.sdx_poa.tolist()
        sdx_start, pr_start = codes.sdx_start.tolist(), codes.pr_start.tolist()
        pr_rows = codes.pr_row.tolist()
        old = run.version_id < 410
        for j in claims.tolist():
            hospital = codes.hospital[j]
            entries = [k for k in order[sdx_start[j]:sdx_start[j + 1]] if has_hac[k]]
            usage: dict[int, list] = {}
            if hospital == "EXEMPT":                                             # 14.1
                for k in entries:
                    self.poa_error[k] = PoaError.HOSPITAL_EXEMPT.value
                    usage[k] = [_EXEMPT] * len(lists_of[k])
            else:                                                                # 14.2
                owner_of_six = None
                bad_poa_seen = False
                met: dict[int, list[int]] = {}
                for k in entries:
                    poa = poas[k]
                    found = []
                    for number, _ in lists_of[k]:
                        if poa in _POA_YES:
                            found.append(_NOT_MET)
                            self.poa_error[k] = PoaError.POA_RECOGNIZED_YES_POA.value
                        elif excluded[k]:
                            found.append(_EXCLUSION)
                            self.poa_error[k] = _poa_error(poa)
                        else:
                            is_met = bool(criteria[number][j]) if number in criteria else False
                            found.append(_MET if is_met else _NOT_MET)
                            self.poa_error[k] = _poa_error(poa)
                            if poa not in _POA_YES and poa not in _POA_NO:
                                bad_poa_seen = True
                            if is_met:
                                if number == 6 and not on_show[k]:
                                    owner_of_six = k
                                met.setdefault(number, []).append(k)
                    usage[k] = found
                if owner_of_six is None:
                    for k in entries:
                        for i, (_, name) in enumerate(lists_of[k]):
                            if name == "hac06_show":
                                usage[k][i] = _NOT_MET
                for k in entries:                                                # 14.3
                    for (number, _), u in zip(lists_of[k], usage[k]):
                        if u == _MET and number in _PROCEDURE_HACS:
                            needle = f"hac{number:02d}_proc"
                            for p in range(pr_start[j], pr_start[j + 1]):
                                if any(needle in a for a in pr_attributes[pr_rows[p]]):
                                    procedure_usage.setdefault(p, set()).add(f"HAC_{number:02d}")
                code = 0
                if met and hospital == "NON_EXEMPT":                             # 14.4
                    for number, listed in met.items():
                        if number == 6:
                            if owner_of_six is None:
                                continue
                            if any(poas[c] not in _POA_YES and poas[c] not in _POA_NO for c in listed):
                                code = 1
                        elif bad_poa_seen:
                            code = 1
                elif met and hospital == "UNKNOWN":                              # 14.5
                    code = self._unknown_status_code(entries, lists_of, poas, sdx_start[j + 1] - sdx_start[j])
                self.return_code[j] = code
                for k in entries:
                    if _MET in usage[k]:
                        self.considered[k] = False
                        if not code:
                            self.rerun[j] = True
            met_numbers: set[int] = set()
            for k in entries:                                                    # 14.6
                out = self._reported(lists_of[k], usage[k], poas[k] in _POA_YES, old)
                reported[k] = out
                for number, _, u in out:
                    if u == _MET:
                        self.reported_met[k] = True
                        met_numbers.add(number)
            self.categories[j] = len(met_numbers)
            if pdx_hac11[j] and 11 in met_numbers:
                self.pdx_hac11[j] = 1
        self.return_code_words = _HAC_RETURN_WORDS[self.return_code]
        counts = np.zeros(n_sdx, dtype=np.int64)
        numbers: list[int] = []
        names: list = []
        usages: list[str] = []
        for k in sorted(reported):
            out = reported[k]
            counts[k] = len(out)
            for number, name, u in out:
                numbers.append(number)
                names.append(name)
                usages.append(u)
        self.hac_start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self.hac_number = np.asarray(numbers, dtype=np.int32)
        self.hac_list = object_array(names)
        self.hac_usage = object_array(usages)
        procedure_counts = np.zeros(n_pr, dtype=np.int64)
        procedure_words: list[str] = []
        for p in sorted(procedure_usage):
            words = sorted(procedure_usage[p])
            procedure_counts[p] = len(words)
            procedure_words.extend(words)
            self.procedure_has_hac[p] = True
        self.procedure_hac_start = np.concatenate([[0], np.cumsum(procedure_counts)]).astype(np.int64)
        self.procedure_hac_usage = object_array(procedure_words)

    @staticmethod
    def _criteria(run: _VersionRun, claims: np.ndarray) -> dict[int, np.ndarray]:
        """HAC number -> whether its formulas hold, per claim (over all m; computed for `claims`)."""
        out: dict[int, np.ndarray] = {}
        if not len(claims):
            return out
        program_hacs = compiled(run.facts.tables).hac_formulas
        no_severity = np.full(len(claims), NO_SEVERITY, dtype=np.int64)
        for number, formulas in program_hacs.items():
            holds = np.zeros(run.m, dtype=bool)
            for formula in formulas:
                evaluation = _Evaluation(run, claims, no_severity, None)
                holds[claims] |= evaluation.value(formula.tree, np.ones(len(claims), dtype=bool))
            out[number] = holds
        return out

    @staticmethod
    def _unknown_status_code(entries: list[int], lists_of: np.ndarray, poas: list, sdx_count: int) -> int:
        for k in entries:
            for _ in lists_of[k]:
                if sdx_count >= 2:
                    return 2
                if poas[k] in _POA_NO:
                    return 3
                if poas[k] not in _POA_YES:
                    return 4
        return 0

    @staticmethod
    def _reported(lists: tuple, usage: list, poa_yes: bool, old: bool) -> list:
        """14.6: the entries a code reports; numbers are zeroed except for met and exclusion."""
        out = []
        six_seen = False
        reported_any = False
        for (number, name), u in zip(lists, usage):
            if u == _MET:
                if number == 6:
                    if six_seen:
                        continue
                    six_seen = True
                out.append((number, name, u))
                reported_any = True
            elif u == _NOT_MET and poa_yes:
                out.append((0, name, u))
                reported_any = True
                break
            elif u == _EXCLUSION:
                out.append((number, name, u))
                reported_any = True
            elif u == _EXEMPT:
                out.append((0, name, u))
                reported_any = True
        if not reported_any:
            chosen = list(zip(lists, usage))
            if old:
                chosen = chosen[:1]
            out.extend((0, name, u) for (_, name), u in chosen)
        return sorted(out, key=lambda entry: entry[0])


# ---------------------------------------------------------------------------- the chunk
def group_per_claim(columns: ClaimColumns, positions: np.ndarray,
                    tables_for: Callable[[int], TableSet]) -> GroupedColumns:
    """The claims at `positions` grouped one by one by the per-claim engine (the fallback)."""
    results = []
    for i in positions.tolist():
        claim = columns.claim(i)
        results.append(group_claim(claim, tables_for(int(columns.version[i]))))
    return GroupedColumns.from_results(results)


def group_columns(columns: ClaimColumns, tables_for: Callable[[int], TableSet]) -> GroupedColumns:
    """Group a chunk of claims; `tables_for(version_id)` gives a version's table set.

    The claims of each version are grouped together; those the column-wise engine does not
    express go to the per-claim engine (counted in `per_claim`). Results come in input order."""
    parts: list[GroupedColumns] = []
    placed: list[np.ndarray] = []
    for version_id in np.unique(columns.version).tolist():
        chosen = np.nonzero(columns.version == version_id)[0]
        run = _VersionRun(columns, chosen, version_facts(tables_for(int(version_id))))
        part, kept = run.results()
        part.claim_id = columns.claim_id[chosen[kept]]
        parts.append(part)
        placed.append(chosen[kept])
        rest = np.setdiff1d(np.arange(len(chosen)), kept)
        if len(rest):
            parts.append(group_per_claim(columns, chosen[rest], tables_for))
            placed.append(chosen[rest])
    if not parts:
        return GroupedColumns.from_results([])
    merged = concatenate(parts)
    order = np.argsort(np.concatenate(placed), kind="stable")
    return reorder(merged, order)
