"""Report building blocks: SVG charts parse as XML, text is escaped, shapes are checked."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from drg.validation.reports.charts import format_number, svg_bar_chart, svg_heatmap
from drg.validation.reports.page import html_page, html_table, markdown_page, markdown_table

SVG = "{http://www.w3.org/2000/svg}"


def _texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_heatmap_is_wellformed_and_escapes_labels() -> None:
    svg = svg_heatmap([[5, 0], [None, 1234]], ["<a & b>", "r2"], ['c"1', "c2"],
                      "Shift <matrix> & more", "{:,.0f}", row_axis="from", col_axis="to")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    texts = _texts(root)
    assert "Shift <matrix> & more" in texts
    assert "<a & b>" in texts and 'c"1' in texts
    assert "1,234" in texts and "5" in texts
    # blank cells (0 and None) print no value
    assert "0" not in texts
    rects = list(root.iter(f"{SVG}rect"))
    assert len(rects) == 4


def test_heatmap_shades_bigger_values_darker() -> None:
    root = ET.fromstring(svg_heatmap([[1, 1000]], ["r"], ["a", "b"], "t", log_scale=False))
    fills = [r.get("fill") for r in root.iter(f"{SVG}rect")]
    darkness = [sum(int(f[i:i + 2], 16) for i in (1, 3, 5)) for f in fills]
    assert darkness[1] < darkness[0]


def test_heatmap_rejects_wrong_shape() -> None:
    with pytest.raises(ValueError):
        svg_heatmap([[1, 2]], ["r"], ["a"], "t")


def test_bar_chart_single_series_with_negative_values() -> None:
    svg = svg_bar_chart(["gain", "loss & <x>"], [12.5, -3.25], "CMI <change>",
                        value_format="{:+.2f}", color_by_sign=True)
    root = ET.fromstring(svg)
    texts = _texts(root)
    assert "CMI <change>" in texts and "loss & <x>" in texts
    assert "+12.50" in texts and "-3.25" in texts
    bars = [r for r in root.iter(f"{SVG}rect")]
    assert len(bars) == 2
    # the negative bar ends at the zero line where the positive one starts
    pos, neg = bars
    assert float(neg.get("x")) + float(neg.get("width")) == pytest.approx(float(pos.get("x")), abs=0.2)
    assert neg.get("fill") != pos.get("fill")


def test_bar_chart_two_series_side_by_side_and_missing_value() -> None:
    svg = svg_bar_chart(["A", "B"], [[1.0, 2.0], [1.5, None]], "two",
                        series_names=["43.1", "44.0 <new>"], value_format="{:.2f}")
    root = ET.fromstring(svg)
    texts = _texts(root)
    assert "44.0 <new>" in texts and "n/a" in texts
    # 3 bars + 2 legend swatches
    assert len(list(root.iter(f"{SVG}rect"))) == 5


def test_bar_chart_checks_lengths() -> None:
    with pytest.raises(ValueError):
        svg_bar_chart(["a", "b"], [1.0], "t")
    with pytest.raises(ValueError):
        svg_bar_chart(["a"], [[1.0], [2.0]], "t", series_names=["only one"])


def test_format_number() -> None:
    assert format_number(None) == ""
    assert format_number(float("nan")) == ""
    assert format_number(1234.5, "{:,.1f}") == "1,234.5"
    assert format_number(2, lambda v: f"<{v}>") == "<2>"


def test_html_page_escapes_title_and_headings_and_parses() -> None:
    page = html_page("Report <1> & co", [("Sec <x>", html_table(["h<"], [["v&", 3]]))],
                     subtitle="sub <s>")
    assert "<title>Report &lt;1&gt; &amp; co</title>" in page
    assert "<h2>Sec &lt;x&gt;</h2>" in page
    assert "<td>v&amp;</td>" in page and '<td class="num">3</td>' in page
    assert "http" not in page.split("<body>")[0].replace("http-equiv", "")  # no external assets
    body = page.split("<body>", 1)[1].rsplit("</html>", 1)[0]
    ET.fromstring("<body>" + body)  # the body is well-formed


def test_html_page_embeds_svg_as_given() -> None:
    svg = svg_bar_chart(["a"], [1], "t")
    page = html_page("p", [("chart", svg)])
    assert svg in page


def test_markdown_table_escapes_and_aligns() -> None:
    table = markdown_table(["code", "n"], [["A|B\nC", 1], ["<x>", 2.5]])
    lines = table.strip().split("\n")
    assert lines[0] == "| code | n |"
    assert lines[1] == "| --- | ---: |"
    assert lines[2] == "| A\\|B C | 1 |"
    assert lines[3] == "| &lt;x&gt; | 2.5 |"
    with pytest.raises(ValueError):
        markdown_table(["a", "b"], [[1]])


def test_markdown_page_sections() -> None:
    page = markdown_page("T", [("H", "body text")], subtitle="s")
    assert page.startswith("# T\n\ns\n\n## H\n\nbody text\n")
