"""Result files written from columns (drg.io.result_columns) are the record path's bytes.

The reference here is the record path as it was before the column-wise batch: each input row
grouped by `group_rows` into a record (`result_record`), written by the record writers
(`ResultWriter.write`). `drg group` now groups chunks with drg.grouper.group_columns and writes
the columns; every output format must come out byte-identical, on the conformance fixture and
on rows with awkward text (quotes, backslashes, control characters, non-ASCII, delimiters,
line breaks) in ids, messages, codes and extra columns, with and without orjson.
"""
from __future__ import annotations

import csv
import dataclasses
import gzip
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from click.testing import CliRunner

import drg.batch as batch
from drg.batch import _frame_rows, group_arrow, group_frame, group_rows, result_record, run_batch
from drg.cli import main
from drg.io import read_claims
from drg.io import result_columns
from drg.io.records import ClaimRow, ColumnChunk
from drg.io.result_columns import ResultColumns, csv_lines, jsonl_lines, string_bytes
from drg.io.writers import flatten, open_writer, records_to_arrow

FIXTURE = Path(__file__).parent / "fixtures" / "conformance_claims.jsonl.gz"
OUTPUTS = ["jsonl", "jsonl.gz", "csv", "tsv", "csv.gz", "parquet"]
AWKWARD = ['he said "no"', "back\\slash", "tab\there", "line\nbreak", "cr\rreturn", "nul\x00", "\x1f\x7f",
           "café ünïcödé", "日本語", "emoji 🏥", "comma, and; semi|pipe", "", " ", "\u2028sep"]

try:
    import orjson
except ImportError:          # the `fast` extra is optional; the dev extra installs it
    orjson = None


def reference_records(source: Path, chunk_size: int = 10_000) -> list[list[dict]]:
    """The record path: rows read, grouped one by one into records (`group_rows`, `result_record`)."""
    return [group_rows(rows) for rows in read_claims(source, chunk_size=chunk_size)]


def reference_output(source: "Path | list[list[dict]]", target: Path, chunk_size: int = 10_000) -> bytes:
    """The record path's file: the records of each chunk written by the record writers."""
    chunks = reference_records(source, chunk_size) if isinstance(source, Path) else source
    writer = open_writer(target)
    for records in chunks:
        writer.write(records)
    writer.close()
    return target.read_bytes()




@pytest.fixture(params=["orjson", "standard library"])
def json_library(request, monkeypatch):
    """Run a test with orjson used where it may be, and with the standard library only."""
    if request.param == "orjson":
        if orjson is None:
            pytest.fail("orjson is not installed: `pip install -e '.[dev]'` installs it")
        monkeypatch.setattr(result_columns, "ORJSON", orjson)
    else:
        monkeypatch.setattr(result_columns, "ORJSON", None)
    return request.param


def awkward_claims(tmp_path: Path) -> Path:
    """Fixture claims with awkward ids and extra columns, bad rows between them, extras that
    differ from row to row (and shadow result keys), in a JSON Lines file."""
    with gzip.open(FIXTURE, "rt") as stream:
        claims = [json.loads(line) for _, line in zip(range(240), stream)]
    lines = []
    for k, claim in enumerate(claims):
        text = AWKWARD[k % len(AWKWARD)]
        claim = dict(claim, id=f"{claim['id']}{text}", billed=text, note=k if k % 3 else None,
                     amount=1.5 * k, tags=[text, k], status="input status", mce={"x": text})
        if k % 7 == 0:
            claim["only_some"] = text
        if k % 11 == 0:
            claim["age"] = "old"                  # INVALID_AGE: no claim
        if k % 13 == 0:
            claim["pdx"] = None                   # MISSING_PDX
        if k % 17 == 0:
            claim["version"] = 999                # UNKNOWN_VERSION
        if k % 19 == 0:
            claim["sdx"] = [{"code": text, "poa": "Y"}] + claim["sdx"]    # codes are taken as given
        lines.append(json.dumps(claim, ensure_ascii=False))
    lines.insert(5, '{"id": "shape", "sdx": "E119"}')          # a record of the wrong shape
    path = tmp_path / "awkward.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def fixture_columns() -> list[ResultColumns]:
    """The fixture's chunks grouped by the column-wise path of `drg group`."""
    chunks = [batch.group_chunk(chunk) for chunk, _ in batch.column_chunks(read_claims(FIXTURE, chunk_size=1500))]
    assert all(c is not None for c in chunks)
    return chunks


@pytest.fixture(scope="module")
def fixture_records_in_chunks() -> list[list[dict]]:
    return reference_records(FIXTURE, chunk_size=1500)


def test_drg_group_writes_the_record_paths_json_lines_on_the_conformance_fixture(tmp_path,
                                                                                  fixture_records_in_chunks):
    new = tmp_path / "new.jsonl"
    result = CliRunner().invoke(main, ["group", str(FIXTURE), "-o", str(new), "--quiet"])
    assert result.exit_code == 0, result.output
    assert new.read_bytes() == reference_output(fixture_records_in_chunks, tmp_path / "old.jsonl")


@pytest.mark.parametrize("suffix", OUTPUTS)
def test_every_format_from_columns_is_the_record_paths_bytes_on_the_conformance_fixture(
        tmp_path, suffix, fixture_columns, fixture_records_in_chunks, json_library):
    """The writers `drg group` uses (write_columns: one chunk at a time, 1,500 rows a chunk)."""
    writer = open_writer(tmp_path / f"new.{suffix}")
    for results in fixture_columns:
        writer.write_columns(results)
    writer.close()
    old = reference_output(fixture_records_in_chunks, tmp_path / f"old.{suffix}")
    assert (tmp_path / f"new.{suffix}").read_bytes() == old


@pytest.mark.parametrize("suffix", OUTPUTS)
def test_awkward_text_and_bad_rows_come_out_as_on_the_record_path(tmp_path, suffix, json_library):
    source = awkward_claims(tmp_path)
    new = tmp_path / f"new.{suffix}"
    summary = run_batch(source, new, chunk_size=50)
    old = reference_output(source, tmp_path / f"old.{suffix}", chunk_size=50)
    assert new.read_bytes() == old
    assert summary.claims_out == 241 and sum(summary.by_status.values()) == 241
    assert summary.by_return_code["(not grouped)"] > 0          # the bad rows are there, not dropped


def test_the_column_path_runs_without_the_record_path(tmp_path, monkeypatch):
    """`drg group` (no --edits) groups and writes by columns: the record path is not called."""
    def no_records(*args, **kwargs):
        raise AssertionError("the record path was used")
    monkeypatch.setattr(batch, "group_rows", no_records)
    summary = run_batch(awkward_claims(tmp_path), tmp_path / "out.jsonl", chunk_size=64)
    assert summary.claims_out == 241


def test_workers_send_column_chunks_and_write_the_same_bytes(tmp_path):
    source = awkward_claims(tmp_path)
    for suffix in ("jsonl", "parquet"):
        one, two = tmp_path / f"one.{suffix}", tmp_path / f"two.{suffix}"
        run_batch(source, one, chunk_size=40)
        summary = run_batch(source, two, chunk_size=40, workers=2)
        assert two.read_bytes() == one.read_bytes()
        assert summary.claims_out == 241


def test_a_chunk_the_engine_fails_on_is_grouped_claim_by_claim(tmp_path, monkeypatch):
    """One bad claim gets its own GROUPER_ERROR row; the rest of its chunk is grouped as usual."""
    with gzip.open(FIXTURE, "rt") as stream:
        claims = [json.loads(line) for _, line in zip(range(30), stream)]
    source = tmp_path / "claims.jsonl"
    source.write_text("".join(json.dumps(c) + "\n" for c in claims))
    reference = [json.loads(line) for line in reference_output(source, tmp_path / "old.jsonl").splitlines()]
    bad = claims[7]["id"]
    real_group_claim = batch.group_claim

    def engine_fails(columns, tables_for):
        raise RuntimeError("column-wise engine failed")

    def one_claim_fails(claim, tables):
        if claim.id == bad:
            raise ValueError("boom")
        return real_group_claim(claim, tables)
    monkeypatch.setattr(batch, "group_columns", engine_fails)
    monkeypatch.setattr(batch, "group_claim", one_claim_fails)
    summary = run_batch(source, tmp_path / "new.jsonl", chunk_size=10)
    written = [json.loads(line) for line in (tmp_path / "new.jsonl").read_text().splitlines()]
    assert [r["id"] for r in written] == [c["id"] for c in claims]
    assert written[7]["status"] == "GROUPER_ERROR" and "grouper failed" in written[7]["message"]
    assert written[7]["final_drg"] is None
    assert written[:7] + written[8:] == reference[:7] + reference[8:]
    assert summary.per_claim == 30 and summary.by_status["GROUPER_ERROR"] == 1
    assert "grouped claim by claim (per-claim engine): 30 claims" in summary.text()


def test_the_summary_names_the_per_claim_share_only_when_there_is_one():
    summary = batch.BatchSummary(claims_in=10, claims_out=10)
    summary.by_return_code.update({"OK": 8, "(not grouped)": 2})
    assert "claim by claim" not in summary.text()
    summary.per_claim = 2
    assert "grouped claim by claim (per-claim engine): 2 claims (25.0%)" in summary.text()


# ------------------------------------------------------------------ frames and Arrow tables

def _reference_frame(df: pd.DataFrame) -> pd.DataFrame:
    headers = [str(c) for c in df.columns]
    records = df.astype(object).where(df.notna(), None).to_dict("records")
    results = group_rows(list(_frame_rows(records, headers, None)))
    columns = list(batch.RESULT_KEYS) + [k for k in results[0] if k not in batch.RESULT_KEYS]
    return pd.DataFrame.from_records(results, columns=columns), results


def _golden_frame() -> pd.DataFrame:
    with gzip.open(FIXTURE, "rt") as stream:
        claims = [json.loads(line) for _, line in zip(range(120), stream)]
    for k, claim in enumerate(claims):
        claim["billed_drg"] = 100 + k
        claim["note"] = AWKWARD[k % len(AWKWARD)]
        if k % 9 == 0:
            claim["age"] = -4                              # a row that is no claim
    return pd.DataFrame(claims)


def test_group_frame_and_group_arrow_equal_the_record_path():
    df = _golden_frame()
    expected, records = _reference_frame(df)
    actual = group_frame(df, chunk_size=50)
    pd.testing.assert_frame_equal(actual, expected)
    table = group_arrow(pa.Table.from_pandas(df, preserve_index=False), chunk_size=50)
    assert table.equals(records_to_arrow(records))


# ------------------------------------------------------------------ arbitrary text (hypothesis)

_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
_VALUES = st.one_of(_TEXT, st.integers(min_value=-2**70, max_value=2**70), st.booleans(), st.none(),
                    st.floats(), st.lists(_TEXT, max_size=2), st.dictionaries(_TEXT, st.integers(), max_size=2))
_KEYS = st.one_of(st.sampled_from(["id", "status", "message", "pdx", "billed", "input_id", "x"]), _TEXT)


@pytest.fixture(scope="module")
def grouped_sample():
    """A few fixture claims grouped by the column-wise engine, with their ColumnChunk."""
    rows = next(iter(read_claims(FIXTURE, chunk_size=6)))
    chunk = ColumnChunk.from_rows(rows, batch.version_id)
    return rows, chunk, batch.group_chunk(chunk)


def _rows_with(rows, ids, messages, extras):
    """The rows with other ids, messages and extra columns (claims unchanged)."""
    out = []
    for row, claim_id, message, extra in zip(rows, ids, messages, extras):
        out.append(ClaimRow(row.row_number, claim_id, row.claim, row.status, message, extra))
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          derandomize=True)
@given(data=st.data(), uniform=st.booleans(), use_orjson=st.booleans())
def test_json_lines_and_csv_of_arbitrary_text_equal_the_standard_writers(grouped_sample, data, uniform, use_orjson,
                                                                         monkeypatch):
    rows, chunk, results = grouped_sample
    n = len(results.grouped)
    monkeypatch.setattr(result_columns, "ORJSON", orjson if use_orjson else None)
    ids = data.draw(st.lists(_TEXT, min_size=n, max_size=n))
    messages = data.draw(st.lists(_TEXT, min_size=n, max_size=n))
    if uniform:
        keys = data.draw(st.lists(_KEYS, max_size=4))
        extras = [{k: data.draw(_VALUES) for k in keys} for _ in range(n)]
    else:
        extras = data.draw(st.lists(st.dictionaries(_KEYS, _VALUES, max_size=3), min_size=n, max_size=n))
    codes = results.columns.sdx_code.copy()
    codes[: min(len(codes), n)] = ids[: min(len(codes), n)]              # codes are taken as given, too
    if len(codes) and data.draw(st.booleans()):
        codes[-1] = None                                                 # a code given as null
    procedures = results.columns.procedure_code.copy()
    if len(procedures):
        procedures[0] = data.draw(_TEXT)
    columns = dataclasses.replace(results.columns, claim_id=np.array(ids, dtype=object), sdx_code=codes,
                                  procedure_code=procedures)
    awkward = ResultColumns(n, columns, results.grouped, results.status, np.array(messages, dtype=object),
                            extras, [])
    records = []
    for i, row in enumerate(_rows_with(rows, ids, messages, extras)):
        records.append(result_record(row, columns.result_dict(i)))
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode
    assert bytes(string_bytes(jsonl_lines(awkward))).decode() == "".join(encode(r) + "\n" for r in records)
    for delimiter in (",", "\t"):
        text = io.StringIO()
        csv.writer(text, lineterminator="\n", delimiter=delimiter).writerows(flatten(r) for r in records)
        assert bytes(string_bytes(csv_lines(awkward, delimiter))).decode() == text.getvalue()


def test_a_json_value_is_what_json_dumps_writes_with_and_without_orjson(monkeypatch):
    values = AWKWARD + [0, -1, 2**70, True, False, None, 1.5, float("nan"), [1, "a"], {"k": "v"}]
    expected = [json.dumps(v, ensure_ascii=False, separators=(",", ":")) for v in values]
    for library in (orjson, None):
        monkeypatch.setattr(result_columns, "ORJSON", library)
        assert [result_columns.json_value(v) for v in values] == expected
    strings = pa.array(AWKWARD + [None])
    assert result_columns.json_strings(strings).to_pylist() == expected[:len(AWKWARD)] + ["null"]


def test_parquet_from_columns_has_the_record_paths_content(tmp_path):
    source = awkward_claims(tmp_path)
    run_batch(source, tmp_path / "new.parquet", chunk_size=64)
    reference_output(source, tmp_path / "old.parquet", chunk_size=64)
    new, old = pq.read_table(tmp_path / "new.parquet"), pq.read_table(tmp_path / "old.parquet")
    assert new.schema == old.schema and new.equals(old)
    assert pq.ParquetFile(tmp_path / "new.parquet").num_row_groups == 4       # one row group per chunk


def _typed_parquet(tmp_path: Path) -> Path:
    """A wide Parquet claims file whose extra columns are numbers, dates, flags and nulls."""
    import datetime as dt

    n = 30
    table = pa.table({
        "id": [f"P{k}" for k in range(n)], "version": ["43.1"] * n,
        "age": [40 + k if k != 4 else None for k in range(n)],
        "sex": ["M", "F", "U"] * 10, "discharge_status": [1] * n, "pdx": ["I5021", "J189", "N179"] * 10,
        "sdx1": ["E1165", None, "Z7901"] * 10, "proc1": [None, "02703DZ", None] * 10,
        "billed": list(range(n)), "ratio": [0.5 * k if k % 4 else float("nan") for k in range(n)],
        "seen": [dt.date(2026, 1, 1 + k % 28) for k in range(n)], "flag": [bool(k % 2) for k in range(n)],
        "note": [AWKWARD[k % len(AWKWARD)] if k % 5 else None for k in range(n)]})
    path = tmp_path / "typed.parquet"
    pq.write_table(table, path)
    return path


@pytest.mark.parametrize("suffix", ["jsonl", "csv", "parquet"])
@pytest.mark.parametrize("source", ["typed parquet", "only bad rows", "empty", "wide csv example"])
def test_other_inputs_come_out_as_on_the_record_path(tmp_path, suffix, source, json_library):
    if source == "typed parquet":
        path = _typed_parquet(tmp_path)
    elif source == "only bad rows":
        path = tmp_path / "bad.jsonl"
        path.write_text('{"id": "a", "age": "x"}\n{"id": "b", "version": 999, "note": "x"}\n')
    elif source == "empty":
        path = tmp_path / "empty.jsonl"
        path.write_text("")
    else:
        path = Path(__file__).resolve().parents[1] / "examples" / "claims_wide.csv"
    run_batch(path, tmp_path / f"new.{suffix}", chunk_size=8)
    assert (tmp_path / f"new.{suffix}").read_bytes() == reference_output(path, tmp_path / f"old.{suffix}",
                                                                         chunk_size=8)
