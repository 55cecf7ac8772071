"""drg.io pins found by the mutation run (issue 10): conflict words, a file named "-", blank claim ids
in a long file, CR LF inside a quoted field, row numbers, merged runs of finished claims."""
from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from drg.io import MalformedFileError, open_claims, read_claims, read_results
from drg.io import readers
from drg.io.atomic import check_output_path
from drg.io.columns import map_long, map_wide
from drg.io.writers import open_writer


def rows_of(path, **kw):
    return [row for chunk in read_claims(path, **kw) for row in chunk]


def test_conflict_words_name_the_field():
    assert map_long(["claim_id", "code_type", "code", "seq", "sequence"])[1].conflicts == [
        "columns 'seq' and 'sequence' both give the sequence; keep one"]
    assert map_wide(["pdx", "age", "patient_age"]).conflicts == ["columns 'age' and 'patient_age' both give the age; "
                                                                 "keep one"]
    assert map_wide(["dx1", "dx1_poa", "pdx_poa"]).conflicts == [
        "columns 'pdx_poa' and 'dx1_poa' both give the principal diagnosis POA; keep one"]
    assert map_wide(["pdx", "dx2_poa", "diag_2_poa"]).conflicts == [
        "columns 'dx2_poa' and 'diag_2_poa' both give the diagnosis 2 POA; keep one"]


def test_two_header_conflicts_in_one_message(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("pdx,principal_dx,age,patient_age\nI5021,I5021,1,1\n")
    with pytest.raises(MalformedFileError) as info:
        rows_of(path)
    assert str(info.value) == (f"{path}, header: columns 'pdx' and 'principal_dx' both give the principal diagnosis; "
                               "keep one; columns 'age' and 'patient_age' both give the age; keep one")


def test_standard_input_is_never_the_output_even_beside_a_file_named_dash(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-").write_text("x")
    assert check_output_path(tmp_path / "-", ["-"]) == tmp_path / "-"


def test_long_claims_without_an_id_are_one_claim_a_block(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text("claim_id,code_type,code,version\n,pdx,I5021,431\nk1,pdx,J189,431\n,pdx,N179,431\n")
    rows = rows_of(path)
    assert [(r.claim_id, r.claim.pdx.code) for r in rows] == [("", "I5021"), ("k1", "J189"), ("", "N179")]


def test_a_quoted_field_keeps_its_line_break_exactly(tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(b'claim_id,pdx,version,note\r\nk1,I5021,431,"a\r\nb"\r\n')
    (row,) = rows_of(path)
    assert row.extra == {"note": "a\r\nb"}


def test_open_claims_takes_the_claim_table(tmp_path):
    (tmp_path / "codes.csv").write_text("claim_id,code_type,code\nk1,pdx,I5021\n")
    (tmp_path / "claims.csv").write_text("claim_id,version,age\nk1,431,70\n")
    reader = open_claims(tmp_path / "codes.csv", claims_table=tmp_path / "claims.csv")
    assert [(r.status, r.claim.age) for c in reader for r in c] == [("OK", 70)]


def test_exact_messages_of_refusals(tmp_path):
    (tmp_path / "codes.csv").write_text("claim_id,code_type,code\nk1,pdx,I5021\n")
    (tmp_path / "claims.jsonl").write_text("{}\n")
    with pytest.raises(ValueError, match=r"^the claim-level table of a long file must be CSV or Parquet$"):
        rows_of(tmp_path / "codes.csv", claims_table=tmp_path / "claims.jsonl")
    latin = tmp_path / "l.csv"
    latin.write_bytes("claim_id,pdx\nk1,I5021\nk2,é\n".encode("latin-1"))
    with pytest.raises(MalformedFileError) as info:
        rows_of(latin)
    assert str(info.value) == (f"{latin}, line 3, character 4: not UTF-8 text (save the file as UTF-8; Latin-1 and "
                               "Windows-1252 are not read)")
    quote = tmp_path / "q.csv"
    quote.write_text('claim_id,pdx\nk1,I5021\nk2,"I50\n21\n')
    with pytest.raises(MalformedFileError) as info:
        rows_of(quote)
    assert str(info.value) == f"{quote}, line 3, column pdx: a quote opened here is never closed"


def test_a_long_parquet_code_type_must_be_text(tmp_path):
    path = tmp_path / "l.parquet"
    pq.write_table(pa.table({"claim_id": ["a"], "code_type": [1], "code": ["I5021"]}), path)
    with pytest.raises(MalformedFileError) as info:
        rows_of(path)
    assert str(info.value) == f"{path}, schema, column code_type: type int64 where text is expected"


def test_row_numbers_count_each_claim_once(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text("[" * 100_000 + "\n" + json.dumps({"id": "b", "version": 431, "pdx": {"code": "I5021"}}) + "\n")
    assert [(r.row_number, r.status) for r in rows_of(path)] == [(1, "INVALID_RECORD"), (2, "OK")]
    nested = tmp_path / "n.parquet"
    pq.write_table(pa.Table.from_pylist([{"id": "a", "version": 431, "pdx": {"code": "I5021", "poa": "Y"}},
                                         {"id": "b", "version": 431, "pdx": {"code": "J189", "poa": "Y"}}]), nested)
    assert [r.row_number for r in rows_of(nested)] == [1, 2]


def test_one_row_parquet_progress_and_row_places(tmp_path):
    one = tmp_path / "one.parquet"
    pq.write_table(pa.table({"claim_id": ["a"], "pdx": ["I5021"], "version": [431]}), one)
    reader = open_claims(one)
    list(reader)
    assert reader.fraction_done() == 1.0
    long = tmp_path / "l.parquet"
    pq.write_table(pa.table({"claim_id": ["a", "b", "b", "a"], "code_type": ["pdx"] * 4,
                             "code": ["I5021", "J189", "N179", "R05"], "version": [431] * 4}), long)
    with pytest.raises(MalformedFileError) as info:
        rows_of(long)
    assert "its first rows start at row 1 and more come back at row 4" in str(info.value)
    assert str(info.value).startswith(f"{long}, row 4, column claim_id: ")


def test_a_claim_coming_back_after_merged_runs_is_caught(tmp_path, monkeypatch):
    monkeypatch.setattr(readers._FinishedClaims, "BATCH", 2)
    path = tmp_path / "l.csv"
    ids = [f"c{n}" for n in range(1, 10)] + ["c1"]
    path.write_text("claim_id,code_type,code,version\n" + "".join(f"{i},pdx,I5021,431\n" for i in ids))
    with pytest.raises(MalformedFileError) as info:
        rows_of(path)
    assert "the rows of claim 'c1' are not together: its first rows start at line 2 and more come back at line 11" \
        in str(info.value)


def test_a_grouped_row_without_a_principal_code_round_trips(tmp_path):
    record = {"id": "c1", "version": 431, "final_return_code": "INVALID_PDX",
              "pdx": {"code": None, "recognized": None, "affects_drg": "NO", "initial_severity_usage": "NEITHER",
                      "final_severity_usage": "NEITHER", "poa_error": "POA_NOT_CHECKED", "hacs": []},
              "sdx": [], "procedures": [], "status": "OK", "message": ""}
    path = tmp_path / "r.csv"
    with open_writer(path) as writer:
        writer.write([record])
        assert writer.path == path
    (back,) = read_results(path)
    assert back["pdx"] == record["pdx"]
