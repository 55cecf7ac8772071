"""Pins for drg.io (issue 10, mutation run): exact outputs of small inputs, round trips, the
messages that name file, line and column, and the edges no other test reaches (extra columns as
text, progress, the claim-level table of a long file, writing rows a frame at a time, dropping
what is buffered for standard output)."""
from __future__ import annotations

import gzip
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from drg.io import MalformedFileError, open_claims, read_claims, read_results
from drg.io.formats import UnknownFormatError, deterministic_gzip, file_kind, open_for_reading, text_reader
from drg.io.frame_writer import FrameWriter
from drg.io.readers import _ByteCounter, _parse_big_int
from drg.io.writers import CSV_HEADER, OutputTarget, _as_text, flatten, open_writer, records_to_arrow, unflatten

ROOT = Path(__file__).resolve().parents[1]


def rows_of(path, **kw):
    return [row for chunk in read_claims(path, **kw) for row in chunk]


# ------------------------------------------------------------------ a result record, by hand

def record(**extra) -> dict:
    """A grouped result record in the golden output form (values chosen by hand)."""
    out = {"id": "c1", "version": 431,
           "initial_drg": 291, "initial_mdc": 5, "initial_base_drg": 291, "initial_return_code": "OK",
           "initial_med_surg": "MEDICAL", "initial_severity": "MCC",
           "final_drg": 292, "final_mdc": 5, "final_base_drg": 291, "final_return_code": "OK",
           "final_med_surg": "MEDICAL", "final_severity": "CC", "hac_status": "NOT_APPLICABLE",
           "hac_categories": 0,
           "pdx": {"code": "I5021", "recognized": True, "affects_drg": "YES",
                   "initial_severity_usage": "NEITHER", "final_severity_usage": "NEITHER",
                   "poa_error": "POA_NOT_CHECKED",
                   "hacs": [{"hac_number": 5, "hac_list": "hac05_cc", "hac_usage": "HAC_CRITERIA_MET"},
                            {"hac_number": 0, "hac_list": None, "hac_usage": "NOT_ON_HAC_LIST"}]},
           "sdx": [{"code": "E1165", "recognized": True, "affects_drg": "NO", "initial_severity_usage": "CC",
                    "final_severity_usage": "NEITHER", "poa_error": "POA_RECOGNIZED_NOT_POA",
                    "hacs": []},
                   {"code": "XXXX", "recognized": False, "affects_drg": "NO", "initial_severity_usage": "NEITHER",
                    "final_severity_usage": "NEITHER", "poa_error": "POA_NOT_CHECKED", "hacs": []}],
           "procedures": [{"code": "02703DZ", "recognized": True, "affects_drg": "YES", "is_or": True,
                           "hac_usage": ["A", "B"]},
                          {"code": "0DTJ4ZZ", "recognized": True, "affects_drg": "NO", "is_or": False,
                           "hac_usage": []}],
           "status": "OK", "message": ""}
    out.update(extra)
    return out


def test_flatten_joins_each_code_attribute_in_claim_order():
    row = flatten(record(billed_drg=291))
    assert row == ["c1", 431, "OK", "",
                   291, 5, 291, "OK", "MEDICAL", "MCC", 292, 5, 291, "OK", "MEDICAL", "CC", "NOT_APPLICABLE", 0,
                   "I5021", "Y", "YES", "5:hac05_cc:HAC_CRITERIA_MET;0::NOT_ON_HAC_LIST",
                   "E1165|XXXX", "POA_RECOGNIZED_NOT_POA|POA_NOT_CHECKED", "Y|N", "NO|NO", "CC|NEITHER",
                   "NEITHER|NEITHER", "|",
                   "02703DZ|0DTJ4ZZ", "Y|Y", "YES|NO", "Y|N", "A+B|",
                   "291"]


def test_an_ungrouped_row_flattens_to_blanks():
    bad = {"id": "c9", "version": None, "pdx": None, "sdx": [], "procedures": [], "status": "INVALID_AGE",
           "message": "age is not a number"}
    row = flatten(bad)
    assert row[:4] == ["c9", "", "INVALID_AGE", "age is not a number"]
    assert row[4:] == [""] * (len(CSV_HEADER) - 4)


def test_csv_results_round_trip_exactly(tmp_path):
    path = tmp_path / "r.csv"
    with open_writer(path) as writer:
        writer.write([record(billed_drg="291"), record(id="c2", sdx=[], procedures=[], billed_drg="")])
    text = path.read_text()
    lines = text.splitlines()
    assert lines[0] == ",".join(CSV_HEADER + ("billed_drg",))
    assert len(lines) == 3 and text.endswith("\n") and "\r" not in text
    back = list(read_results(path))
    assert back == [record(billed_drg="291"), record(id="c2", sdx=[], procedures=[], billed_drg="")]


def test_tsv_results_use_tabs_and_read_back(tmp_path):
    path = tmp_path / "r.tsv"
    with open_writer(path) as writer:
        writer.write([record()])
    first = path.read_text().splitlines()[0]
    assert first == "\t".join(CSV_HEADER)
    assert list(read_results(path)) == [record()]


def test_unflatten_of_an_ungrouped_row_has_no_codes():
    row = dict(zip(CSV_HEADER, flatten({"id": "c9", "version": 431, "pdx": None, "sdx": [], "procedures": [],
                                        "status": "INVALID_AGE", "message": "age"})))
    row = {k: str(v) for k, v in row.items()}
    back = unflatten(row)
    assert back["pdx"] is None and back["sdx"] == [] and back["procedures"] == []
    assert back["version"] == 431 and back["final_drg"] is None and back["hac_status"] is None
    assert (back["status"], back["message"]) == ("INVALID_AGE", "age")


def test_empty_csv_output_is_the_header_alone(tmp_path):
    path = tmp_path / "r.csv"
    with open_writer(path) as writer:
        writer.write([])
    assert path.read_text() == ",".join(CSV_HEADER) + "\n"
    assert list(read_results(path)) == []


def test_json_lines_output_is_compact_utf8_and_dates_as_text(tmp_path):
    import datetime

    path = tmp_path / "r.jsonl"
    with open_writer(path) as writer:
        writer.write([{"id": "é1", "when": datetime.date(2025, 10, 1)}])
        writer.write([{"id": "c2", "n": [1, 2]}])
    assert path.read_bytes() == '{"id":"é1","when":"2025-10-01"}\n{"id":"c2","n":[1,2]}\n'.encode()
    assert list(read_results(path)) == [{"id": "é1", "when": "2025-10-01"}, {"id": "c2", "n": [1, 2]}]


def test_extra_columns_become_text():
    assert _as_text(None) is None
    assert _as_text(float("nan")) is None
    assert _as_text("x") == "x"
    assert _as_text(291) == "291"
    assert _as_text(1.5) == "1.5"
    assert _as_text(True) == "True"
    assert _as_text([1, "a"]) == '[1, "a"]'
    assert _as_text({"k": 1}) == '{"k": 1}'
    row = flatten(record(a=None, b=float("nan"), c=[1], d={"k": None}, e=7))
    assert row[-5:] == ["", "", "[1]", '{"k": null}', "7"]


def test_parquet_results_keep_extra_columns_as_text(tmp_path):
    path = tmp_path / "r.parquet"
    with open_writer(path) as writer:
        writer.write([])
        writer.write([record(billed_drg=291, note=None)])
        writer.write([record(id="c2", billed_drg=[1, 2], note=float("nan"))])
    table = pq.read_table(path)
    assert table.schema.field("billed_drg").type == pa.string()
    assert table.schema.field("version").type == pa.int32()
    assert pq.ParquetFile(path).metadata.num_row_groups == 2
    assert pq.ParquetFile(path).metadata.row_group(0).column(0).compression == "ZSTD"
    back = list(read_results(path))
    assert [r["billed_drg"] for r in back] == ["291", "[1, 2]"] and [r["note"] for r in back] == [None, None]
    assert back[0]["pdx"] == record()["pdx"] and back[0]["procedures"] == record()["procedures"]


def test_empty_parquet_output_is_a_valid_file_with_the_result_columns(tmp_path):
    path = tmp_path / "r.parquet"
    with open_writer(path):
        pass
    table = pq.read_table(path)
    assert table.num_rows == 0 and table.column_names[:3] == ["id", "version", "initial_drg"]
    assert table.column_names[-2:] == ["status", "message"]
    assert records_to_arrow([]).num_rows == 0


# ------------------------------------------------------------------ standard output

def test_parquet_cannot_go_to_a_stream():
    with pytest.raises(UnknownFormatError, match="Parquet output needs a file: give -o FILE.parquet"):
        OutputTarget("-", "parquet", stream=io.BytesIO())


def test_a_stream_gets_json_lines_by_default_and_csv_when_asked():
    out = io.BytesIO()
    writer = open_writer("-", stream=out)
    writer.write([{"id": "a"}])
    writer.close()
    assert out.getvalue() == b'{"id":"a"}\n'
    out = io.BytesIO()
    writer = open_writer("-", "csv", stream=out)
    writer.write([{"id": "a", "version": 431, "pdx": None, "sdx": [], "procedures": [], "status": "OK",
                   "message": ""}])
    writer.close()
    assert out.getvalue().decode().splitlines()[1].startswith("a,431,OK,,")


def test_abandoning_a_stream_drops_what_is_buffered_and_keeps_what_was_written(tmp_path):
    path = tmp_path / "stdout.txt"
    raw = open(path, "wb")                 # buffered, like sys.stdout.buffer
    target = OutputTarget("-", "jsonl", stream=raw)
    raw.write(b"written\n")
    raw.flush()
    raw.write(b"still buffered\n")
    target.abandon()
    raw.close()                            # the flush at exit goes to /dev/null
    assert path.read_bytes() == b"written\n"
    OutputTarget("-", "jsonl", stream=io.BytesIO()).abandon()     # no descriptor: nothing to drop


def test_an_interrupted_run_to_a_full_pipe_exits_at_once(tmp_path):
    """A run to standard output whose reader stopped reading: the pipe is full and a rest is still
    buffered. Abandoning the target drops that rest, so the exit does not block on the pipe."""
    script = ("import fcntl, os, sys\n"
              "from drg.io.writers import OutputTarget\n"
              "target = OutputTarget('-', 'jsonl', stream=sys.stdout.buffer)\n"
              "size = fcntl.fcntl(1, 1032)\n"                       # F_GETPIPE_SZ
              "os.write(1, b'x' * size)\n"                          # the pipe is now full
              "sys.stdout.buffer.write(b'the buffered rest')\n"
              "target.abandon()\n"
              "raise SystemExit(3)\n")
    import drg

    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}    # standard output buffered
    env["PYTHONPATH"] = str(Path(drg.__file__).resolve().parents[1])          # this drg, wherever it is
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=env)
    try:
        status = child.wait(timeout=30)             # nobody reads the pipe meanwhile
    finally:
        child.kill()
    out, err = child.communicate()
    assert status == 3, err
    assert set(out) == {ord("x")} and b"rest" not in out


# ------------------------------------------------------------------ rows a frame at a time

def test_frame_writer_writes_the_csv_header_once(tmp_path):
    path = tmp_path / "v.csv"
    with FrameWriter(path) as writer:
        writer.write_frame(pd.DataFrame({"id": ["a"], "n": [1]}))
        writer.write_frame(pd.DataFrame({"id": ["b"], "n": [2]}))
    assert path.read_text() == "id,n\na,1\nb,2\n"


def test_frame_writer_tsv_gz_is_tab_separated_and_deterministic(tmp_path):
    outputs = []
    for name in ("v1.tsv.gz", "v2.tsv.gz"):
        with FrameWriter(tmp_path / name) as writer:
            writer.write_frame(pd.DataFrame({"id": ["a"], "n": [1]}))
        outputs.append((tmp_path / name).read_bytes())
    assert outputs[0] == outputs[1]
    assert gzip.decompress(outputs[0]) == b"id\tn\na\t1\n"


def test_frame_writer_json_lines_from_frames_and_from_records(tmp_path):
    path = tmp_path / "v.jsonl"
    with FrameWriter(path) as writer:
        writer.write_frame(pd.DataFrame({"id": ["a"], "n": [1]}))
        writer.write_frame(pd.DataFrame({"id": [], "n": []}))
        writer.write_records([{"id": "b", "reasons": [{"kind": "x"}]}, {"id": "c"}],
                             lambda r: json.dumps(r, separators=(",", ":")))
        writer.write_records([], json.dumps)
    assert path.read_text() == '{"id":"a","n":1}\n{"id":"b","reasons":[{"kind":"x"}]}\n{"id":"c"}\n'


@pytest.mark.parametrize("name", ["v.csv", "v.parquet"])
def test_frame_writer_records_are_json_lines_only(tmp_path, name):
    writer = FrameWriter(tmp_path / name)
    with pytest.raises(ValueError, match="write_records writes JSON Lines only"):
        writer.write_records([{"id": "a"}], json.dumps)
    writer.abandon()
    assert list(tmp_path.iterdir()) == []


def test_frame_writer_parquet_keeps_the_first_schema(tmp_path):
    path = tmp_path / "v.parquet"
    with FrameWriter(path) as writer:
        writer.write_frame(pd.DataFrame({"id": ["a"], "n": [1.5]}))
        writer.write_frame(pd.DataFrame({"id": ["b"], "n": [2]}))
    table = pq.read_table(path)
    assert table.schema.field("n").type == pa.float64()
    assert table.to_pydict() == {"id": ["a", "b"], "n": [1.5, 2.0]}


def test_frame_writer_to_a_stream_and_an_error_leaves_no_file(tmp_path):
    out = io.BytesIO()
    writer = FrameWriter("-", "csv", stream=out)
    writer.write_frame(pd.DataFrame({"id": ["a"]}))
    writer.close()
    assert out.getvalue() == b"id\na\n"
    with pytest.raises(RuntimeError):
        with FrameWriter(tmp_path / "v.jsonl") as writer:
            writer.write_frame(pd.DataFrame({"id": ["a"]}))
            raise RuntimeError("stop")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ reading: progress, numbers

def test_progress_is_the_share_of_bytes_read(tmp_path):
    path = tmp_path / "c.jsonl"
    line = json.dumps({"id": "c", "version": 431, "age": 70, "sex": "M", "pdx": {"code": "I5021", "poa": "Y"}})
    path.write_text((line + "\n") * 20_000)
    reader = open_claims(path, chunk_size=100)
    assert reader.fraction_done() == 0.0
    chunks = iter(reader)
    next(chunks)
    share = reader.fraction_done()
    assert 0.0 < share < 0.5
    for _ in chunks:
        pass
    assert reader.fraction_done() == 1.0        # the file is closed: done


def test_byte_counter():
    raw = io.BytesIO(b"abcd")
    counter = _ByteCounter(raw, 4)
    assert counter.fraction() == 0.0
    raw.read(1)
    assert counter.fraction() == 0.25
    raw.read(3)
    assert counter.fraction() == 1.0
    raw.seek(10)
    assert counter.fraction() == 1.0            # never more than all
    one = io.BytesIO(b"a")
    empty = _ByteCounter(one, 0)                # an empty file counts as one byte
    one.read(1)
    assert empty.fraction() == 1.0
    assert _ByteCounter(io.BytesIO(b"ab"), 1).size == 1
    closed = io.BytesIO(b"x")
    closed.close()
    assert _ByteCounter(closed, 1).fraction() == 1.0


def test_integers_too_long_for_python_are_beyond_every_range(tmp_path):
    assert _parse_big_int("12") == 12
    assert _parse_big_int("-7") == -7
    assert _parse_big_int("9" * 5000) == math.inf
    assert _parse_big_int("-" + "9" * 5000) == -math.inf
    path = tmp_path / "c.jsonl"
    path.write_text('{"id": "a", "version": 431, "age": -' + "9" * 5000 + ', "sex": "M", "pdx": {"code": "I5021"}}\n'
                    '{"id": "b", "version": 431, "age": 70, "sex": "M", "pdx": {"code": "I5021"}}\n')
    a, b = rows_of(path)
    assert (a.claim_id, a.status) == ("a", "INVALID_AGE") and a.claim.age is None
    assert (b.claim_id, b.status) == ("b", "OK")


# ------------------------------------------------------------------ the claim-level table of a long file

LONG = "claim_id,code_type,sequence,code,poa\nk1,pdx,1,I5021,Y\nk1,sdx,1,E1165,N\nk2,pdx,1,J189,Y\n"


def test_long_file_with_a_csv_claim_table(tmp_path):
    (tmp_path / "codes.csv").write_text(LONG)
    (tmp_path / "claims.csv").write_text("claim_id,version,age,sex,discharge_status\nk1,431,70,M,1\n")
    rows = rows_of(tmp_path / "codes.csv", claims_table=tmp_path / "claims.csv")
    assert [r.claim_id for r in rows] == ["k1", "k2"]
    assert rows[0].status == "OK" and rows[0].claim.age == 70 and rows[0].claim.version == 431
    assert [d.code for d in rows[0].claim.sdx] == ["E1165"]
    assert rows[1].status == "INVALID_RECORD" and rows[1].claim is None
    assert rows[1].message == ("claim id not found in the claim-level table; "
                               "neither a version nor a discharge date is given")


def test_long_file_with_a_parquet_claim_table(tmp_path):
    (tmp_path / "codes.csv").write_text(LONG)
    pq.write_table(pa.table({"claim": ["k1", "k2"], "version": [431, 431], "age": [70, 5], "sex": ["M", "F"],
                             "discharge_status": [1, 1]}), tmp_path / "claims.parquet")
    rows = rows_of(tmp_path / "codes.csv", claims_table=tmp_path / "claims.parquet")
    assert [(r.claim_id, r.status, r.claim.age) for r in rows] == [("k1", "OK", 70), ("k2", "OK", 5)]


def test_a_claim_table_is_csv_or_parquet_and_has_an_id_column(tmp_path):
    (tmp_path / "codes.csv").write_text(LONG)
    (tmp_path / "claims.jsonl").write_text('{"id": "k1"}\n')
    with pytest.raises(ValueError, match="the claim-level table of a long file must be CSV or Parquet"):
        rows_of(tmp_path / "codes.csv", claims_table=tmp_path / "claims.jsonl")
    (tmp_path / "noid.csv").write_text("version,age\n431,70\n")
    with pytest.raises(MalformedFileError) as info:
        rows_of(tmp_path / "codes.csv", claims_table=tmp_path / "noid.csv")
    assert str(info.value) == f"{tmp_path / 'noid.csv'}, header: no claim id column"
    (tmp_path / "folder.csv").mkdir()
    with pytest.raises(MalformedFileError) as info:
        rows_of(tmp_path / "codes.csv", claims_table=tmp_path / "folder.csv")
    assert str(info.value) == f"{tmp_path / 'folder.csv'}: is a directory, not a claim-level table"
    (tmp_path / "bad.parquet").write_bytes(b"not parquet")
    with pytest.raises(MalformedFileError) as info:
        rows_of(tmp_path / "codes.csv", claims_table=tmp_path / "bad.parquet")
    assert str(info.value) == (f"{tmp_path / 'bad.parquet'}, the claim-level table: "
                               "not a readable Parquet file (ArrowInvalid)")


def test_a_wide_file_ignores_the_claim_table(tmp_path):
    (tmp_path / "wide.csv").write_text("claim_id,version,pdx\nw1,431,I5021\n")
    rows = rows_of(tmp_path / "wide.csv", claims_table=tmp_path / "does-not-exist.csv")
    assert [(r.claim_id, r.status) for r in rows] == [("w1", "OK")]


# ------------------------------------------------------------------ formats

def test_deterministic_gzip_has_no_time_and_no_name():
    raw = io.BytesIO()
    stream = deterministic_gzip(raw)
    stream.write(b"x\n")
    stream.close()
    data = raw.getvalue()
    assert data[:4] == b"\x1f\x8b\x08\x00"        # magic, deflate, no FNAME flag
    assert data[4:8] == b"\x00\x00\x00\x00"       # mtime 0
    assert gzip.decompress(data) == b"x\n"


def test_reading_looks_through_gz_in_any_case_and_skips_a_byte_order_mark(tmp_path):
    path = tmp_path / "a.CSV.GZ"
    path.write_bytes(gzip.compress("\ufeffid\n".encode()))
    with open_for_reading(path) as stream:
        assert stream.read() == "\ufeffid\n".encode()
    with text_reader(path) as stream:
        assert stream.read() == "id\n"
    assert file_kind(path).gzip is True


def test_an_explicit_format_keeps_the_names_delimiter_only_for_its_own_format():
    assert file_kind("a.tsv", "csv").delimiter == "\t"
    assert file_kind("a.tsv", "CSV").delimiter == "\t"
    assert file_kind("a.csv", "tsv").delimiter == "\t"
    assert file_kind("a.tsv", "jsonl").delimiter == ","
    assert file_kind("a.jsonl", "csv").delimiter == ","
    with pytest.raises(UnknownFormatError, match=r"^unknown format 'xml'; use one of jsonl, csv, parquet, x12$"):
        file_kind("a.csv", "xml")
    with pytest.raises(UnknownFormatError, match=r"Parquet is compressed inside the file; drop the \.gz$"):
        file_kind("a.parquet.gz")
    with pytest.raises(UnknownFormatError, match=r"^cannot tell the format of a\.foo from its name: use a name "
                                                 r"ending in \.jsonl, \.ndjson, .*, \.pq, \.837, \.x12, \.edi "
                                                 r"\(optionally \+ \.gz\), "
                                                 r"or give the format$"):
        file_kind("a.foo")
    assert os.sep not in file_kind("x/y.csv.gz").delimiter
