"""drg.io: reading claims in every format and layout, row statuses, malformed files, writers."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from drg.claim import Claim, Diagnosis
from drg.io import MalformedFileError, open_claims, read_claims, read_results, write_claims
from drg.io.columns import map_wide
from drg.io.writers import open_writer

FIXTURES = Path(__file__).parent / "fixtures"


def rows_of(path, **kw):
    return [row for chunk in read_claims(path, **kw) for row in chunk]


def sample_claims() -> list[Claim]:
    return [
        Claim(id="c1", version=431, age=67, sex="M", discharge_status=1, hospital_status="NON_EXEMPT",
              pdx=Diagnosis("I5021", "Y"), admit_dx=Diagnosis("R0602", "Y"),
              sdx=(Diagnosis("E1165", "Y"), Diagnosis("J9601", "N")), procedures=("02703DZ",)),
        Claim(id="c2", version=400, age=0, sex="F", discharge_status=20, hospital_status="EXEMPT",
              pdx=Diagnosis("J189", ""), sdx=tuple(Diagnosis(f"E11{n}", "W") for n in range(10, 34)),
              procedures=tuple("0DTJ4ZZ" for _ in range(25))),
        Claim(id="c3", version=411, age=124, sex="U", discharge_status=99, hospital_status="UNKNOWN",
              pdx=Diagnosis("XXXX", "1")),
    ]


def test_wide_csv_aliases_dots_lower_case_and_dx1_as_principal(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("ClaimID,MS-DRG Version,Age,Gender,Patient Status,DIAG_1,POA_1,DIAG_2,POA_2,"
                    "Diag 3,PX1,px2,billed_drg\n"
                    "k1,43.1,70,m,1,i50.21,y,e11.65,n,N17.9,02703dz,,291\n")
    reader = open_claims(path)
    [row] = [r for chunk in reader for r in chunk]
    assert row.status == "OK", row.message
    assert row.claim == Claim(id="k1", version=431, age=70, sex="M", discharge_status=1,
                              hospital_status="NON_EXEMPT", pdx=Diagnosis("I5021", "Y"),
                              sdx=(Diagnosis("E1165", "N"), Diagnosis("N179", "")), procedures=("02703DZ",))
    assert row.extra == {"billed_drg": "291"}
    described = reader.describe()
    assert "pdx <- DIAG_1" in described and "sdx1..sdx2 <- DIAG_2..Diag 3" in described
    assert "proc1..proc2 <- PX1..px2" in described and "billed_drg" in described


def test_separate_pdx_column_makes_dx1_a_secondary():
    mapping = map_wide(["id", "pdx", "dx1", "dx1_poa", "dx2", "proc_1"])
    assert mapping.fields["pdx"] == "pdx"
    assert mapping.sdx == {1: "dx1", 2: "dx2"} and mapping.sdx_poa == {1: "dx1_poa"}
    assert mapping.procedures == {1: "proc_1"}


@pytest.mark.parametrize("name,layout", [("c.jsonl", "wide"), ("c.jsonl.gz", "wide"), ("c.csv", "wide"),
                                         ("c.csv.gz", "wide"), ("c.parquet", "wide"), ("l.csv", "long"),
                                         ("l.csv.gz", "long"), ("l.parquet", "long")])
def test_claims_round_trip_through_every_format(tmp_path, name, layout):
    claims = sample_claims()
    path = write_claims(tmp_path / name, claims, layout=layout)
    rows = rows_of(path, chunk_size=2)
    assert [r.row_number for r in rows] == [1, 2, 3]
    assert [r.claim for r in rows] == claims
    assert rows[1].status == "OK" and rows[2].status == "OK"   # 124 is in range, 99 is a status number


def test_long_layout_with_a_claim_table_and_sequence_order(tmp_path):
    codes = tmp_path / "codes.csv"
    codes.write_text("claim_id,code_type,sequence,code,poa\n"
                     "a,sdx,2,N179,Y\na,pdx,1,I5021,Y\na,sdx,1,E1165,N\na,proc,1,02703DZ,\n"
                     "b,pdx,1,J189,Y\n")
    table = tmp_path / "claims.csv"
    table.write_text("claim_id,version,age,sex,discharge_status\na,43.1,70,M,1\nb,40.0,50,F,1\n")
    rows = rows_of(codes, claims_table=table)
    assert [r.claim_id for r in rows] == ["a", "b"]
    assert rows[0].claim.sdx == (Diagnosis("E1165", "N"), Diagnosis("N179", "Y"))
    assert rows[0].claim.version == 431 and rows[1].claim.version == 400
    assert rows[0].claim.procedures == ("02703DZ",)


def test_every_bad_row_gets_a_status_and_a_message_naming_the_field(tmp_path):
    lines = [
        {"id": "", "version": 431, "sex": "M", "pdx": {"code": "I5021", "poa": "Y"}},
        {"id": "nopdx", "version": 431, "sex": "M", "pdx": None},
        {"id": "age", "version": 431, "age": 130, "sex": "M", "pdx": {"code": "I5021", "poa": "Y"}},
        {"id": "agetext", "version": 431, "age": "old", "sex": "M", "pdx": {"code": "I5021", "poa": "Y"}},
        {"id": "sex", "version": 431, "sex": "Q", "pdx": {"code": "I5021", "poa": "Y"}},
        {"id": "poa", "version": 431, "sex": "M", "pdx": {"code": "I5021", "poa": "Y"},
         "sdx": [{"code": "E1165", "poa": "Z"}]},
        {"id": "ver", "version": "12.5", "sex": "M", "pdx": {"code": "I5021", "poa": "Y"}},
        {"id": "date", "discharge_date": "31/31/2024", "sex": "M", "pdx": {"code": "I5021", "poa": "Y"}},
        {"id": "nover", "sex": "M", "pdx": {"code": "I5021", "poa": "Y"}},
        {"id": "many", "version": 431, "sex": "M", "pdx": {"code": "I5021", "poa": "Y"},
         "sdx": [{"code": "E1165", "poa": "Y"}] * 25},
        {"id": "hosp", "version": 431, "sex": "M", "hospital_status": "MAYBE", "pdx": {"code": "I5021", "poa": "Y"}},
        {"id": "status", "version": 431, "sex": "M", "discharge_status": "home", "pdx": {"code": "I5021", "poa": "Y"}},
        {"id": "unknown-code", "version": 431, "sex": "M", "pdx": {"code": "ZZZ99", "poa": "Y"}},
        {"id": "bydate", "discharge_date": "2025-12-01", "sex": "M", "pdx": {"code": "I5021", "poa": "Y"}},
    ]
    path = tmp_path / "bad.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    rows = {r.claim_id or "(none)": r for r in rows_of(path)}
    expected = {  # id: (status, grouped, a word the message must contain)
        "(none)": ("MISSING_CLAIM_ID", True, "claim id"), "nopdx": ("MISSING_PDX", True, "principal"),
        "age": ("INVALID_AGE", True, "age is outside 0-124"), "agetext": ("INVALID_AGE_VALUE", False, "age"),
        "sex": ("INVALID_SEX", True, "sex"), "poa": ("INVALID_POA", True, "secondary diagnosis 1 POA"),
        "ver": ("UNKNOWN_VERSION", False, "version"), "date": ("INVALID_DISCHARGE_DATE", False, "discharge date"),
        "nover": ("MISSING_VERSION", False, "version"), "many": ("TOO_MANY_CODES", True, "25 secondary"),
        "hosp": ("INVALID_HOSPITAL_STATUS", False, "hospital status"),
        "status": ("INVALID_DISCHARGE_STATUS", True, "discharge status"),
        "unknown-code": ("OK", True, ""), "bydate": ("OK", True, ""),
    }
    assert len(rows) == len(lines)
    for claim_id, (status, grouped, word) in expected.items():
        row = rows[claim_id]
        assert row.status == status, (claim_id, row.status, row.message)
        assert (row.claim is not None) == grouped, claim_id
        assert word in row.message, (claim_id, row.message)
    assert rows["poa"].claim.sdx[0].poa == "X"
    assert rows["sex"].claim.sex == "U"
    assert rows["bydate"].claim.version == 430          # 1 December 2025 falls in 43.0


def test_broken_csv_quoting_names_line_and_column(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text('claim_id,version,pdx,sdx1\nA,431,I5021,E1165\nB,431,"I50"21,E1165\n')
    with pytest.raises(MalformedFileError) as err:
        rows_of(path)
    assert "line 3" in str(err.value) and "column pdx" in str(err.value) and "broken.csv" in str(err.value)


def test_csv_with_a_missing_field_names_line_and_column(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("claim_id,version,pdx,sdx1\nA,431,I5021,E1165\nB,431,I5021\n")
    with pytest.raises(MalformedFileError, match=r"line 3, column sdx1"):
        rows_of(path)


def test_bad_json_line_names_line_and_character(tmp_path):
    path = tmp_path / "bad.jsonl.gz"
    with gzip.open(path, "wt") as out:
        out.write('{"id": "a", "version": 431, "pdx": {"code": "I5021"}}\n{"id": "b", "version": 431,, }\n')
    with pytest.raises(MalformedFileError, match=r"bad.jsonl.gz, line 2, column character \d+"):
        rows_of(path)


def test_parquet_with_the_wrong_schema_names_the_column(tmp_path):
    path = tmp_path / "wrong.parquet"
    pq.write_table(pa.table({"claim_id": ["a"], "version": [431], "pdx": [5021]}), path)
    with pytest.raises(MalformedFileError, match=r"schema, column pdx"):
        rows_of(path)
    junk = tmp_path / "junk.parquet"
    junk.write_bytes(b"not parquet at all")
    with pytest.raises(MalformedFileError, match="junk.parquet"):
        rows_of(junk)


def test_a_file_without_a_principal_diagnosis_column_is_malformed(tmp_path):
    path = tmp_path / "nopdx.csv"
    path.write_text("claim_id,version,age\nA,431,50\n")
    with pytest.raises(MalformedFileError, match="principal diagnosis column"):
        rows_of(path)


def _records():
    import drg
    out = []
    for claim in sample_claims():
        record = drg.group(claim).to_dict()
        record.update(status="OK", message="", provider_id="P1")
        out.append(record)
    out.append({"id": "bad", "version": None, **dict.fromkeys(
        ["initial_drg", "initial_mdc", "initial_base_drg", "initial_return_code", "initial_med_surg",
         "initial_severity", "final_drg", "final_mdc", "final_base_drg", "final_return_code", "final_med_surg",
         "final_severity", "hac_status", "hac_categories"]), "pdx": None, "sdx": [], "procedures": [],
        "status": "UNKNOWN_VERSION", "message": "version '12.5' is not ...", "provider_id": None})
    return out


@pytest.mark.parametrize("name", ["r.jsonl", "r.jsonl.gz", "r.parquet", "r.csv", "r.csv.gz"])
def test_results_round_trip_through_every_output_format(tmp_path, name):
    records = _records()
    with open_writer(tmp_path / name) as writer:
        writer.write(records[:2])
        writer.write(records[2:])
    back = list(read_results(tmp_path / name))
    if name.startswith("r.csv"):   # CSV keeps extra columns as text
        for record in records:
            record["provider_id"] = record["provider_id"] or ""
    assert back == records


def test_parquet_with_nested_golden_columns_reads_like_json_lines(tmp_path):
    claims = sample_claims()
    path = tmp_path / "nested.parquet"
    pq.write_table(pa.Table.from_pylist([c.to_dict() for c in claims]), path)
    reader = open_claims(path)
    assert [r.claim for chunk in reader for r in chunk] == claims
    assert "nested" in reader.describe()
