"""The version-shift report as a standalone HTML page (inline SVG charts) and as Markdown.

Both are built from a ShiftSummary only: headline counts, the CMI figures and their
regrouping / reweighting split (bar chart), the shift matrix of the DRGs most involved in
shifts (heatmap), DRGs gaining and losing most claims, codes behind most shifts, reason
counts, missing weights and notes.
"""
from __future__ import annotations

from html import escape

import pandas as pd

from drg.tables.titles import CodeKind, described, title
from drg.validation.reports.charts import svg_bar_chart, svg_heatmap
from drg.validation.reports.page import html_page, html_table, markdown_page, markdown_table
from drg.validation.version_shift.reasons import ShiftReasonKind
from drg.validation.version_shift.summary import ShiftSummary

__all__ = ["render_shift_html", "render_shift_markdown", "heatmap_drgs"]

TOP = 15


def _f(value: float | None, fmt: str = "{:.4f}") -> str:
    return "n/a" if value is None or pd.isna(value) else fmt.format(value)


def heatmap_drgs(summary: ShiftSummary, limit: int = TOP) -> tuple[list[int], list[int]]:
    """The from-DRGs and to-DRGs with the most shifted claims (off-diagonal), most first."""
    moved = summary.matrix[summary.matrix["from_drg"] != summary.matrix["to_drg"]]
    rows = moved.groupby("from_drg")["claims"].sum().sort_values(ascending=False).head(limit)
    cols = moved.groupby("to_drg")["claims"].sum().sort_values(ascending=False).head(limit)
    return [int(d) for d in rows.index], [int(d) for d in cols.index]


def _heatmap(summary: ShiftSummary) -> str:
    rows, cols = heatmap_drgs(summary)
    if not rows:
        return "<p>No claim changed DRG.</p>"
    counts = {(int(f), int(t)): int(n) for f, t, n in
              zip(summary.matrix["from_drg"], summary.matrix["to_drg"], summary.matrix["claims"])}
    matrix = [[counts.get((r, c)) for c in cols] for r in rows]
    return svg_heatmap(matrix, [f"{d:03d}" for d in rows], [f"{d:03d}" for d in cols],
                       f"Claims moving between DRGs, {summary.from_version} (rows) to {summary.to_version} "
                       f"(columns); top {len(rows)} x {len(cols)}",
                       row_axis=f"DRG in {summary.from_version}", col_axis=f"DRG in {summary.to_version}")


def _cmi_rows(summary: ShiftSummary) -> list[list]:
    return [[f.grouping, f"FY{f.fiscal_year}", _f(f.cmi), f.claims, f.claims_without_weight]
            for f in summary.cmi]


def _path_rows(summary: ShiftSummary) -> list[list]:
    return [[p.name, p.claims, p.claims_left_out, _f(p.start_cmi), _f(p.end_cmi),
             _f(p.regrouping, "{:+.4f}"), _f(p.reweighting, "{:+.4f}"), _f(p.total, "{:+.4f}")]
            for p in summary.cmi_paths]


def _cmi_chart(summary: ShiftSummary) -> str:
    labels = ["total change"]
    values: list[float | None] = [summary.total_cmi_change]
    for p in summary.cmi_paths:
        short = p.name.split(",")[0]
        labels += [f"regrouping ({short})", f"reweighting ({short})"]
        values += [p.regrouping, p.reweighting]
    cmis = svg_bar_chart([f"{f.grouping} DRGs, FY{f.fiscal_year} weights" for f in summary.cmi],
                         [f.cmi for f in summary.cmi], "Case-mix index", value_format="{:.4f}",
                         axis_format="{:.1f}")
    change = svg_bar_chart(labels, values, f"CMI change {summary.from_version} \u2192 {summary.to_version}",
                           value_format="{:+.4f}", axis_format="{:+.3f}", color_by_sign=True)
    return cmis + "\n" + change


def _movement_rows(summary: ShiftSummary, gaining: bool) -> list[list]:
    df = summary.drg_movement
    df = df[df["net"] > 0] if gaining else df[df["net"] < 0].sort_values("net")
    return [[f"{int(r.drg):03d}", r.title, int(r.claims_from), int(r.claims_to), int(r.net),
             int(r.gained), int(r.lost)] for r in df.head(TOP).itertuples()]


def _code_rows(summary: ShiftSummary) -> list[list]:
    """The codes behind most shifts, each as a coder reads it: J96.01 Acute respiratory failure with
    hypoxia (the summary's data keeps the stored spelling)."""
    return [[r.kind, _described_code(r.kind, r.code, summary.to_fiscal_year), int(r.claims),
             _f(r.weight_change, "{:+.4f}"), r.example]
            for r in summary.top_codes.head(20).itertuples()]


def _described_code(kind: str, code: str, fiscal_year: int) -> str:
    """PR_* reasons are about procedures; an invalid code (CODE_INVALID, either kind) is a
    procedure when only the ICD-10-PCS titles know it."""
    procedure = str(kind).startswith("PR_") or (
        kind == ShiftReasonKind.CODE_INVALID and not title(CodeKind.DIAGNOSIS, code, fiscal_year)
        and bool(title(CodeKind.PROCEDURE, code, fiscal_year)))
    return described(code, CodeKind.PROCEDURE if procedure else CodeKind.DIAGNOSIS, fiscal_year)


def _headline(summary: ShiftSummary) -> list[list]:
    share = summary.changed / summary.grouped if summary.grouped else 0.0
    return [["claims", summary.claims], ["grouped under both versions", summary.grouped],
            ["not grouped (see status)", summary.not_grouped],
            ["DRG changed", f"{summary.changed} ({share:.1%})"], ["MDC changed", summary.mdc_changed],
            [f"with a code invalid in {summary.from_version}", summary.invalid_in_from],
            [f"with a code invalid in {summary.to_version}", summary.invalid_in_to],
            ["CMI change (own fiscal-year weights)", _f(summary.total_cmi_change, "{:+.4f}")]]


_CMI_HEAD = ["DRGs of", "weights", "CMI", "claims", "claims without weight"]
_PATH_HEAD = ["path", "claims", "left out", "start CMI", "end CMI", "regrouping", "reweighting", "total"]
_MOVE_HEAD = ["DRG", "title", "claims before", "claims after", "net", "gained", "lost"]
_CODE_HEAD = ["reason", "code", "claims shifted", "weight change", "example"]
_CMI_TEXT = ("Each grouping weighed with each fiscal year's weights. A path splits the change into "
             "regrouping (same weights, new DRGs) and reweighting (same DRGs, new weights); it uses "
             "the claims for which all three weights it needs exist.")


def _title(summary: ShiftSummary) -> tuple[str, str]:
    return (f"MS-DRG version shift {summary.from_version} \u2192 {summary.to_version}",
            f"Same claims grouped under MS-DRG {summary.from_version} (FY{summary.from_fiscal_year} "
            f"weights) and {summary.to_version} (FY{summary.to_fiscal_year} weights).")


def render_shift_html(summary: ShiftSummary) -> str:
    """The report as one self-contained HTML page."""
    title, subtitle = _title(summary)
    notes = "".join(f"<li>{escape(n)}</li>" for n in summary.notes) or "<li>none</li>"
    missing = summary.missing_weights.head(20)
    sections = [
        ("Summary", html_table(["measure", "value"], _headline(summary))),
        ("Case-mix index", _cmi_chart(summary) + f'<p class="note">{escape(_CMI_TEXT)}</p>'
         + html_table(_CMI_HEAD, _cmi_rows(summary)) + html_table(_PATH_HEAD, _path_rows(summary))),
        ("Shift matrix", _heatmap(summary)),
        ("DRGs gaining most claims", html_table(_MOVE_HEAD, _movement_rows(summary, True))),
        ("DRGs losing most claims", html_table(_MOVE_HEAD, _movement_rows(summary, False))),
        ("Codes behind most shifts", html_table(_CODE_HEAD, _code_rows(summary))),
        ("Reasons", html_table(["reason", "claims", "of them DRG changed"],
                               summary.reason_counts.values.tolist())),
        ("Missing weights", html_table(["fiscal year", "DRG", "claims", "needed for"], missing.values.tolist())
         if len(missing) else "<p>none</p>"),
        ("Notes", f"<ul>{notes}</ul>"),
    ]
    return html_page(title, sections, subtitle=subtitle)


def render_shift_markdown(summary: ShiftSummary) -> str:
    """The report as Markdown (tables; the shift matrix as a table of the largest shifts)."""
    title, subtitle = _title(summary)
    moved = summary.matrix[summary.matrix["from_drg"] != summary.matrix["to_drg"]].head(TOP)
    matrix_rows = [[f"{int(r.from_drg):03d}", f"{int(r.to_drg):03d}", int(r.claims),
                    _f(r.from_weight, "{:.4f}"), _f(r.to_weight, "{:.4f}")] for r in moved.itertuples()]
    missing = summary.missing_weights.head(20)
    sections = [
        ("Summary", markdown_table(["measure", "value"], _headline(summary))),
        ("Case-mix index", _CMI_TEXT + "\n\n" + markdown_table(_CMI_HEAD, _cmi_rows(summary)) + "\n"
         + markdown_table(_PATH_HEAD, _path_rows(summary))),
        ("Largest shifts", markdown_table(["from DRG", "to DRG", "claims", "weight before", "weight after"],
                                          matrix_rows) if matrix_rows else "No claim changed DRG."),
        ("DRGs gaining most claims", markdown_table(_MOVE_HEAD, _movement_rows(summary, True))),
        ("DRGs losing most claims", markdown_table(_MOVE_HEAD, _movement_rows(summary, False))),
        ("Codes behind most shifts", markdown_table(_CODE_HEAD, _code_rows(summary))),
        ("Reasons", markdown_table(["reason", "claims", "of them DRG changed"],
                                   summary.reason_counts.values.tolist())),
        ("Missing weights", markdown_table(["fiscal year", "DRG", "claims", "needed for"], missing.values.tolist())
         if len(missing) else "none"),
        ("Notes", "\n".join(f"- {n}" for n in summary.notes) or "none"),
    ]
    return markdown_page(title, sections, subtitle=subtitle)
