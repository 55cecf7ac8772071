"""drg.io reader pins (issue 10, mutation run): long claims put together in sequence order, the
errors of a long claim, Parquet schemas checked, the CSV scanners that place quoting damage, and
the words for unreadable bytes."""
from __future__ import annotations

import gzip
import zlib

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from drg.claim import Diagnosis
from drg.io import MalformedFileError, open_claims, read_claims
from drg.io.readers import (_large_field, _open_quote, _place, _quote_error_field, _read_place, _read_problem,
                            _scan_fields)


def rows_of(path, **kw):
    return [row for chunk in read_claims(path, **kw) for row in chunk]


def test_a_long_claim_takes_its_codes_in_sequence_order(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text("claim_id,code_type,sequence,code,poa,version,age,note\n"
                    "k1,sdx,3,E1165,N,431,,\n"
                    "k1,principal,1,i50.21,Y,,70,first\n"
                    "k1,S,1,J9601,Y,,,second\n"
                    "k1,sdx,,N179,Y,,,\n"
                    "k1,proc,2,0DTJ4ZZ,,,,\n"
                    "k1,PX,1,02703DZ,,,,\n"
                    "k1,sdx,4,,,,,\n"
                    "k1,Admitting,1,R0602,W,,,\n"
                    "k2,pdx,1,J189,N,400,5,\n")
    reader = open_claims(path, chunk_size=1)
    chunks = list(reader)
    assert [len(c) for c in chunks] == [1, 1]
    one, two = chunks[0][0], chunks[1][0]
    assert (one.row_number, one.claim_id, one.status, one.message) == (1, "k1", "OK", "")
    claim = one.claim
    assert (claim.version, claim.age, claim.pdx, claim.admit_dx) == (431, 70, Diagnosis("I5021", "Y"),
                                                                     Diagnosis("R0602", "W"))
    assert [d.code for d in claim.sdx] == ["J9601", "E1165", "N179"]
    assert claim.procedures == ("02703DZ", "0DTJ4ZZ")
    assert one.extra == {"note": "first"}
    assert (two.row_number, two.claim.version, two.claim.age) == (2, 400, 5)
    assert reader.describe() == "l.csv: csv, long layout; version <- version; age <- age; kept as given: note"


def test_the_errors_of_a_long_claim_are_listed_together(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text("claim_id,code_type,sequence,code,poa,version\nk1,pdx,1,I5021,Y,431\nk1,pdx,2,J189,Y,431\n"
                    "k1,admit,1,R0602,,\nk1,admit,2,R05,,\nk1,bogus,1,X,,\n")
    (row,) = rows_of(path)
    assert (row.claim, row.status) == (None, "INVALID_RECORD")
    assert row.message == ("the code type (line 6) is not pdx, admit, sdx or proc; 2 principal diagnoses; "
                           "2 admit diagnoses")


def test_a_long_file_needs_its_code_columns(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text("code_type,code\npdx,I5021\n")
    with pytest.raises(MalformedFileError) as info:
        rows_of(path)
    assert str(info.value) == f"{path}, header: a long file needs the columns id"


def test_parquet_schemas_are_checked_before_any_row(tmp_path):
    cases = [({"claim_id": ["a"], "pdx": [5]}, "column pdx: type int64 where text is expected"),
             ({"claim_id": ["a"], "pdx": ["I5021"], "age": [[1]]},
              "column age: type list<element: int64> where a number is expected"),
             ({"claim_id": ["a"], "code_type": ["pdx"], "code": [1]}, "column code: type int64 where text is expected"),
             ({"claim_id": ["a"], "pdx": ["I5021"], "sdx1": [1.5]}, "column sdx1: type double where text is expected"),
             ({"claim_id": ["a"], "pdx": ["I5021"], "sex": [1]}, "column sex: type int64 where text is expected")]
    for n, (columns, words) in enumerate(cases):
        path = tmp_path / f"bad{n}.parquet"
        pq.write_table(pa.table(columns), path)
        with pytest.raises(MalformedFileError) as info:
            rows_of(path)
        assert str(info.value) == f"{path}, schema, {words}"


def test_parquet_text_may_be_dictionary_encoded_and_numbers_text(tmp_path):
    path = tmp_path / "ok.parquet"
    pq.write_table(pa.table({"claim_id": ["a", "b"], "pdx": pa.array(["I5021", "J189"]).dictionary_encode(),
                             "age": ["70", "x"], "discharge_status": [1.0, None], "version": [431, 431],
                             "sdx1": pa.array([None, None], pa.null())}), path)
    reader = open_claims(path)
    rows = [r for chunk in reader for r in chunk]
    assert [(r.claim_id, r.status) for r in rows] == [("a", "OK"), ("b", "INVALID_AGE_VALUE")]
    assert rows[0].claim.age == 70 and rows[0].claim.discharge_status == 1
    assert (reader.total, reader.fraction_done()) == (2, 1.0)
    assert reader.describe() == ("ok.parquet: parquet, wide layout; id <- claim_id; pdx <- pdx; age <- age; "
                                 "discharge_status <- discharge_status; version <- version; sdx1 <- sdx1")


def test_parquet_row_groups_are_read_in_chunks_with_progress(tmp_path):
    path = tmp_path / "c.parquet"
    table = pa.table({"claim_id": [f"c{n}" for n in range(10)], "pdx": ["I5021"] * 10, "version": [431] * 10})
    pq.write_table(table, path, row_group_size=4)
    reader = open_claims(path, chunk_size=3)
    shares, ids = [], []
    for chunk in reader:
        ids += [r.claim_id for r in chunk]
        shares.append(reader.fraction_done())
    assert ids == [f"c{n}" for n in range(10)]
    assert shares[0] < shares[-1] == 1.0 and shares == sorted(shares)
    assert [r.row_number for c in read_claims(path, chunk_size=3) for r in c] == list(range(1, 11))


def test_a_parquet_file_that_is_not_parquet(tmp_path):
    path = tmp_path / "c.parquet"
    path.write_bytes(b"PAR1 not really")
    with pytest.raises(MalformedFileError) as info:
        rows_of(path)
    assert str(info.value).startswith(f"{path}, file footer: not a readable Parquet file (")


def test_csv_field_scanner():
    assert list(_scan_fields('a,"b""c",d\n', ",")) == [(0, 0, 1, False, True), (1, 2, 6, True, True),
                                                        (2, 9, 1, False, True)]
    assert list(_scan_fields('a,"bc', ",")) == [(0, 0, 1, False, True), (1, 2, 3, True, False)]
    assert list(_scan_fields('"x"y,z', ",")) == [(0, 0, 4, True, True), (1, 5, 1, False, True)]
    assert list(_scan_fields("a\tb\r\n", "\t")) == [(0, 0, 1, False, True), (1, 2, 1, False, True)]
    assert list(_scan_fields("", ",")) == [(0, 0, 0, False, True)]
    assert list(_scan_fields("a,", ",")) == [(0, 0, 1, False, True), (1, 2, 0, False, True)]
    assert _open_quote('a,"bc\nde', ",") == (1, 2) and _open_quote("a,b", ",") is None
    assert _open_quote('"a","b', ",") == (1, 4)
    assert _large_field("ab,cdefg,h", ",", 3) == (1, 3, False)
    assert _large_field('ab,"cdefg",h', ",", 3) == (1, 3, True)
    assert _large_field("abc,d", ",", 3) == (None, 0, False)


def test_where_csv_quoting_breaks():
    assert _quote_error_field('a,"b"x,c\n', ",") == 1
    assert _quote_error_field('a,b"c,d', ",") == 1
    assert _quote_error_field('a,"b""c",d', ",") is None
    assert _quote_error_field('a,"bc', ",") == 1
    assert _quote_error_field('a\t"b"\t', "\t") is None
    assert _quote_error_field('"b"\r\n', ",") is None
    assert _quote_error_field('a,b,"c"d', ",") == 2


def test_words_for_unreadable_bytes():
    assert _read_problem(gzip.BadGzipFile("x")) == "cannot be read: not a gzip file, though the name ends in .gz"
    assert _read_problem(EOFError()) == "cannot be read: the compressed file ends too early (cut off?)"
    assert _read_problem(zlib.error()) == "cannot be read: the compressed data is damaged"
    assert _read_problem(UnicodeDecodeError("utf-8", b"x", 0, 1, "r")) == "not UTF-8 text (save the file as UTF-8)"
    assert _read_problem(OSError(5, "I/O error")) == "cannot be read: I/O error"
    assert _read_problem(OSError()) == "cannot be read: OSError"
    assert _read_problem(ValueError()) == "cannot be read"
    assert (_read_place(0), _read_place(3)) == ("line 1", "after line 3")
    assert (_place("12"), _place("row 3"), _place("")) == ("line 12", "row 3", "a row")


def test_a_cut_off_gzip_csv_is_placed_after_the_last_good_line(tmp_path):
    path = tmp_path / "c.csv.gz"
    body = "claim_id,pdx,version\n" + "".join(f"k{n},I5021,431\n" for n in range(20_000))
    path.write_bytes(gzip.compress(body.encode())[:-12])
    with pytest.raises(MalformedFileError) as info:
        rows_of(path)
    place, _, problem = str(info.value).partition(": ")
    assert place.startswith(f"{path}, after line ") and int(place.rpartition(" ")[2]) > 1
    assert problem == "cannot be read: the compressed file ends too early (cut off?)"
