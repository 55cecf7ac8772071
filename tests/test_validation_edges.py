"""Small edges of validation, the shift rows and the report helpers that the data-driven cases
and snapshots do not reach: ids and messages of unreadable rows, defaults, chart edge shapes."""
from __future__ import annotations

import pytest

import drg.validation
from drg.claim import Claim
from drg.grouper import group_claim
from drg.tables import load
from drg.validation import Driver, billed_claims_from_records, validate_items
from drg.validation.billed.drivers import single_severity_code
from drg.validation.reports.charts import _nice_ticks, format_number, svg_bar_chart, svg_heatmap
from drg.validation.reports.page import markdown_table
from drg.validation.version_shift import ShiftRowMaker, shift_rows, summary_part
from drg.validation.version_shift.summary import summarize_shift

CLAIM = {"id": "E1", "version": 431, "age": 70, "sex": "M", "discharge_status": 1,
         "pdx": {"code": "I5021", "poa": "Y"}, "sdx": [{"code": "N179", "poa": "Y"}], "procedures": []}


def test_an_unreadable_record_keeps_its_id_and_billed_facts() -> None:
    bad = dict(CLAIM, id="B7", pdx=42, billed_drg="291", provider_id="P2")
    (v,) = validate_items(billed_claims_from_records([bad]))
    assert (v.claim_id, v.status, v.billed_drg_text, v.provider_id) == ("B7", "INVALID_RECORD", "291", "P2")
    assert v.message.startswith("row 1: cannot read the claim (") and v.grouping is None


def test_one_claim_dict_carries_its_provider() -> None:
    v = drg.validation.validate(dict(CLAIM, billed_drg=291, provider_id="P9", length_of_stay=3), drivers=False)
    assert (v.provider_id, v.length_of_stay, v.billed_drg) == ("P9", 3, 291)
    with pytest.raises(TypeError, match="^drg.validation.validate takes one claim, not a list: "
                                        "use drg.validate for a DataFrame or a list of dicts$"):
        drg.validation.validate([CLAIM])


def test_shift_rows_of_claims_dicts_and_unreadable_items() -> None:
    maker = ShiftRowMaker("43.1", "44.0")
    good, bad, other = maker.rows([Claim.from_dict(CLAIM), dict(CLAIM, id="B8", pdx=42), 17])
    assert (good["claim_id"], good["status"], good["message"], good["row_number"]) == ("E1", "OK", "", 1)
    assert (bad["claim_id"], bad["status"], bad["row_number"]) == ("B8", "INVALID_RECORD", 2)
    assert bad["message"].startswith("claim could not be read: ")
    assert (other["status"], other["message"]) == ("INVALID_RECORD", "not a claim: int")
    for row in (bad, other):   # a row without a claim still has every text column filled
        assert (row["invalid_in_from"], row["invalid_in_to"], row["reason_kinds"], row["reasons"],
                row["reasons_json"]) == ("", "", "", "", "[]")
        assert row["from_drg"] is None and row["drg_changed"] is False


def test_single_severity_code_counts_secondary_diagnoses_only() -> None:
    tables = load(431)
    result = group_claim(Claim.from_dict(CLAIM), tables)
    assert (result.final_drg, result.final_drg_cc_mcc) == (292, "CC")
    lower = tables.weights[293].relative_weight
    sdx = Driver("sdx", "N179", 293, lower, "NON_CC")
    procedure = Driver("procedure", "0JH60DZ", 293, lower, "NON_CC")
    assert single_severity_code(result, (sdx,), tables) == "N179"
    assert single_severity_code(result, (sdx, procedure), tables) == "N179"
    assert single_severity_code(result, (sdx, Driver("sdx", "E1165", 293, lower, "NON_CC")), tables) == ""


def test_markdown_table_refuses_a_short_row() -> None:
    with pytest.raises(ValueError, match="^every row must have one value per header$"):
        markdown_table(["a", "b"], [[1]])


def test_number_formats_and_ticks() -> None:
    assert format_number(1234.5) == "1,234" and format_number(None) == ""
    assert _nice_ticks(0, 10) == [0, 2, 4, 6, 8, 10]
    assert _nice_ticks(-3, 3) == [-4, -2, 0, 2, 4]      # step 2 covers both ends


def test_charts_of_nothing_render() -> None:
    assert svg_bar_chart([], [], "empty").startswith("<svg")
    page = svg_heatmap([[None, None]], ["a"], ["x", "y"], "no values")
    assert page.startswith("<svg") and "no values" in page
    assert svg_heatmap([], [], [], "nothing").startswith("<svg")


def test_the_shift_summary_reads_parts_as_stored() -> None:
    """Parts read back from files may hold None for empty text and 0/1 for flags."""
    claims = [dict(CLAIM, id=f"S{n}") for n in range(3)] + [dict(CLAIM, id="S9", sdx=[{"code": "XXXXXXX", "poa": "Y"}])]
    frame = summary_part(shift_rows(claims, "43.1", "44.0"))
    expected = summarize_shift(frame, "43.1", "44.0")
    stored = frame.astype({"drg_changed": "int64", "mdc_changed": "int64"}).astype(object)
    stored.loc[stored["invalid_in_to"] == "", "invalid_in_to"] = None
    stored.loc[stored["invalid_in_from"] == "", "invalid_in_from"] = None
    again = summarize_shift(stored, "43.1", "44.0")
    assert (again.invalid_in_from, again.invalid_in_to) == (expected.invalid_in_from, expected.invalid_in_to) == (1, 1)
    assert (again.changed, again.mdc_changed, again.grouped) == (expected.changed, expected.mdc_changed, 4)
    assert again.to_dict() == expected.to_dict()
    assert list(expected.top_codes.columns) == ["kind", "code", "claims", "weight_change", "before", "after",
                                                "example"]
    assert list(expected.missing_weights.columns) == ["fiscal_year", "drg", "claims", "used_for"]


def test_the_run_version_and_a_dicts_billed_version_are_used() -> None:
    v = drg.validation.validate_claim(Claim.from_dict(CLAIM), 291, version="42.0", drivers=False)
    assert v.version == "42.0" and v.expected_drg == 292 and v.grouping.version == 420
    w = drg.validation.validate(dict(CLAIM, billed_drg=292, billed_version="42.0"), drivers=False)
    assert (w.version, w.billed_version, w.finding) == ("43.1", "42.0", "MATCH")


def test_output_row_names() -> None:
    v = drg.validation.validate(dict(CLAIM, billed_drg=291), drivers=False)
    row = v.to_dict()
    assert list(row)[:26] == [
        "row_number", "id", "status", "message", "version", "provider_id", "length_of_stay", "billed_drg",
        "billed_drg_text", "billed_version", "expected_drg", "finding", "billed_weight", "expected_weight",
        "weight_delta", "base_rate", "dollar_impact", "impact_note", "billed_level", "expected_level", "risk_score",
        "rule_hits", "single_code_severity", "explanation", "reasons", "drivers"]
    assert (row["billed_level"], row["expected_level"]) == ("MCC", "CC")
    assert [list(r) for r in row["reasons"]] == [["element", "code", "message"]] * len(v.reasons) and v.reasons


def test_a_driver_without_a_weight_still_counts_as_lower() -> None:
    tables = load(431)
    result = group_claim(Claim.from_dict(CLAIM), tables)
    assert single_severity_code(result, (Driver("sdx", "N179", 293, None, "NON_CC"),), tables) == "N179"


def test_the_severity_table_shows_the_levels_present_only() -> None:
    from drg.validation.reports.validation_report import ValidationTally, render_validation_markdown

    tally = ValidationTally()
    tally.matrix[("MCC", "CC")] = 2
    text = render_validation_markdown(tally)
    assert "| billed \\\\ expected | CC |\n| --- | ---: |\n| MCC | 2 |\n" in text
    assert "Severity level" not in render_validation_markdown(ValidationTally())


def test_legend_entries_follow_each_other() -> None:
    import re

    svg = svg_bar_chart(["x"], [[1.0], [2.0], [3.0]], "t", series_names=["alpha", "beta", "gamma"])
    xs = [float(x) for x, name in re.findall(r'<text x="([0-9.]+)"[^>]*>(alpha|beta|gamma)</text>', svg)]
    assert len(xs) == 3 and xs[0] < xs[1] < xs[2]


def test_top_codes_most_claims_first_and_heatmap_limit() -> None:
    from drg.validation.reports.shift_report import heatmap_drgs
    from drg.validation.version_shift.summary import summarize_shift as summarize

    def reason(code: str) -> str:
        return ('[{"kind":"PR_DRG","code":"%s","before":"001","after":"002","text":"procedure %s"}]' % (code, code))

    rows = []
    for n, (fd, td, code) in enumerate([(1, 2, "B"), (1, 3, "A"), (1, 4, "A"), (5, 6, "C"), (7, 8, "D")], 1):
        rows.append({"from_drg": fd, "to_drg": td, "from_weight": 1.0, "to_weight": 2.0,
                     "from_drg_weight_in_to_year": 1.0, "to_drg_weight_in_from_year": 2.0, "weight_change": 1.0,
                     "drg_changed": True, "mdc_changed": False, "invalid_in_from": "", "invalid_in_to": "",
                     "reason_kinds": "PR_DRG", "reasons_json": reason(code)})
    import pandas as pd

    summary = summarize(pd.DataFrame(rows), "43.1", "44.0")
    assert summary.top_codes["code"].tolist() == ["A", "B", "C", "D"]
    assert summary.top_codes["claims"].tolist() == [2, 1, 1, 1]
    from_drgs, to_drgs = heatmap_drgs(summary, limit=2)
    assert from_drgs[0] == 1 and len(from_drgs) == 2 and len(to_drgs) == 2
