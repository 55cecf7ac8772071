"""`drg edit`: a claims file in the golden MCE form (one output row per input row, atomic) and
one claim from flags, printed for a coder."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

from click.testing import CliRunner

from drg.cli import main
from drg.commands.edit import claim_from_record, edit_record

FIXTURES = Path(__file__).parent / "fixtures"


def _fixture_lines(n: int) -> list[str]:
    with gzip.open(FIXTURES / "mce_claims.jsonl.gz", "rt", encoding="utf-8") as stream:
        return [next(stream) for _ in range(n)]


def test_edit_a_file_one_row_per_claim_in_order(tmp_path):
    lines = _fixture_lines(40)
    source = tmp_path / "claims.jsonl"
    source.write_text("".join(lines[:20]) + "\n" + "".join(lines[20:]), encoding="utf-8")  # a blank line too
    out = tmp_path / "edits.jsonl.gz"
    result = CliRunner().invoke(main, ["edit", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in gzip.open(out, "rt", encoding="utf-8")]
    assert [r["id"] for r in rows] == [json.loads(line)["id"] for line in lines]
    assert rows == [edit_record(json.loads(line)).to_dict() for line in lines]
    assert "40 claims edited" in result.output


def test_a_malformed_line_fails_with_file_and_line_and_leaves_no_output(tmp_path):
    source = tmp_path / "claims.jsonl"
    source.write_text(_fixture_lines(1)[0] + "{not json\n", encoding="utf-8")
    out = tmp_path / "edits.jsonl"
    result = CliRunner().invoke(main, ["edit", str(source), "-o", str(out)])
    assert result.exit_code != 0 and "line 2" in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == [source]


def test_bad_values_are_edits_not_errors():
    record = {"id": "x", "discharge_date": "2025-13-01", "age": "old", "sex": "Q", "pdx": {"code": "I10"}}
    assert edit_record(record).to_dict()["edit_type"] == "INVALID_DISCHARGE_DATE"
    record["discharge_date"] = "2026-11-02"
    edits = {e["edit"] for e in edit_record(record).to_dict()["edits"]}
    assert {"INVALID_AGE", "INVALID_SEX", "INVALID_DISCHARGE_STATUS", "QUESTIONABLE_ADMISSION"} <= edits
    claim, date, los = claim_from_record({"id": "y", "discharge_date": "2024-09-31", "los": 3})
    assert claim.discharge_date.isoformat() == "2024-09-30" and date == "2024-09-31" and los == 3


def test_one_claim_for_a_coder():
    result = CliRunner().invoke(main, ["edit", "--pdx", "Z51.89", "--proc", "5A1955Z", "--age", "70", "--sex", "F",
                                       "--discharge-date", "2026-11-02", "--los", "3"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "prepayment" in text
    assert "Principal diagnosis requires a secondary diagnosis, prepayment: principal diagnosis Z51.89" in text
    assert "Procedure inconsistent with length of stay, prepayment: procedure 1 5A1955Z" in text
    assert "96 consecutive hours" in text


def test_one_claim_json_and_invalid_date():
    runner = CliRunner()
    result = runner.invoke(main, ["edit", "--pdx", "I10", "--sdx", "I10", "E11.9", "--age", "70",
                                  "--discharge-date", "2026-11-02", "--json"])
    data = json.loads(result.output)
    assert [e["edit"] for e in data["edits"]] == ["QUESTIONABLE_ADMISSION", "DUPLICATE_OF_PDX"]
    assert [d["code"] for d in data["sdx"]] == ["I10", "E119"]
    result = runner.invoke(main, ["edit", "--pdx", "I10", "--age", "70", "--discharge-date", "2027-04-01"])
    assert result.exit_code == 0 and "Invalid discharge date" in result.output
    result = runner.invoke(main, ["edit", "--pdx", "I10", "--proc", "5A1955Z", "--age", "70",
                                  "--discharge-date", "2026-11-02"])
    assert "length of stay was not given" in result.output


def test_the_worked_example_of_docs_mce_runs_as_written():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "mce.md").read_text(encoding="utf-8")
    blocks = doc.split("```")
    command = blocks[1].strip()
    assert command.startswith("drg edit --pdx")
    printed = blocks[3].strip("\n")
    result = CliRunner().invoke(main, command.split()[1:])
    assert result.exit_code == 0 and result.output.rstrip("\n") == printed


def test_the_python_example_of_docs_mce_runs_as_written():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "mce.md").read_text(encoding="utf-8")
    (code,) = [b.removeprefix("python\n") for b in doc.split("```") if b.startswith("python\n")]
    namespace: dict = {}
    exec(compile(code, "docs/mce.md", "exec"), namespace)
    result = namespace["result"]
    assert result.edit_type.value == "PREPAYMENT"
    assert result.flat()["mce_edits"] == "REQUIRES_SDX=1|INCONSISTENT_WITH_LENGTH_OF_STAY=1"


def test_edit_a_csv_file_gives_flat_columns_one_row_per_claim(tmp_path):
    source = tmp_path / "claims.csv"
    source.write_text("claim_id,discharge_date,age,sex,discharge_status,pdx,sdx1,proc1,los\n"
                      "A1,2026-11-02,70,F,1,I10,I10,0FYG0Z0,3\n"
                      "A2,2027-04-01,70,F,1,I10,,,3\n"
                      "A3,2026-11-02,70,F,1,Z51.89,,5A1955Z,2\n"
                      "A4,,70,F,1,I10,,,2\n", encoding="utf-8")
    out = tmp_path / "edits.csv"
    result = CliRunner().invoke(main, ["edit", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    import csv
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["id"] for r in rows] == ["A1", "A2", "A3", "A4"]
    assert rows[0]["mce_edits"] == "QUESTIONABLE_ADMISSION=1|DUPLICATE_OF_PDX=1|NON_COVERED=1"
    assert rows[0]["mce_prepayment"] == "True" and rows[0]["mce_procedure_edits"] == "NON_COVERED"
    assert rows[1]["mce_edit_type"] == "INVALID_DISCHARGE_DATE"
    assert rows[2]["mce_edits"] == "REQUIRES_SDX=1|INCONSISTENT_WITH_LENGTH_OF_STAY=1"   # los column read
    assert rows[3]["mce_edit_type"] == "INVALID_DISCHARGE_DATE" and rows[3]["status"] != "OK"
    jsonl = CliRunner().invoke(main, ["edit", str(source)])
    lines = [json.loads(line) for line in jsonl.output.splitlines() if line.startswith("{")]
    assert [r["id"] for r in lines] == ["A1", "A2", "A3", "A4"] and lines[3]["edit_type"] == "INVALID_DISCHARGE_DATE"
