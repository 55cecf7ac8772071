"""Batch grouping: DataFrames, Arrow tables and claim files, one result row per input row.

    drg.group_frame(df)                       # wide-layout DataFrame -> results DataFrame
    drg.group_arrow(table)                    # the same over a pyarrow Table
    run_batch("claims.csv.gz", "out.parquet", workers=2)    # streaming, what `drg group FILE` runs

Every result equals what the single-claim path `drg.group` gives for the same claim. A chunk of
input rows becomes a drg.io.records.ColumnChunk (`column_chunks`: the seam where a reader that
builds the columns itself plugs in), the column-wise engine groups its claims at once
(drg.grouper.group_columns) and the writers write the results from their columns
(drg.io.result_columns), byte for byte what the record path (`group_rows`, `result_record`)
writes. The record path stays for `--edits` (the code editor's results are records) and for a
chunk the column-wise engine fails on: that chunk is grouped claim by claim, so one bad claim
gets its own GROUPER_ERROR row and the batch goes on.
"""
from __future__ import annotations

import dataclasses
import itertools
import sys
import time
from collections import Counter, deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, TextIO

from drg.claim import INVALID_SEX_MESSAGE, Claim
from drg.grouper import group_claim, group_columns
from drg.io.column_reader import ColumnChunkReader, open_column_chunks
from drg.io.readers import TableRows, golden_fields, open_claims
from drg.io.normalize import build_row, cached_version
from drg.io.records import ClaimRow, ColumnChunk
from drg.io.result_columns import ChunkEncoder, ResultColumns, arrow_table, first_extra_names
from drg.io.writers import (CLAIM_FIELDS, MCE_KEY, RESULT_KEYS, ResultWriter, open_writer, parquet_schema,
                            records_to_arrow)
from drg.tables import TableIntegrityError, load, parse_version
from drg.workers import parent_watch_args, sigint_held, start_worker, stop_workers

_EMPTY_FIELDS = dict.fromkeys(CLAIM_FIELDS)
_NO_EDITS: Any = object()         # result_record without the MCE (plain `drg group`)
_RESERVED_WITH_EDITS = frozenset(RESULT_KEYS) | {MCE_KEY}


def result_record(row: ClaimRow, result: dict | None, status: str | None = None, message: str | None = None,
                  mce: Any = _NO_EDITS) -> dict:
    """The output record of one input row: the golden output form, status, message, extra columns.

    `mce` (`drg group --edits`): the row's MCE result in the golden MCE form (None for a row
    that is no claim), written after `message`; an input column named `mce` is then `input_mce`.
    """
    if result is None:
        version = row.claim.version if row.claim is not None else None
        record: dict[str, Any] = {"id": row.claim_id, "version": version, **_EMPTY_FIELDS,
                                  "pdx": None, "sdx": [], "procedures": []}
    else:
        record = dict(result)
        record["id"] = row.claim_id
    record["status"] = status or row.status
    record["message"] = row.message if message is None else message
    reserved: Any = RESULT_KEYS
    if mce is not _NO_EDITS:
        record[MCE_KEY] = mce
        reserved = _RESERVED_WITH_EDITS
    for key, value in row.extra.items():
        record[key if key not in reserved else f"input_{key}"] = value
    return record


# rows that are no claim but whose discharge date is the reason: the MCE's own answer
_NO_DATE_STATUSES = ("INVALID_DISCHARGE_DATE", "MISSING_VERSION")


def edit_row(row: ClaimRow, seen: dict | None = None) -> tuple[dict | None, str]:
    """The MCE result of one row in the golden MCE form, and a note for its message ("" if none).

    The editor reads the claim as the grouper does (drg.claim.Claim, with its admission date
    and length of stay). A row that is no claim gets `{"id", "edit_type":
    "INVALID_DISCHARGE_DATE", "edits": []}` when a missing or unreadable discharge date (or
    version) is why, else None. A sex the claim model read as U because it was not M, F or U
    is handed on as invalid, so the MCE raises its INVALID_SEX as `drg edit` does. `seen`
    remembers results within a chunk (claims that differ only by id edit the same way).
    """
    from drg.mce import edit_claim

    claim = row.claim
    if claim is None:
        if row.status in _NO_DATE_STATUSES:
            return {"id": row.claim_id, "edit_type": "INVALID_DISCHARGE_DATE", "edits": []}, ""
        return None, ""
    if INVALID_SEX_MESSAGE in row.message:
        claim = dataclasses.replace(claim, sex="?")
    key = (_memo_key(claim), claim.discharge_date, claim.length_of_stay)
    if seen is not None and key in seen:
        return {**seen[key], "id": row.claim_id}, ""
    try:
        golden = edit_claim(claim).to_dict()
    except Exception as exc:          # noqa: BLE001 - one bad claim must not stop the batch
        return None, f"the code editor failed on this claim ({type(exc).__name__}); please report it"
    if seen is not None:
        seen[key] = golden
    golden["id"] = row.claim_id
    return golden, ""


def _memo_key(claim: Claim) -> tuple:
    """Two claims that differ only by id (or by discharge date within one version) group the same way."""
    return (claim.version, claim.age, claim.sex, claim.discharge_status, claim.hospital_status,
            claim.pdx, claim.admit_dx, claim.sdx, claim.procedures)


def group_rows(rows: list[ClaimRow], edits: bool = False) -> list[dict]:
    """Group one chunk of ClaimRows into result records, in order.

    Identical claims (all fields but the id) are grouped once per chunk. An engine failure on
    one claim becomes that row's status (GROUPER_ERROR), never the end of the batch.
    `edits`: each record also carries the claim's MCE result (`mce`, see `edit_row`).
    """
    seen: dict[tuple, dict] = {}
    edited: dict[tuple, dict] | None = {} if edits else None
    out = []
    for row in rows:
        more: dict[str, Any] = {}
        if edited is not None:
            mce, note = edit_row(row, edited)
            more["mce"] = mce
            if note:
                more["message"] = row.message + ("; " if row.message else "") + note
        claim = row.claim
        if claim is None:
            out.append(result_record(row, None, **more))
            continue
        key = _memo_key(claim)
        result = seen.get(key)
        if result is None:
            try:
                result = group_claim(claim, load(cached_version(claim.version))).to_dict()
            except TableIntegrityError:       # damaged tables are fatal, never a row error
                raise
            except Exception as exc:          # noqa: BLE001 - one bad claim must not stop the batch
                more["message"] = f"the grouper failed on this claim ({type(exc).__name__}); please report it"
                out.append(result_record(row, None, "GROUPER_ERROR", **more))
                continue
            seen[key] = result
        out.append(result_record(row, result, **more))
    return out


# ------------------------------------------------------------------ chunks as columns

def version_id(claim: Claim) -> int:
    """The CMS version id a claim is grouped with (431 for 43.1)."""
    return cached_version(claim.version).id


def column_chunks(reader: Iterable[list[ClaimRow]]) -> Iterator[tuple[ColumnChunk | None, list[ClaimRow] | None]]:
    """The input's chunks as ColumnChunks, each with the rows it was built from.

    JSON Lines are read column-wise by drg.io.column_reader, whose chunks come directly (their rows
    None: rebuilt from the columns only if the chunk must be grouped claim by claim); other
    formats are read row by row and turned into columns here. A chunk whose columns cannot be
    built is (None, rows): it takes the record path.
    """
    if isinstance(reader, ColumnChunkReader):
        if reader.format == "jsonl":             # read column-wise (drg.io.column_reader)
            for chunk in reader:
                yield chunk, None
            return
        reader = reader.rows                     # other formats: the row reader's chunks
    for rows in reader:
        try:
            chunk = ColumnChunk.from_rows(rows, version_id)
        except TableIntegrityError:
            raise
        except Exception:        # noqa: BLE001 - e.g. a version no table set knows: grouped claim by claim
            yield None, rows
            continue
        yield chunk, rows


def chunk_rows(chunk: ColumnChunk) -> list[ClaimRow]:
    """The ClaimRows of a ColumnChunk, in input order (for a chunk grouped claim by claim)."""
    rows: list[ClaimRow | None] = [None] * chunk.size
    columns = chunk.columns
    for k, position in enumerate(chunk.grouped.tolist()):
        rows[position] = ClaimRow(chunk.first_row + position, columns.claim_id[k], columns.claim(k),
                                  chunk.status[k], chunk.message[k], chunk.extra[k] if chunk.extra else {})
    others = iter(chunk.others)
    return [next(others) if row is None else row for row in rows]


def group_chunk(chunk: ColumnChunk) -> ResultColumns | None:
    """A chunk's results by the column-wise engine; None when the engine fails on the chunk (the
    caller then groups it claim by claim: `group_rows`). Damaged tables are fatal."""
    try:
        grouped = group_columns(chunk.columns, load)
    except TableIntegrityError:
        raise
    except Exception:            # noqa: BLE001 - one bad claim must not stop the batch
        return None
    return ResultColumns.from_chunk(chunk, grouped)


@dataclass
class EncodedChunk:
    """One chunk grouped and encoded for its writer (what a worker sends back): the counts of
    the summary and the encoded output (ChunkEncoder)."""

    size: int
    per_claim: int
    by_status: dict[str, int]
    by_return_code: dict[str, int]
    encoded: Any


def encode_chunk(chunk: ColumnChunk, encoder: ChunkEncoder) -> EncodedChunk | None:
    """Group a chunk with the column-wise engine and encode its results (None: the engine failed)."""
    results = group_chunk(chunk)
    if results is None:
        return None
    return EncodedChunk(results.size, results.per_claim, results.status_counts(), results.return_code_counts(),
                        encoder(results))


def _chunk_results(rows: list[ClaimRow]) -> "ResultColumns | list[dict]":
    """One chunk's results: as columns, or as the record path's records when the engine failed."""
    for chunk, _ in column_chunks([rows]):
        results = group_chunk(chunk) if chunk is not None else None
        if results is not None:
            return results
    return group_rows(rows)


def _row_chunks(rows: Iterable[ClaimRow], size: int) -> Iterator[list[ClaimRow]]:
    chunk: list[ClaimRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


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


def group_frame(df: Any, version: "str | int | None" = None, chunk_size: int = 10_000) -> Any:
    """Group every row of a pandas DataFrame (wide or long layout, or golden-form columns).

    Returns a DataFrame with one row per claim, in input order: id, version, the claim-level
    result fields, pdx / sdx / procedures (golden output form), status, message and the
    input's other columns. `version` overrides the claims' own versions.
    """
    import pandas as pd

    from drg.io.result_columns import frame_records

    headers = [str(c) for c in df.columns]
    frame = df.copy(deep=False)
    frame.columns = headers
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    results: list[dict] = []
    for rows in _row_chunks(_frame_rows(records, headers, version), chunk_size):
        chunk = _chunk_results(rows)
        results.extend(frame_records(chunk) if isinstance(chunk, ResultColumns) else chunk)
    columns = list(RESULT_KEYS) + [k for k in (results[0] if results else {}) if k not in RESULT_KEYS]
    return pd.DataFrame.from_records(results, columns=columns)


def group_arrow(table: Any, version: "str | int | None" = None, chunk_size: int = 10_000) -> Any:
    """Group every row of a pyarrow Table; returns a Table with the Parquet output schema."""
    import pyarrow as pa

    headers = list(table.column_names)
    rows = _frame_rows((r for batch in table.to_batches(chunk_size) for r in batch.to_pylist()), headers, version)
    schema = None
    parts = []
    for chunk_of_rows in _row_chunks(rows, chunk_size):
        results = _chunk_results(chunk_of_rows)
        if isinstance(results, ResultColumns):
            schema = schema or parquet_schema(results.first_extra_names())
            parts.append(arrow_table(results, schema))
        else:
            schema = schema or records_to_arrow(results[:1]).schema
            parts.append(records_to_arrow(results, schema))
    if not parts:
        return records_to_arrow([], None)
    return pa.concat_tables(parts).combine_chunks()


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
    edits: Any = None            # a drg.mce.EditTally when the run edits (`drg group --edits`)
    not_edited: int = 0          # rows without an MCE result (no claim)
    per_claim: int = 0           # claims the per-claim engine grouped (the column-wise engine's fallback)

    def add(self, rows: list[ClaimRow], records: list[dict]) -> None:
        self.claims_in += len(rows)
        self.claims_out += len(records)
        for record in records:
            self.by_status[record["status"]] += 1
            self.by_return_code[record["final_return_code"] or "(not grouped)"] += 1
        if self.edits is not None:
            for record in records:
                mce = record.get(MCE_KEY)
                if mce is None or mce.get("edit_type") is None:
                    self.not_edited += 1
                else:
                    self.edits.add_golden(mce)

    def add_encoded(self, chunk: EncodedChunk) -> None:
        """Count a chunk the column-wise engine grouped."""
        self.claims_in += chunk.size
        self.claims_out += chunk.size
        self.by_status.update(chunk.by_status)
        self.by_return_code.update(chunk.by_return_code)
        self.per_claim += chunk.per_claim

    def text(self) -> str:
        rate = self.claims_out / self.seconds if self.seconds > 0 else 0.0

        def counts(counter: Counter) -> str:
            return ", ".join(f"{k} {v:,}" for k, v in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))
        return (f"claims in: {self.claims_in:,}; claims out: {self.claims_out:,}; "
                f"{self.seconds:.1f} s ({rate:,.0f} claims/s)\n"
                f"by status: {counts(self.by_status) or '-'}\n"
                f"by final return code: {counts(self.by_return_code) or '-'}" + self._per_claim_text()
                + self._edit_text())

    def _per_claim_text(self) -> str:
        """The share of claims the per-claim engine grouped, when there were any."""
        if not self.per_claim:
            return ""
        grouped = self.claims_out - self.by_return_code.get("(not grouped)", 0)
        share = self.per_claim / grouped if grouped else 0.0
        return f"\ngrouped claim by claim (per-claim engine): {self.per_claim:,} claims ({share:.1%})"

    def _edit_text(self) -> str:
        """Claims per MCE edit type and per edit (claims with it, times raised), when the run edits."""
        if self.edits is None:
            return ""
        types = {k: v for k, v in self.edits.edit_types().items() if v}
        if self.not_edited:
            types["(not edited)"] = self.not_edited
        per_type = ", ".join(f"{k} {v:,}" for k, v in sorted(types.items(), key=lambda kv: (-kv[1], kv[0])))
        per_edit = ", ".join(f"{r['edit']} {r['claims']:,}" + (f" ({r['occurrences']:,} times)"
                                                               if r["occurrences"] != r["claims"] else "")
                             for r in self.edits.rows())
        return (f"\nMCE edit type (claims): {per_type or '-'}"
                f"\nMCE edits (claims): {per_edit or 'none'}")


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


def _grouped_chunks(chunks: Iterator[list[ClaimRow]], workers: int,
                    edits: bool = False) -> Iterator[tuple[list[ClaimRow], list[dict]]]:
    """Each chunk with its records (the record path: `--edits`), in input order; with workers > 1,
    N processes and a bounded queue (see `_in_workers`)."""
    if workers <= 1:
        for chunk in chunks:
            yield chunk, group_rows(chunk, edits)
        return
    yield from _in_workers(((chunk, (group_rows, chunk, edits)) for chunk in chunks), workers)


def _in_workers(tasks: Iterator[tuple[Any, tuple]], workers: int) -> Iterator[tuple[Any, Any]]:
    """(item, task result) of each (item, (function, *arguments)), in order, run by N processes
    with at most 2N tasks queued (memory stays bounded by a few chunks).

    The workers end with this run (drg.workers): when the parent process dies, and when the
    run stops early (Ctrl-C, an error, the consumer closing this generator) they are stopped
    at once rather than finishing the queued chunks.
    """
    pool = ProcessPoolExecutor(max_workers=workers, initializer=start_worker, initargs=parent_watch_args())
    try:
        pending: deque[tuple[Any, Future]] = deque()
        for item, (function, *arguments) in tasks:
            with sigint_held():             # a worker started by this submit ignores Ctrl-C first
                pending.append((item, pool.submit(function, *arguments)))
            if len(pending) >= 2 * workers:
                done_item, future = pending.popleft()
                yield done_item, future.result()
        while pending:
            done_item, future = pending.popleft()
            yield done_item, future.result()
    except BaseException:
        stop_workers(pool)
        raise
    pool.shutdown(wait=True)


def _encoded_chunks(source: Iterator[tuple[ColumnChunk | None, list[ClaimRow] | None]], workers: int,
                    writer: ResultWriter) -> Iterator[tuple[tuple, EncodedChunk | None, ChunkEncoder]]:
    """Each (chunk, rows) of `source` with the chunk grouped and encoded for `writer` (None: the
    column-wise engine failed on it, or it has no columns), in input order, and the encoder (the
    same for every chunk: it follows the output's first row); with workers > 1 the chunks are
    grouped and encoded by N processes."""
    first = next(source, None)
    if first is None:
        return
    chunk, rows = first
    if chunk is not None:
        names = first_extra_names(chunk)
    else:                          # a chunk without columns always has its rows
        names = [k for k in result_record((rows or [])[0], None) if k not in RESULT_KEYS]
    encoder = writer.column_encoder(names)

    def tasks() -> Iterator[tuple[tuple, tuple]]:
        for item in itertools.chain([first], source):
            yield item, ((encode_chunk, item[0], encoder) if item[0] is not None else (_no_columns,))
    if workers <= 1:
        for item, (function, *arguments) in tasks():
            yield item, function(*arguments), encoder
        return
    for item, encoded in _in_workers(tasks(), workers):
        yield item, encoded, encoder


def _no_columns() -> None:
    """The task of a chunk without columns: the parent groups it claim by claim."""
    return None


def run_batch(input_path: "str | Path", output_path: "str | Path", *, input_format: str | None = None,
              output_format: str | None = None, workers: int = 1, chunk_size: int = 10_000,
              version: "str | int | None" = None, claims_table: "str | Path | None" = None,
              progress: TextIO | None = None, edits: bool = False) -> BatchSummary:
    """Group a claims file into a results file ("-": standard output), streaming chunk by chunk.

    The output is checked and created before any claim is read, under a temporary name of this
    run's own (drg.io.atomic), and renamed onto `output_path` only when every row is written: a
    run that stops on a malformed file (MalformedFileError), an error or SIGTERM leaves no file
    under the final name. `progress`: a stream for the progress bar (shown only on a terminal).
    `edits`: run the Medicare Code Editor too (each row gets `mce`, drg.io.writers; the summary
    counts claims per edit type and per edit).
    """
    if version is not None:
        parse_version(version)             # an unknown run version is a usage error, not a row error
    if str(output_path) == "-":
        writer = open_writer("-", output_format, stream=sys.stdout.buffer, edits=edits)
    else:
        writer = open_writer(output_path, output_format, inputs=(input_path, claims_table), edits=edits)
    summary = BatchSummary()
    if edits:
        from drg.mce import EditTally
        summary.edits = EditTally(keep_claim_ids=False)
    start = time.monotonic()
    try:
        reader: Any = (open_claims(input_path, input_format, chunk_size, version, claims_table) if edits
                       else open_column_chunks(input_path, input_format, chunk_size, version, claims_table))
        bar = Progress(progress, reader.fraction_done)
        workers = max(int(workers), 1)
        try:
            if edits:                  # the code editor's results are records: the record path
                for rows, records in _grouped_chunks(iter(reader), workers, edits):
                    writer.write(records)
                    summary.add(rows, records)
                    bar.update(summary.claims_out)
            else:
                for (chunk, rows), encoded, encoder in _encoded_chunks(column_chunks(reader), workers, writer):
                    if encoded is not None:
                        writer.write_encoded(encoded.encoded, encoder)
                        summary.add_encoded(encoded)
                    else:              # grouped claim by claim: a bad claim gets its GROUPER_ERROR row
                        rows = rows if rows is not None else chunk_rows(chunk)
                        records = group_rows(rows)
                        writer.write(records)
                        summary.add(rows, records)
                        summary.per_claim += sum(1 for row in rows if row.claim is not None)
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


