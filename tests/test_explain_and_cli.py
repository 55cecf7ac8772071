"""drg.explain and the `drg group` / `drg explain` commands for one claim."""
from __future__ import annotations

import json

from click.testing import CliRunner

import drg
from drg.cli import main

CLAIM = {"id": "c1", "version": 431, "age": 70, "sex": "M", "discharge_status": 1,
         "hospital_status": "NON_EXEMPT", "pdx": {"code": "J189", "poa": "Y"},
         "sdx": [{"code": "J9601", "poa": "Y"}, {"code": "I10", "poa": "Y"}, {"code": "S14136A", "poa": "N"}],
         "procedures": ["0DTJ4ZZ", "5A1955Z"]}


def lines_about(explanation, code):
    return [line.message for line in explanation.lines if line.code == code]


def test_explain_names_the_driving_mcc_and_what_the_drg_would_be_without_it():
    e = drg.explain(CLAIM)
    assert e.result.final_drg == 981
    assert "MCC that sets the DRG's severity" in lines_about(e, "J9601")[0]
    assert "983" in lines_about(e, "J9601")[0]
    assert "hospital-acquired" in lines_about(e, "S14136A")[0]
    assert "unrelated" in lines_about(e, "0DTJ4ZZ")[0]
    assert "did not affect" in lines_about(e, "5A1955Z")[0]
    data = e.to_dict()
    assert data["result"]["final_drg"] == 981 and any(line["topic"] == "DRG" for line in data["lines"])


def test_explain_covers_exclusions_and_return_codes():
    e = drg.explain({**CLAIM, "pdx": {"code": "I5021", "poa": "Y"}, "sdx": [{"code": "I5023", "poa": "Y"}],
                     "procedures": []})
    excluded = "the principal diagnosis I50.21 Acute systolic (congestive) heart failure excludes it"
    assert excluded in lines_about(e, "I5023")[0]
    e = drg.explain({**CLAIM, "pdx": {"code": "XYZ123", "poa": "Y"}})
    assert any(line.topic == "RETURN_CODE" and "INVALID_PDX" in line.message for line in e.lines)


def test_group_version_from_argument_claim_or_discharge_date():
    claim = {k: v for k, v in CLAIM.items() if k != "version"}
    assert drg.group(claim, "40.0").version == 400
    assert drg.group({**claim, "version": "v42.1"}).version == 421
    assert drg.group({**claim, "discharge_date": "2024-04-01"}).version == 411


def test_cli_group_one_claim_readable_and_json():
    runner = CliRunner()
    args = ["group", "--pdx", "I50.21", "--sdx", "E1165", "J9601", "--proc", "02703DZ", "--age", "67",
            "--sex", "M", "--discharge-status", "1", "--version", "43.1"]
    out = runner.invoke(main, args)
    assert out.exit_code == 0, out.output
    assert "DRG        321" in out.output and "Weight" in out.output
    out = runner.invoke(main, args + ["--json"])
    data = json.loads(out.output)
    assert data["final_drg"] == 321 and [d["code"] for d in data["sdx"]] == ["E1165", "J9601"]


def test_cli_explain_and_bad_version():
    runner = CliRunner()
    out = runner.invoke(main, ["explain", "--pdx", "J189", "--sdx", "J9601", "I10", "S14136A:N", "--version", "43.1"])
    assert out.exit_code == 0 and "S14.136A" in out.output and "MS-DRG 193" in out.output
    out = runner.invoke(main, ["group", "--pdx", "J189", "--version", "12.5"])
    assert out.exit_code != 0 and "available" in out.output and "Traceback" not in out.output
