"""drg.dask: the Dask path gives the single-machine results, row for row, and survives a lost worker."""
from __future__ import annotations

import gzip
import json
import os
import signal
import time
from pathlib import Path

import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import pandas as pd  # noqa: E402

import drg  # noqa: E402
import drg.dask  # noqa: E402
from drg.validating import validate_rows, validations_frame  # noqa: E402
from drg.io import wide_record  # noqa: E402

FIXTURE = Path(__file__).parent / "fixtures" / "conformance_claims.jsonl.gz"




@pytest.fixture(scope="module")
def claims() -> pd.DataFrame:
    with gzip.open(FIXTURE, "rt", encoding="utf-8") as stream:
        frame = pd.DataFrame([wide_record(json.loads(line)) for line in stream if line.strip()])
    frame["billed_drg"] = [291 + n % 3 for n in range(len(frame))]      # kept as given, and validated
    frame["provider_id"] = [f"P{n % 7}" for n in range(len(frame))]
    return frame


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=40)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def same_values(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Row by row, column by column (nulls equal nulls; Int64 equals int64 for the same numbers)."""
    assert list(got.columns) == list(expected.columns)
    assert len(got) == len(expected)
    got, expected = got.reset_index(drop=True), expected.reset_index(drop=True)
    for column in expected.columns:
        for n, (a, b) in enumerate(zip(got[column].tolist(), expected[column].tolist())):
            if isinstance(a, (list, dict)) or isinstance(b, (list, dict)):
                assert a == b, (column, n)
            elif pd.isna(a) or pd.isna(b):
                assert pd.isna(a) and pd.isna(b), (column, n, a, b)
            else:
                assert a == b, (column, n, a, b)


def test_group_on_cluster_equals_group_frame(client, claims):
    ddf = dd.from_pandas(claims, npartitions=8)
    lazy = drg.dask.group(ddf)
    got = lazy.compute()
    expected = drg.group_frame(claims)
    same_values(got, expected)
    assert got.index.tolist() == claims.index.tolist()          # input order, input index
    assert got.dtypes.to_dict() == lazy.dtypes.to_dict()         # what meta promised
    for column, dtype in expected.dtypes.items():                # single-machine dtypes, ints made nullable
        assert str(got[column].dtype) == {"int64": "Int64"}.get(str(dtype), str(dtype)), column
    assert set(got["status"]) >= {"OK", "MISSING_PDX", "INVALID_AGE"}


def test_group_with_a_version_override(claims):
    frame = claims.head(40)
    got = drg.dask.group(dd.from_pandas(frame, npartitions=3), version="42.1").compute(scheduler="sync")
    same_values(got, drg.group_frame(frame, version="42.1"))
    assert set(got["version"].dropna()) == {421}


def test_building_the_graph_computes_nothing(claims):
    from dask import delayed

    def explode() -> pd.DataFrame:
        raise AssertionError("a partition was computed while the graph was built")

    ddf = dd.from_delayed([delayed(explode)()], meta=claims.iloc[:0], verify_meta=False)
    for lazy in (drg.dask.group(ddf), drg.dask.validate(ddf), drg.dask.shift(ddf, "42.1", "43.0")):
        assert len(lazy.columns) > 10


def test_bad_rows_keep_declared_dtypes(claims):
    frame = claims.head(6).astype({"version": object})
    frame.loc[frame.index[0], "version"] = "99.9"          # unknown version: nothing grouped on that row
    lazy = drg.dask.group(dd.from_pandas(frame, npartitions=2))
    got = lazy.compute(scheduler="sync")
    assert got["status"].iloc[0] == "UNKNOWN_VERSION" and pd.isna(got["final_drg"].iloc[0])
    assert got["final_drg"].dtype == "Int64" and lazy.dtypes.to_dict() == got.dtypes.to_dict()
    assert len(got) == len(frame)


def test_validate_and_shift_equal_single_machine(client, claims):
    from drg.partitions import claim_rows

    frame = claims.iloc[::7]                                    # ~620 claims, every version
    ddf = dd.from_pandas(frame, npartitions=5)
    got = drg.dask.validate(ddf).compute()
    expected = validations_frame(validate_rows(claim_rows(frame, None, 1)))
    same_values(got, expected)
    assert got["row_number"].tolist() == list(range(1, len(frame) + 1))    # global, not per partition

    got = drg.dask.shift(ddf, "42.1", "43.0").compute()
    expected = drg.validation.shift(claim_rows(frame, "42.1", 1), "42.1", "43.0").claims
    same_values(got, expected)
    assert (got["from_version"] == "42.1").all() and got["to_drg"].notna().sum() > len(frame) * 0.9


def test_run_on_dask_parquet_directory_and_file(client, claims, tmp_path):
    source = tmp_path / "claims"
    source.mkdir()
    frame = claims.head(300).astype({"age": "int64"})
    for n, part in enumerate((frame.iloc[:120], frame.iloc[120:])):    # a partitioned dataset, 2 files
        part.to_parquet(source / f"part.{n}.parquet", index=False)
    address = client.scheduler.address

    counts = drg.dask.run_on_dask(source, tmp_path / "results", "group", address)
    assert sum(counts.values()) == 300
    written = pd.concat([pd.read_parquet(p) for p in sorted((tmp_path / "results").glob("part.*.parquet"))])
    assert written["id"].tolist() == frame["claim_id"].tolist()       # order follows input partitions
    expected = drg.group_frame(frame)
    assert written["final_drg"].tolist() == expected["final_drg"].tolist()

    drg.dask.run_on_dask(source, tmp_path / "results.jsonl", "group", address)
    from drg.io import read_results
    records = list(read_results(tmp_path / "results.jsonl"))
    assert [r["id"] for r in records] == frame["claim_id"].tolist()
    assert [r["final_drg"] for r in records] == expected["final_drg"].tolist()


def test_a_lost_worker_does_not_lose_or_repeat_rows(claims):
    """Kill one of two worker processes mid-job: every row still comes back exactly once."""
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=50)
    try:
        with distributed.Client(cluster) as client:
            frame = claims.head(2400)
            future = client.compute(drg.dask.group(dd.from_pandas(frame, npartitions=24)))
            deadline = time.monotonic() + 30
            victim = None
            while victim is None and time.monotonic() < deadline:     # wait until a worker is busy
                busy = [address for address, keys in client.processing().items() if keys]
                if busy:
                    victim = busy[0]
                time.sleep(0.05)
            assert victim is not None, "no task started"
            pid = client.run(os.getpid, workers=[victim])[victim]
            os.kill(pid, signal.SIGKILL)
            got = future.result(timeout=120)
            assert not future.cancelled()
    finally:
        cluster.close()
    assert len(got) == len(frame)
    assert got["id"].tolist() == frame["claim_id"].tolist()      # each row once, in input order
    assert got["id"].is_unique
    assert got["final_drg"].tolist() == drg.group_frame(frame)["final_drg"].tolist()


def test_cli_group_with_scheduler(client, claims, tmp_path):
    from click.testing import CliRunner

    from drg.cli import main

    source = tmp_path / "claims.parquet"
    claims.head(50).to_parquet(source, index=False)
    result = CliRunner().invoke(main, ["group", str(source), "-o", str(tmp_path / "out"),
                                       "--scheduler", client.scheduler.address])
    assert result.exit_code == 0, result.output
    written = pd.concat([pd.read_parquet(p) for p in sorted((tmp_path / "out").glob("part.*.parquet"))])
    assert written["id"].tolist() == claims["claim_id"].head(50).tolist()
    result = CliRunner().invoke(main, ["group", str(source), "--scheduler", "local:1"])
    assert result.exit_code != 0 and "-o" in result.output


@pytest.mark.parametrize("command", ["group", "validate", "shift"])
def test_a_corrupt_parquet_part_is_named_before_any_work(client, claims, tmp_path, command):
    from click.testing import CliRunner

    from drg.cli import main

    folder = tmp_path / "claims"
    folder.mkdir()
    claims.head(20).to_parquet(folder / "part.0.parquet", index=False)
    damaged = folder / "part.1.parquet"
    claims.iloc[20:40].to_parquet(damaged, index=False)
    damaged.write_bytes(damaged.read_bytes()[:-40])           # the footer cut off
    extra = ["--from", "43.1", "--to", "44.0"] if command == "shift" else []
    result = CliRunner().invoke(main, [command, str(folder), *extra, "-o", str(tmp_path / "out"),
                                       "--scheduler", client.scheduler.address])
    assert result.exit_code == 1, result.output
    assert "part.1.parquet" in result.output and "not a readable Parquet file" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not (tmp_path / "out").exists()
