"""drg.spark on a local Spark session (local[2]): the single-machine results row by row, and a
failed task retried loses and repeats no row."""
from __future__ import annotations

import gzip
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

pytest.importorskip("pyspark", reason="PySpark (the spark extra, in dev) runs drg.spark")
if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
    pytest.skip("Spark needs Java 17 or newer: no java on PATH and no JAVA_HOME", allow_module_level=True)

import pandas as pd  # noqa: E402

import drg.spark  # noqa: E402
from drg.batch import group_frame  # noqa: E402
from drg.io import wide_record  # noqa: E402
from drg.validating import validate_rows, validations_frame  # noqa: E402

FIXTURE = Path(__file__).parent / "fixtures" / "conformance_claims.jsonl.gz"


@pytest.fixture(scope="module")
def spark():
    os.environ["PYSPARK_PYTHON"] = sys.executable           # executors run this interpreter
    from pyspark.sql import SparkSession

    # local[2, 2]: two cores, a task may fail once and be retried (the retry test needs it)
    session = (SparkSession.builder.master("local[2,2]").appName("drg-tests")
               .config("spark.ui.enabled", "false").config("spark.default.parallelism", "4")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.sql.execution.arrow.maxRecordsPerBatch", "300").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def claims() -> pd.DataFrame:
    with gzip.open(FIXTURE, "rt", encoding="utf-8") as stream:
        frame = pd.DataFrame([wide_record(json.loads(line)) for line in stream if line.strip()])
    frame["billed_drg"] = [291 + n % 3 for n in range(len(frame))]
    return frame


def same_rows(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Row by row, column by column; Spark's nested columns are JSON text of the pandas values."""
    assert list(got.columns) == list(expected.columns)
    assert len(got) == len(expected)
    got, expected = got.reset_index(drop=True), expected.reset_index(drop=True)
    for column in expected.columns:
        for n, (a, b) in enumerate(zip(got[column].tolist(), expected[column].tolist())):
            if isinstance(b, (list, dict)):
                assert json.loads(a) == json.loads(json.dumps(b, default=str)), (column, n)
            elif b is None or (isinstance(b, float) and b != b) or b is pd.NA:
                assert a is None or (isinstance(a, float) and a != a) or a is pd.NA, (column, n, a)
            else:
                assert a == b, (column, n, a, b)


def test_group_equals_group_frame_row_by_row(spark, claims: pd.DataFrame) -> None:
    df = spark.createDataFrame(claims)
    assert df.rdd.getNumPartitions() > 1
    same_rows(drg.spark.group(df).toPandas(), group_frame(claims))


def test_validate_and_shift_equal_the_single_machine_path(spark, claims: pd.DataFrame, monkeypatch) -> None:
    from drg.partitions import claim_rows
    from drg.validation.version_shift import shift_rows

    monkeypatch.setattr(drg.spark, "SLICE_ROWS", 7)          # several slices a batch: row numbers run on

    part = claims.iloc[::5].reset_index(drop=True)
    df = spark.createDataFrame(part).repartition(3)        # shuffled: row numbers follow the partitions
    got = drg.spark.validate(df, drivers=False).toPandas()
    order = pd.Series(range(len(part)), index=part["claim_id"])
    assert sorted(got["row_number"]) == list(range(1, len(part) + 1))          # numbered once each
    back = df.toPandas()                                   # the input in the result's (partition) order
    expected = validations_frame(validate_rows(claim_rows(back, None, 1), drivers=False))
    same_rows(got, expected)
    assert set(order.index) == set(got["id"])
    moved = drg.spark.shift(df, "43.1", "44.0").toPandas()
    same_rows(moved, shift_rows(claim_rows(back, 431, 1), 431, 440))


def test_a_failed_task_retried_loses_and_repeats_no_row(spark, claims: pd.DataFrame, tmp_path: Path,
                                                        monkeypatch) -> None:
    from pyspark.sql import functions as F

    monkeypatch.setattr(drg.spark, "SLICE_ROWS", 50)         # the failing task has sent results already

    marker = str(tmp_path / "failed-once")
    target = claims["claim_id"].iloc[len(claims) // 4 + 700]     # inside a partition, after earlier batches

    @F.udf("string")
    def fails_once(claim_id: str) -> str:
        if claim_id == target and not os.path.exists(marker):
            open(marker, "w").close()
            raise RuntimeError("injected failure, first attempt only")
        return claim_id

    df = spark.createDataFrame(claims).withColumn("claim_id", fails_once("claim_id"))
    got = drg.spark.group(df).toPandas()
    assert os.path.exists(marker), "the task did fail once"
    assert got["id"].tolist() == claims["claim_id"].tolist()          # every row once, in order
    same_rows(got, group_frame(claims))
