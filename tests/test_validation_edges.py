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
