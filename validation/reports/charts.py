"""Small hand-written inline SVG charts for the validation and shift reports.

No plotting library: the core depends only on numpy, pandas, pyarrow and click, and a
report must open offline. Every function returns one self-contained `<svg>` element as a
string (valid XML; all text escaped), sized by its content, ready to drop into HTML.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from html import escape

__all__ = ["svg_heatmap", "svg_bar_chart", "format_number"]

_FONT = "font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif"
_TEXT = "#222"
_MUTED = "#666"
_GRID = "#ddd"
SERIES_COLORS = ("#3b6ea8", "#e08a2e", "#5a9e5a", "#b04a5a")
NEGATIVE_COLOR = "#c0504d"

ValueFormat = str | Callable[[float], str]


def _esc(text: object) -> str:
    """Text escaped for XML content and attribute values."""
    return escape(str(text), quote=True)


def format_number(value: float | None, value_format: ValueFormat = "{:,.0f}") -> str:
    """`value` written with a format string ("{:,.2f}") or a callable; "" for None/NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if callable(value_format):
        return value_format(value)
    return value_format.format(value)


def _text_width(text: str, size: float) -> float:
    """Rough rendered width of `text` at font size `size` (no font metrics offline)."""
    wide = sum(1 for ch in text if ch.isupper() or ch.isdigit() or ch in "_@%MW")
    return (wide * 0.7 + (len(text) - wide) * 0.56) * size


def _heat_color(fraction: float) -> str:
    """White (0) to deep blue (1) on a perceptually even-ish ramp."""
    fraction = min(max(fraction, 0.0), 1.0)
    low, high = (247, 251, 255), (8, 48, 107)
    rgb = [round(a + (b - a) * fraction) for a, b in zip(low, high)]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def svg_heatmap(
    matrix: Sequence[Sequence[float | None]],
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    title: str,
    value_format: ValueFormat = "{:,.0f}",
    *,
    row_axis: str = "",
    col_axis: str = "",
    cell_size: int = 34,
    log_scale: bool = True,
) -> str:
    """A grid of shaded cells, one per (row, column), each labelled with its value.

    Shading follows the cell value relative to the largest one (log scale by default so
    that a few huge diagonal cells do not wash out everything else). None or 0 cells are
    left blank. Each cell carries a <title> tooltip "row -> column: value".
    """
    n_rows, n_cols = len(row_labels), len(col_labels)
    if len(matrix) != n_rows or any(len(row) != n_cols for row in matrix):
        raise ValueError("matrix shape does not match the row and column labels")
    values = [v for row in matrix for v in row if v is not None and not _isnan(v)]
    peak = max((abs(v) for v in values), default=0.0)

    def scaled(v: float) -> float:
        if peak <= 0:
            return 0.0
        if log_scale:
            return math.log1p(abs(v)) / math.log1p(peak)
        return abs(v) / peak

    font = 11
    row_label_w = max((_text_width(str(x), font) for x in row_labels), default=0) + 12
    col_label_h = max((_text_width(str(x), font) for x in col_labels), default=0) + 12
    title_h = 28
    axis_h = 18 if col_axis else 0
    left = row_label_w + (18 if row_axis else 0)
    top = title_h + axis_h + col_label_h
    width = left + n_cols * cell_size + 10
    height = top + n_rows * cell_size + 10

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{_esc(title)}" style="{_FONT}">',
        f"<title>{_esc(title)}</title>",
        f'<text x="4" y="18" font-size="14" font-weight="600" fill="{_TEXT}">{_esc(title)}</text>',
    ]
    if col_axis:
        cx = left + n_cols * cell_size / 2
        out.append(f'<text x="{cx:.1f}" y="{title_h + 12}" font-size="12" text-anchor="middle" '
                   f'fill="{_MUTED}">{_esc(col_axis)}</text>')
    if row_axis:
        cy = top + n_rows * cell_size / 2
        out.append(f'<text x="12" y="{cy:.1f}" font-size="12" text-anchor="middle" fill="{_MUTED}" '
                   f'transform="rotate(-90 12 {cy:.1f})">{_esc(row_axis)}</text>')
    for j, label in enumerate(col_labels):
        x = left + j * cell_size + cell_size / 2 + 4
        y = top - 6
        out.append(f'<text x="{x:.1f}" y="{y:.1f}" font-size="{font}" fill="{_TEXT}" '
                   f'transform="rotate(-60 {x:.1f} {y:.1f})">{_esc(label)}</text>')
    for i, label in enumerate(row_labels):
        y = top + i * cell_size + cell_size / 2 + 4
        out.append(f'<text x="{left - 6:.1f}" y="{y:.1f}" font-size="{font}" text-anchor="end" '
                   f'fill="{_TEXT}">{_esc(label)}</text>')
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            x = left + j * cell_size
            y = top + i * cell_size
            blank = value is None or _isnan(value) or value == 0
            fraction = 0.0 if blank else scaled(value)
            fill = "#ffffff" if blank else _heat_color(0.08 + 0.92 * fraction)
            shown = "" if blank else format_number(value, value_format)
            tip = f"{row_labels[i]} \u2192 {col_labels[j]}: {shown or 0}"
            out.append(f'<g><title>{_esc(tip)}</title>'
                       f'<rect x="{x:.1f}" y="{y:.1f}" width="{cell_size}" height="{cell_size}" '
                       f'fill="{fill}" stroke="{_GRID}" stroke-width="0.5"/>')
            if shown:
                ink = "#ffffff" if fraction > 0.55 else _TEXT
                size = 10 if len(shown) <= 5 else 8
                out.append(f'<text x="{x + cell_size / 2:.1f}" y="{y + cell_size / 2 + 3.5:.1f}" '
                           f'font-size="{size}" text-anchor="middle" fill="{ink}">{_esc(shown)}</text>')
            out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def _isnan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (both may be negative)."""
    if high == low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw), default=raw)
    start = math.floor(low / step) * step
    ticks = []
    t = start
    while t <= high + step * 1e-9:
        ticks.append(round(t, 10))
        t += step
    if ticks[-1] < high:
        ticks.append(ticks[-1] + step)
    return ticks


def svg_bar_chart(
    labels: Sequence[str],
    values: Sequence[float | None] | Sequence[Sequence[float | None]],
    title: str,
    *,
    series_names: Sequence[str] | None = None,
    value_format: ValueFormat = "{:,.0f}",
    axis_format: ValueFormat | None = None,
    bar_length: int = 420,
    bar_thickness: int = 16,
    color_by_sign: bool = False,
) -> str:
    """Horizontal bar chart, one category per line; several series side by side.

    `values` is either one list (one series) or a list of series, each as long as
    `labels`; name them with `series_names` to get a legend. Negative values grow left
    of the zero line (with `color_by_sign`, a single series is red below zero). None
    values draw no bar and print "n/a".
    """
    if values and (values[0] is None or isinstance(values[0], numbers.Number)):
        series: list[list[float | None]] = [list(values)]  # type: ignore[arg-type]
    else:
        series = [list(s) for s in values]  # type: ignore[union-attr]
    if not series:
        series = [[]]
    for s in series:
        if len(s) != len(labels):
            raise ValueError("each series must have one value per label")
    names = list(series_names) if series_names else []
    if names and len(names) != len(series):
        raise ValueError("series_names must name every series")
    axis_format = axis_format or value_format

    present = [v for s in series for v in s if v is not None and not _isnan(v)]
    low = min([0.0, *present])
    high = max([0.0, *present])
    ticks = _nice_ticks(low, high)
    low, high = min(ticks[0], low), max(ticks[-1], high)
    span = (high - low) or 1.0

    font = 11
    label_w = max((_text_width(str(x), font) for x in labels), default=0) + 12
    value_w = max((_text_width(format_number(v, value_format) or "n/a", 10) for v in present),
                  default=24) + 10
    n_series = len(series)
    group_h = n_series * bar_thickness + 8
    title_h = 28
    legend_h = 20 if names else 0
    left = label_w + value_w  # room for a negative bar's value label
    top = title_h + legend_h + 4
    plot_h = max(len(labels), 1) * group_h
    width = left + bar_length + value_w + 10
    height = top + plot_h + 24

    def xpos(v: float) -> float:
        return left + (v - low) / span * bar_length

    zero_x = xpos(0.0)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{_esc(title)}" style="{_FONT}">',
        f"<title>{_esc(title)}</title>",
        f'<text x="4" y="18" font-size="14" font-weight="600" fill="{_TEXT}">{_esc(title)}</text>',
    ]
    if names:
        lx = left
        for k, name in enumerate(names):
            color = SERIES_COLORS[k % len(SERIES_COLORS)]
            out.append(f'<rect x="{lx:.1f}" y="{title_h}" width="12" height="12" fill="{color}"/>')
            out.append(f'<text x="{lx + 16:.1f}" y="{title_h + 10}" font-size="11" fill="{_TEXT}">'
                       f"{_esc(name)}</text>")
            lx += 16 + _text_width(str(name), 11) + 18
    for t in ticks:
        x = xpos(t)
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="{_GRID}" '
                   f'stroke-width="1"/>')
        out.append(f'<text x="{x:.1f}" y="{top + plot_h + 14}" font-size="10" text-anchor="middle" '
                   f'fill="{_MUTED}">{_esc(format_number(t, axis_format))}</text>')
    for i, label in enumerate(labels):
        gy = top + i * group_h + 4
        out.append(f'<text x="{label_w - 6:.1f}" y="{gy + n_series * bar_thickness / 2 + 4:.1f}" '
                   f'font-size="{font}" text-anchor="end" fill="{_TEXT}">{_esc(label)}</text>')
        for k, s in enumerate(series):
            value = s[i]
            y = gy + k * bar_thickness
            name = f"{names[k]}: " if names else ""
            if value is None or _isnan(value):
                out.append(f'<text x="{zero_x + 4:.1f}" y="{y + bar_thickness - 4:.1f}" font-size="10" '
                           f'fill="{_MUTED}">n/a</text>')
                continue
            x0, x1 = sorted((zero_x, xpos(value)))
            color = SERIES_COLORS[k % len(SERIES_COLORS)]
            if color_by_sign and n_series == 1 and value < 0:
                color = NEGATIVE_COLOR
            shown = format_number(value, value_format)
            out.append(f'<g><title>{_esc(f"{label} {name}{shown}")}</title>'
                       f'<rect x="{x0:.1f}" y="{y:.1f}" width="{max(x1 - x0, 0.5):.1f}" '
                       f'height="{bar_thickness - 2}" fill="{color}"/></g>')
            if value < 0:
                out.append(f'<text x="{x0 - 4:.1f}" y="{y + bar_thickness - 4:.1f}" font-size="10" '
                           f'text-anchor="end" fill="{_TEXT}">{_esc(shown)}</text>')
            else:
                out.append(f'<text x="{x1 + 4:.1f}" y="{y + bar_thickness - 4:.1f}" font-size="10" '
                           f'fill="{_TEXT}">{_esc(shown)}</text>')
    out.append(f'<line x1="{zero_x:.1f}" y1="{top}" x2="{zero_x:.1f}" y2="{top + plot_h}" '
               f'stroke="#444" stroke-width="1"/>')
    out.append("</svg>")
    return "\n".join(out)
