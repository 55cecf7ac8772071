"""Scale out on Spark: group, validate and shift a Spark DataFrame of claims (wide layout).

    from pyspark.sql import SparkSession
    import drg.spark
    spark = SparkSession.builder.master("local[2]").getOrCreate()
    claims = spark.read.parquet("claims/")               # one row per claim, wide layout
    results = drg.spark.group(claims)                     # lazy; the columns of drg.group_frame
    results.write.parquet("results/")

Why this shape: each Arrow batch of a partition becomes an ordinary pandas frame
(`mapInPandas`), and the very functions drg.dask runs on a partition run on it
(`drg.batch.group_frame`, `drg.validation.validate_rows`, `drg.validation.shift` through
drg.partitions), so results are the single-machine results. The output schema
is declared up front, from the same local one-row sample drg.dask uses for its `meta`; nothing
runs on the cluster while the plan is built (validate and shift count each partition's rows
once, to number rows as the single-machine path does). Tasks carry version ids only: each
executor's Python worker loads the tables it needs once (`drg.tables.load` is cached per
process, and Spark reuses its Python workers).

Column types: text columns are strings, integer fields nullable longs, and the nested fields
(`pdx`, `sdx`, `procedures`, and validate's `reasons` / `drivers` when nested) are JSON text.
A task that fails and is retried recomputes its whole partition, and Spark keeps only the
output of the attempt that succeeded: no row is lost or repeated.

Spark is an optional extra: `pip install "drg-engine[spark]"` (Java 17 or newer).
"""
from __future__ import annotations

import json
from typing import Any, Callable, Iterator

import pandas as pd

from drg.partitions import (group_meta, group_part, shift_meta, shift_part, validate_meta, validate_part,
                            version_id)

__all__ = ["group", "validate", "shift", "spark_schema"]

_PARTITION = "_drg_partition"


def _pyspark() -> Any:
    try:
        import pyspark.sql.functions as functions
        import pyspark.sql.types as types
    except ImportError as exc:       # the extra is not installed
        raise ImportError('drg.spark needs PySpark: pip install "drg-engine[spark]"') from exc
    return functions, types


def _pandas_like(schema: Any) -> pd.DataFrame:
    """An empty pandas frame with the dtypes Spark hands mapInPandas for `schema` (for the sample)."""
    _, T = _pyspark()
    dtypes: dict[str, Any] = {}
    for f in schema.fields:
        kind = f.dataType
        if isinstance(kind, (T.ByteType, T.ShortType, T.IntegerType, T.LongType)):
            dtypes[f.name] = "int64"
        elif isinstance(kind, (T.FloatType, T.DoubleType, T.DecimalType)):
            dtypes[f.name] = "float64"
        elif isinstance(kind, T.BooleanType):
            dtypes[f.name] = "bool"
        else:
            dtypes[f.name] = object
    return pd.DataFrame({name: pd.Series([], dtype=dtype) for name, dtype in dtypes.items()})


def spark_schema(meta: pd.DataFrame) -> Any:
    """The Spark schema of an output `meta` frame: integers as longs, floats as doubles, booleans,
    everything else (text, nested values as JSON) as strings; every field nullable."""
    _, T = _pyspark()
    fields = []
    for column in meta.columns:
        dtype = meta[column].dtype
        if pd.api.types.is_bool_dtype(dtype):
            kind: Any = T.BooleanType()
        elif pd.api.types.is_integer_dtype(dtype):
            kind = T.LongType()
        elif pd.api.types.is_float_dtype(dtype):
            kind = T.DoubleType()
        else:
            kind = T.StringType()
        fields.append(T.StructField(str(column), kind, True))
    return T.StructType(fields)


_JSON = json.JSONEncoder(default=str)     # one encoder, not one per value (json.dumps builds one)


def _json_text(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and value != value:      # NaN: a null
        return None
    return _JSON.encode(value)


def _for_spark(frame: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    """A result batch in the declared schema: text columns as str or None, nested values as JSON."""
    out = frame.copy(deep=False)
    for column in meta.columns:
        dtype = meta[column].dtype
        if not (pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_integer_dtype(dtype)
                or pd.api.types.is_float_dtype(dtype)):
            out[column] = pd.Series([_json_text(v) for v in out[column].tolist()], index=out.index, dtype=object)
    return out


# Rows handed to the single-machine function at a time, and so per result batch sent back. A
# whole Arrow batch (10,000 rows by default, often a whole partition) would keep the JVM idle
# while Python groups it and Python idle while the JVM writes its results; slices of this size
# let the JVM write one slice's results while the next slice is grouped.
SLICE_ROWS = 1_000


def _slices(batch: pd.DataFrame, size: int) -> Iterator[pd.DataFrame]:
    for start in range(0, len(batch), size):
        yield batch.iloc[start:start + size].reset_index(drop=True)


def _batches(meta: pd.DataFrame, work: Callable[[pd.DataFrame, int], pd.DataFrame],
             starts: dict[int, int] | None) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    """The function mapInPandas runs on each partition: `work(rows, first_row)` per slice of
    SLICE_ROWS rows (its value when the plan is built) of each Arrow batch, each result sent
    back as its own batch. With `starts` (partition id -> first global row), batches carry the
    partition id column."""
    slice_rows = max(int(SLICE_ROWS), 1)

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        done = 0
        for batch in batches:
            start = 1
            if starts is not None:
                start = starts[int(batch[_PARTITION].iloc[0])] if len(batch) else 1
                batch = batch.drop(columns=[_PARTITION])
            for rows in _slices(batch, slice_rows):
                yield _for_spark(work(rows, start + done if starts is not None else 1), meta)
                done += len(rows)

    return run


def _input_sample(df: Any) -> pd.DataFrame:
    return _pandas_like(df.schema)


def _numbered(df: Any) -> tuple[Any, dict[int, int]]:
    """`df` with its partition id as a column, and each partition's first global row (1-based, in
    partition order: the order `collect()` and a written dataset keep)."""
    F, _ = _pyspark()
    tagged = df.withColumn(_PARTITION, F.spark_partition_id())
    counts = {int(r[_PARTITION]): int(r["count"]) for r in tagged.groupBy(_PARTITION).count().collect()}
    starts, running = {}, 1
    for partition in range(df.rdd.getNumPartitions()):
        starts[partition] = running
        running += counts.get(partition, 0)
    return tagged, starts


def group(df: Any, version: "str | int | None" = None) -> Any:
    """Group a Spark DataFrame of claims (wide layout); lazy, one result row per input row, in the
    input's partitions and order; the columns of `drg.group_frame`."""
    version = version_id(version)
    meta = group_meta(_input_sample(df), version)

    def work(batch: pd.DataFrame, first_row: int) -> pd.DataFrame:
        return group_part(batch, version, meta)

    return df.mapInPandas(_batches(meta, work, None), spark_schema(meta))


def validate(df: Any, *, version: "str | int | None" = None, base_rate: float | None = None,
             drivers: bool = True) -> Any:
    """Validate a Spark DataFrame of claims (wide layout with billed_drg, optional billed_version,
    length_of_stay, provider_id); the columns of `drg.validation.validations_frame`. Counts each
    partition's rows first (one pass) so row numbers are those of the single-machine path."""
    version = version_id(version)
    options = {"base_rate": base_rate, "drivers": drivers}
    meta = validate_meta(_input_sample(df), version, options)
    tagged, starts = _numbered(df)

    def work(batch: pd.DataFrame, first_row: int) -> pd.DataFrame:
        return validate_part(batch, first_row, version, options, meta)

    return tagged.mapInPandas(_batches(meta, work, starts), spark_schema(meta))


def shift(df: Any, from_version: "str | int", to_version: "str | int") -> Any:
    """Group every claim under two versions (wide layout); the per-claim frame of
    `drg.validation.shift`; summarize it with drg.validation.shift_summary.summarize on the
    collected result (`.toPandas()`)."""
    from_version, to_version = version_id(from_version), version_id(to_version)
    meta = shift_meta(_input_sample(df), from_version, to_version)
    tagged, starts = _numbered(df)

    def work(batch: pd.DataFrame, first_row: int) -> pd.DataFrame:
        return shift_part(batch, first_row, from_version, to_version, meta)

    return tagged.mapInPandas(_batches(meta, work, starts), spark_schema(meta))

