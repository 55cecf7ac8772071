"""Batch grouping: DataFrames, Arrow tables and claim files, one result row per input row.

    drg.group_frame(df)                       # wide-layout DataFrame -> results DataFrame
    drg.group_arrow(table)                    # the same over a pyarrow Table
    run_batch("claims.csv.gz", "out.parquet", workers=2)    # streaming, what `drg group FILE` runs

Every result equals what the single-claim path `drg.group` gives for the same claim: the batch
path calls the same engine, and only saves work around it (identical claims in a chunk are
grouped once; the tables of each version are loaded once).
"""
from __future__ import annotations

import sys
import time
from collections import Counter, deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, TextIO

from drg.claim import Claim
from drg.grouper import group_claim
from drg.io.readers import TableRows, golden_fields, open_claims
from drg.io.normalize import build_row, cached_version
from drg.io.records import ClaimRow
from drg.io.writers import CLAIM_FIELDS, RESULT_KEYS, open_writer, records_to_arrow
from drg.tables import TableIntegrityError, load, parse_version
from drg.workers import parent_watch_args, sigint_held, start_worker, stop_workers

_EMPTY_FIELDS = dict.fromkeys(CLAIM_FIELDS)


def result_record(row: ClaimRow, result: dict | None, status: str | None = None, message: str | None = None) -> dict:
    """The output record of one input row: the golden output form, status, message, extra columns."""
    if result is None:
        version = row.claim.version if row.claim is not None else None
        record: dict[str, Any] = {"id": row.claim_id, "version": version, **_EMPTY_FIELDS,
                                  "pdx": None, "sdx": [], "procedures": []}
    else:
        record = dict(result)
        record["id"] = row.claim_id
    record["status"] = status or row.status
    record["message"] = row.message if message is None else message
    for key, value in row.extra.items():
        record[key if key not in RESULT_KEYS else f"input_{key}"] = value
    return record


def _memo_key(claim: Claim) -> tuple:
    """Two claims that differ only by id (or by discharge date within one version) group the same way."""
    return (claim.version, claim.age, claim.sex, claim.discharge_status, claim.hospital_status,
            claim.pdx, claim.admit_dx, claim.sdx, claim.procedures)


def group_rows(rows: list[ClaimRow]) -> list[dict]:
    """Group one chunk of ClaimRows into result records, in order.

    Identical claims (all fields but the id) are grouped once per chunk. An engine failure on
    one claim becomes that row's status (GROUPER_ERROR), never the end of the batch.
    """
    seen: dict[tuple, dict] = {}
    out = []
    for row in rows:
        claim = row.claim
        if claim is None:
            out.append(result_record(row, None))
            continue
        key = _memo_key(claim)
        result = seen.get(key)
        if result is None:
            try:
                result = group_claim(claim, load(cached_version(claim.version))).to_dict()
            except TableIntegrityError:       # damaged tables are fatal, never a row error
                raise
            except Exception as exc:          # noqa: BLE001 - one bad claim must not stop the batch
                out.append(result_record(row, None, "GROUPER_ERROR",
                                         f"the grouper failed on this claim ({type(exc).__name__}); please report it"))
                continue
            seen[key] = result
        out.append(result_record(row, result))
    return out


# ------------------------------------------------------------------ frames and Arrow tables

def _frame_rows(records: Iterable[dict], headers: list[str], version: Any) -> Iterator[ClaimRow]:
    nested = "pdx" in headers and "sdx" in headers and "procedures" in headers
    if nested:      # the golden JSON form as columns (pdx a dict, sdx a list of dicts)
        for number, record in enumerate(records, 1):
            fields, extra, errors = golden_fields(record)
            yield build_row(number, fields, version=version, extra=extra, errors=errors)
        return
    table = TableRows(headers, "<frame>", version)
    yield from table.read(("", r) for r in records)


def group_frame(df: Any, version: "str | int | None" = None) -> Any:
    """Group every row of a pandas DataFrame (wide or long layout, or golden-form columns).

    Returns a DataFrame with one row per claim, in input order: id, version, the claim-level
    result fields, pdx / sdx / procedures (golden output form), status, message and the
    input's other columns. `version` overrides the claims' own versions.
    """
    import pandas as pd

    headers = [str(c) for c in df.columns]
    frame = df.copy(deep=False)
    frame.columns = headers
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    results = group_rows(list(_frame_rows(records, headers, version)))
    columns = list(RESULT_KEYS) + [k for k in (results[0] if results else {}) if k not in RESULT_KEYS]
    return pd.DataFrame.from_records(results, columns=columns)


def group_arrow(table: Any, version: "str | int | None" = None, chunk_size: int = 10_000) -> Any:
    """Group every row of a pyarrow Table; returns a Table with the Parquet output schema."""

    headers = list(table.column_names)
    results: list[dict] = []
    rows = _frame_rows((r for batch in table.to_batches(chunk_size) for r in batch.to_pylist()), headers, version)
    chunk: list[ClaimRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= chunk_size:
            results.extend(group_rows(chunk))
            chunk = []
    results.extend(group_rows(chunk))
    return records_to_arrow(results) if results else records_to_arrow([], None)


# ------------------------------------------------------------------ the file runner

@dataclass
class BatchSummary:
    """What a run did: counts in and out, by row status and by final return code."""

    claims_in: int = 0
    claims_out: int = 0
    by_status: Counter = field(default_factory=Counter)
    by_return_code: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    matched: str = ""

    def add(self, rows: list[ClaimRow], records: list[dict]) -> None:
        self.claims_in += len(rows)
        self.claims_out += len(records)
        for record in records:
            self.by_status[record["status"]] += 1
            self.by_return_code[record["final_return_code"] or "(not grouped)"] += 1

    def text(self) -> str:
        rate = self.claims_out / self.seconds if self.seconds > 0 else 0.0

        def counts(counter: Counter) -> str:
            return ", ".join(f"{k} {v:,}" for k, v in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))
        return (f"claims in: {self.claims_in:,}; claims out: {self.claims_out:,}; "
                f"{self.seconds:.1f} s ({rate:,.0f} claims/s)\n"
                f"by status: {counts(self.by_status) or '-'}\n"
                f"by final return code: {counts(self.by_return_code) or '-'}")


class Progress:
    """A one-line progress bar on a terminal: claims done, claims/s, ETA. Silent otherwise."""

    def __init__(self, stream: TextIO | None, fraction: Any) -> None:
        self.stream = stream if stream is not None and stream.isatty() else None
        self.fraction = fraction
        self.start = time.monotonic()
        self.last = 0.0

    def update(self, done: int, force: bool = False) -> None:
        if self.stream is None:
            return
        now = time.monotonic()
        if not force and now - self.last < 0.2:
            return
        self.last = now
        elapsed = max(now - self.start, 1e-9)
        share = self.fraction()
        eta = "" if share <= 0 or share >= 1 else f"  ETA {_clock(elapsed * (1 - share) / share)}"
        width = 24
        bar = "#" * int(width * share) + "-" * (width - int(width * share))
        self.stream.write(f"\r[{bar}] {done:,} claims  {done / elapsed:,.0f} claims/s{eta}   ")
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not None:
            self.stream.write("\n")
            self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _grouped_chunks(chunks: Iterator[list[ClaimRow]], workers: int) -> Iterator[tuple[list[ClaimRow], list[dict]]]:
    """Each chunk with its results, in input order; with workers > 1, N processes and a bounded queue.

    The workers end with this run (drg.workers): when the parent process dies, and when the
    run stops early (Ctrl-C, an error, the consumer closing this generator) they are stopped
    at once rather than finishing the queued chunks.
    """
    if workers <= 1:
        for chunk in chunks:
            yield chunk, group_rows(chunk)
        return
    pool = ProcessPoolExecutor(max_workers=workers, initializer=start_worker, initargs=parent_watch_args())
    try:
        pending: deque[tuple[list[ClaimRow], Future]] = deque()
        for chunk in chunks:
            with sigint_held():             # a worker started by this submit ignores Ctrl-C first
                pending.append((chunk, pool.submit(group_rows, chunk)))
            if len(pending) >= 2 * workers:     # memory stays bounded by a few chunks
                done_chunk, future = pending.popleft()
                yield done_chunk, future.result()
        while pending:
            done_chunk, future = pending.popleft()
            yield done_chunk, future.result()
    except BaseException:
        stop_workers(pool)
        raise
    pool.shutdown(wait=True)


def run_batch(input_path: "str | Path", output_path: "str | Path", *, input_format: str | None = None,
              output_format: str | None = None, workers: int = 1, chunk_size: int = 10_000,
              version: "str | int | None" = None, claims_table: "str | Path | None" = None,
              progress: TextIO | None = None) -> BatchSummary:
    """Group a claims file into a results file ("-": standard output), streaming chunk by chunk.

    The output is checked and created before any claim is read, under a temporary name of this
    run's own (drg.io.atomic), and renamed onto `output_path` only when every row is written: a
    run that stops on a malformed file (MalformedFileError), an error or SIGTERM leaves no file
    under the final name. `progress`: a stream for the progress bar (shown only on a terminal).
    """
    if version is not None:
        parse_version(version)             # an unknown run version is a usage error, not a row error
    if str(output_path) == "-":
        writer = open_writer("-", output_format, stream=sys.stdout.buffer)
    else:
        writer = open_writer(output_path, output_format, inputs=(input_path, claims_table))
    summary = BatchSummary()
    start = time.monotonic()
    try:
        reader = open_claims(input_path, input_format, chunk_size, version, claims_table)
        bar = Progress(progress, reader.fraction_done)
        try:
            for rows, records in _grouped_chunks(iter(reader), max(int(workers), 1)):
                writer.write(records)
                summary.add(rows, records)
                bar.update(summary.claims_out)
            bar.update(summary.claims_out, force=True)
        finally:
            bar.close()
        writer.close()
    except BaseException:
        writer.abandon()
        raise
    summary.seconds = time.monotonic() - start
    summary.matched = reader.describe()
    return summary


