"""Scale out on Dask: group, validate and shift a dask DataFrame of claims, partition by partition.

    import dask.dataframe as dd, drg.dask
    claims = dd.read_parquet("claims/")                  # wide layout, one row per claim
    results = drg.dask.group(claims)                      # lazy; same columns as drg.group_frame
    results.to_parquet("results/")                        # or drg.dask.run_on_dask(...) / `drg group --scheduler`

Why this shape: each partition is an ordinary pandas frame, so every partition runs the
single-machine function (`drg.group_frame`, `drg.validation.validate_rows`,
`drg.validation.shift`) unchanged, through drg.partitions (which drg.spark shares); results are
therefore identical to the single-machine path. Tasks carry version ids only, never a TableSet:
each worker process loads the tables it needs once through `drg.tables.load`, which is cached
per process.

Output dtypes are declared up front (`meta`, drg.partitions.group_meta and its siblings),
computed locally from a one-row sample through the same single-machine function - nothing runs
on the cluster while the graph is built. Integer result fields are nullable (`Int64`).

Dask is an optional extra: `pip install "drg-engine[dask]"`.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Iterator

import pandas as pd

from drg.partitions import (group_meta, group_part, shift_meta, shift_part, validate_meta, validate_part,
                            version_id, wide_sample)

__all__ = ["group", "validate", "shift", "run_on_dask", "open_client", "wide_sample"]


def _dask_dataframe() -> Any:
    try:
        import dask.dataframe as dd
    except ImportError as exc:       # the extra is not installed
        raise ImportError('drg.dask needs Dask: pip install "drg-engine[dask]"') from exc
    return dd


# ------------------------------------------------------------------ the public, lazy functions

def group(ddf: Any, version: "str | int | None" = None) -> Any:
    """Group a dask DataFrame of claims (wide layout); lazy, one result row per input row.

    The result has the columns of `drg.group_frame` (claim-level fields, pdx/sdx/procedures,
    status, message, the input's other columns) and keeps the input's partitions and index.
    """
    _dask_dataframe()
    version = version_id(version)
    meta = group_meta(ddf._meta, version)
    return ddf.map_partitions(group_part, version, meta, meta=meta, align_dataframes=False)


def _length(part: pd.DataFrame) -> pd.Series:
    return pd.Series([len(part)], dtype="int64")


def _with_row_numbers(ddf: Any, function: Callable[..., pd.DataFrame], meta: pd.DataFrame, *args: Any) -> Any:
    """Apply function(partition, first_row, *args), first_row being the partition's global 1-based
    start, so row numbers match the single-machine path. The starts are a lazy running sum of the
    partition lengths (dask's cumsum carries it from partition to partition); nothing is computed
    while the graph is built. Counting rows re-reads a partition, which costs little next to grouping."""
    lengths = ddf.map_partitions(_length, meta=pd.Series([], dtype="int64"), align_dataframes=False)
    starts = lengths.cumsum() - lengths + 1
    return ddf.map_partitions(_first_row_call, starts, function, *args, meta=meta, align_dataframes=False)


def _first_row_call(part: pd.DataFrame, starts: pd.Series, function: Callable[..., pd.DataFrame],
                    *args: Any) -> pd.DataFrame:
    return function(part, int(starts.iloc[0]) if len(starts) else 1, *args)


def validate(ddf: Any, *, version: "str | int | None" = None, base_rate: float | None = None,
             drivers: bool = True) -> Any:
    """Validate a dask DataFrame of claims (wide layout with billed_drg, optional billed_version,
    length_of_stay, provider_id); lazy; the columns of `drg.validation.validations_frame`."""
    version = version_id(version)
    options = {"base_rate": base_rate, "drivers": drivers}
    meta = validate_meta(ddf._meta, version, options)
    return _with_row_numbers(ddf, validate_part, meta, version, options, meta)


def shift(ddf: Any, from_version: "str | int", to_version: "str | int") -> Any:
    """Group every claim under two versions (wide layout); lazy; the per-claim frame of
    `drg.validation.shift` (`.claims`). The summary is a small reduction: compute it from the
    result (`drg.validation.version_shift.summary.summarize_shift(frame, from_version, to_version)`)."""
    from_version, to_version = version_id(from_version), version_id(to_version)
    meta = shift_meta(ddf._meta, from_version, to_version)
    return _with_row_numbers(ddf, shift_part, meta, from_version, to_version, meta)


# ------------------------------------------------------------------ running a job from files

def open_client(scheduler: str) -> tuple[Any, Any]:
    """(client, cluster-or-None) for `--scheduler`: "local:N" starts N local worker processes
    (one thread each: the grouper is pure Python, threads would share one core); anything else is
    the address of a running scheduler (tcp://host:8786)."""
    from distributed import Client, LocalCluster

    if scheduler == "local" or scheduler.startswith("local:"):
        count = scheduler.partition(":")[2]
        workers = int(count) if count else (os.cpu_count() or 1)
        if workers < 1:
            raise ValueError("local:N needs N >= 1")
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        return Client(cluster), cluster
    return Client(scheduler), None


def _is_parquet_folder(path: Path) -> bool:
    return path.is_dir() or "*" in path.name and ".parq" in path.name


def check_dask_input(input_path: "str | Path", input_format: str | None = None) -> None:
    """ValueError, in plain words and before any worker starts, for an input the Dask path does not
    read: it reads Parquet (a file, a folder, a glob) and CSV/TSV. An X12 837 file is read by one
    process only - its claims are found by following envelopes and loops from the start of the
    file, so it cannot be cut into partitions - and JSON Lines is not split either. `input_format`:
    the command's --input-format, when given (else the name tells)."""
    from drg.io.formats import FileFormat, file_kind

    path = Path(input_path)
    if input_format is None and _is_parquet_folder(path):
        return
    kind = file_kind(path, input_format)
    if kind.format is FileFormat.X12:
        raise ValueError(f"{path.name}: X12 837 input is read by one process and does not run on Dask; "
                         f"run without --scheduler")
    if kind.format not in (FileFormat.PARQUET, FileFormat.CSV):
        raise ValueError(f"the Dask path reads Parquet (file or directory) and CSV; {input_path} is neither "
                         f"(convert it, or run without --scheduler)")


def read_claims_frame(input_path: "str | Path", blocksize: str = "64MB") -> Any:
    """A dask DataFrame of a Parquet file, a directory of Parquet files, or CSV file(s) (codes read as text)."""
    from drg.io.formats import FileFormat, file_kind

    check_dask_input(input_path)
    dd = _dask_dataframe()
    path = Path(input_path)
    if _is_parquet_folder(path) or file_kind(path).format is FileFormat.PARQUET:
        check_parquet_parts(path)
        return dd.read_parquet(str(input_path))
    kind = file_kind(path)
    compression = "gzip" if kind.gzip else None
    return dd.read_csv(str(input_path), dtype=str, keep_default_na=False, na_values=[""], sep=kind.delimiter,
                       blocksize=None if compression else blocksize, compression=compression)


def check_parquet_parts(path: Path) -> None:
    """Read the footer of every Parquet part of `path` (a file, a folder, or a glob) before any
    work, so a damaged or truncated part is named (MalformedFileError), not met by a worker as an
    anonymous Arrow error half-way through the run."""
    import pyarrow.parquet as pq

    from drg.io.records import MalformedFileError

    if path.is_dir():
        parts = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(("_", ".")))
    elif "*" in path.name:
        parts = sorted(path.parent.glob(path.name))
    else:
        parts = [path]
    for part in parts:
        try:
            pq.read_metadata(part)
        except Exception as exc:       # noqa: BLE001 - any unreadable footer is the same plain error
            raise MalformedFileError(str(part), "footer", None,
                                     f"is not a readable Parquet file ({type(exc).__name__})") from None


def _to_records(frame: pd.DataFrame) -> list[dict]:
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _write_group_part(frame: pd.DataFrame, directory: str, number: int) -> pd.DataFrame:
    """Write one partition's results as <directory>/part.<number>.parquet (the batch Parquet schema)."""
    import pyarrow.parquet as pq

    from drg.io.writers import RESULT_KEYS, parquet_schema, records_to_arrow

    records = _to_records(frame)
    schema = parquet_schema([c for c in frame.columns if c not in RESULT_KEYS])
    pq.write_table(records_to_arrow(records, schema), os.path.join(directory, f"part.{number:05d}.parquet"),
                   compression="zstd")
    return _counts(frame)


def _write_frame_part(frame: pd.DataFrame, directory: str, number: int) -> pd.DataFrame:
    """Write one partition of validation/shift rows as Parquet (lists and dicts as JSON text)."""
    import json

    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object:
            out[column] = [json.dumps(v, default=str) if isinstance(v, (list, tuple, dict)) else v for v in out[column]]
    out.to_parquet(os.path.join(directory, f"part.{number:05d}.parquet"), index=False)
    return _counts(frame)


def _counts(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.groupby("status", dropna=False).size().rename("rows").reset_index()


def _partitions_in_order(client: Any, result: Any) -> Iterator[pd.DataFrame]:
    """Computed partitions in input order, a few in flight at a time (memory bounded)."""
    from collections import deque

    parts = result.to_delayed()
    window = max(2 * len(client.scheduler_info().get("workers", {})), 2)
    pending: deque = deque()
    for part in parts:
        pending.append(client.compute(part))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def run_on_dask(input_path: "str | Path", output_path: "str | Path", kind: str, scheduler: str,
                **options: Any) -> dict[str, int]:
    """Run `kind` ("group", "validate" or "shift") over a claims file or Parquet directory on Dask.

    `output_path`: an existing or new directory (no suffix) gets one Parquet file per input
    partition (part.00000.parquet ...), written by the workers; a file name (.parquet, .jsonl,
    .csv, optionally .gz; group only) is written here in input order with drg.io's writers.
    `options`: version (group, validate), from_version / to_version (shift), base_rate,
    drivers (validate), blocksize (CSV), input_format (the command's --input-format: an X12 or
    JSON Lines input is refused before a cluster starts). Returns the row count by status.
    """
    blocksize = options.pop("blocksize", "64MB")
    check_dask_input(input_path, options.pop("input_format", None))      # before a cluster starts
    client, cluster = open_client(scheduler)
    try:
        claims = read_claims_frame(input_path, blocksize)
        if kind == "group":
            result = group(claims, options.get("version"))
        elif kind == "validate":
            result = validate(claims, version=options.get("version"), base_rate=options.get("base_rate"),
                              drivers=options.get("drivers", True))
        elif kind == "shift":
            result = shift(claims, options["from_version"], options["to_version"])
        else:
            raise ValueError(f"unknown job kind {kind!r}: group, validate or shift")
        output = Path(output_path)
        if output.suffix == "" or output.is_dir():
            return _write_directory(client, result, output, kind)
        if kind != "group":
            raise ValueError("validate/shift on Dask write a directory of Parquet files; give a directory name")
        return _write_file(client, result, output)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _write_directory(client: Any, result: Any, output: Path, kind: str) -> dict[str, int]:
    from dask import delayed

    output.mkdir(parents=True, exist_ok=True)
    for old in output.glob("part.*.parquet"):      # a rerun replaces, never mixes, old parts
        old.unlink()
    writer = _write_group_part if kind == "group" else _write_frame_part
    tasks = [delayed(writer, pure=False)(part, str(output), n) for n, part in enumerate(result.to_delayed())]
    counts = pd.concat(client.compute(tasks, sync=True), ignore_index=True) if tasks else pd.DataFrame()
    return _summarize(counts)


def _write_file(client: Any, result: Any, output: Path) -> dict[str, int]:
    from drg.io.writers import open_writer

    writer = open_writer(output)              # atomic: drg.io.atomic
    counts = []
    try:
        for frame in _partitions_in_order(client, result):
            writer.write(_to_records(frame))
            counts.append(_counts(frame))
        writer.close()
    except BaseException:
        writer.abandon()
        raise
    return _summarize(pd.concat(counts, ignore_index=True) if counts else pd.DataFrame())


def _summarize(counts: pd.DataFrame) -> dict[str, int]:
    if counts.empty:
        return {}
    totals = counts.groupby("status", dropna=False)["rows"].sum()
    return {str(k): int(v) for k, v in totals.items()}
