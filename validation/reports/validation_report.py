"""The summary of a validation run (a fold-able tally) and its report as HTML (inline SVG charts) or Markdown.

A `ValidationTally` holds only counts, exact sums and the top claims by risk (a bounded list), so
a run of any size is summarized chunk by chunk in bounded memory:

    tally = ValidationTally()
    for chunk in chunks:                        # lists of Validation, in input order
        tally.add(chunk)
    render_validation_html(tally, subtitle=...)  # or render_validation_markdown, summary_line

Tallies of parts of a run merge (`merge`) into the tally of the whole; sums are exact (no
rounding until a figure is shown), so the report does not depend on how the rows were split.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

from drg.validation import statuses
from drg.validation.billed.records import FINDINGS, WEIGHED_FINDINGS, Finding, Validation
from drg.validation.billed.rules import RULES
from drg.validation.reports.charts import svg_bar_chart, svg_heatmap
from drg.validation.reports.page import html_page, html_table, markdown_page, markdown_table

__all__ = ["ValidationTally", "TopClaim", "ExactSum", "summarize_validations", "render_validation_html",
           "render_validation_markdown", "summary_line", "LEVELS", "TOP_CLAIMS"]

LEVELS = ("base", "CC", "CC/MCC", "MCC")
TOP_CLAIMS = 25            # claims listed in "Highest risk claims"


class ExactSum:
    """A sum of floats kept exact (Shewchuk's non-overlapping partials), so that adding the same
    numbers in any order or grouping gives the same total; `value` rounds once, at the end."""

    __slots__ = ("partials",)

    def __init__(self) -> None:
        self.partials: list[float] = []

    def add(self, x: float) -> None:
        kept = 0
        partials = self.partials
        for y in partials:
            if abs(x) < abs(y):
                x, y = y, x
            high = x + y
            low = y - (high - x)
            if low:
                partials[kept] = low
                kept += 1
            x = high
        partials[kept:] = [x]

    def merge(self, other: "ExactSum") -> None:
        for x in other.partials:
            self.add(x)

    @property
    def value(self) -> float:
        return math.fsum(self.partials)


@dataclass(frozen=True, slots=True)
class TopClaim:
    """What the report lists of one high-risk claim (not the whole Validation)."""

    row_number: int
    claim_id: str
    billed: int | str            # the billed DRG, or the billed value as given when it is no number
    expected_drg: int | None
    finding: str
    dollar_impact: float | None
    risk_score: float
    rule_hits: tuple[str, ...]
    explanation: str

    @classmethod
    def of(cls, v: Validation) -> "TopClaim":
        return cls(v.row_number, v.claim_id, v.billed_drg if v.billed_drg is not None else v.billed_drg_text,
                   v.expected_drg, v.finding, v.dollar_impact, v.risk_score, v.rule_hits, _short(v.explanation))

    def rank(self) -> tuple[float, float, int]:
        """Highest risk first, then the larger dollar impact, then input order."""
        return (-self.risk_score, -abs(self.dollar_impact or 0), self.row_number)


PREPAYMENT_LISTED = 1_000      # claims with a prepayment MCE edit the report lists (memory stays bounded)


def _sums() -> dict:
    return {}


@dataclass
class ValidationTally:
    """Batch figures of a validation run; every rate says what it is a share of.

    Fold rows in with `add` (any number of times, in input order) and parts of a run with
    `merge`; memory holds counts and sums only, plus the `top_n` highest-risk claims.
    """

    top_n: int = TOP_CLAIMS
    rows: int = 0
    statuses: Counter = field(default_factory=Counter)
    findings: Counter = field(default_factory=Counter)
    outcomes: Counter = field(default_factory=Counter)     # finding, or the status of a row without one
    dollar_sums: dict = field(default_factory=_sums)      # finding -> ExactSum of dollar_impact
    up: ExactSum = field(default_factory=ExactSum)        # positive dollar_impact (billed pays more)
    down: ExactSum = field(default_factory=ExactSum)      # negative dollar_impact (billed pays less)
    rows_without_dollars: int = 0        # mismatching rows whose dollars are unknown
    pairs: Counter = field(default_factory=Counter)
    pair_sums: dict = field(default_factory=_sums)        # (billed, expected) -> ExactSum of dollars
    rule_hits: Counter = field(default_factory=Counter)
    billed_weights: ExactSum = field(default_factory=ExactSum)
    expected_weights: ExactSum = field(default_factory=ExactSum)
    cmi_rows: int = 0
    grouped: int = 0
    cc_mcc_claims: int = 0
    mcc_claims: int = 0
    single_code_claims: int = 0
    matrix: Counter = field(default_factory=Counter)    # (billed level, expected level) -> count
    top: list = field(default_factory=list)             # TopClaim, highest risk first, at most top_n
    mce_edit_types: Counter = field(default_factory=Counter)    # MCE edit type -> claims
    mce_edits: Counter = field(default_factory=Counter)         # MCE edit -> claims with it
    mce_prepayment: int = 0                                     # claims with a prepayment MCE edit
    prepayment_claims: list = field(default_factory=list)       # (id, edits), the first PREPAYMENT_LISTED

    def add(self, validations: Iterable[Validation]) -> "ValidationTally":
        """Fold rows into the tally (returns it, so `ValidationTally().add(rows)` reads well)."""
        scored = []
        for v in validations:
            self._count(v)
            if v.finding:
                scored.append(TopClaim.of(v))
        self._keep_top(scored)
        return self

    def merge(self, other: "ValidationTally") -> "ValidationTally":
        """Fold in the tally of a later part of the same run (returns self)."""
        self.rows += other.rows
        for mine, theirs in ((self.statuses, other.statuses), (self.findings, other.findings),
                             (self.outcomes, other.outcomes), (self.pairs, other.pairs),
                             (self.rule_hits, other.rule_hits), (self.matrix, other.matrix)):
            mine.update(theirs)
        for my_sums, their_sums in ((self.dollar_sums, other.dollar_sums), (self.pair_sums, other.pair_sums)):
            for key, total in their_sums.items():
                my_sums.setdefault(key, ExactSum()).merge(total)
        for mine_sum, their_sum in ((self.up, other.up), (self.down, other.down),
                                    (self.billed_weights, other.billed_weights),
                                    (self.expected_weights, other.expected_weights)):
            mine_sum.merge(their_sum)
        self.rows_without_dollars += other.rows_without_dollars
        self.cmi_rows += other.cmi_rows
        self.grouped += other.grouped
        self.cc_mcc_claims += other.cc_mcc_claims
        self.mcc_claims += other.mcc_claims
        self.single_code_claims += other.single_code_claims
        self._keep_top(other.top)
        self.mce_edit_types.update(other.mce_edit_types)
        self.mce_edits.update(other.mce_edits)
        self.mce_prepayment += other.mce_prepayment
        self.prepayment_claims = (self.prepayment_claims + other.prepayment_claims)[:PREPAYMENT_LISTED]
        return self

    def _count(self, v: Validation) -> None:
        self.rows += 1
        self.statuses[v.status] += 1
        self.outcomes[v.finding or v.status] += 1
        if v.finding:
            self.findings[v.finding] += 1
        g = v.grouping
        if g is not None and g.final_return_code == "OK":
            self.grouped += 1
            if g.final_drg_cc_mcc in ("CC", "MCC"):
                self.cc_mcc_claims += 1
                self.mcc_claims += g.final_drg_cc_mcc == "MCC"
                self.single_code_claims += bool(v.single_code_severity)
        if v.dollar_impact is not None:
            self.dollar_sums.setdefault(v.finding, ExactSum()).add(v.dollar_impact)
            (self.up if v.dollar_impact > 0 else self.down).add(v.dollar_impact)
        elif v.finding in WEIGHED_FINDINGS:
            self.rows_without_dollars += 1
        if v.finding in WEIGHED_FINDINGS and v.billed_drg is not None:
            pair = (v.billed_drg, v.expected_drg)
            self.pairs[pair] += 1
            if v.dollar_impact is not None:
                self.pair_sums.setdefault(pair, ExactSum()).add(v.dollar_impact)
        if v.billed_weight is not None and v.expected_weight is not None:
            self.billed_weights.add(v.billed_weight)
            self.expected_weights.add(v.expected_weight)
            self.cmi_rows += 1
        if v.billed_level and v.expected_level:
            self.matrix[(v.billed_level, v.expected_level)] += 1
        self.rule_hits.update(v.rule_hits)
        if v.mce_edit_type:
            self.mce_edit_types[v.mce_edit_type] += 1
            self.mce_edits.update(e for e, _ in v.mce_edits)
        if v.mce_prepayment:
            self.mce_prepayment += 1
            if len(self.prepayment_claims) < PREPAYMENT_LISTED:
                self.prepayment_claims.append((v.claim_id, ", ".join(f"{e}={n}" for e, n in v.mce_edits)))

    def _keep_top(self, claims: Iterable[TopClaim]) -> None:
        # a stable sort of (kept, then later rows) keeps input order among equal ranks
        self.top = sorted([*self.top, *claims], key=TopClaim.rank)[: self.top_n]

    @property
    def dollars_by_finding(self) -> dict[str, float]:
        return {f: s.value for f, s in self.dollar_sums.items()}

    @property
    def pair_dollars(self) -> dict[tuple, float]:
        return {p: s.value for p, s in self.pair_sums.items()}

    @property
    def dollars_up(self) -> float:
        return self.up.value

    @property
    def dollars_down(self) -> float:
        return self.down.value

    @property
    def cmi_billed(self) -> float | None:
        return self.billed_weights.value / self.cmi_rows if self.cmi_rows else None

    @property
    def cmi_expected(self) -> float | None:
        return self.expected_weights.value / self.cmi_rows if self.cmi_rows else None

    @property
    def cc_mcc_capture_rate(self) -> float | None:
        return self.cc_mcc_claims / self.grouped if self.grouped else None

    @property
    def single_cc_mcc_rate(self) -> float | None:
        return self.single_code_claims / self.cc_mcc_claims if self.cc_mcc_claims else None


def summarize_validations(validations: Iterable[Validation], top_n: int = TOP_CLAIMS) -> ValidationTally:
    """The tally of all rows at once (the same as adding them chunk by chunk)."""
    return ValidationTally(top_n=top_n).add(validations)


def summary_line(tally: ValidationTally, seconds: float) -> str:
    """The line `drg validate` prints at the end: rows, time, and rows per finding (or status), most first."""
    counts = ", ".join(f"{k} {n}" for k, n in sorted(tally.outcomes.items(), key=lambda kv: -kv[1]))
    return f"validated {tally.rows:,} rows in {seconds:.1f} s: {counts}"


def _money(x: float | None) -> str:
    return "n/a" if x is None else (f"-${-x:,.0f}" if x < 0 else f"${x:,.0f}")


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def _tables(s: ValidationTally) -> dict[str, tuple[list[str], list[list]]]:
    dollars = s.dollars_by_finding
    finding_rows = [[f, s.findings.get(f, 0), _money(dollars.get(f)) if f in dollars else ""]
                    for f in FINDINGS if s.findings.get(f)]
    not_validated = {k: n for k, n in s.statuses.items() if k != statuses.OK}
    key: list[list[Any]] = [["rows", s.rows], ["rows validated (status OK)", s.statuses.get(statuses.OK, 0)],
           ["dollars at risk up (billed pays more)", _money(s.dollars_up)],
           ["dollars at risk down (billed pays less)", _money(s.dollars_down)],
           ["mismatching rows (valid billed DRG) without a dollar figure", s.rows_without_dollars],
           ["case-mix index billed", "n/a" if s.cmi_billed is None else f"{s.cmi_billed:.4f}"],
           ["case-mix index expected", "n/a" if s.cmi_expected is None else f"{s.cmi_expected:.4f}"],
           ["rows in the CMI (both weights known)", s.cmi_rows],
           ["CC/MCC capture rate (expected DRG uses a CC or MCC, of grouped claims)", _pct(s.cc_mcc_capture_rate)],
           ["MCC share of grouped claims", _pct(s.mcc_claims / s.grouped if s.grouped else None)],
           ["single-CC/MCC rate (level rests on one code, of CC/MCC claims)", _pct(s.single_cc_mcc_rate)]]
    pair_dollars = s.pair_dollars
    pairs = [[f"{b} -> {e}", n, _money(pair_dollars.get((b, e)))] for (b, e), n in s.pairs.most_common(15)]
    rules = [[r.id, s.rule_hits.get(r.id, 0), r.description, r.source] for r in RULES]
    status_rows = [[k, n] for k, n in sorted(not_validated.items())]
    top = [[c.claim_id, c.billed, c.expected_drg, c.finding, _money(c.dollar_impact), c.risk_score,
            ", ".join(c.rule_hits), c.explanation] for c in s.top]
    return {
        "key": (["figure", "value"], key),
        "findings": (["finding", "claims", "dollar impact"], finding_rows),
        "statuses": (["status", "rows"], status_rows),
        "pairs": (["billed -> expected", "claims", "dollar impact"], pairs),
        "rules": (["rule", "hits", "what", "source"], rules),
        "top": (["claim", "billed", "expected", "finding", "dollars", "risk", "rules", "why"], top),
        "mce": (["MCE edit type or edit", "claims"],
                [[f"edit type {k}", n] for k, n in sorted(s.mce_edit_types.items(), key=lambda kv: (-kv[1], kv[0]))]
                + [[k, n] for k, n in sorted(s.mce_edits.items(), key=lambda kv: (-kv[1], kv[0]))]),
        "prepayment": (["claim", "MCE edits"], [list(c) for c in s.prepayment_claims]),
    }


def _mce_sections(s: ValidationTally, table) -> list[tuple[str, str]]:
    """The Medicare Code Editor part of the report: edits per kind, the claims with a prepayment edit."""
    if not s.mce_edit_types:
        return []
    t = _tables(s)
    listed = len(s.prepayment_claims)
    more = f" (the first {listed:,})" if s.mce_prepayment > listed else ""
    return [("Medicare Code Editor (MCE) edits, claims per edit type and per edit", table(*t["mce"])),
            (f"Claims with a prepayment MCE edit: {s.mce_prepayment:,}{more} - returned before payment "
             "whatever their DRG", table(*t["prepayment"]) if listed else "none")]


def _short(text: str, limit: int = 400) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _matrix(s: ValidationTally) -> tuple[list[list[float | None]], list[str], list[str]]:
    rows = [lv for lv in LEVELS if any(k[0] == lv for k in s.matrix)]
    cols = [lv for lv in LEVELS if any(k[1] == lv for k in s.matrix)]
    return [[s.matrix.get((r, c)) for c in cols] for r in rows], rows, cols


def render_validation_html(s: ValidationTally, title: str = "DRG validation summary", subtitle: str = "") -> str:
    """The report as one self-contained HTML page (inline SVG charts)."""
    t = _tables(s)
    sections = [("Key figures", html_table(*t["key"]))]
    findings = [f for f in FINDINGS if s.findings.get(f)]
    charts = svg_bar_chart(findings, [s.findings[f] for f in findings], "Claims by finding")
    dollars = s.dollars_by_finding
    dollar_findings = [f for f in FINDINGS if f in dollars and f != Finding.MATCH]
    if dollar_findings:
        charts += svg_bar_chart(dollar_findings, [dollars[f] for f in dollar_findings],
                                "Dollar impact by finding (billed minus expected)", value_format=_money,
                                color_by_sign=True)
    sections.append(("Findings", html_table(*t["findings"]) + charts))
    if t["statuses"][1]:
        sections.append(("Rows with an input status other than OK", html_table(*t["statuses"])))
    matrix, rows, cols = _matrix(s)
    if rows and cols:
        sections.append(("Severity level: billed vs expected",
                         "<p>Rows: severity level of the billed DRG within its family; columns: level of the DRG "
                         "the codes support. Off-diagonal cells are severity disagreements.</p>"
                         + svg_heatmap(matrix, rows, cols, "Billed vs expected DRG severity level",
                                       row_axis="billed", col_axis="expected", cell_size=70)))
    if t["pairs"][1]:
        sections.append(("Most frequent billed -> expected DRG pairs", html_table(*t["pairs"])))
    hit_rules = [r.id for r in RULES if s.rule_hits.get(r.id)]
    rule_chart = svg_bar_chart(hit_rules, [s.rule_hits[r] for r in hit_rules], "Audit rule hits") if hit_rules else ""
    sections.append(("Audit rules", rule_chart + html_table(*t["rules"])))
    sections.append((f"Highest risk claims (top {len(s.top)} by risk_score)", html_table(*t["top"])))
    sections += _mce_sections(s, html_table)
    return html_page(title, sections, subtitle)


def render_validation_markdown(s: ValidationTally, title: str = "DRG validation summary", subtitle: str = "") -> str:
    """The report as Markdown (the same tables, no charts)."""
    t = _tables(s)
    sections = [("Key figures", markdown_table(*t["key"])), ("Findings", markdown_table(*t["findings"]))]
    if t["statuses"][1]:
        sections.append(("Rows with an input status other than OK", markdown_table(*t["statuses"])))
    matrix, rows, cols = _matrix(s)
    if rows and cols:
        sections.append(("Severity level: billed (rows) vs expected (columns)",
                         markdown_table(["billed \\ expected", *cols],
                                        [[r, *[m or 0 for m in line]] for r, line in zip(rows, matrix)])))
    if t["pairs"][1]:
        sections.append(("Most frequent billed -> expected DRG pairs", markdown_table(*t["pairs"])))
    sections.append(("Audit rules", markdown_table(*t["rules"])))
    sections.append((f"Highest risk claims (top {len(s.top)})", markdown_table(*t["top"])))
    sections += _mce_sections(s, markdown_table)
    return markdown_page(title, sections, subtitle)

