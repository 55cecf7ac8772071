"""drg.io.column_reader (issue 12): JSON Lines read as claim columns give exactly the chunks of the
row reader (drg.io.readers), turned into columns by ColumnChunk.from_rows — every column, status,
message, extra column and position — and a malformed file fails with the row reader's error.
Fixed seed; DRG_FUZZ_EXAMPLES=2000 for a long local run."""
from __future__ import annotations

import gzip
import json
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drg.claim import Diagnosis
from drg.claim_columns import ClaimColumns
from drg.io.column_reader import open_column_chunks, read_column_chunks, version_id
from drg.io.readers import open_claims, read_claims
from drg.io.records import ClaimRow, ColumnChunk, MalformedFileError

FIXTURE = Path(__file__).parent / "fixtures" / "conformance_claims.jsonl.gz"
GOLDEN = Path(__file__).resolve().parents[1].parent / "shared" / "golden"
EXAMPLES = int(os.environ.get("DRG_FUZZ_EXAMPLES", "100"))
FUZZ = settings(max_examples=EXAMPLES, derandomize=True, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
ARRAYS = ("claim_id", "version", "age", "sex", "discharge_status", "hospital_status", "pdx_code", "pdx_poa",
          "sdx_start", "sdx_code", "sdx_poa", "procedure_start", "procedure_code")


def assert_same_chunk(mine: ColumnChunk, rows: list[ClaimRow]) -> None:
    """`mine` equals ColumnChunk.from_rows(rows) field by field, and its claims are the rows' claims."""
    want = ColumnChunk.from_rows(rows, version_id)
    assert (mine.first_row, mine.size) == (want.first_row, want.size)
    for name in ARRAYS:
        got, expected = getattr(mine.columns, name), getattr(want.columns, name)
        assert got.dtype == expected.dtype, name
        assert [(type(v), v) for v in got.tolist()] == [(type(v), v) for v in expected.tolist()], name
    assert mine.grouped.dtype == np.int64 and mine.grouped.tolist() == want.grouped.tolist()
    assert mine.status.tolist() == want.status.tolist()
    assert mine.message.tolist() == want.message.tolist()
    assert mine.extra == want.extra
    if want.extra is not None:      # in the order of the line (the writers copy them in this order)
        assert [list(e) for e in mine.extra] == [list(e) for e in want.extra]
    assert mine.others == want.others
    assert [list(r.extra) for r in mine.others] == [list(r.extra) for r in want.others]
    for k, position in enumerate(mine.grouped.tolist()):
        claim = rows[position].claim
        assert claim is not None
        assert mine.columns.claim(k) == _grouper_view(claim)


def _grouper_view(claim):
    """The claim as ClaimColumns.claim gives it back: without admit_dx, dates and length of stay."""
    from dataclasses import replace
    return replace(claim, admit_dx=None, discharge_date=None, admit_date=None, length_of_stay=None)


def outcome(reader) -> tuple[list, str | None]:
    """The chunks a reader yields and the error that stops it (its text), if any."""
    chunks = []
    try:
        for chunk in reader:
            chunks.append(chunk)
    except MalformedFileError as error:
        return chunks, str(error)
    return chunks, None


def assert_same_reading(path: Path, chunk_size: int = 10_000, version=None) -> ColumnChunk | None:
    row_chunks, row_error = outcome(open_claims(path, chunk_size=chunk_size, version=version))
    column_chunks, column_error = outcome(open_column_chunks(path, chunk_size=chunk_size, version=version))
    assert column_error == row_error
    assert len(column_chunks) == len(row_chunks)
    for mine, rows in zip(column_chunks, row_chunks):
        assert_same_chunk(mine, rows)
    return column_chunks[0] if column_chunks else None


# ---------------------------------------------------------------- real claims files

@pytest.mark.parametrize("chunk_size", [10_000, 777])
def test_fixture_reads_as_the_row_reader(chunk_size):
    assert_same_reading(FIXTURE, chunk_size)


def test_fixture_is_read_column_wise():
    """The golden form's rows take the fast path (else the reader would be no faster)."""
    reader = open_column_chunks(FIXTURE)
    total = sum(chunk.size for chunk in reader)
    assert total == sum(len(rows) for rows in read_claims(FIXTURE))
    assert reader.rows_fast >= 0.99 * total and reader.rows_fast + reader.rows_by_row == total


def test_run_version_overrides_as_in_the_row_reader():
    first = assert_same_reading(FIXTURE, 2_000, version="41.0")
    assert first is not None and set(first.columns.version.tolist()) == {410}


def golden_files() -> list[Path]:
    return sorted((GOLDEN / "dev").glob("claims_v*.jsonl.gz")) + sorted((GOLDEN / "v44").glob("claims_v*.jsonl.gz"))


@pytest.mark.parametrize("name", [p.name for p in golden_files()] or ["absent"])
def test_golden_files_read_as_the_row_reader(name):
    files = {p.name: p for p in golden_files()}
    if name not in files:
        pytest.skip(f"golden claims not found under {GOLDEN}")
    assert_same_reading(files[name], 3_000)


def test_progress_and_description_are_the_row_readers():
    reader = open_column_chunks(FIXTURE, chunk_size=1_000)
    assert reader.fraction_done() == 0.0
    seen = []
    for _ in reader:
        seen.append(reader.fraction_done())
    assert seen == sorted(seen) and 0 < seen[0] <= seen[-1] == 1.0
    assert reader.describe() == open_claims(FIXTURE).describe()


def test_other_formats_are_read_by_the_row_reader(tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text("id,version,age,sex,pdx,sdx1,proc1,note\nA,431,70,M,I5021,E119,,x\nB,431,300,F,,,,\n")
    chunks = list(read_column_chunks(path))
    rows = next(iter(read_claims(path)))
    assert len(chunks) == 1
    assert_same_chunk(chunks[0], rows)
    assert chunks[0].extra == [{"note": "x"}, {"note": ""}]


# ---------------------------------------------------------------- lines of every kind

def write(tmp_path: Path, text: "str | bytes", name: str = "claims.jsonl") -> Path:
    path = tmp_path / name
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


CLEAN = {"id": "A1", "version": 431, "age": 70, "sex": "M", "discharge_status": 1, "hospital_status": "NON_EXEMPT",
         "pdx": {"code": "I5021", "poa": "Y"}, "admit_dx": None,
         "sdx": [{"code": "E119", "poa": "Y"}, {"code": "N179", "poa": "N"}], "procedures": ["02703ZZ"]}


def line(**changes) -> str:
    record = dict(CLEAN)
    for key, value in changes.items():
        if value is _DROP:
            record.pop(key, None)
        else:
            record[key] = value
    return json.dumps(record, separators=(",", ":"))


_DROP = object()


def test_clean_and_odd_rows_mixed(tmp_path):
    lines = [line(), line(id="A2", age=200), line(id="A3", sex="male"), line(id="A4", note="x"),
             line(id="A5", sdx=[{"code": "E119", "poa": "Z"}]), line(id="A6", version="43.1"), line(id=7),
             line(id="A8", pdx=None), line(id="A9", discharge_status=-1), line(id="A10", hospital_status="x"),
             line(id="A11", procedures=["0270 3ZZ"]), line(id="A12", age=65.0), line(id="A13", sdx=["E119"]),
             "", "   ", line(id="A14", pdx="I5021"), line(id=" A15 "), line(id="A16", version=None),
             line(id="A17", version=None, discharge_date="2025-10-15"), line(id="A18", los=3),
             line(id="A19", sdx=[{"code": "E119", "poa": "Y"}] * 25), line(id="A20", sdx=[None]),
             line(id="A21", procedures=[None]), line(id="A22", pdx={}), line(id="A23", admit_dx={"code": None}),
             line(id="A24", sdx=[{"code": "E119", "poa": "Y"}, None]), line(id="A25", procedures=["02703ZZ", 5]),
             line(id="A26", pdx={"code": "", "poa": "Y"}), line(id="A27", admit_dx={"code": "", "poa": "Q"}),
             line(id="A28", sdx=[{"code": "E119"}]), line(id="A29", pdx={"code": "I5021", "poa": "y"}),
             line(id="A30", procedures=[{"code": "02703ZZ"}]), line(id="A31", sdx=None, procedures=None),
             line(id="A32", sex=None, hospital_status=None, discharge_status=None, age=_DROP),
             line(id=[None, None]), line(id="A34", sex=[None]), line(id="A35", pdx=[None]),
             line(id="A36", sdx=[None, "0"]), line(id="A37", sdx=[None, None]), line(id="A38", procedures=[None, "0"])]
    path = write(tmp_path, "\n".join(lines) + "\n")
    for chunk_size in (6, 100):
        first = assert_same_reading(path, chunk_size)
        assert first is not None and first.status.tolist()[:2] == ["OK", "INVALID_AGE"]
    reader = open_column_chunks(path, chunk_size=6)
    list(reader)
    assert reader.rows_fast >= 10        # the clean rows among them are read column-wise


def test_extra_key_given_as_null_is_an_extra_column(tmp_path):
    """pyarrow reads "note": null like a missing key; the row reader keeps it as an extra column."""
    path = write(tmp_path, line() + "\n" + line(id="A2", note=None) + "\n" + line(id="A3", note="x") + "\n")
    chunk = assert_same_reading(path)
    assert chunk is not None and chunk.extra == [{}, {"note": None}, {"note": "x"}]


def test_extra_keys_are_read_column_wise_in_their_order(tmp_path):
    """A validate input's billed DRG (text, integer, true/false extra keys) stays on the fast path; the
    order of a line's extra keys, a null, a nested value or a key written twice go by the row reader."""
    lines = [line(billed_drg=291, note="x"), line(id="A2", billed_drg="291"), line(id="A3"),
             '{"note":"y",' + line(id="A4", billed_drg=292)[1:], line(id="A5", billed_drg=None),
             line(id="A6", sex="billed_drg", billed_drg=True), line(id="A7", billed_drg=[291]),
             line(id="A8", billed_drg=2.5), line(id="A9", billed_drg=10 ** 30), line(id="A10", note={"a": 1})]
    path = write(tmp_path, "\n".join(lines * 30) + "\n")
    chunk = assert_same_reading(path, 100)
    assert chunk is not None and chunk.extra is not None
    assert list(chunk.extra[0]) == ["billed_drg", "note"] and list(chunk.extra[3]) == ["note", "billed_drg"]
    reader = open_column_chunks(path, chunk_size=100)
    list(reader)
    assert reader.rows_fast >= 90      # A1, A2, A3 of every ten lines at least


def test_extra_key_only_on_a_row_that_is_no_claim(tmp_path):
    path = write(tmp_path, line() + "\n" + line(id="A2", admit_dx=False, los=False) + "\n")
    chunk = assert_same_reading(path)
    assert chunk is not None and chunk.extra is None and chunk.others[0].extra == {"los": False}


def test_extra_keys_keep_the_order_of_their_line(tmp_path):
    lines = [line(billed_drg=291, note="x"), '{"note":"y",' + line(id="A2", billed_drg=292)[1:],
             line(id="A3", note="z"), line(id="A4", billed_drg=293)]
    path = write(tmp_path, "\n".join(lines) + "\n")
    chunk = assert_same_reading(path)
    assert chunk is not None and chunk.extra is not None
    assert [list(e) for e in chunk.extra] == [["billed_drg", "note"], ["note", "billed_drg"], ["note"], ["billed_drg"]]


def test_many_extra_keys_as_in_the_row_reader(tmp_path):
    lines = [line()] + [line(id=f"A{n}", **{f"k{n}": n}) for n in range(40)] + [line(id="B")]
    path = write(tmp_path, "\n".join(lines) + "\n")
    chunk = assert_same_reading(path)
    assert chunk is not None and chunk.extra is not None and chunk.extra[5] == {"k4": 4}


def test_line_ends_blank_lines_and_byte_order_mark(tmp_path):
    text = "\ufeff" + line() + "\r\n\r\n" + line(id="A2") + "\r" + line(id="A3") + "\n \t\n\x1c\n" + line(id="A4")
    path = write(tmp_path, text)
    chunk = assert_same_reading(path, 3)
    assert chunk is not None and chunk.columns.claim_id.tolist() == ["A1", "A2", "A3"]


def test_unicode_escapes_and_duplicate_keys(tmp_path):
    lines = [line(id="A\u00e9"), json.dumps(dict(CLEAN, id="A\u00e9"), ensure_ascii=False), line(id="\ud800"),
             '{"id":"A1","id":"A2"' + line()[len('{"id":"A1"'):], line(pdx={"code": "I50\u0131", "poa": "Y"}),
             line().replace('"age":70', '"\\u0061ge":70'), '{"age":70,"age":300' + line()[1:].replace('"age":70,', ',')]
    path = write(tmp_path, "\n".join(lines) + "\n")
    assert_same_reading(path, 4)


# ---------------------------------------------------------------- malformed files

@pytest.mark.parametrize("text", [
    line() + "\n" + '{"id": "A2", "age": }\n',
    line() + "\n[1, 2]\n",
    line() + "\n" + line(id="A2") + "\n" + '{"id": "A3"} {"id": "A4"}\n',
    line() + "\n" + line(id="A2", age=float("nan")) + "\n" + "NaN\n",
    line() + "\n" + "[" * 100_000 + "]" * 100_000 + "\n" + line(id="A3") + "\n",
])
def test_malformed_lines_fail_as_in_the_row_reader(tmp_path, text):
    path = write(tmp_path, text)
    _, error = outcome(open_column_chunks(path, chunk_size=2))
    _, expected = outcome(open_claims(path, chunk_size=2))
    assert error == expected
    assert_same_reading(path, 2)


def test_deeply_nested_claims_are_rows_as_in_the_row_reader(tmp_path):
    """Lines nested 50,000 deep (which crash pyarrow's parser) are read by the row reader's rule."""
    deep = "[" * 50_000 + "]" * 50_000
    lines = [line(), line(id="A2", note=json.loads("[" * 500 + "]" * 500)), line()[:-1] + ',"note":' + deep + "}",
             line().replace('"sdx":[', '"sdx":[' + deep + ","), line(id="A5")]
    path = write(tmp_path, "\n".join(lines) + "\n")
    chunk = assert_same_reading(path)
    assert chunk is not None and chunk.columns.claim_id.tolist() == ["A1", "A2", "A5"]
    assert [r.status for r in chunk.others] == ["INVALID_RECORD", "INVALID_RECORD"]


def test_bytes_that_are_not_utf8_fail_as_in_the_row_reader(tmp_path):
    path = write(tmp_path, (line() + "\n" + line(id="A2") + "\n").encode() + b'{"id": "\xe9"}\n')
    _, error = outcome(open_column_chunks(path))
    assert error is not None and "line 3, character" in error and "not UTF-8" in error
    assert_same_reading(path)


def test_damaged_compressed_files_fail_as_in_the_row_reader(tmp_path):
    text = "".join(line(id=f"A{n}", age=n % 100) + "\n" for n in range(20_000)).encode()
    whole = gzip.compress(text)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    damaged = tmp_path / "damaged.jsonl.gz"
    damaged.write_bytes(whole[: len(whole) // 2] + bytes(64) + whole[len(whole) // 2 + 64:])
    not_gzip = tmp_path / "plain.jsonl.gz"
    not_gzip.write_bytes(text[:1000])
    for path in (cut, damaged, not_gzip):
        _, error = outcome(open_column_chunks(path, chunk_size=3_000))
        _, expected = outcome(open_claims(path, chunk_size=3_000))
        assert error is not None and error == expected, path.name


def test_missing_file_and_directory_as_in_the_row_reader(tmp_path):
    with pytest.raises(FileNotFoundError):
        open_column_chunks(tmp_path / "none.jsonl")
    with pytest.raises(MalformedFileError, match="is a directory"):
        open_column_chunks(tmp_path, input_format="jsonl")


def test_discharge_status_minus_one_survives_columns(tmp_path):
    path = write(tmp_path, line(discharge_status=-1) + "\n")
    chunk = next(read_column_chunks(path))
    assert chunk.columns.claim(0).discharge_status == -1


def test_missing_age_survives_columns(tmp_path):
    path = write(tmp_path, line(age=None) + "\n")
    chunk = next(read_column_chunks(path))
    assert chunk.status.tolist() == ["OK"]
    assert chunk.columns.claim(0).age is None


# ---------------------------------------------------------------- mutated golden lines (hypothesis)

def _fixture_records(count: int = 300) -> list[dict]:
    with gzip.open(FIXTURE, "rt") as stream:
        return [json.loads(next(stream)) for _ in range(count)]


RECORDS = _fixture_records()
KEYS = ["id", "version", "discharge_date", "age", "sex", "discharge_status", "hospital_status", "pdx", "admit_dx",
        "sdx", "procedures", "los", "admit_date", "billed_drg", "note"]
ODD_TEXT = st.sampled_from(["", " ", "I5021", "i50.21", "I50 21", " I5021", "Y", "y", "Z", "M", "male", "Q", "431",
                            "43.1", "v43.1", "99.0", "2024-01-01", "2025-10-15", "13/45/2020", "NON_EXEMPT",
                            "exempt", "non-exempt", "MAYBE", "\u0131", "\u00e9", "\ud800", "\x00", "\\", '"',
                            "9" * 30, "-1", "1e400"]) | st.text(max_size=6)
SCALARS = (st.none() | st.booleans() | st.integers(-2, 130) | st.sampled_from([10 ** 18, -(10 ** 19), 2 ** 64, 431,
                                                                             400, 440, -1, 0])
           | st.floats(allow_nan=True, allow_infinity=True) | ODD_TEXT)
CODES = ODD_TEXT | st.sampled_from(["E119", "N179", "I10", "Z7902"]) | st.none() | st.integers(0, 99)
DIAGNOSIS = (st.fixed_dictionaries({"code": CODES, "poa": st.sampled_from(["Y", "N", "", "X", "W", "1", "E", "U", "Z",
                                                                          "y", " Y", None]) | ODD_TEXT})
             | CODES | st.fixed_dictionaries({"code": CODES}) | st.just({}) | st.lists(CODES, max_size=2))
VALUES = st.one_of(SCALARS, DIAGNOSIS, st.lists(DIAGNOSIS, max_size=30), st.lists(CODES, max_size=30),
                   st.dictionaries(st.sampled_from(KEYS), SCALARS, max_size=2))


@st.composite
def mutated_lines(draw) -> str:
    record = dict(draw(st.sampled_from(RECORDS)))
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.sampled_from(KEYS))
        action = draw(st.sampled_from(["set", "set", "drop"]))
        if action == "drop":
            record.pop(key, None)
        else:
            record[key] = draw(VALUES)
    style = draw(st.sampled_from(["compact", "spaced", "unicode", "leading blank", "crlf"]))
    if style == "compact":
        text = json.dumps(record, separators=(",", ":"))
    elif style == "unicode":
        text = json.dumps(record, ensure_ascii=False)
    else:
        text = json.dumps(record)
    if style == "leading blank":
        text = " " + text
    return text + ("\r\n" if style == "crlf" else "\n")


@FUZZ
@given(st.lists(st.one_of(mutated_lines(), st.sampled_from([json.dumps(r) + "\n" for r in RECORDS[:20]]),
                          st.just("\n")), min_size=1, max_size=40),
       st.integers(1, 12), st.sampled_from([None, "42.1"]))
def test_mutated_golden_lines_read_as_the_row_reader(lines, chunk_size, version):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "claims.jsonl"
        path.write_bytes("".join(lines).encode("utf-8", "surrogatepass"))
        assert_same_reading(path, chunk_size, version)


def test_mutations_reach_both_paths():
    """The mutations make clean rows and odd ones (the property above compares both kinds)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "claims.jsonl"
        path.write_text("".join(json.dumps(dict(r, age=(r["age"] if n < 150 else "x"))) + "\n"
                                for n, r in enumerate(RECORDS)))
        reader = open_column_chunks(path, chunk_size=50)
        chunks = list(reader)
        assert reader.rows_fast + reader.rows_by_row == len(RECORDS)
        assert reader.rows_fast >= 140 and reader.rows_by_row >= 150
        assert sum(len(c.columns) for c in chunks) <= 150    # "x" is no age: not grouped
        assert_same_reading(path, 50)


def test_claim_columns_diagnoses_keep_their_order(tmp_path):
    path = write(tmp_path, line() + "\n" + line(id="A2", age=300) + "\n" + line(id="A3", sdx=[]) + "\n")
    chunk = next(read_column_chunks(path))
    assert chunk.columns.claim(0).sdx == (Diagnosis("E119", "Y"), Diagnosis("N179", "N"))
    assert chunk.columns.claim(2).sdx == ()
    assert isinstance(chunk.columns, ClaimColumns) and chunk.grouped.tolist() == [0, 1, 2]
