"""drg.batch: group_frame / group_arrow equal the single-claim path; the file runner keeps every row,
keeps input order with workers, and writes byte-identical output."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from click.testing import CliRunner

import drg
from drg.batch import group_rows, run_batch
from drg.cli import main
from drg.io import read_claims, read_results, write_claims
from drg.io.claim_writers import wide_header, wide_record, wide_row

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_SMOKE = Path(__file__).resolve().parents[1].parent / "shared" / "golden" / "smoke.jsonl.gz"


def conformance_claims() -> list[dict]:
    """The committed conformance fixture; the golden smoke set when it is absent."""
    path = FIXTURES / "conformance_claims.jsonl.gz"
    if not path.exists():
        path = SHARED_SMOKE
    if not path.exists():
        pytest.skip("no conformance fixture and no ../shared/golden")
    with gzip.open(path, "rt") as stream:
        return [json.loads(line) for line in stream]


@pytest.fixture(scope="module")
def fixture_claims() -> list[dict]:
    return conformance_claims()


@pytest.fixture(scope="module")
def single_path(fixture_claims) -> list[dict]:
    return [drg.group(c).to_dict() for c in fixture_claims]


def _golden_part(record: dict) -> dict:
    return {k: v for k, v in record.items() if k not in ("status", "message")}


def test_group_frame_equals_the_single_claim_path_on_the_whole_fixture(fixture_claims, single_path):
    frame = pd.DataFrame(fixture_claims)          # golden-form columns: pdx dicts, sdx lists
    out = drg.group_frame(frame)
    assert len(out) == len(fixture_claims)
    records = out.to_dict("records")
    mismatches = [r["id"] for r, s in zip(records, single_path) if _golden_part(r) != s]
    assert not mismatches, mismatches[:5]


def test_group_frame_on_the_wide_layout_equals_the_single_claim_path(fixture_claims, single_path):
    # the wide layout cannot carry a null-vs-blank principal diagnosis or blank secondary codes
    claims = [drg.Claim.from_dict(c) for c in fixture_claims]
    keep = [i for i, c in enumerate(claims) if c.pdx and c.pdx.code and all(d.code for d in c.sdx)
            and all(claims[i].procedures) and len(c.sdx) <= 24]
    header = wide_header()
    frame = pd.DataFrame([wide_row(claims[i]) for i in keep], columns=header)
    out = drg.group_frame(frame).to_dict("records")
    assert len(out) == len(keep) > 0.9 * len(claims)
    mismatches = [claims[i].id for r, i in zip(out, keep) if _golden_part(r) != single_path[i]]
    assert not mismatches, mismatches[:5]


def test_group_arrow_gives_the_parquet_schema_and_the_same_results(fixture_claims, single_path):
    claims = [drg.Claim.from_dict(c) for c in fixture_claims[:300]]
    claims = [c for c in claims if c.pdx and c.pdx.code and len(c.sdx) <= 24 and all(d.code for d in c.sdx)]
    table = pa.Table.from_pylist([wide_record(c) for c in claims])
    out = drg.group_arrow(table, chunk_size=64)
    assert out.num_rows == len(claims)
    assert {"pdx", "sdx", "procedures", "status", "message"} <= set(out.column_names)
    expected = {c["id"]: s for c, s in zip(fixture_claims, single_path)}
    for record in out.to_pylist():
        assert _golden_part(record) == expected[record["id"]]


def test_identical_claims_in_a_chunk_are_grouped_once_and_keep_their_own_ids(fixture_claims):
    claim = fixture_claims[0]
    rows = [r for chunk in read_claims(_jsonl_file([dict(claim, id=f"x{i}") for i in range(3)])) for r in chunk]
    records = group_rows(rows)
    assert [r["id"] for r in records] == ["x0", "x1", "x2"]
    assert records[0]["sdx"] is records[1]["sdx"]         # one grouping shared
    assert _golden_part(records[2]) == dict(drg.group(dict(claim, id="x2")).to_dict())


def _jsonl_file(claims: list[dict], path: Path | None = None) -> Path:
    import tempfile
    path = path or Path(tempfile.mkdtemp()) / "claims.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in claims))
    return path


def test_file_run_keeps_every_row_in_order_with_workers_and_is_byte_identical(tmp_path, fixture_claims):
    claims = fixture_claims[:400] + [{"id": "bad-version", "version": "9.9", "pdx": {"code": "I5021"}},
                                     {"id": "bad-age", "version": 431, "age": "x", "pdx": {"code": "I5021"}}]
    source = _jsonl_file(claims, tmp_path / "in.jsonl")
    outputs = {}
    for fmt in ("jsonl", "parquet", "csv"):
        one = tmp_path / f"one.{fmt}"
        two = tmp_path / f"two.{fmt}"
        s1 = run_batch(source, one, workers=1, chunk_size=50)
        s2 = run_batch(source, two, workers=2, chunk_size=37)
        assert s1.claims_in == s1.claims_out == len(claims) == s2.claims_out
        if fmt != "parquet":     # Parquet row groups follow the chunk size; the rows are compared below
            assert one.read_bytes() == two.read_bytes()
        again = tmp_path / f"again.{fmt}"
        run_batch(source, again, workers=1, chunk_size=50)
        assert one.read_bytes() == again.read_bytes()
        outputs[fmt] = list(read_results(two))
        assert [r["id"] for r in outputs[fmt]] == [c["id"] for c in claims]
    assert s1.by_status["UNKNOWN_VERSION"] == 1 and s1.by_status["INVALID_AGE_VALUE"] == 1
    assert outputs["jsonl"] == outputs["parquet"]
    last = outputs["jsonl"][-1]
    assert last["final_drg"] is None and last["status"] == "INVALID_AGE_VALUE" and "age" in last["message"]
    assert not list(tmp_path.glob("*.partial"))


def test_cli_file_mode_formats_summary_and_fatal_errors(tmp_path, fixture_claims):
    claims = [drg.Claim.from_dict(c) for c in fixture_claims[:30]]
    source = write_claims(tmp_path / "in.csv.gz", claims)
    runner = CliRunner()
    result = runner.invoke(main, ["group", str(source), "-o", str(tmp_path / "out.parquet"), "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "claims in: 30; claims out: 30" in result.output and "pdx <- pdx" in result.output
    assert len(list(read_results(tmp_path / "out.parquet"))) == 30
    quiet = runner.invoke(main, ["group", str(source), "-o", str(tmp_path / "q.csv"), "--quiet"])
    assert quiet.exit_code == 0 and quiet.output == ""
    broken = tmp_path / "broken.csv"
    broken.write_text('claim_id,version,pdx\nA,431,I5021\nB,431,"I50"21\n')
    failed = runner.invoke(main, ["group", str(broken), "-o", str(tmp_path / "x.jsonl")])
    assert failed.exit_code != 0 and "line 3" in failed.output and "pdx" in failed.output
    assert not (tmp_path / "x.jsonl").exists() and not (tmp_path / "x.jsonl.partial").exists()
    version_override = runner.invoke(main, ["group", str(source), "-o", str(tmp_path / "v.jsonl"),
                                            "--version", "40.0", "--quiet"])
    assert version_override.exit_code == 0
    assert {r["version"] for r in read_results(tmp_path / "v.jsonl")} == {400}


def test_progress_bar_only_on_a_terminal(tmp_path, fixture_claims):
    import io

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True
    source = _jsonl_file(fixture_claims[:20], tmp_path / "in.jsonl")
    shown, hidden = Terminal(), io.StringIO()
    run_batch(source, tmp_path / "a.jsonl", progress=shown, chunk_size=5)
    run_batch(source, tmp_path / "b.jsonl", progress=hidden, chunk_size=5)
    assert "claims/s" in shown.getvalue() and "20 claims" in shown.getvalue()
    assert hidden.getvalue() == ""
