"""Reading hostile files (issue 11 items 4, 5, 7, 8, 9, 10): a fatal error names file, line and
column and never a value; a bad value is a row status; nothing is lost or split silently."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from drg.cli import main
from drg.io import MalformedFileError, read_claims

EXAMPLES = Path(__file__).parent.parent / "examples"
GOOD = {"id": "ok", "version": 431, "age": 67, "sex": "M", "discharge_status": 1, "hospital_status": "NON_EXEMPT",
        "pdx": {"code": "I5021", "poa": "Y"}, "admit_dx": None, "sdx": [], "procedures": []}


def rows_of(path: Path, **options) -> list:
    return [row for chunk in read_claims(path, **options) for row in chunk]


def jsonl(path: Path, claims: list) -> Path:
    path.write_text("".join((c if isinstance(c, str) else json.dumps(c)) + "\n" for c in claims))
    return path


def fatal(path: Path, **options) -> MalformedFileError:
    with pytest.raises(MalformedFileError) as caught:
        rows_of(path, **options)
    return caught.value


def run_cli(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


# ------------------------------------------------------------------ item 4: ambiguous headers

def test_two_columns_for_one_secondary_diagnosis_are_a_fatal_header_error(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("claim_id,version,pdx,sdx1,secondary_dx_1\n1,43.1,I5021,J9601,E1165\n")
    error = fatal(path)
    assert "sdx1" in str(error) and "secondary_dx_1" in str(error) and error.where == "header"
    assert "J9601" not in str(error) and "E1165" not in str(error)
    out = tmp_path / "a.jsonl"
    result = run_cli("group", str(path), "-o", str(out))
    assert result.exit_code == 1 and "secondary_dx_1" in result.output and not out.exists()


@pytest.mark.parametrize("header, names", [
    ("claim_id,version,pdx,pdx", ["pdx"]),                      # the same header twice
    ("claim_id,version,pdx,principal_dx", ["pdx", "principal_dx"]),
    ("claim_id,version,pdx,sdx1_poa,poa1", ["sdx1_poa", "poa1"]),
    ("claim_id,version,pdx,proc1,px1", ["proc1", "px1"]),
    ("claim_id,version,dx1,dx2,sdx1", ["dx2", "sdx1"]),          # dx2 is secondary 1 when dx1 is the principal
    ("claim_id,id,version,pdx", ["claim_id", "id"]),
])
def test_any_alias_pair_is_a_fatal_header_error_naming_both(tmp_path, header, names):
    path = tmp_path / "h.csv"
    width = header.count(",") + 1
    path.write_text(header + "\n" + ",".join(["1", "431", "I5021"] + ["J9601"] * (width - 3)) + "\n")
    error = fatal(path)
    assert all(repr(n) in str(error) for n in names), str(error)


def test_long_layout_duplicate_code_columns_are_fatal(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("claim_id,version,code_type,code,icd_code\n1,431,pdx,I5021,J9601\n")
    assert "'code'" in str(fatal(path)) and "'icd_code'" in str(fatal(path))


# ------------------------------------------------------------------ item 5: no values in messages

def test_a_csv_without_header_row_does_not_echo_the_first_claim(tmp_path):
    lines = (EXAMPLES / "claims_wide.csv").read_text().splitlines()
    path = tmp_path / "h.csv"
    path.write_text("\n".join(lines[1:]) + "\n")
    first = lines[1].split(",")
    error = fatal(path)
    for value in first[:8]:
        if len(value) > 1:
            assert value not in str(error), value
    assert "header row" in str(error)
    result = run_cli("group", str(path), "-o", str(tmp_path / "h.jsonl"))
    assert result.exit_code == 1
    assert not any(v and v in result.output for v in first[:8] if len(v) > 1)


def test_json_lines_read_as_csv_does_not_echo_values(tmp_path):
    source = EXAMPLES / "claims.jsonl"
    first = json.loads(source.read_text().splitlines()[0])
    result = run_cli("group", str(source), "--input-format", "csv", "-o", str(tmp_path / "x.jsonl"))
    assert result.exit_code == 1
    for value in (first["id"], first["pdx"]["code"], first["sdx"][0]["code"]):
        assert value not in result.output, value


MARK = "Zq7"


def test_no_row_message_carries_a_value(tmp_path):
    """Values with a unique marker, in every field a message could name: never echoed."""
    claims = [dict(GOOD, id=f"c{n}", **change) for n, change in enumerate([
        {"age": MARK}, {"age": 10 ** 30}, {"sex": MARK}, {"discharge_status": MARK},
        {"hospital_status": MARK}, {"version": MARK}, {"discharge_date": MARK, "version": None},
        {"discharge_date": MARK}, {"pdx": {"code": "I5021", "poa": MARK}},
        {"sdx": [{"code": "J9601", "poa": MARK}]}, {"admit_dx": {"code": "R079", "poa": MARK}},
        {"pdx": {"code": {MARK: 1}}}, {"sdx": MARK}, {"procedures": {MARK: 1}}])]
    path = jsonl(tmp_path / "m.jsonl", claims)
    rows = rows_of(path)
    assert len(rows) == len(claims)
    assert all(row.status != "OK" for row in rows)
    for row in rows:
        assert MARK not in row.message and "1000000000000000000000000000000" not in row.message, row.message
    out = tmp_path / "m.out.jsonl"
    result = run_cli("group", str(path), "-o", str(out))
    assert result.exit_code == 0 and MARK not in result.output
    messages = [json.loads(line)["message"] for line in out.read_text().splitlines()]
    assert len(messages) == len(claims) and not any(MARK in m for m in messages)


def test_csv_and_long_messages_carry_no_value(tmp_path):
    wide = tmp_path / "w.csv"
    wide.write_text("claim_id,version,age,sex,discharge_status,hospital_status,pdx,pdx_poa,sdx1,sdx1_poa\n"
                    f"1,431,{MARK},{MARK},{MARK},{MARK},I5021,{MARK},J9601,{MARK}\n")
    long = tmp_path / "l.csv"
    long.write_text(f"claim_id,version,code_type,code,poa\n1,431,pdx,I5021,Y\n1,431,{MARK},J9601,Y\n")
    for path in (wide, long):
        (row,) = rows_of(path)
        assert row.status != "OK" and row.message and MARK not in row.message, row.message


# ------------------------------------------------------------------ item 7: long rows not adjacent

def test_long_rows_of_one_claim_that_are_not_adjacent_fail_with_both_lines(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("claim_id,version,code_type,code,poa\n"
                    "A,431,pdx,I5021,Y\nA,431,sdx,J9601,Y\nB,431,pdx,J189,Y\nA,431,sdx,E1165,Y\n")
    error = fatal(path)
    assert error.path == str(path) and error.where == "line 5"
    assert "line 2" in str(error) and "line 5" in str(error)
    out = tmp_path / "o.jsonl"
    assert run_cli("group", str(path), "-o", str(out)).exit_code == 1 and not out.exists()


def test_non_adjacent_rows_are_caught_far_apart(tmp_path, monkeypatch):
    """Claims whose first block has left the exact memory (the hashed runs) are caught too."""
    from drg.io import readers
    monkeypatch.setattr(readers._FinishedClaims, "BATCH", 3)
    body = "".join(f"C{n},431,pdx,I5021,Y\n" for n in range(20))
    path = tmp_path / "long.csv"
    path.write_text("claim_id,version,code_type,code,poa\n" + body + "C2,431,sdx,J9601,Y\n" + body[:0])
    error = fatal(path)
    assert "'C2'" in str(error) and "line 4" in str(error) and "line 22" in str(error)
    # adjacent blocks, however many, are fine
    path.write_text("claim_id,version,code_type,code,poa\n" + body)
    assert len(rows_of(path)) == 20


# ------------------------------------------------------------------ item 9: fatal errors with their place

def test_a_latin1_csv_names_file_and_line(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("claim_id,version,pdx,note\n1,431,I5021,ok\n2,431,I5021,café\n".encode("latin-1"))
    error = fatal(path)
    assert error.path == str(path) and error.where.startswith("line 3") and "UTF-8" in str(error)


def test_a_latin1_json_line_names_file_and_line(tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes((json.dumps(GOOD) + "\n" + json.dumps(dict(GOOD, note="café"), ensure_ascii=False) + "\n")
                     .encode("latin-1"))
    assert fatal(path).where.startswith("line 2")


def test_a_five_thousand_digit_age_is_a_row_error(tmp_path):
    digits = "9" * 5001
    path = jsonl(tmp_path / "age.jsonl", [GOOD, json.dumps(GOOD).replace('"age": 67', f'"age": {digits}')])
    rows = rows_of(path)
    assert [r.status for r in rows] == ["OK", "INVALID_AGE"]
    assert rows[1].claim is not None and digits not in rows[1].message
    csv_path = tmp_path / "age.csv"
    csv_path.write_text(f"claim_id,version,age,pdx\n1,431,{digits},I5021\n2,431,-{digits},I5021\n")
    assert [r.status for r in rows_of(csv_path)] == ["INVALID_AGE", "INVALID_AGE"]


def test_an_unclosed_quote_is_reported_where_it_opens(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text("claim_id,version,pdx,sdx1\n1,431,I5021,J9601\n2,431,I5021,J9601\n"
                    '3,431,"I5021,J9601\n4,431,I5021,J9601\n5,431,I5021,J9601\n')
    error = fatal(path)
    assert error.where == "line 4" and error.column == "pdx" and "never closed" in str(error)


def test_a_ten_megabyte_field_is_called_too_large(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("claim_id,version,pdx,note\n1,431,I5021,x\n2,431,I5021," + "a" * 10_000_000 + "\n")
    error = fatal(path)
    assert error.where == "line 3" and error.column == "note"
    assert "larger than the limit" in str(error) and "quoting" not in str(error)


# ------------------------------------------------------------------ item 10: wrong statuses

@pytest.mark.parametrize("change, status", [
    ('"age": NaN', "INVALID_AGE"),
    ('"age": Infinity', "INVALID_AGE"),
    ('"pdx": {"code": {"c": "I5021"}, "poa": "Y"}', "INVALID_RECORD"),
    ('"id": {"a": 1}', "INVALID_RECORD"),
    ('"sdx": [null]', "INVALID_RECORD"),
    ('"sdx": [{"poa": "Y"}]', "INVALID_RECORD"),
    ('"sdx": [{"code": 5021, "poa": "Y"}]', "INVALID_RECORD"),
    ('"procedures": [2703]', "INVALID_RECORD"),
])
def test_json_shapes_and_numbers_get_their_status(tmp_path, change, status):
    key = change.split(":")[0].strip('"')
    text = json.dumps({k: v for k, v in GOOD.items() if k != key})[:-1] + ", " + change + "}"
    (row,) = rows_of(jsonl(tmp_path / "c.jsonl", [text]))
    assert row.status == status, row.message
    assert (row.claim is None) == (status == "INVALID_RECORD")


def test_csv_columns_sdx100_and_beyond_are_codes(tmp_path):
    headers = [f"sdx{n}" for n in range(1, 131)]
    path = tmp_path / "wide.csv"
    path.write_text("claim_id,version,pdx," + ",".join(headers) + "\n"
                    + "1,431,I5021," + ",".join(["J9601"] + [""] * 98 + ["E1165"] + [""] * 30) + "\n"
                    + "2,431,I5021," + ",".join(["E1165"] * 130) + "\n")
    one, many = rows_of(path)
    assert [d.code for d in one.claim.sdx] == ["J9601", "E1165"] and one.status == "OK"
    assert "sdx100" not in one.extra
    assert many.status == "TOO_MANY_CODES" and len(many.claim.sdx) == 130


def test_non_ascii_letters_are_not_upper_cased(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("claim_id,version,pdx,sdx1\n1,431,\u0131502.1,j96.01\n2,431,I50.21,\u0131\n3,431,i50.21,j96.01\n",
                    encoding="utf-8")
    dotless, in_sdx, plain = rows_of(path)
    assert dotless.status == "INVALID_CODE" and dotless.claim is None     # not grouped as I5021
    assert "principal diagnosis" in dotless.message and "\u0131" not in dotless.message
    assert in_sdx.status == "INVALID_CODE" and "secondary diagnosis 1" in in_sdx.message
    assert plain.status == "OK" and plain.claim.pdx.code == "I5021" and plain.claim.sdx[0].code == "J9601"
    out = tmp_path / "o.jsonl"
    assert run_cli("group", str(path), "-o", str(out)).exit_code == 0
    results = [json.loads(line) for line in out.read_text().splitlines()]
    assert results[0]["final_drg"] is None and results[2]["final_drg"] == 291


def test_non_ascii_codes_in_the_golden_form(tmp_path):
    (row,) = rows_of(jsonl(tmp_path / "c.jsonl", [dict(GOOD, sdx=[{"code": "J96\u01301", "poa": "Y"}])]))
    assert row.status == "INVALID_CODE"
    import drg
    with pytest.raises(drg.InvalidClaimError) as caught:
        drg.group(dict(GOOD, pdx={"code": "\u01315021", "poa": "Y"}))
    assert caught.value.field == "pdx"


# ------------------------------------------------------------------ item 8: tracebacks

def test_a_json_line_nested_100000_deep_is_a_row_status(tmp_path):
    deep = '{"id": "deep", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path = jsonl(tmp_path / "deep.jsonl", [GOOD, deep, dict(GOOD, id="after")])
    rows = rows_of(path)
    assert [r.status for r in rows] == ["OK", "INVALID_RECORD", "OK"]
    assert "line 2" in rows[1].message and rows[1].claim is None
    out = tmp_path / "o.jsonl"
    result = run_cli("group", str(path), "-o", str(out))
    assert result.exit_code == 0 and len(out.read_text().splitlines()) == 3


@pytest.mark.parametrize("options", [[], ["--input-format", "jsonl"], ["--input-format", "csv"]])
def test_a_directory_as_input_is_a_clean_error_naming_it(tmp_path, options):
    folder = tmp_path / "claims.jsonl"
    folder.mkdir()
    result = run_cli("group", str(folder), *options, "-o", str(tmp_path / "o.jsonl"))
    assert result.exit_code != 0 and str(folder) in result.output and "directory" in result.output
    with pytest.raises(MalformedFileError):
        rows_of(folder, input_format="jsonl")


# ------------------------------------------------------------------ damaged compression, claim tables

def _gz_claims(lines: int = 3000) -> bytes:
    import gzip
    return gzip.compress(b"claim_id,version,pdx\n" + b"".join(b"%d,431,I5021\n" % n for n in range(lines)), mtime=0)


@pytest.mark.parametrize("damage, words", [
    (lambda d: d[:30] + bytes(b ^ 0xFF for b in d[30:60]) + d[60:], "damaged"),     # zlib.error before
    (lambda d: d[: len(d) // 2], "ends too early"),
    (lambda d: b"claim_id,version,pdx\n1,431,I5021\n", "not a gzip file"),          # gzip's message quoted bytes
])
def test_damaged_gzip_is_a_clean_error_without_file_bytes(tmp_path, damage, words):
    path = tmp_path / "claims.csv.gz"
    path.write_bytes(damage(_gz_claims()))
    error = fatal(path)
    assert words in str(error) and "line" in error.where and "b'" not in str(error)
    result = run_cli("group", str(path), "-o", str(tmp_path / "o.jsonl"))
    assert result.exit_code == 1 and str(path) in result.output


def test_an_unreadable_claim_table_is_a_clean_error(tmp_path):
    long = tmp_path / "long.csv"
    long.write_text("claim_id,version,code_type,code\nA,431,pdx,I5021\n")
    table = tmp_path / "claims.csv"
    table.write_text(f"claim_id,age\nA,1,{MARK}\n")
    with pytest.raises(MalformedFileError) as caught:
        rows_of(long, claims_table=table)
    assert str(table) in str(caught.value) and MARK not in str(caught.value)


def test_a_dataframe_gap_is_a_blank_not_nan(tmp_path):
    """NaN in a golden-form DataFrame (pandas' missing value) is a missing age, as before; in JSON
    Lines it is an invalid age."""
    import pandas as pd

    import drg
    frame = pd.DataFrame([dict(GOOD, age=float("nan")), dict(GOOD, id="two")])
    results = drg.group_frame(frame)
    assert list(results["status"]) == ["OK", "OK"]


def test_a_headerless_long_file_is_refused_without_echo(tmp_path):
    """Its first row's "pdx" cell matches a column name; the codes and numbers beside it say it is data."""
    path = tmp_path / "long.csv"
    path.write_text("A1,431,pdx,I5021,Y\nA1,431,sdx,J9601,Y\n")
    error = fatal(path)
    assert "is the header row missing" in str(error) and "I5021" not in str(error) and "A1" not in str(error)
    result = run_cli("group", str(path), "-o", str(tmp_path / "o.jsonl"))
    assert result.exit_code == 1 and "I5021" not in result.output
