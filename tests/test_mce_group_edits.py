"""`drg group --edits` (every output format, the summary) and the MCE in the one-claim `drg group`
and `drg explain`."""
from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pyarrow.parquet as pq
from click.testing import CliRunner

from drg.cli import main
from drg.commands.edit import edit_record
from drg.mce import EditTally, load_mce

FIXTURES = Path(__file__).parent / "fixtures"


def _jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as stream:
        return [json.loads(line) for line in stream if line.strip()]


def _run(*args: str) -> "object":
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result


def test_group_edits_gives_the_golden_mce_object_per_row(tmp_path):
    out = tmp_path / "g.jsonl"
    result = _run("group", "--edits", str(FIXTURES / "mce_claims.jsonl.gz"), "-o", str(out))
    rows = _jsonl(out)
    expected = {r["id"]: r for r in _jsonl(FIXTURES / "mce_expected.jsonl.gz")}
    assert len(rows) == len(expected)
    for row in rows:
        want, got = expected[row["id"]], row["mce"]
        assert (got["edit_type"], got["edits"]) == (want["edit_type"], want["edits"]), row["id"]
        blank_admit = (_claims()[row["id"]].get("admit_dx") or {}).get("code") == ""
        for key in want:
            if key != "admit_dx" or not blank_admit:   # a blank admitting dx is none in the claim model
                assert got[key] == want[key], (row["id"], key)
    # the summary counts claims per edit type and per edit, as EditTally does over drg edit's results
    tally = EditTally().add_all(edit_record(c) for c in _claims().values())
    kinds = ", ".join(f"{k} {v:,}" for k, v in sorted(((k, v) for k, v in tally.edit_types().items() if v),
                                                      key=lambda kv: (-kv[1], kv[0])))
    assert f"MCE edit type (claims): {kinds}" in result.output
    top = tally.rows()[0]
    assert f"{top['edit']} {top['claims']:,} ({top['occurrences']:,} times)" in result.output


def _claims() -> dict[str, dict]:
    return {r["id"]: r for r in _jsonl(FIXTURES / "mce_claims.jsonl.gz")}


def test_group_edits_changes_nothing_else_and_plain_group_has_no_mce(tmp_path):
    plain, edited = tmp_path / "p.jsonl", tmp_path / "e.jsonl"
    source = str(FIXTURES / "mce_claims.jsonl.gz")
    _run("group", source, "-o", str(plain), "--quiet")
    _run("group", "--edits", source, "-o", str(edited), "--quiet")
    with_mce = _jsonl(edited)
    assert all("mce" not in r for r in _jsonl(plain))
    assert [{k: v for k, v in r.items() if k != "mce"} for r in with_mce] == _jsonl(plain)
    assert list(with_mce[0]).index("mce") == list(with_mce[0]).index("message") + 1


def test_group_edits_csv_has_the_flat_columns_and_parquet_the_struct(tmp_path):
    source = FIXTURES / "mce_claims.jsonl.gz"
    _run("group", "--edits", str(source), "-o", str(tmp_path / "g.csv"), "--quiet")
    _run("group", "--edits", str(source), "-o", str(tmp_path / "g.parquet"), "--quiet", "--workers", "2")
    _run("group", "--edits", str(source), "-o", str(tmp_path / "g.jsonl"), "--quiet")
    claims = _claims()
    with open(tmp_path / "g.csv", newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    for row in rows:
        flat = edit_record(claims[row["id"]]).flat()
        for key in ("mce_edit_type", "mce_edits", "mce_sdx_edits", "mce_procedure_edits"):
            assert row[key] == flat[key], (row["id"], key)
        assert row["mce_prepayment"] == ("Y" if flat["mce_prepayment"] else "N")
    table = pq.read_table(tmp_path / "g.parquet")
    assert [r["mce"] for r in table.select(["mce"]).to_pylist()] == [
        _as_struct(r["mce"]) for r in _jsonl(tmp_path / "g.jsonl")]


def _as_struct(mce: dict) -> dict:
    """The JSON object as the Parquet struct reads back (absent fields null)."""
    keys = ("id", "version_used", "edit_type", "edits", "pdx", "admit_dx", "sdx", "procedures")
    return {k: mce.get(k) for k in keys}


def test_an_input_column_named_mce_is_kept_as_input_mce(tmp_path):
    source = tmp_path / "c.csv"
    source.write_text("claim_id,version,discharge_date,age,sex,discharge_status,pdx,mce\n"
                      "a,43.1,2026-05-01,70,F,1,I10,keep me\n", encoding="utf-8")
    _run("group", "--edits", str(source), "-o", str(tmp_path / "e.jsonl"), "--quiet")
    _run("group", str(source), "-o", str(tmp_path / "p.jsonl"), "--quiet")
    edited, plain = _jsonl(tmp_path / "e.jsonl")[0], _jsonl(tmp_path / "p.jsonl")[0]
    assert edited["input_mce"] == "keep me" and edited["mce"]["edit_type"] == "PREPAYMENT"
    assert plain["mce"] == "keep me" and "input_mce" not in plain


def test_a_row_without_a_usable_date_gets_the_mce_answer_and_no_claim_gets_null(tmp_path):
    source = tmp_path / "c.csv"
    source.write_text("claim_id,discharge_date,age,sex,discharge_status,pdx\n"
                      "a,,70,F,1,I10\n"
                      "b,2026-05-01,seventy,F,1,I10\n", encoding="utf-8")
    _run("group", "--edits", str(source), "-o", str(tmp_path / "e.jsonl"), "--quiet")
    first, second = _jsonl(tmp_path / "e.jsonl")
    assert first["mce"] == {"id": "a", "edit_type": "INVALID_DISCHARGE_DATE", "edits": []}
    assert second["mce"] is None


def test_one_claim_group_edits_prints_the_edits():
    args = ["group", "--edits", "--pdx", "I10", "--age", "70", "--sex", "F", "--discharge-date", "2026-11-02"]
    text = _run(*args).output
    from drg.mce import Edit
    title = load_mce().edits[Edit.QUESTIONABLE_ADMISSION].title
    assert f"- {title} (edit 8), prepayment: principal diagnosis I10" in text
    data = json.loads(_run(*args, "--json").output)
    assert data["final_drg"] and data["mce"]["edits"] == [{"edit": "QUESTIONABLE_ADMISSION", "count": 1}]
    assert "MCE" not in _run("group", *args[2:]).output              # plain group: no MCE part


def test_explain_mentions_each_edit_with_title_type_code_and_advice():
    from drg.mce import Edit, advice_for
    args = ["explain", "--pdx", "Z51.89", "--proc", "5A1955Z", "--age", "70", "--sex", "F", "--version", "44.0",
            "--discharge-date", "2026-11-02", "--los", "3"]
    text = _run(*args).output
    titles = load_mce().edits
    assert f"{titles[Edit.REQUIRES_SDX].title}, prepayment: principal diagnosis Z51.89" in text
    assert f"{titles[Edit.INCONSISTENT_WITH_LENGTH_OF_STAY].title}, prepayment: procedure 1 5A1955Z" in text
    assert advice_for(Edit.INCONSISTENT_WITH_LENGTH_OF_STAY) in text
    longer = _run(*args[:-1], "9").output            # a 9-day stay: no length-of-stay edit
    assert titles[Edit.INCONSISTENT_WITH_LENGTH_OF_STAY].title not in longer
    hits = json.loads(_run(*args, "--json").output)["mce"]["hits"]
    assert [(h["edit"], h["type"], h["code"]) for h in hits] == [
        ("REQUIRES_SDX", "prepayment", "Z51.89"), ("INCONSISTENT_WITH_LENGTH_OF_STAY", "prepayment", "5A1955Z")]
    undated = _run("explain", "--pdx", "Z51.89", "--version", "44.0").output
    assert "MCE edits: not run" in undated and "--discharge-date" in undated


def test_tally_of_golden_objects_equals_tally_of_results_and_can_skip_ids():
    results = [edit_record(c) for c in list(_claims().values())[:200]]
    direct = EditTally().add_all(results)
    golden = EditTally()
    for r in results:
        golden.add_golden(r.to_dict())
    assert golden.rows() == direct.rows() and golden.edit_types() == direct.edit_types()
    assert golden.prepayment_claims == direct.prepayment_claims and direct.prepayment_claims
    counted = EditTally(keep_claim_ids=False)
    counted.add_golden(results[0].to_dict())
    counted.add_golden({"id": "x", "edit_type": None})          # not edited: not counted
    assert counted.claims == 1 and counted.prepayment_claims == []


def test_flat_columns_of_no_result_are_empty():
    from drg.mce import FLAT_COLUMNS, flat_columns
    assert flat_columns(None) == dict.fromkeys(FLAT_COLUMNS)
    assert flat_columns({"id": "a", "edit_type": "INVALID_DISCHARGE_DATE", "edits": []})["mce_pdx_edits"] == ""
