"""More drg.io pins (issue 10, mutation run): header matching in plain words, the claim writers'
rows, the atomic file's messages and clean-up, the places CSV and gzip damage is reported."""
from __future__ import annotations

import errno
import gzip
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from drg.claim import Claim, Diagnosis
from drg.io import MalformedFileError, read_claims, write_claims
from drg.io.atomic import AtomicFile, OutputPathError, check_output_path, os_error_message, remove_temporary_files
from drg.io.claim_writers import LONG_HEADER, long_rows, wide_header, wide_record, wide_row
from drg.io.columns import canonical, is_long, map_long, map_wide


def rows_of(path, **kw):
    return [row for chunk in read_claims(path, **kw) for row in chunk]


# ------------------------------------------------------------------ header matching

def test_wide_headers_in_plain_words():
    mapping = map_wide(["ClaimID", "Version", "DIAG_1", "POA_1", "DIAG 2", "poa2", "dx3", "sdx4", "px1", "Proc 2",
                        "billed", "Age", "gender"])
    assert mapping.fields == {"id": "ClaimID", "version": "Version", "age": "Age", "sex": "gender",
                              "pdx": "DIAG_1", "pdx_poa": "POA_1"}
    assert mapping.sdx == {1: "DIAG 2", 2: "dx3", 4: "sdx4"} and mapping.sdx_poa == {1: "poa2"}
    assert mapping.procedures == {1: "px1", 2: "Proc 2"} and mapping.extra == ["billed"]
    assert mapping.describe() == (
        "id <- ClaimID; version <- Version; age <- Age; sex <- gender; pdx <- DIAG_1; pdx_poa <- POA_1; "
        "sdx1..sdx4 <- DIAG 2..sdx4; sdx1_poa <- poa2; proc1..proc2 <- px1..Proc 2; kept as given: billed; "
        "DIAG_1 taken as the principal diagnosis (no separate principal column)")
    assert mapping.conflicts == []


def test_a_principal_column_keeps_the_numbering_of_secondaries():
    mapping = map_wide(["claim", "principal_dx", "poa_pdx", "sdx1", "sdx1_poa", "poa_sdx2", "sdx2", "proc3"])
    assert mapping.describe() == ("id <- claim; pdx <- principal_dx; pdx_poa <- poa_pdx; sdx1..sdx2 <- sdx1..sdx2; "
                                  "sdx1_poa..sdx2_poa <- sdx1_poa..poa_sdx2; proc3 <- proc3")
    with_pdx = map_wide(["pdx", "dx1", "dx2", "poa1", "dx1_poa"])
    assert with_pdx.sdx == {1: "dx1", 2: "dx2"} and with_pdx.sdx_poa == {1: "dx1_poa"}
    assert with_pdx.conflicts == ["columns 'dx1_poa' and 'poa1' both give the secondary diagnosis 1 POA; keep one"]


def test_two_columns_for_one_place_are_conflicts_in_plain_words():
    mapping = map_wide(["id", "pdx", "sdx1", "secondary_dx_1", "pdx"])
    assert mapping.conflicts == ["columns 2 and 5 have the same name 'pdx' (one would be lost); keep one",
                                 "columns 'sdx1' and 'secondary_dx_1' both give the secondary diagnosis 1; keep one"]
    unknown = map_wide(["I5021", "x", "I5021"])
    assert unknown.conflicts == ["columns 1 and 3 have the same name (one would be lost); keep one"]
    assert map_wide(["proc1", "px1"]).conflicts == ["columns 'proc1' and 'px1' both give the procedure 1; keep one"]
    assert map_wide(["dx2", "diag_2"]).conflicts == ["columns 'dx2' and 'diag_2' both give the diagnosis 2; keep one"]
    assert map_wide(["poa3", "poa_3"]).conflicts == ["columns 'poa3' and 'poa_3' both give the POA 3; keep one"]
    assert map_wide(["pdx", "principal_dx"]).conflicts == [
        "columns 'pdx' and 'principal_dx' both give the principal diagnosis; keep one"]


def test_long_headers():
    codes, claim = map_long(["claim_id", "code_type", "type", "code", "seq", "age", "claim_id", "note"])
    assert codes == {"id": "claim_id", "code_type": "code_type", "code": "code", "sequence": "seq"}
    assert claim.fields == {"age": "age"} and claim.extra == ["note"]
    assert claim.conflicts == ["columns 'code_type' and 'type' both give the code type; keep one",
                               "columns 1 and 7 have the same name 'claim_id'; keep one"]
    assert is_long(["Claim ID", "Code Type", "Code"]) and not is_long(["claim_id", "code"])
    assert not is_long(["code_type", "pdx"])
    assert canonical(" PDX-POA ") == "pdx_poa" and canonical("Diag  1") == "diag_1" and canonical(7) == "7"


def test_sdx_numbers_past_one_hundred_are_codes_and_poa_procedures_are_extra():
    mapping = map_wide(["pdx", "sdx100", "proc1_poa", "poa"])
    assert mapping.sdx == {100: "sdx100"}
    assert "proc1_poa" in mapping.extra and "poa" in mapping.extra


# ------------------------------------------------------------------ claim writers

CLAIM = Claim(id="c1", version=431, age=67, sex="M", discharge_status=1, hospital_status="NON_EXEMPT",
              pdx=Diagnosis("I5021", "Y"), admit_dx=Diagnosis("R0602", "Y"),
              sdx=(Diagnosis("E1165", "Y"), Diagnosis("J9601", "N")), procedures=("02703DZ",))
LEVEL = [431, None, 67, "M", 1, "NON_EXEMPT"]


def test_long_rows_one_per_code_with_the_claim_values():
    assert list(long_rows(CLAIM)) == [["c1", "pdx", 1, "I5021", "Y"] + LEVEL, ["c1", "admit", 1, "R0602", "Y"] + LEVEL,
                                      ["c1", "sdx", 1, "E1165", "Y"] + LEVEL, ["c1", "sdx", 2, "J9601", "N"] + LEVEL,
                                      ["c1", "proc", 1, "02703DZ", None] + LEVEL]
    assert list(long_rows(Claim(id="e", version=431))) == [["e", "pdx", 1, None, None, 431, None, None, "U", None,
                                                            "NON_EXEMPT"]]
    only_admit = Claim(id="a", version=431, admit_dx=Diagnosis("R0602", "Y"))
    assert [r[1] for r in long_rows(only_admit)] == ["admit"]
    assert LONG_HEADER == ["claim_id", "code_type", "sequence", "code", "poa", "version", "discharge_date", "age",
                           "sex", "discharge_status", "hospital_status"]


def test_wide_rows_fill_the_places_in_order():
    assert wide_header(1, 1) == ["claim_id", "version", "discharge_date", "age", "sex", "discharge_status",
                                 "hospital_status", "pdx", "pdx_poa", "admit_dx", "admit_dx_poa", "sdx1", "sdx1_poa",
                                 "proc1"]
    assert wide_row(CLAIM, 1, 1) == ["c1", 431, None, 67, "M", 1, "NON_EXEMPT", "I5021", "Y", "R0602", "Y",
                                     "E1165", "Y", "02703DZ"]
    assert wide_row(CLAIM, 3, 2)[11:] == ["E1165", "Y", "J9601", "N", None, None, "02703DZ", None]
    assert wide_row(Claim(id="e", version=431), 0, 0)[7:] == [None, None, None, None]
    assert len(wide_header()) == 7 + 4 + 2 * 24 + 25
    record = wide_record({"id": "x", "version": 431, "age": 5, "sex": "F", "pdx": {"code": "J189", "poa": "Y"}},
                         include_version=False)
    assert "version" not in record and (record["claim_id"], record["pdx"], record["sdx24_poa"]) == ("x", "J189", None)
    assert wide_record(CLAIM)["version"] == 431 and wide_record(CLAIM)["proc1"] == "02703DZ"


@pytest.mark.parametrize("name, layout", [("c.csv", "wide"), ("c.tsv.gz", "long"), ("c.parquet", "long"),
                                          ("c.parquet", "wide"), ("c.jsonl.gz", "wide")])
def test_claims_written_in_small_batches_read_back(tmp_path, name, layout):
    claims = [CLAIM, Claim(id="c2", version=400, age=3, sex="F", pdx=Diagnosis("J189", "N"))]
    write_claims(tmp_path / name, claims, layout=layout, batch=1)
    assert [r.claim for r in rows_of(tmp_path / name)] == claims
    if name.endswith(".parquet"):
        groups = pq.ParquetFile(tmp_path / name).metadata.num_row_groups
        assert groups == (2 if layout == "wide" else 6)
        assert pq.read_schema(tmp_path / name).field("age").type == "int32"
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_claims_csv_text_exactly(tmp_path):
    write_claims(tmp_path / "c.csv", [Claim(id="c2", version=400, age=3, sex="F", pdx=Diagnosis("J189", "N"))],
                 layout="long")
    assert (tmp_path / "c.csv").read_text() == (",".join(LONG_HEADER) + "\n"
                                                "c2,pdx,1,J189,N,400,,3,F,,NON_EXEMPT\n")
    write_claims(tmp_path / "c.jsonl", [Claim(id="c2", version=400, pdx=Diagnosis("J189", "N"))])
    assert (tmp_path / "c.jsonl").read_text().startswith('{"id":"c2","version":400,')
    write_claims(tmp_path / "e.parquet", [])
    assert pq.read_table(tmp_path / "e.parquet").num_rows == 0


def test_a_failed_claims_write_leaves_nothing(tmp_path):
    def claims():
        yield CLAIM
        raise RuntimeError("stop")
    with pytest.raises(RuntimeError):
        write_claims(tmp_path / "c.csv", claims())
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ atomic files

def test_output_path_checks_in_plain_words(tmp_path):
    with pytest.raises(OutputPathError, match=f"^{tmp_path} is a folder; give a file name$"):
        check_output_path(tmp_path)
    missing = tmp_path / "no" / "r.csv"
    with pytest.raises(OutputPathError, match=f"^{missing}: the folder {missing.parent} does not exist$"):
        check_output_path(missing)
    source = tmp_path / "in.csv"
    source.write_text("x")
    with pytest.raises(OutputPathError, match="is also an input; writing it would replace the input. Give another"):
        check_output_path(source, [None, "-", source])
    assert check_output_path(source, [None, "-", tmp_path / "other.csv"]) == source
    assert check_output_path("r.csv") == Path("r.csv")


def test_atomic_file_names_and_clean_up(tmp_path):
    target = tmp_path / "r.csv"
    out = AtomicFile(target)
    assert out.temporary.parent == tmp_path and out.temporary.name.startswith(f".r.csv.{os.getpid()}-")
    assert out.temporary.name.endswith(".partial") and out.temporary.exists() and not target.exists()
    out.stream.write(b"x")
    assert out.commit() == target and target.read_bytes() == b"x" and not out.temporary.exists()
    out.commit()
    out.discard()                                        # after the commit: nothing to do
    assert target.read_bytes() == b"x"
    second = AtomicFile(target)
    second.stream.write(b"y")
    second.discard()
    assert target.read_bytes() == b"x" and [p.name for p in tmp_path.iterdir()] == ["r.csv"]
    third = AtomicFile(tmp_path / "t.csv")
    remove_temporary_files()
    assert not third.temporary.exists()
    third.discard()


def test_os_error_messages():
    assert os_error_message(OSError(errno.ENOSPC, "No space left on device", "/x/.r.partial"), "r.csv") == \
        "cannot write r.csv: No space left on device"
    assert os_error_message(OSError(errno.ENOENT, "No such file", "/x/y"), "r.csv") == "/x/y: No such file"
    assert os_error_message(OSError(), "r.csv") == "cannot write r.csv: OSError"


# ------------------------------------------------------------------ where damage is reported

def test_csv_with_more_fields_than_the_header(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("claim_id,pdx\nk1,I5021\nk2,I5021,extra\n")
    with pytest.raises(MalformedFileError) as info:
        rows_of(path)
    assert str(info.value) == f"{path}, line 3, column 3 (beyond the last header): 3 fields where the header has 2"


def test_blank_lines_are_skipped_in_csv_and_json_lines(tmp_path):
    (tmp_path / "c.csv").write_text("claim_id,pdx\n\nk1,I5021\n,\n")
    rows = rows_of(tmp_path / "c.csv", version=431)
    assert [r.claim_id for r in rows] == ["k1", ""]
    (tmp_path / "c.jsonl").write_text('\n{"id": "k1", "version": 431, "pdx": {"code": "I5021"}}\n  \n')
    assert [r.claim_id for r in rows_of(tmp_path / "c.jsonl")] == ["k1"]


def test_a_json_line_that_is_not_an_object(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text('{"id": "k1"}\n[1, 2]\n')
    with pytest.raises(MalformedFileError) as info:
        rows_of(path)
    assert str(info.value) == f"{path}, line 2, column character 1: each line must be one JSON object (a claim)"


def test_a_cut_off_gzip_is_reported_after_the_last_good_line(tmp_path):
    path = tmp_path / "c.jsonl.gz"
    data = gzip.compress(('{"id": "k1", "version": 431, "pdx": {"code": "I5021"}}\n' * 3).encode())
    path.write_bytes(data[:-12])
    with pytest.raises(MalformedFileError) as info:
        rows_of(path)
    assert str(info.value).startswith(f"{path}, ")
    assert str(info.value).endswith(": cannot be read: the compressed file ends too early (cut off?)")
    plain = tmp_path / "p.csv.gz"
    plain.write_text("claim_id,pdx\nk1,I5021\n")
    with pytest.raises(MalformedFileError) as info:
        rows_of(plain)
    assert str(info.value) == f"{plain}, line 1: cannot be read: not a gzip file, though the name ends in .gz"


def test_a_broken_quote_names_the_field(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text('claim_id,pdx,sdx1\nk1,I50"21,E1165\n')
    rows = rows_of(path, version=431)          # a quote inside a field is text to the csv module
    assert (rows[0].status, rows[0].claim.pdx.code) == ("OK", 'I50"21')
    path.write_text('claim_id,pdx,sdx1\nk1,"I5021"x,E1165\n')
    with pytest.raises(MalformedFileError) as info:
        rows_of(path)
    assert str(info.value).startswith(f"{path}, line 2, column pdx: broken CSV quoting (")
