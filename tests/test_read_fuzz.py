"""Random bytes and random CSV / JSON Lines / Parquet through every reader (issue 11, fault tests):
either MalformedFileError naming the file and a place, or one row per input record, each with a
RowStatus — never another exception. Fixed seed; DRG_FUZZ_EXAMPLES=5000 for a long local run."""
from __future__ import annotations

import csv
import gzip
import io
import json
import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drg.io import MalformedFileError, read_claims
from drg.io.columns import canonical, is_long, map_long
from drg.io.normalize import text
from drg.status import RowStatus

EXAMPLES = int(os.environ.get("DRG_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, derandomize=True, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PLACES = ("line", "row", "header", "schema", "file footer")

KNOWN = ["claim_id", "id", "version", "age", "sex", "discharge_status", "hospital_status", "discharge_date",
         "pdx", "pdx_poa", "principal_dx", "admit_dx", "sdx1", "sdx1_poa", "secondary_dx_1", "sdx2", "dx1", "dx2",
         "poa1", "proc1", "px1", "sdx100", "code_type", "code", "poa", "sequence", "billed_drg", "note"]
CELLS = st.one_of(st.sampled_from(["", " ", "I5021", "i50.21", "J9601", "Y", "Z", "M", "Q", "431", "43.1", "12.5",
                                   "67", "-1", "1e400", "nan", "pdx", "sdx", "proc", "x", "2024-01-01", "A", "B",
                                   "NON_EXEMPT", "MAYBE", "\u0131", '"', "a,b", "\n", "9" * 5001]),
                  st.text(max_size=8))
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KNOWN + ["code", "poa"]), inner,
                                                                 max_size=4),
    max_leaves=10)


def read_all(path: Path, input_format: str | None = None) -> list:
    return [row for chunk in read_claims(path, input_format=input_format, chunk_size=7) for row in chunk]


def check_rows(rows: list) -> None:
    for row in rows:
        status = RowStatus(row.status)           # a member, or ValueError fails the test
        assert isinstance(row.message, str) and (status == RowStatus.OK) == (not row.message)
        if status != RowStatus.INVALID_DISCHARGE_DATE:    # grouped or not depending on a version
            assert (row.claim is not None) == status.grouped, (status, row.message)


def outcome(path: Path, input_format: str | None = None) -> list | None:
    """The rows, or None after a MalformedFileError that names the file and a place."""
    try:
        rows = read_all(path, input_format)
    except MalformedFileError as exc:
        assert str(path) in str(exc) and exc.where and any(p in exc.where for p in PLACES), str(exc)
        return None
    check_rows(rows)
    return rows


def maybe_gzip(data: bytes, gz: bool) -> bytes:
    return gzip.compress(data, mtime=0) if gz else data


@FUZZ
@given(st.binary(max_size=400), st.sampled_from(["claims.jsonl", "claims.csv", "claims.tsv", "claims.parquet",
                                                  "claims.csv.gz", "claims.jsonl.gz"]))
def test_random_bytes_through_every_reader(data, name):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        outcome(path)


@FUZZ
@given(st.lists(st.one_of(JSON_VALUES, st.dictionaries(st.sampled_from(KNOWN), JSON_VALUES, max_size=8),
                          st.just(" "), st.just("not json {")), max_size=8), st.booleans())
def test_random_json_lines(records, gz):
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("c.jsonl.gz" if gz else "c.jsonl")
        path.write_bytes(maybe_gzip("".join(line + "\n" for line in lines).encode("utf-8", "surrogatepass"), gz))
        rows = outcome(path)
        claims = [r for r in records if not (isinstance(r, str) and not r.strip())]
        if all(isinstance(r, dict) for r in claims) and not any("\ud800" <= c <= "\udfff" for c in "".join(lines)):
            assert rows is not None and len(rows) == len(claims)      # one row per claim, in order
            assert [row.row_number for row in rows] == list(range(1, len(claims) + 1))
        elif claims and not isinstance(claims[0], dict):
            assert rows is None


@FUZZ
@given(st.text(alphabet=st.sampled_from(list('ab,"\t\n\r {}[]:19.-I5021Ypdxclaim_id\u0131\x00')), max_size=300),
       st.sampled_from(["c.csv", "c.tsv", "c.jsonl"]))
def test_random_text_through_every_text_reader(body, name):
    """Arbitrary text made of the characters that matter to the parsers (quotes, separators, line ends)."""
    for header in ("", "claim_id,version,pdx\n", "claim_id\tversion\tpdx\n", "claim_id,version,code_type,code\n"):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            path.write_text(header + body, encoding="utf-8")
            outcome(path)


@st.composite
def csv_tables(draw):
    headers = draw(st.lists(st.one_of(st.sampled_from(KNOWN), st.text(min_size=1, max_size=6)), min_size=1,
                            max_size=8))
    body = draw(st.lists(st.lists(CELLS, min_size=len(headers), max_size=len(headers)), max_size=8))
    return headers, body


@FUZZ
@given(csv_tables(), st.sampled_from([",", "\t"]), st.booleans())
def test_random_csv_tables(table, delimiter, gz):
    headers, body = table
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(body)
    suffix = ".csv" if delimiter == "," else ".tsv"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("c" + suffix + (".gz" if gz else ""))
        path.write_bytes(maybe_gzip(out.getvalue().encode("utf-8", "surrogatepass"), gz))
        rows = outcome(path)
        if rows is None:
            return
        records = [r for r in body if not (len(r) == 1 and not r[0].strip() and len(headers) > 1)]
        assert len(rows) == _claims_in(headers, records)


def _claims_in(headers: list[str], records: list[list]) -> int:
    """Wide: one claim a record; long: one a block of records with the same claim id."""
    if not is_long(headers):
        return len(records)
    id_column = map_long(headers)[0]["id"]
    index = headers.index(id_column)
    ids = [text(r[index]) for r in records]
    return sum(1 for n, claim_id in enumerate(ids) if n == 0 or ids[n - 1] != claim_id)


PARQUET_COLUMNS = st.sampled_from([pa.string(), pa.int64(), pa.float64(), pa.bool_()])


@FUZZ
@given(st.lists(st.sampled_from(KNOWN), min_size=1, max_size=6, unique_by=canonical), st.data())
def test_random_parquet_tables(headers, data):
    rows_count = data.draw(st.integers(0, 6))
    columns = {}
    for header in headers:
        kind = data.draw(PARQUET_COLUMNS)
        values = {pa.string(): CELLS, pa.int64(): st.integers(-2 ** 63, 2 ** 63 - 1),
                  pa.float64(): st.floats(), pa.bool_(): st.booleans()}[kind]
        columns[header] = pa.array(data.draw(st.lists(st.none() | values, min_size=rows_count,
                                                      max_size=rows_count)), type=kind)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.parquet"
        pq.write_table(pa.table(columns), path)
        rows = outcome(path)
        if rows is None:
            return
        table = pa.table(columns).to_pylist()
        assert len(rows) == _claims_in(headers, [[r[h] for h in headers] for r in table])


@FUZZ
@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 255)), min_size=1, max_size=4),
       st.integers(0, 2_000), st.sampled_from(["c.csv.gz", "c.jsonl.gz"]))
def test_damaged_gzip_files(flips, cut, name):
    """A real gzip file with bytes flipped or its end cut off: a clean error or rows, never zlib.error."""
    body = (b"claim_id,version,pdx\n" + b"".join(b"%d,431,I5021\n" % n for n in range(500)) if name.endswith("csv.gz")
            else b"".join(b'{"id": "%d", "version": 431, "pdx": "I5021"}\n' % n for n in range(500)))
    data = bytearray(gzip.compress(body, mtime=0))
    for at, xor in flips:
        data[at % len(data)] ^= xor
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(bytes(data[: len(data) - cut % len(data)]))
        outcome(path)


def test_the_fuzz_strategies_reach_both_outcomes():
    """Guard against a fuzz that never reaches the reader: a good file reads, a bad one fails."""
    with tempfile.TemporaryDirectory() as folder:
        good = Path(folder) / "g.csv"
        good.write_text("claim_id,version,pdx\n1,431,I5021\n")
        assert len(outcome(good)) == 1
        bad = Path(folder) / "b.csv"
        bad.write_text("claim_id,version,pdx\n1,431\n")
        assert outcome(bad) is None
