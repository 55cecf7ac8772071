"""What the column-wise engine knows of one version: every per-code fact as a row of an array,
and the DRG formulas as trees over integer token ids (docs/GROUPER_LOGIC.md sections 5-7).

The per-claim engine asks the table set about each code as it meets it; the column-wise
engine gives each code seen a row number once per version (`DiagnosisFacts.row_of`,
`ProcedureFacts.row_of`) and then reads any fact of a whole chunk's codes with one array
lookup. Mask entries (prefix, name) get integer ids (`Tokens`), so a claim's mask is a set of
integers and an atom of a formula is a test of one id (section 7.3).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter

import numpy as np

from drg.grouper.compiled import SEVERITY_NAMES, compiled, has_side_effects, trigger_names
from drg.grouper.evaluate import JOINT_SIDES, RETURN_CODE_OPERANDS, STENTS, TRAUMA_REGIONS, VESSELS
from drg.tables import TableSet, TableSetCache
from drg.tables.cms import is_operating_room, with_orproc
from drg.tables.formula import And, Atom, Node, Not, atoms

SEVERITY_RANK = {"MCC": 2, "CC": 1, "NON_CC": 0}
NO_SEVERITY = -1      # a list that has no formulas gives the pass no severity (Severity.NONE)

# Special operands with side effects: each is a counting test that marks codes only when it is
# true (grouper/evaluate.py); `incident` marks when false, which only DRG 794 reads.
COUNTING_SPECIALS = frozenset({"MULTST", "BILATERAL", "FOUR_VESSELS", "FOUR_STENTS", "FOUR_DRUG_ELUTING_STENTS",
                               "FOUR_NON_DRUG_ELUTING_STENTS", "SINGLEFUSIONCTR", "MULTFUSE", "SGLANTSECTXCTR",
                               "SGLPOSTFUSECTR", "SGLANTCTR", "SGLPOST1CTR"})
FUSION_NAMES = ("sglantfuse", "sglpostfuse", "sglpostfuse1", "sglantsectXfuse")


class Tokens:
    """(prefix, name) mask entries <-> integer ids, for one version."""

    def __init__(self) -> None:
        self.ids: dict[tuple[str, str], int] = {}
        self.entries: list[tuple[str, str]] = []

    def id(self, prefix: str, name: str) -> int:
        key = (prefix, name)
        found = self.ids.get(key)
        if found is None:
            found = self.ids[key] = len(self.entries)
            self.entries.append(key)
        return found


class _Rows:
    """Growable per-code fact rows; `array(name)` is the numpy view, rebuilt after growth.

    `add` only queues the row's values; they are moved into the per-fact lists (one C-level
    transpose for all rows queued) when a fact is first read after."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.row_of: dict[str, int] = {}
        self._names = names
        self._lists: dict[str, list] = {n: [] for n in names}
        self._arrays: dict[str, np.ndarray] = {}
        self._pending: list[tuple] = []
        self._pick = itemgetter(*names)

    def add(self, code: str, **values: object) -> int:
        row = len(self.row_of)
        self.row_of[code] = row
        self._pending.append(self._pick(values))
        if self._arrays:
            self._arrays.clear()
        return row

    def _flush(self) -> None:
        pending = self._pending
        if pending:
            for name, items in zip(self._names, zip(*pending)):
                self._lists[name].extend(items)
            self._pending = []

    def array(self, name: str) -> np.ndarray:
        found = self._arrays.get(name)
        if found is None:
            if self._pending:
                self._flush()
            items = self._lists[name]
            if items and isinstance(items[0], (bool, np.bool_)):
                found = np.asarray(items, dtype=bool)
            elif items and isinstance(items[0], int):
                found = np.asarray(items, dtype=np.int64)
            else:
                found = np.empty(len(items), dtype=object)
                found[:] = items
            self._arrays[name] = found
        return found

    def column(self, name: str) -> list:
        if self._pending:
            self._flush()
        return self._lists[name]


_DX_FACTS = ("info", "has_hac", "valid", "severity", "mdc", "male_mdc", "female_mdc", "sex_dependent",
             "exclusion_group", "sdx_tokens", "pdx_tokens", "hac_lists", "on_show_list", "hac11",
             "mccalive", "incident", "trauma", "ecode", "scheme")
_PR_FACTS = ("attributes", "valid", "is_or", "tokens", "in_cluster", "side", "vessel_weight", "stent_weight",
             "drug_stent_weight", "plain_stent_weight", "fusion_hits")


@dataclass(frozen=True)
class ClusterSlots:
    """Procedure clusters for the completeness test (5.2): by code, each cluster's first choice
    listing a code, and the number of choices."""

    by_code: dict
    first_slot: dict
    choices: dict


@dataclass
class VectorFormula:
    """One DRG formula row ready for the column-wise evaluation."""

    position: int
    index: int                  # number of the row among all the version's rows (VersionFacts.formula_*)
    row: object                 # DrgFormula
    tree: Node
    triggers: frozenset | None  # names of which one must be present (None: always evaluate)
    suppression: int            # id of the row's suppression set (VersionFacts.suppressions)
    side_effects: bool


@dataclass
class VersionFacts:
    """The column-wise engine's view of one table set."""

    tables: TableSet
    version_id: int
    tokens: Tokens = field(default_factory=Tokens)
    dx: _Rows = field(default_factory=lambda: _Rows(_DX_FACTS))
    pr: _Rows = field(default_factory=lambda: _Rows(_PR_FACTS))
    formulas: dict = field(default_factory=dict)          # MDC -> list[VectorFormula]
    suppressions: list = field(default_factory=list)      # id -> frozenset of lower-case names
    suppressed_by: dict = field(default_factory=dict)     # suppression id -> (per scheme, dx rows, per row) cache
    schemes: list = field(default_factory=list)           # scheme id (dx fact "scheme") -> its DiagnosisInfo or None
    tested: frozenset = frozenset()                       # (prefix, name) entries some formula tests
    formula_drg: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    formula_base_drg: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    formula_reroute: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    formula_surgical: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))
    _csr: dict = field(default_factory=dict)              # fact name -> (rows, offsets, flat) cache
    _shared: dict = field(default_factory=dict)           # one copy of the facts codes share

    def token_lists(self, rows: "_Rows", name: str) -> tuple[np.ndarray, np.ndarray]:
        """The token-id lists of fact `name` as offsets and one flat array (CSR), for array gathers."""
        found = self._csr.get(name)
        count = len(rows.row_of)
        if found is None or found[0] != count:        # only the rows added since are read
            done, old_offsets, old_flat = found if found is not None else (0, np.zeros(1, dtype=np.int64),
                                                                           np.zeros(0, dtype=np.int64))
            lists = rows.column(name)[done:]
            lengths = np.fromiter((len(t) for t in lists), dtype=np.int64, count=count - done)
            offsets = np.empty(count + 1, dtype=np.int64)
            offsets[:done + 1] = old_offsets
            np.cumsum(lengths, out=offsets[done + 1:])
            offsets[done + 1:] += old_offsets[-1]
            more = np.fromiter((t for row in lists for t in row), dtype=np.int64,
                               count=int(offsets[-1] - old_offsets[-1]))
            found = self._csr[name] = (count, offsets, np.concatenate([old_flat, more]))
        return found[1], found[2]

    def cluster_slots(self) -> "ClusterSlots":
        """The version's clusters as code -> first choice maps (built on first use)."""
        found = self._csr.get("clusters")
        if found is None:
            tables = self.tables
            first_slot: dict[str, dict[str, int]] = {}
            for cluster_id, cluster in tables.clusters.items():
                slots: dict[str, int] = {}
                for index, codes in enumerate(cluster.choices):
                    for code in codes:
                        slots.setdefault(code, index)
                first_slot[cluster_id] = slots
            by_code = {code: tuple(c for c in ids if c in tables.clusters)
                       for code, ids in tables.procedure_clusters.items()}
            found = self._csr["clusters"] = ClusterSlots(
                by_code, first_slot, {c: len(k.choices) for c, k in tables.clusters.items()})
        return found

    def procedure_names(self) -> frozenset[str]:
        """Every attribute a procedure or cluster of the version has (with ORPROC)."""
        found = self._csr.get("procedure names")
        if found is None:
            names: set[str] = set()
            for attributes in set(self.tables.procedures.values()):
                names |= with_orproc(attributes)
            found = self._csr["procedure names"] = frozenset(names)
        return found

    def procedure_rank(self) -> np.ndarray:
        """Per procedure row: the rank of its code in code order."""
        return self._rank(self.pr, "procedure rank")

    def code_rank(self) -> np.ndarray:
        """Per dx row: the rank of its code (as given) in code order, for the processing order (5.8)."""
        return self._rank(self.dx, "code rank")

    def _rank(self, rows: "_Rows", key: str) -> np.ndarray:
        """Per row of `rows`: the rank of its code in code order (recomputed when rows were added)."""
        count = len(rows.row_of)
        found = self._csr.get(key)
        if found is None or found[0] != count:
            codes = list(rows.row_of)              # in row order
            rank = np.empty(count, dtype=np.int64)
            rank[sorted(range(count), key=codes.__getitem__)] = np.arange(count, dtype=np.int64)
            found = self._csr[key] = (count, rank)
        return found[1]

    def codes_to_rows(self, codes: list, diagnoses: bool) -> np.ndarray:
        """Fact rows of codes as given (-1 for a code given as null)."""
        table = self.dx if diagnoses else self.pr
        rows = list(map(table.row_of.get, codes))
        if None in rows:
            make = self.diagnosis_row if diagnoses else self.procedure_row
            for code in {c for r, c in zip(rows, codes) if r is None and isinstance(c, str)}:
                make(code)
            rows = [r if r is not None else table.row_of.get(c, -1) if isinstance(c, str) else -1
                    for r, c in zip(rows, codes)]
        return np.asarray(rows, dtype=np.int64)

    def diagnosis_row(self, code: str) -> int:
        """The fact row of a diagnosis code as given (looked up upper-cased, as the engine does)."""
        row = self.dx.row_of.get(code)
        if row is not None:
            return row
        tables = self.tables
        upper = code.upper()
        info = tables.diagnoses.get(upper)
        scheme = self._scheme(info)
        lists: tuple = ()
        if scheme["hac_listed"]:
            found = tables.hac_lists.get(upper)
            if found is not None:
                count = len(set(found.numbers))
                lists = tuple((number, next((op for op in found.operands if str(number) in op), ""))
                              for number in found.numbers[:count])
        by_sex = tables.sex_mdcs.get(upper)
        return self.dx.add(
            code, has_hac=bool(lists), male_mdc=by_sex[0] if by_sex else -1,
            female_mdc=by_sex[1] if by_sex else -1, sex_dependent=by_sex is not None,
            exclusion_group=tables.exclusion_group_ids.get(upper, -1), hac_lists=lists,
            on_show_list=bool(lists) and scheme["show_list"], ecode=code[:1].upper() in ("V", "W", "X", "Y"),
            **scheme["facts"])

    def _scheme(self, info: object) -> dict:
        """The facts every code of one CMS scheme shares (None: a code not valid in the version)."""
        key = ("scheme", id(info))
        found = self._shared.get(key)
        if found is None:
            scheme = len(self.schemes)
            self.schemes.append(info)
            if info is None:
                facts = dict(info=None, valid=False, severity=0, mdc=-1, sdx_tokens=(), pdx_tokens=(), hac11=False,
                             mccalive=False, incident=False, trauma=False, scheme=scheme)
                found = {"facts": facts, "hac_listed": False, "show_list": False, "info": None}
            else:
                lower = info.attributes_lower                              # type: ignore[attr-defined]
                sdx_tokens, pdx_tokens = self._diagnosis_tokens(info)
                hac_attributes = info.hac_attributes                       # type: ignore[attr-defined]
                facts = dict(info=info, valid=True, severity=SEVERITY_RANK[info.severity],   # type: ignore
                             mdc=info.mdc, sdx_tokens=sdx_tokens, pdx_tokens=pdx_tokens,       # type: ignore
                             hac11=any(a.endswith("hac11_pdx") for a in hac_attributes),
                             mccalive="mccalive" in lower, incident="incident" in lower,
                             trauma=any(region.lower() in lower for region in TRAUMA_REGIONS), scheme=scheme)
                found = {"facts": facts, "hac_listed": any(a.startswith("HAC") for a in hac_attributes),
                         "show_list": "hac06_show" in hac_attributes, "info": info}   # info kept: id() unique
            self._shared[key] = found
        return found

    def _diagnosis_tokens(self, info: object) -> tuple[tuple, tuple]:
        """The tested mask entries of a diagnosis as secondary and as principal (6), one shared pair
        per scheme: every code of a CMS scheme has the same attributes."""
        key = id(info)
        found = self._shared.get(key)
        if found is None:
            names = {*info.attributes, *info.categories, *info.hac_attributes}    # type: ignore[attr-defined]
            token, tested = self.tokens.id, self.tested
            sdx_tokens = tuple(sorted({token(p, n) for n in names for p in ("SDX", "ANY") if (p, n) in tested}))
            pdx_tokens = tuple(sorted({token(p, n) for n in names for p in ("PDX", "ANY") if (p, n) in tested}))
            found = self._shared[key] = (sdx_tokens, pdx_tokens, info)      # info kept: id() stays unique
        return found[0], found[1]

    def procedure_row(self, code: str) -> int:
        """The fact row of a procedure code as given."""
        row = self.pr.row_of.get(code)
        if row is not None:
            return row
        tables = self.tables
        upper = code.upper()
        table_attributes = tables.procedures.get(upper, frozenset())
        shared = self._shared.get(("procedure", table_attributes))    # one copy per attribute set
        if shared is None:
            attributes = with_orproc(table_attributes)
            token = self.tokens.id
            tokens = tuple(sorted(token("NONE", n) for n in attributes if ("NONE", n) in self.tested))
            shared = self._shared[("procedure", table_attributes)] = (attributes, tokens)
        attributes, tokens = shared
        in_cluster = any(c in tables.clusters for c in tables.procedure_clusters.get(upper, ()))

        def weight(names: tuple, required: str | None = None) -> int:
            if required is not None and required not in attributes:
                return 0
            return sum(w for name, w in names if name in attributes)

        return self.pr.add(
            code, attributes=attributes, valid=bool(table_attributes),
            is_or=is_operating_room(table_attributes, self.version_id),
            tokens=tokens, in_cluster=in_cluster,
            side=any(side in attributes for side in JOINT_SIDES),
            vessel_weight=weight(VESSELS), stent_weight=weight(STENTS),
            drug_stent_weight=weight(STENTS, "NORdrugstent"), plain_stent_weight=weight(STENTS, "NORstent"),
            fusion_hits=sum(1 for name in FUSION_NAMES if name in attributes))

    def suppressed_rows(self, suppression: int) -> np.ndarray:
        """Per dx row: has an attribute of suppression set `suppression` (section 8).

        Every code of a CMS scheme has the same attributes, so the test is made once per scheme
        (`schemes`) and read per row through the dx fact "scheme"."""
        lowered = self.suppressions[suppression]
        cached = self.suppressed_by.get(suppression)
        count = len(self.dx.row_of)
        if cached is not None and cached[1] == count:
            return cached[2]
        per_scheme = np.zeros(0, dtype=bool) if cached is None else cached[0]
        schemes = self.schemes
        done = len(per_scheme)
        if done != len(schemes):              # schemes met since: only those are looked at
            more = np.fromiter((info is not None and not lowered.isdisjoint(info.attributes_lower)
                                for info in schemes[done:]), dtype=bool, count=len(schemes) - done)
            per_scheme = np.concatenate([per_scheme, more])
        found = per_scheme[self.dx.array("scheme")] if count else np.zeros(0, dtype=bool)
        self.suppressed_by[suppression] = (per_scheme, count, found)
        return found


def _build(tables: TableSet) -> VersionFacts:
    facts = VersionFacts(tables, tables.version.id)
    program = compiled(tables)
    suppression_ids: dict[frozenset, int] = {}
    every_row = []
    for mdc, formula_list in program.formulas.items():
        rows = []
        for position, formula in enumerate(formula_list.rows):
            lowered = frozenset(s.lower() for s in formula.row.suppression)
            if lowered not in suppression_ids:
                suppression_ids[lowered] = len(facts.suppressions)
                facts.suppressions.append(lowered)
            side_effects = has_side_effects(formula.tree)
            every_row.append(formula.row)
            rows.append(VectorFormula(position, len(every_row) - 1, formula.row, formula.tree,
                                      None if side_effects else trigger_names(formula.tree),
                                      suppression_ids[lowered], side_effects))
        facts.formulas[mdc] = rows
    facts.formula_drg = np.asarray([r.drg for r in every_row], dtype=np.int64)
    facts.formula_base_drg = np.asarray([r.base_drg for r in every_row], dtype=np.int64)
    facts.formula_reroute = np.asarray([r.reroute_mdc for r in every_row], dtype=np.int64)
    facts.formula_surgical = np.asarray([r.surgical.upper() for r in every_row], dtype=object)
    for prefix, name, _ in RETURN_CODE_OPERANDS.values():
        facts.tokens.id(prefix, name)
    # Only the entries a formula tests go into a claim's mask: no other entry can make an
    # atom true, and a formula whose trigger names are all absent is false (compiled.py).
    trees = [f.tree for rows in program.formulas.values() for f in rows.rows]
    trees += [h.tree for rows in program.hac_formulas.values() for h in rows]
    facts.tested = frozenset({(a.prefix, a.name) for tree in trees for a in atoms(tree) if a.special is None}
                             | {("ONLY", "incident")})
    return facts


_FACTS: TableSetCache[VersionFacts] = TableSetCache(_build)


def version_facts(tables: TableSet) -> VersionFacts:
    """The column-wise facts of a table set (built on first use, then kept and grown)."""
    return _FACTS(tables)


def is_severity_name(atom: Atom) -> bool:
    return atom.prefix == "NONE" and atom.name in SEVERITY_NAMES


__all__ = ["VersionFacts", "VectorFormula", "version_facts", "Tokens", "COUNTING_SPECIALS", "And", "Not", "Atom"]
