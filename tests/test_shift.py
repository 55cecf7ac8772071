"""Version shift analysis: regrouping the same claims under two MS-DRG versions."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import drg.validation
from drg.claim import Claim
from drg.cli import main
from drg.conformance import read_jsonl
from drg.validation.version_shift import SHIFT_COLUMNS, shift_rows
from drg.validation.reports.shift_report import render_shift_html, render_shift_markdown
from drg.validation.version_shift.summary import summarize_shift

FIXTURE = Path(__file__).parent / "fixtures" / "conformance_claims.jsonl.gz"


@pytest.fixture(scope="module")
def fixture_claims() -> list[dict]:
    return list(read_jsonl(FIXTURE))


def _claim(pdx: str, sdx=(), procedures=(), claim_id: str = "t") -> dict:
    return {"id": claim_id, "version": 431, "age": 70, "sex": "M", "discharge_status": 1,
            "hospital_status": "NON_EXEMPT", "pdx": {"code": pdx, "poa": "Y"},
            "sdx": [{"code": c, "poa": "Y"} for c in sdx], "procedures": list(procedures)}


def _reasons(row: pd.Series) -> list[dict]:
    return json.loads(row["reasons_json"])


@pytest.mark.parametrize("version", ["43.1", "44.0"])
def test_shift_to_itself_changes_nothing(fixture_claims, version) -> None:
    result = drg.validation.shift(fixture_claims, version, version)
    frame = result.claims
    assert len(frame) == len(fixture_claims)
    assert list(frame["claim_id"]) == [c["id"] for c in fixture_claims]
    assert not frame["drg_changed"].any() and not frame["mdc_changed"].any()
    assert (frame["from_drg"] == frame["to_drg"]).all()
    weights = frame["weight_change"].dropna()
    assert len(weights) > 0.9 * len(frame) and (weights == 0).all()
    # the only reasons possible are codes invalid in both (the same) versions
    kinds = set("|".join(frame["reason_kinds"]).split("|")) - {""}
    assert kinds <= {"CODE_INVALID"}
    assert (frame["invalid_in_from"] == frame["invalid_in_to"]).all()
    s = result.summary
    assert s.changed == 0 and s.total_cmi_change == 0
    assert all(p.regrouping == 0 and p.reweighting == 0 for p in s.cmi_paths if p.claims)


def test_secondary_diagnosis_losing_cc_level_both_directions() -> None:
    claim = _claim("J189", sdx=["Z5900"])      # pneumonia; Z59.00 is CC in 43.1, not in 44.0
    row = shift_rows([claim], "43.1", "44.0").iloc[0]
    assert (row["from_drg"], row["to_drg"]) == (194, 195)
    assert row["drg_changed"] and row["from_severity"] != row["to_severity"]
    reason = [r for r in _reasons(row) if r["kind"] == "SDX_SEVERITY"]
    assert reason and reason[0]["code"] == "Z5900"
    assert (reason[0]["before"], reason[0]["after"]) == ("CC", "NON_CC")
    assert "Z59.00 (Homelessness unspecified) changed from CC to neither CC nor MCC" in row["reasons"]
    back = shift_rows([claim], "44.0", "43.1").iloc[0]
    assert (back["from_drg"], back["to_drg"]) == (195, 194)
    assert [(r["before"], r["after"]) for r in _reasons(back) if r["kind"] == "SDX_SEVERITY"] == [("NON_CC", "CC")]


def test_deleted_drg_466_is_the_reason(fixture_claims) -> None:
    from drg.grouper import group_claim
    from drg.tables import load
    a = load("43.1")
    claims = [c for c in fixture_claims if group_claim(Claim.from_dict(c), a).final_drg == 466][:3]
    assert claims, "the fixture has claims in DRG 466 under 43.1"
    frame = shift_rows(claims, "43.1", "44.0")
    for _, row in frame.iterrows():
        assert row["from_drg"] == 466 and row["to_drg"] != 466
        deleted = [r for r in _reasons(row) if r["kind"] == "DRG_DELETED"]
        assert deleted and deleted[0]["code"] == "466"
        assert "DRG 466 (Revision of Hip or Knee Replacement with MCC) was deleted in 44.0" in row["reasons"]
    # the other way round the DRG is new
    back = shift_rows(claims, "44.0", "43.1")
    assert all("DRG_CREATED" in k or "DRG_SPLIT" in k for k in back["reason_kinds"])
    assert back["reasons"].str.contains("only in 43.1").all()


def test_code_invalid_in_one_version_keeps_the_row() -> None:
    from drg.tables import load
    gone = sorted(set(load("43.1").procedures) - set(load("44.0").procedures))[0]
    items = [_claim("I5021", procedures=[gone], claim_id="a"), "not a claim", _claim("I5021", claim_id="c")]
    frame = shift_rows(items, "43.1", "44.0")
    assert list(frame["row_number"]) == [1, 2, 3]
    first = frame.iloc[0]
    assert first["invalid_in_to"] == gone and first["invalid_in_from"] == ""
    assert "CODE_INVALID" in first["reason_kinds"] and f"{gone} (" in first["reasons"]
    assert "is not valid in 44.0 (valid in 43.1)" in first["reasons"]
    assert f"invalid in 44.0: {gone}" in first["message"]
    assert pd.notna(first["to_drg"])                 # grouped anyway
    second = frame.iloc[1]
    assert second["status"] == "INVALID_RECORD" and pd.isna(second["from_drg"])
    summary = summarize_shift(frame, "43.1", "44.0")
    assert summary.claims == 3 and summary.not_grouped == 1 and summary.invalid_in_to == 1


def _hand_frame() -> pd.DataFrame:
    rows = [
        # from_drg, to_drg, from_w, to_w, from_drg_w_in_to_year, to_drg_w_in_from_year
        (1, 1, 2.0, 2.2, 2.2, 2.0),
        (2, 3, 1.0, 3.0, 1.5, 2.5),
        (999, 999, None, None, None, None),
    ]
    out = []
    for n, (fd, td, fw, tw, fwt, twf) in enumerate(rows, 1):
        row = dict.fromkeys(SHIFT_COLUMNS)
        row.update(row_number=n, claim_id=str(n), status="OK", message="", from_version="43.1",
                   to_version="44.0", from_drg=fd, to_drg=td, from_mdc=1, to_mdc=1, from_weight=fw,
                   to_weight=tw, from_drg_weight_in_to_year=fwt, to_drg_weight_in_from_year=twf,
                   drg_changed=fd != td, mdc_changed=False, severity_changed=False,
                   weight_change=None if fw is None else tw - fw, invalid_in_from="", invalid_in_to="",
                   reason_kinds="", reasons="", reasons_json="[]")
        out.append(row)
    return pd.DataFrame(out, columns=list(SHIFT_COLUMNS))


def test_cmi_arithmetic_by_hand() -> None:
    s = summarize_shift(_hand_frame(), "43.1", "44.0")
    cmi = {(f.grouping, f.fiscal_year): f for f in s.cmi}
    assert cmi[("43.1", 2026)].cmi == pytest.approx((2.0 + 1.0) / 2)      # 1.5
    assert cmi[("44.0", 2027)].cmi == pytest.approx((2.2 + 3.0) / 2)      # 2.6
    assert cmi[("43.1", 2027)].cmi == pytest.approx((2.2 + 1.5) / 2)      # 1.85
    assert cmi[("44.0", 2026)].cmi == pytest.approx((2.0 + 2.5) / 2)      # 2.25
    assert cmi[("43.1", 2026)].claims == 2 and cmi[("43.1", 2026)].claims_without_weight == 1
    assert s.total_cmi_change == pytest.approx(1.1)
    first, second = s.cmi_paths
    assert first.regrouping == pytest.approx(0.75) and first.reweighting == pytest.approx(0.35)
    assert second.reweighting == pytest.approx(0.35) and second.regrouping == pytest.approx(0.75)
    assert first.total == pytest.approx(1.1) and first.claims_left_out == 1
    matrix = {(r.from_drg, r.to_drg): r.claims for r in s.matrix.itertuples()}
    assert matrix == {(1, 1): 1, (2, 3): 1, (999, 999): 1}
    net = dict(zip(s.drg_movement["drg"], s.drg_movement["net"]))
    assert net[3] == 1 and net[2] == -1 and net[1] == 0
    assert set(s.missing_weights["drg"]) == {999}


def test_report_html_and_markdown(fixture_claims) -> None:
    claims = [c for c in fixture_claims if c["version"] in (430, 431)][:400]
    result = drg.validation.shift(claims, "43.1", "44.0")
    page = render_shift_html(result.summary)
    assert page.startswith("<!DOCTYPE html>") and "Shift matrix" in page
    svgs = [chunk.split("</svg>")[0] + "</svg>" for chunk in page.split("<svg")[1:]]
    assert len(svgs) >= 2
    for svg in svgs:
        ET.fromstring("<svg" + svg)
    md = render_shift_markdown(result.summary)
    assert "## Case-mix index" in md and "| DRGs of | weights |" in md


def test_cli_shift(tmp_path: Path, fixture_claims) -> None:
    source = tmp_path / "claims.jsonl"
    claims = fixture_claims[:120]
    source.write_text("\n".join(json.dumps(c) for c in claims) + "\n")
    out, report = tmp_path / "shift.csv", tmp_path / "shift.html"
    result = CliRunner().invoke(main, ["shift", str(source), "--from", "43.1", "--to", "44.0", "-o", str(out),
                                       "--report", str(report), "--summary-json", str(tmp_path / "s.json")])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert len(frame) == len(claims) and list(frame.columns) == list(SHIFT_COLUMNS)
    assert (frame["from_version"] == 43.1).all()
    assert "<svg" in report.read_text()
    assert json.loads((tmp_path / "s.json").read_text())["claims"] == len(claims)
    bad = CliRunner().invoke(main, ["shift", str(source), "--from", "43.1", "--to", "12.0", "-o", str(out)])
    assert bad.exit_code != 0 and "not available" in bad.output
