"""The batch summary of a validation run, as HTML (with inline SVG charts) or Markdown."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from drg.validation.reports.charts import svg_bar_chart, svg_heatmap
from drg.validation.billed.records import FINDINGS, Validation
from drg.validation.reports.page import html_page, html_table, markdown_page, markdown_table
from drg.validation.billed.rules import RULES

LEVELS = ("base", "CC", "CC/MCC", "MCC")
WEIGHED_FINDINGS = ("UPCODING_RISK", "DOWNCODING_RISK", "MISMATCH_SAME_WEIGHT", "MISMATCH_WEIGHT_UNKNOWN")


@dataclass
class Summary:
    """Batch figures; every rate says what it is a share of."""

    rows: int = 0
    statuses: Counter = field(default_factory=Counter)
    findings: Counter = field(default_factory=Counter)
    dollars_by_finding: dict = field(default_factory=dict)
    dollars_up: float = 0.0              # sum of positive dollar_impact (billed pays more)
    dollars_down: float = 0.0            # sum of negative dollar_impact (billed pays less)
    rows_without_dollars: int = 0        # mismatching rows whose dollars are unknown
    pairs: Counter = field(default_factory=Counter)
    pair_dollars: dict = field(default_factory=dict)
    rule_hits: Counter = field(default_factory=Counter)
    cmi_billed: float | None = None
    cmi_expected: float | None = None
    cmi_rows: int = 0
    grouped: int = 0
    cc_mcc_claims: int = 0
    mcc_claims: int = 0
    single_code_claims: int = 0
    matrix: dict = field(default_factory=dict)   # (billed level, expected level) -> count
    top: list = field(default_factory=list)

    @property
    def cc_mcc_capture_rate(self) -> float | None:
        return self.cc_mcc_claims / self.grouped if self.grouped else None

    @property
    def single_cc_mcc_rate(self) -> float | None:
        return self.single_code_claims / self.cc_mcc_claims if self.cc_mcc_claims else None


def summarize(validations: Iterable[Validation], top_n: int = 25) -> Summary:
    s = Summary()
    billed_w = expected_w = 0.0
    scored: list[Validation] = []
    for v in validations:
        s.rows += 1
        s.statuses[v.status] += 1
        if v.finding:
            s.findings[v.finding] += 1
        g = v.grouping
        if g is not None and g.final_return_code == "OK":
            s.grouped += 1
            if g.final_drg_cc_mcc in ("CC", "MCC"):
                s.cc_mcc_claims += 1
                s.mcc_claims += g.final_drg_cc_mcc == "MCC"
                s.single_code_claims += bool(v.single_code_severity)
        if v.dollar_impact is not None:
            s.dollars_by_finding[v.finding] = s.dollars_by_finding.get(v.finding, 0.0) + v.dollar_impact
            if v.dollar_impact > 0:
                s.dollars_up += v.dollar_impact
            else:
                s.dollars_down += v.dollar_impact
        elif v.finding in WEIGHED_FINDINGS:
            s.rows_without_dollars += 1
        if v.finding in WEIGHED_FINDINGS and v.billed_drg is not None:
            pair = (v.billed_drg, v.expected_drg)
            s.pairs[pair] += 1
            if v.dollar_impact is not None:
                s.pair_dollars[pair] = s.pair_dollars.get(pair, 0.0) + v.dollar_impact
        if v.billed_weight is not None and v.expected_weight is not None:
            billed_w += v.billed_weight
            expected_w += v.expected_weight
            s.cmi_rows += 1
        if v.billed_level and v.expected_level:
            key = (v.billed_level, v.expected_level)
            s.matrix[key] = s.matrix.get(key, 0) + 1
        s.rule_hits.update(v.rule_hits)
        if v.finding:
            scored.append(v)
    if s.cmi_rows:
        s.cmi_billed, s.cmi_expected = billed_w / s.cmi_rows, expected_w / s.cmi_rows
    s.top = sorted(scored, key=lambda v: (-v.risk_score, -(abs(v.dollar_impact or 0)), v.row_number))[:top_n]
    return s


def _money(x: float | None) -> str:
    return "n/a" if x is None else (f"-${-x:,.0f}" if x < 0 else f"${x:,.0f}")


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def _tables(s: Summary) -> dict[str, tuple[list[str], list[list]]]:
    finding_rows = [[f, s.findings.get(f, 0), _money(s.dollars_by_finding.get(f)) if f in s.dollars_by_finding else ""]
                    for f in FINDINGS if s.findings.get(f)]
    not_validated = {k: n for k, n in s.statuses.items() if k != "OK"}
    key = [["rows", s.rows], ["rows validated (status OK)", s.statuses.get("OK", 0)],
           ["dollars at risk up (billed pays more)", _money(s.dollars_up)],
           ["dollars at risk down (billed pays less)", _money(s.dollars_down)],
           ["mismatching rows (valid billed DRG) without a dollar figure", s.rows_without_dollars],
           ["case-mix index billed", "n/a" if s.cmi_billed is None else f"{s.cmi_billed:.4f}"],
           ["case-mix index expected", "n/a" if s.cmi_expected is None else f"{s.cmi_expected:.4f}"],
           ["rows in the CMI (both weights known)", s.cmi_rows],
           ["CC/MCC capture rate (expected DRG uses a CC or MCC, of grouped claims)", _pct(s.cc_mcc_capture_rate)],
           ["MCC share of grouped claims", _pct(s.mcc_claims / s.grouped if s.grouped else None)],
           ["single-CC/MCC rate (level rests on one code, of CC/MCC claims)", _pct(s.single_cc_mcc_rate)]]
    pairs = [[f"{b} -> {e}", n, _money(s.pair_dollars.get((b, e)))] for (b, e), n in s.pairs.most_common(15)]
    rules = [[r.id, s.rule_hits.get(r.id, 0), r.description, r.source] for r in RULES]
    status_rows = [[k, n] for k, n in sorted(not_validated.items())]
    top = [[v.claim_id, v.billed_drg if v.billed_drg is not None else v.billed_drg_text, v.expected_drg, v.finding,
            _money(v.dollar_impact), v.risk_score, ", ".join(v.rule_hits), _short(v.explanation)] for v in s.top]
    return {
        "key": (["figure", "value"], key),
        "findings": (["finding", "claims", "dollar impact"], finding_rows),
        "statuses": (["status", "rows"], status_rows),
        "pairs": (["billed -> expected", "claims", "dollar impact"], pairs),
        "rules": (["rule", "hits", "what", "source"], rules),
        "top": (["claim", "billed", "expected", "finding", "dollars", "risk", "rules", "why"], top),
    }


def _short(text: str, limit: int = 220) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _matrix(s: Summary) -> tuple[list[list[float | None]], list[str], list[str]]:
    rows = [lv for lv in LEVELS if any(k[0] == lv for k in s.matrix)]
    cols = [lv for lv in LEVELS if any(k[1] == lv for k in s.matrix)]
    return [[s.matrix.get((r, c)) for c in cols] for r in rows], rows, cols


def render_html(s: Summary, title: str = "DRG validation summary", subtitle: str = "") -> str:
    t = _tables(s)
    sections = [("Key figures", html_table(*t["key"]))]
    findings = [f for f in FINDINGS if s.findings.get(f)]
    charts = svg_bar_chart(findings, [s.findings[f] for f in findings], "Claims by finding")
    dollar_findings = [f for f in FINDINGS if f in s.dollars_by_finding and f != "MATCH"]
    if dollar_findings:
        charts += svg_bar_chart(dollar_findings, [s.dollars_by_finding[f] for f in dollar_findings],
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
    return html_page(title, sections, subtitle)


def render_markdown(s: Summary, title: str = "DRG validation summary", subtitle: str = "") -> str:
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
    return markdown_page(title, sections, subtitle)


def write_report(validations: Iterable[Validation], path: "str | Path", subtitle: str = "") -> Summary:
    """Write the summary to `path` (.html/.htm or .md) and return it."""
    path = Path(path)
    s = summarize(validations)
    if path.suffix.lower() in (".html", ".htm"):
        path.write_text(render_html(s, subtitle=subtitle), encoding="utf-8")
    elif path.suffix.lower() in (".md", ".markdown"):
        path.write_text(render_markdown(s, subtitle=subtitle), encoding="utf-8")
    else:
        raise ValueError(f"cannot write a report to {path.name}: use .html or .md")
    return s
