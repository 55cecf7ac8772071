"""`drg tables show`: answers for known codes, checked against the table rows themselves.

The expected values are computed here from the compiled rows with plain pandas
(independently of drg.tables.show), and, where ../shared is present, from the CMS CSVs.
"""
from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from drg.cli import main
from drg.tables.paths import DATA_DIR
from drg.tables.show import NotInTables, normalize_code, show_drg, show_dx, show_pr


def _rows(name: str) -> pd.DataFrame:
    return pq.read_table(DATA_DIR / f"{name}.parquet").to_pandas()


def _in_version(frame: pd.DataFrame, version_id: int) -> pd.DataFrame:
    return frame[(frame.version_from <= version_id) & (frame.version_to >= version_id)]


def test_normalize_code():
    assert normalize_code(" i21.4 ") == "I214"
    assert normalize_code("0sr90j9") == "0SR90J9"


def test_i214_in_43_1_is_mdc_5_and_an_mcc():
    report = show_dx("43.1", "i21.4")
    assert report.valid and report.code == "I214"
    assert report.mdc.mdc == 5 and report.severity == "MCC"
    assert "ami" in report.attributes


@pytest.mark.parametrize("version_id, label", [(400, "40.0"), (431, "43.1"), (440, "44.0")])
@pytest.mark.parametrize("code", ["I214", "A5409", "T8140XA", "J189", "E1165"])
def test_dx_against_source_rows(code, version_id, label):
    row = _in_version(_rows("dx_codes"), version_id).query("code == @code")
    report = show_dx(label, code)
    assert report.valid == (len(row) == 1)
    if not report.valid:
        return
    row = row.iloc[0]
    assert report.mdc.mdc == row.mdc
    assert report.severity == {"MCC": "MCC", "CC": "CC", "NCC": "NON_CC"}[row.severity]
    sex = _in_version(_rows("dx_sex_mdcs"), version_id).query("code == @code")
    assert (report.sex_mdcs is not None) == (len(sex) == 1)
    if len(sex):
        assert report.sex_mdcs["female"].mdc == sex.iloc[0].female_mdc
    # reverse exclusion lookup: principal diagnoses whose group lists the code
    groups = _rows("cc_exclusion_groups").query("sdx_code == @code").exclusion_group_id
    pdx = _in_version(_rows("pdx_exclusion_ids"), version_id)
    excluding = sorted(pdx[pdx.exclusion_group_id.isin(set(groups))].pdx_code)
    assert report.excluded_by_count == len(excluding)
    assert report.excluded_by_examples == excluding[:len(report.excluded_by_examples)]
    own = pdx.query("pdx_code == @code").exclusion_group_id
    assert report.own_exclusion_group == (int(own.iloc[0]) if len(own) else None)


def test_sex_dependent_mdc():
    report = show_dx("43.1", "A5409")
    assert (report.sex_mdcs["male"].mdc, report.sex_mdcs["female"].mdc) == (12, 13)


def test_hac_diagnosis():
    report = show_dx("43.1", "T8140XA")
    assert {h["hac"] for h in report.hac_categories} >= {11, 12, 13}


def test_invalid_dx_says_where_it_is_valid():
    report = show_dx("43.1", "ZZZ999")
    assert not report.valid and report.valid_in_versions == []
    dx = _rows("dx_codes")
    last = dx.groupby("code").version_to.max()
    deleted = last[last == 411].index[0]                # a code deleted after 41.1
    rows = dx[dx.code == deleted]
    ids = {400: "40.0", 401: "40.1", 410: "41.0", 411: "41.1", 420: "42.0", 421: "42.1", 430: "43.0", 431: "43.1"}
    expected = [label for vid, label in ids.items()
                if ((rows.version_from <= vid) & (rows.version_to >= vid)).any()]
    report = show_dx("43.1", deleted)
    assert not report.valid and report.valid_in_versions == expected
    assert expected and expected[-1] == "41.1"


def test_pr_or_status_and_formulas():
    report = show_pr("43.1", "02703DZ")
    assert report.valid and report.operating_room and "extensive" in report.or_status
    assert "d468" in report.attributes
    assert 29 in {m.mdc for m in report.mdcs}          # (d468 | d477) reroutes to MDC 29
    assert {981, 982, 983} <= set(report.drgs)
    for use in report.formulas:
        assert set(use.attributes) <= set(report.attributes) and all(a in use.formula for a in use.attributes)


def test_pr_against_source_rows():
    code = "0SR90J9"
    pr = _in_version(_rows("pr_codes"), 431).query("code == @code")
    patterns = _rows("pr_patterns")
    expected = set(patterns[patterns.pattern_id == pr.iloc[0].pr_pattern_id].attribute) - {""}
    report = show_pr("43.1", code)
    assert set(report.attributes) == expected
    clusters = _in_version(_rows("pr_cluster_ids"), 431).query("code == @code").cluster_id
    assert [c["cluster_id"] for c in report.clusters] == sorted(clusters)


def test_non_or_procedure():
    pr = _in_version(_rows("pr_codes"), 431)
    patterns = _rows("pr_patterns")
    nonor_patterns = set(patterns[patterns.attribute == "nonor"].pattern_id)
    code = pr[pr.pr_pattern_id.isin(nonor_patterns)].code.iloc[0]
    report = show_pr("43.1", code)
    assert report.operating_room is False and report.or_status == "non-O.R. procedure"


def test_drg_281_against_source_rows():
    report = show_drg("43.1", "281")
    formulas = _rows("drg_formulas").query("version_from == 431 and drg == 281")
    assert [f.formula for f in report.formulas] == list(formulas.formula)
    assert report.mdcs[0].mdc == 5 and report.surgical == "MEDICAL" and report.base_drg == 280
    weights = _rows("drg_weights").query("fiscal_year == 2026 and drg == 281").iloc[0]
    assert report.relative_weight == weights.weight and report.gmlos == weights.gmlos
    assert report.amlos == weights.amlos
    assert report.formulas[0].severity_suppression == ["ami"]


def test_drg_not_in_version():
    with pytest.raises(NotInTables, match="258"):
        show_drg("44.0", 258)        # DRGs 258-262 are gone in 44.0


def test_dx_against_cms_csv(cms_source):
    csv = pd.read_csv(cms_source / "dx_codes.csv.gz", dtype=str, keep_default_na=False)
    row = csv[(csv.code == "I214") & (csv.version_from.astype(int) <= 431) & (csv.version_to.astype(int) >= 431)]
    report = show_dx("43.1", "I214")
    assert (report.mdc.mdc, report.severity) == (int(row.mdc.iloc[0]), {"MCC": "MCC"}.get(row.severity.iloc[0]))


def test_cli_show_text_and_json():
    runner = CliRunner()
    text = runner.invoke(main, ["tables", "show", "43.1", "dx", "I21.4"])
    assert text.exit_code == 0 and "MCC" in text.output
    assert "Non-ST elevation (NSTEMI) myocardial infarction" in text.output
    data = json.loads(runner.invoke(main, ["tables", "show", "43.1", "drg", "281", "--json"]).output)
    assert data["drg"] == 281 and data["mdcs"][0]["mdc"] == 5
    data = json.loads(runner.invoke(main, ["tables", "show", "v43.1", "pr", "02703dz", "--json"]).output)
    assert data["code"] == "02703DZ" and data["operating_room"] is True
    bad = runner.invoke(main, ["tables", "show", "49.9", "dx", "I214"])
    assert bad.exit_code != 0 and "43.1" in bad.output


def test_cli_list():
    result = CliRunner().invoke(main, ["tables", "list", "--json"])
    rows = json.loads(result.output)
    assert [r["version"] for r in rows][0] == "40.0" and rows[-1]["version"] == "44.0"
    years = set(_rows("drg_weights").fiscal_year)
    for r in rows:
        assert bool(r["weights"]) == (r["fiscal_year"] in years)
