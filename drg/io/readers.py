"""Claim file readers: JSON Lines (golden form), CSV and Parquet in the wide or long layout, .gz accepted.

Each reader streams the file in chunks of ClaimRows (memory bounded by the chunk size) and
raises MalformedFileError, naming file, line (or row group) and column, when the file
cannot be read as its format. Bad values inside a well-formed file become row statuses.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
import zlib
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from drg.claim import GOLDEN_KEYS, ShapeProblem, golden_shape
from drg.io.columns import CODE_TYPES, ColumnMap, canonical, is_long, map_long, map_wide
from drg.io.formats import file_kind
from drg.io.normalize import blank, build_row, text, whole_number
from drg.io.records import ClaimRow, MalformedFileError
from drg.status import RowStatus


def detect_format(path: "str | Path") -> str:
    """The format the file name says (drg.io.formats; ".gz" looked through); UnknownFormatError
    (a ValueError) when it says nothing."""
    return file_kind(path).format.value


def _json_record(line: str) -> Any:
    """One JSON value; integers too long for Python (ValueError, not a JSON error) read as infinite."""
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        raise
    except ValueError:
        return json.loads(line, parse_int=_parse_big_int)


class _ByteCounter:
    """Progress of a text file as the share of its (compressed) bytes read so far."""

    def __init__(self, raw: io.BufferedReader, size: int) -> None:
        self.raw, self.size = raw, max(size, 1)

    def fraction(self) -> float:
        try:
            return min(self.raw.tell() / self.size, 1.0)
        except (ValueError, OSError):
            return 1.0


def _open_text(path: Path) -> tuple[io.TextIOWrapper, _ByteCounter]:
    """The file as UTF-8 text; bytes that are not UTF-8 come through as surrogates, so that the
    line holding them is found exactly (`_check_decoded`) instead of somewhere in a read-ahead block."""
    raw = open(path, "rb")
    stream: Any = gzip.GzipFile(fileobj=raw, mode="rb") if path.name.lower().endswith(".gz") else raw
    return (io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline=""),
            _ByteCounter(raw, os.path.getsize(path)))


_UNDECODED = re.compile("[\udc80-\udcff]")


def _check_decoded(path: Path, line: str, line_number: int) -> None:
    """MalformedFileError at the first byte of a line that is not UTF-8 (a Latin-1 file, say)."""
    if not line.isascii():
        bad = _UNDECODED.search(line)
        if bad is not None:
            raise MalformedFileError(str(path), f"line {line_number}, character {bad.start() + 1}", None,
                                     "not UTF-8 text (save the file as UTF-8; Latin-1 and Windows-1252 "
                                     "are not read)")


_READ_ERRORS = (UnicodeDecodeError, OSError, EOFError, zlib.error)


def _read_place(lines_read: int) -> str:
    """Where a read failed: text is read ahead in blocks, so the damage is somewhere past the last good line."""
    return f"after line {lines_read}" if lines_read else "line 1"


def _read_problem(exc: BaseException) -> str:
    """Why the bytes could not be read, without quoting them (gzip's own message shows file bytes)."""
    if isinstance(exc, gzip.BadGzipFile):
        return "cannot be read: not a gzip file, though the name ends in .gz"
    if isinstance(exc, EOFError):
        return "cannot be read: the compressed file ends too early (cut off?)"
    if isinstance(exc, zlib.error):
        return "cannot be read: the compressed data is damaged"
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text (save the file as UTF-8)"
    return f"cannot be read: {exc.strerror or type(exc).__name__}" if isinstance(exc, OSError) else "cannot be read"


def _parse_big_int(digits: str) -> Any:
    """JSON integers longer than Python converts (a 5,001-digit age): a number beyond every range."""
    try:
        return int(digits)
    except ValueError:
        return float("-inf") if digits.startswith("-") else float("inf")


def _chunks(rows: Iterable[ClaimRow], size: int) -> Iterator[list[ClaimRow]]:
    chunk: list[ClaimRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# ---------------------------------------------------------------- golden (nested) records

def golden_fields(record: dict, nan_is_value: bool = False) -> tuple[dict, dict, list[ShapeProblem]]:
    """Fields, extra columns and shape problems of one claim in the golden JSON form
    (the shape rules are the claim model's `golden_shape`, shared with `Claim.from_dict`).
    `nan_is_value`: JSON Lines' NaN is a value (an invalid age); a DataFrame's NaN is a blank."""
    fields, problems = golden_shape(record, nan_is_value)
    extra = {k: v for k, v in record.items() if k not in GOLDEN_KEYS}
    return fields, extra, problems


def jsonl_row(path: Path, line: str, line_number: int, row_number: int, version: Any = None) -> ClaimRow | None:
    """One line of a JSON Lines claims file as the ClaimRow numbered `row_number` (None for a blank
    line); MalformedFileError, naming the line, when it is not one JSON object. The reader's rule
    for each line, shared with the column-wise reader (drg.io.column_reader) for the lines it does
    not read itself."""
    if not line.strip():
        return None
    _check_decoded(path, line, line_number)
    try:
        record = _json_record(line)
    except json.JSONDecodeError as exc:
        raise MalformedFileError(str(path), f"line {line_number}", f"character {exc.colno}",
                                 f"not valid JSON ({exc.msg})") from None
    except RecursionError:
        return ClaimRow(row_number, "", None, RowStatus.INVALID_RECORD,
                        f"line {line_number}: the claim is nested too deeply to read")
    if not isinstance(record, dict):
        raise MalformedFileError(str(path), f"line {line_number}", "character 1",
                                 "each line must be one JSON object (a claim)")
    fields, extra, errors = golden_fields(record, nan_is_value=True)
    return build_row(row_number, fields, version=version, extra=extra, errors=errors)


class ClaimReader:
    """An open claims file: iterate it for chunks of ClaimRows; `columns` says what was matched."""

    def __init__(self, path: "str | Path", input_format: str | None = None, chunk_size: int = 10_000,
                 version: Any = None, claims_table: "str | Path | None" = None,
                 hospital_status: str | None = None) -> None:
        self.path = Path(path)
        self.hospital_status = hospital_status      # X12 only: the POA reporting status (drg.io.x12)
        self.kind = file_kind(self.path, input_format)
        self.format = self.kind.format.value
        if not self.path.exists():
            raise FileNotFoundError(f"{self.path}: no such file")
        if self.path.is_dir():
            raise MalformedFileError(str(self.path), "", None, "is a directory, not a claims file (give one file)")
        self.chunk_size = max(int(chunk_size), 1)
        self.version = version
        self.claims_table = Path(claims_table) if claims_table else None
        self.layout = "golden" if self.format == "jsonl" else "unknown"
        self.columns: ColumnMap | None = None
        self.total: int | None = None          # claims or rows, when known up front (Parquet)
        self._progress: Callable[[], float] = lambda: 0.0

    def describe(self) -> str:
        """What was matched, in plain words."""
        what = f"{self.path.name}: {self.format}, {self.layout} layout"
        return what + (f"; {self.columns.describe()}" if self.columns else "")

    def fraction_done(self) -> float:
        return self._progress()

    def __iter__(self) -> Iterator[list[ClaimRow]]:
        if self.format == "jsonl":
            return _chunks(self._jsonl(), self.chunk_size)
        if self.format == "csv":
            return _chunks(self._csv(), self.chunk_size)
        if self.format == "x12":
            from drg.io.x12 import x12_rows
            rows, self._progress = x12_rows(self.path, version=self.version, hospital_status=self.hospital_status)
            return _chunks(rows, self.chunk_size)
        return _chunks(self._parquet(), self.chunk_size)

    # -------------------------------------------------------------- JSON Lines

    def _jsonl(self) -> Iterator[ClaimRow]:
        stream, counter = _open_text(self.path)
        self._progress = counter.fraction
        row_number = 0
        with stream:
            line_number = 0
            while True:
                try:
                    line = stream.readline()
                except _READ_ERRORS as exc:
                    raise MalformedFileError(str(self.path), _read_place(line_number), None,
                                             _read_problem(exc)) from None
                if not line:
                    break
                line_number += 1
                row = jsonl_row(self.path, line, line_number, row_number + 1, self.version)
                if row is not None:
                    row_number += 1
                    yield row

    # -------------------------------------------------------------- CSV

    def _csv(self) -> Iterator[ClaimRow]:
        stream, counter = _open_text(self.path)
        self._progress = counter.fraction
        delimiter = self.kind.delimiter
        lines = _LineTracker(stream, self.path)
        reader = csv.reader(lines, delimiter=delimiter, strict=True)

        def next_row(headers: list[str]) -> list[str] | None:
            lines.start_record()
            try:
                return next(reader)
            except StopIteration:
                return None
            except csv.Error as exc:
                raise self._csv_error(exc, lines, delimiter, headers) from None
            except _READ_ERRORS as exc:
                raise MalformedFileError(str(self.path), _read_place(lines.count), None,
                                         _read_problem(exc)) from None

        def records() -> Iterator[tuple[str, dict[str, Any]]]:
            headers = next_row([])
            if headers is None:
                return
            yield "", {"headers": headers}   # first item: the header
            width = len(headers)
            while True:
                row = next_row(headers)
                if row is None:
                    return
                if not row or (len(row) == 1 and not row[0].strip() and width > 1):
                    continue
                if len(row) != width:
                    column = headers[len(row)] if len(row) < width else f"{len(row)} (beyond the last header)"
                    raise MalformedFileError(str(self.path), f"line {reader.line_num}", column,
                                             f"{len(row)} fields where the header has {width}")
                yield str(reader.line_num), dict(zip(headers, row))

        with stream:
            items = records()
            first = next(items, None)
            if first is None:
                return
            _check_header_is_names(self.path, first[1]["headers"])
            yield from self._tabular(first[1]["headers"], items)

    def _csv_error(self, exc: csv.Error, lines: "_LineTracker", delimiter: str,
                   headers: list[str]) -> MalformedFileError:
        """The place of a CSV error: a quote never closed is reported where it opened, a field over
        the size limit as too large, other quoting errors at the line and field where they break."""
        def column_of(index: int | None) -> str | None:
            return (headers[index] if index is not None and index < len(headers)
                    else f"field {index + 1}" if index is not None else None)

        record = "".join(lines.record)
        start = lines.record_start
        if "field larger than field limit" in str(exc):
            index, offset, quoted = _large_field(record, delimiter, csv.field_size_limit())
            line = start + record.count("\n", 0, offset)
            problem = f"a field is larger than the limit of {csv.field_size_limit():,} characters"
            if quoted:
                problem += " (or a quote opened there is never closed)"
            return MalformedFileError(str(self.path), f"line {line}", column_of(index), problem)
        open_quote = _open_quote(record, delimiter)
        if open_quote is not None and lines.at_end:
            index, offset = open_quote
            line = start + record.count("\n", 0, offset)
            return MalformedFileError(str(self.path), f"line {line}", column_of(index),
                                      "a quote opened here is never closed")
        index = _quote_error_field(lines.last, delimiter)
        return MalformedFileError(str(self.path), f"line {lines.count}", column_of(index),
                                  f"broken CSV quoting ({exc})")

    # -------------------------------------------------------------- Parquet

    def _parquet(self) -> Iterator[ClaimRow]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            parquet = pq.ParquetFile(self.path)
        except (pa.ArrowException, OSError) as exc:
            raise MalformedFileError(str(self.path), "file footer", None,
                                     f"not a readable Parquet file ({exc})") from None
        schema = parquet.schema_arrow
        self.total = parquet.metadata.num_rows
        headers = list(schema.names)
        done = [0]
        self._progress = lambda: done[0] / max(self.total or 1, 1)
        nested = "pdx" in headers and pa.types.is_struct(schema.field("pdx").type)
        if not nested:
            _check_parquet_schema(self.path, schema)
        group_ends = []
        end = 0
        for i in range(parquet.num_row_groups):
            end += parquet.metadata.row_group(i).num_rows
            group_ends.append(end)

        def row_group_of(position: int) -> int:
            return next((i for i, e in enumerate(group_ends) if position < e), len(group_ends) - 1)

        def batches() -> Iterator[Any]:
            iterator = parquet.iter_batches(batch_size=self.chunk_size)
            while True:
                try:
                    batch = next(iterator)
                except StopIteration:
                    return
                except (pa.ArrowException, OSError) as exc:
                    raise MalformedFileError(str(self.path), f"row group {row_group_of(done[0])}", None,
                                             f"cannot be read ({exc})") from None
                yield batch

        if nested:
            self.layout = "golden (nested)"
            row_number = 0
            for batch in batches():
                for record in batch.to_pylist():
                    row_number += 1
                    fields, extra, errors = golden_fields(record)
                    yield build_row(row_number, fields, version=self.version, extra=extra, errors=errors)
                done[0] += batch.num_rows
            return

        def records() -> Iterator[tuple[str, dict[str, Any]]]:
            for batch in batches():
                start = done[0]
                columns = batch.to_pydict()
                names = list(columns)
                values = [columns[n] for n in names]
                for offset, row in enumerate(zip(*values)):
                    yield f"row {start + offset + 1}", dict(zip(names, row))
                done[0] += batch.num_rows

        yield from self._tabular(headers, records())

    # -------------------------------------------------------------- wide and long tables

    def _tabular(self, headers: list[str], records: Iterator[tuple[str, dict[str, Any]]]) -> Iterator[ClaimRow]:
        table = self._claim_table() if self.claims_table and is_long(headers) else None
        rows = TableRows(headers, str(self.path), self.version, table)
        self.layout, self.columns = rows.layout, rows.columns
        return rows.read(records)

    def _claim_table(self) -> tuple[dict[str, dict[str, Any]], ColumnMap]:
        """The claim-level table of a long file, by claim id (held in memory: one small record per claim)."""
        out: dict[str, dict[str, Any]] = {}
        if self.claims_table is None:
            raise ValueError("no claim-level table was given")
        fmt = detect_format(self.claims_table)
        if fmt == "jsonl":
            raise ValueError("the claim-level table of a long file must be CSV or Parquet")
        import pyarrow as pa
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq
        if self.claims_table.is_dir():
            raise MalformedFileError(str(self.claims_table), "", None, "is a directory, not a claim-level table")
        try:
            table = (pq.read_table(self.claims_table) if fmt == "parquet" else
                     pacsv.read_csv(self.claims_table, convert_options=pacsv.ConvertOptions(
                         column_types={}, strings_can_be_null=False)))
        except (pa.ArrowException, OSError) as exc:
            # Arrow's CSV messages quote the offending row; say only what kind of problem it is
            kind = "not a readable Parquet file" if fmt == "parquet" else "not a readable CSV file"
            raise MalformedFileError(str(self.claims_table), "the claim-level table", None,
                                     f"{kind} ({type(exc).__name__})") from None
        mapping = map_wide(table.column_names)
        id_column = mapping.fields.get("id")
        if id_column is None:
            raise MalformedFileError(str(self.claims_table), "header", None, "no claim id column")
        for record in table.to_pylist():
            out[text(record[id_column])] = record
        return out, mapping


class _LineTracker:
    """Feeds csv.reader line by line, checks each line is UTF-8, and remembers the lines of the
    record being read (to place quoting errors where they start)."""

    def __init__(self, stream: io.TextIOWrapper, path: Path) -> None:
        self.stream, self.path, self.last, self.count = stream, path, "", 0
        self.record: list[str] = []
        self.record_start = 1
        self.at_end = False

    def start_record(self) -> None:
        self.record = []
        self.record_start = self.count + 1

    def __iter__(self) -> "_LineTracker":
        return self

    def __next__(self) -> str:
        line = self.stream.readline()
        if not line:
            self.at_end = True
            raise StopIteration
        self.count += 1
        _check_decoded(self.path, line, self.count)
        self.last = line
        self.record.append(line)
        return line


def _scan_fields(text: str, delimiter: str) -> Iterator[tuple[int, int, int, bool, bool]]:
    """(field index, start offset, length, quoted, closed) of each field of a CSV record's text."""
    index, i, n = 0, 0, len(text)
    while i <= n:
        start = i
        if i < n and text[i] == '"':
            i += 1
            while i < n:
                if text[i] == '"':
                    if i + 1 < n and text[i + 1] == '"':
                        i += 2
                        continue
                    break
                i += 1
            closed = i < n
            if not closed:
                yield index, start, n - start, True, False
                return
            i += 1
            while i < n and text[i] not in (delimiter, "\r", "\n"):
                i += 1
            yield index, start, i - start, True, True
        else:
            while i < n and text[i] not in (delimiter, "\r", "\n"):
                i += 1
            yield index, start, i - start, False, True
        if i >= n or text[i] != delimiter:
            return
        i += 1
        index += 1


def _open_quote(text: str, delimiter: str) -> tuple[int, int] | None:
    """(field index, offset) of a quote in a record's text that is never closed."""
    for index, start, _, quoted, closed in _scan_fields(text, delimiter):
        if quoted and not closed:
            return index, start
    return None


def _large_field(text: str, delimiter: str, limit: int) -> tuple[int | None, int, bool]:
    """(field index, offset, quoted) of the first field of a record longer than `limit`."""
    for index, start, length, quoted, _ in _scan_fields(text, delimiter):
        if length > limit:
            return index, start, quoted
    return None, 0, False


def _quote_error_field(line: str, delimiter: str) -> int | None:
    """The 0-based field of a line where the CSV quoting breaks (None when it cannot be told)."""
    field, in_quotes, at_start, i = 0, False, True, 0
    while i < len(line):
        ch = line[i]
        if in_quotes:
            if ch == '"':
                if i + 1 < len(line) and line[i + 1] == '"':
                    i += 2
                    continue
                in_quotes = False
                if i + 1 < len(line) and line[i + 1] not in (delimiter, "\r", "\n"):
                    return field
        elif ch == '"':
            if not at_start:
                return field
            in_quotes = True
        elif ch == delimiter:
            field += 1
            at_start = True
            i += 1
            continue
        at_start = False
        i += 1
    return field if in_quotes else None


class TableRows:
    """ClaimRows from the records of a table (CSV, Parquet, a DataFrame), wide or long layout."""

    def __init__(self, headers: list[str], source: str, version: Any = None,
                 claim_table: "tuple[dict[str, dict[str, Any]], ColumnMap] | None" = None) -> None:
        self.version, self.claim_table, self.source = version, claim_table, source
        if is_long(headers):
            self.layout = "long"
            self.code_columns, self.columns = map_long(headers)
            missing = [n for n in ("id", "code_type", "code") if n not in self.code_columns]
            if missing:
                raise MalformedFileError(source, "header", None, "a long file needs the columns " + ", ".join(missing))
        else:
            self.layout = "wide"
            self.columns = map_wide(headers)
            if "pdx" not in self.columns.fields:
                raise MalformedFileError(source, "header", None, _no_principal_column(headers, self.columns))
        if self.columns.conflicts:
            # header names only (the header matched known names, so it is a header, not data)
            raise MalformedFileError(source, "header", None, "; ".join(self.columns.conflicts))

    def read(self, records: Iterator[tuple[str, dict[str, Any]]]) -> Iterator[ClaimRow]:
        """`records`: (where, {header: value}) in input order."""
        if self.layout == "long":
            yield from _long_rows(records, self.code_columns, self.columns, self.claim_table, self.version,
                                  self.source)
            return
        for row_number, (_, record) in enumerate(records, 1):
            fields, extra = _wide_fields(record, self.columns)
            yield build_row(row_number, fields, version=self.version, extra=extra)


_LOOKS_LIKE_DATA = re.compile(r"[A-Za-z][0-9][0-9A-Za-z]{1,5}|[+-]?[0-9]+(\.[0-9]*)?")


def _check_header_is_names(path: Path, headers: list[str]) -> None:
    """A first line holding an ICD-10 code or a number is a claim, not a header (a file without its
    header row): refuse it without echoing the values, whatever names it happens to match."""
    values = sum(1 for h in headers if _LOOKS_LIKE_DATA.fullmatch(h.strip()))
    if values:
        raise MalformedFileError(str(path), "line 1", None,
                                 f"the first line holds {values} value(s) that look like codes or numbers where "
                                 f"column names are expected: is the header row missing?")


def _no_principal_column(headers: list[str], mapping: ColumnMap) -> str:
    """Why a wide file cannot be read, naming only the headers that matched known names: a file
    without a header row (or JSON Lines read as CSV) has its first claim there, and those values
    are patient data."""
    known = [header for header in mapping.fields.values()]
    known += list(mapping.sdx.values()) + list(mapping.procedures.values())
    problem = (f"no principal diagnosis column (pdx, principal_dx, dx1, diag_1 ...) among the {len(headers)} "
               f"columns of the first line")
    if not known:
        return problem + "; none of them has a known column name: is the header row missing, or the format wrong?"
    return problem + "; known columns found: " + ", ".join(map(str, known))


def _check_parquet_schema(path: Path, schema: Any) -> None:
    """Code columns must hold text; numbers where numbers are expected."""
    import pyarrow as pa

    headers = list(schema.names)
    if is_long(headers):
        code_columns, claim_columns = map_long(headers)
        text_columns: list[Any] = [code_columns[n] for n in ("code", "code_type", "poa") if n in code_columns]
    else:
        claim_columns = map_wide(headers)
        text_columns = list(claim_columns.sdx.values()) + list(claim_columns.procedures.values())
        text_columns += list(claim_columns.sdx_poa.values())
    text_columns += [claim_columns.fields[n] for n in ("pdx", "pdx_poa", "admit_dx", "admit_dx_poa", "sex",
                                                       "hospital_status") if n in claim_columns.fields]
    for column in text_columns:
        kind = schema.field(column).type
        if pa.types.is_dictionary(kind):
            kind = kind.value_type
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_null(kind)):
            raise MalformedFileError(str(path), "schema", column, f"type {kind} where text is expected")
    for name in ("age", "discharge_status"):
        column = claim_columns.fields.get(name)
        if column is not None:
            kind = schema.field(column).type
            if not (pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_string(kind)
                    or pa.types.is_large_string(kind) or pa.types.is_null(kind)):
                raise MalformedFileError(str(path), "schema", column, f"type {kind} where a number is expected")


_CLAIM_LEVEL = ("id", "version", "discharge_date", "age", "sex", "discharge_status", "hospital_status")


def _wide_fields(record: dict[str, Any], mapping: ColumnMap) -> tuple[dict[str, Any], dict[str, Any]]:
    columns = mapping.fields
    fields = {name: record.get(columns[name]) if name in columns else None for name in _CLAIM_LEVEL}
    pdx = record.get(columns["pdx"])
    fields["pdx"] = None if blank(pdx) else (pdx, record.get(columns["pdx_poa"]) if "pdx_poa" in columns else "")
    admit = record.get(columns["admit_dx"]) if "admit_dx" in columns else None
    fields["admit_dx"] = None if blank(admit) else (
        admit, record.get(columns["admit_dx_poa"]) if "admit_dx_poa" in columns else "")
    poa = mapping.sdx_poa
    fields["sdx"] = [(record[header], record.get(poa[n]) if n in poa else "")
                     for n, header in mapping.sdx.items() if not blank(record[header])]
    fields["procedures"] = [record[header] for header in mapping.procedures.values() if not blank(record[header])]
    extra = {header: record[header] for header in mapping.extra}
    return fields, extra


def _long_rows(records: Iterator[tuple[str, dict[str, Any]]], code_columns: dict[str, str],
               claim_columns: ColumnMap, table: "tuple[dict[str, dict[str, Any]], ColumnMap] | None",
               version: Any, source: str = "<table>") -> Iterator[ClaimRow]:
    """Group consecutive rows of one claim id into a claim. A long file keeps each claim's rows
    together: rows of one claim that come back after another claim's are a MalformedFileError
    naming both lines (grouping each block on its own would give two results under one id)."""
    id_column = code_columns["id"]
    current: list[tuple[str, dict[str, Any]]] = []
    row_number = 0
    seen = _FinishedClaims(source, id_column)

    def finish(rows: list[tuple[str, dict[str, Any]]]) -> ClaimRow:
        nonlocal row_number
        row_number += 1
        seen.add(current_id or "", rows[0][0])
        return _long_claim(row_number, rows, code_columns, claim_columns, table, version)

    current_id: str | None = None
    for where, record in records:
        claim_id = text(record.get(id_column))
        if current and claim_id != current_id:
            yield finish(current)
            current = []
        current_id = claim_id
        current.append((where, record))
    if current:
        yield finish(current)
    seen.flush()


class _FinishedClaims:
    """Claim ids whose block of rows has ended, to catch a claim whose rows come back later.

    The latest ids are held exactly (a dict); older ones as 64-bit hashes in sorted numpy runs
    with the line where their block started: 16 bytes a claim, so ten million claims hold 160 MB
    at most (a chance of a false alarm below one in a million). A claim found again in the runs is
    reported when its batch is flushed, a few thousand claims later, before the file ends.
    """

    BATCH = 65_536

    def __init__(self, source: str, id_column: str) -> None:
        self.source, self.id_column = source, id_column
        self.recent: dict[str, str] = {}                       # claim id -> where its block started
        self.runs: list[tuple[Any, Any]] = []                  # (sorted hashes, first lines)
        self.unit = "line"

    def add(self, claim_id: str, where: str) -> None:
        if not claim_id:          # rows without an id cannot be told apart; each block is one claim
            return
        if where.startswith("row "):
            self.unit, where = "row", where[4:]
        first = self.recent.get(claim_id)
        if first is not None:
            self._fail(claim_id, first, where)
        self.recent[claim_id] = where
        if len(self.recent) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        import numpy as np

        if not self.recent:
            return
        ids = list(self.recent)
        hashes = np.fromiter((hash(i) for i in ids), dtype=np.int64, count=len(ids))
        lines = np.fromiter((int(w) if w.isdigit() else 0 for w in self.recent.values()), dtype=np.int64,
                            count=len(ids))
        for run_hashes, run_lines in self.runs:
            at = np.searchsorted(run_hashes, hashes).clip(max=len(run_hashes) - 1)
            found = np.nonzero(run_hashes[at] == hashes)[0]
            if len(found):
                k = int(found[0])
                self._fail(ids[k], str(int(run_lines[at[k]])), str(int(lines[k])))
        order = np.argsort(hashes, kind="stable")
        self.runs.append((hashes[order], lines[order]))
        self.recent = {}
        while len(self.runs) > 1 and len(self.runs[-1][0]) >= len(self.runs[-2][0]):
            (h2, l2), (h1, l1) = self.runs.pop(), self.runs.pop()
            merged_h, merged_l = np.concatenate([h1, h2]), np.concatenate([l1, l2])
            order = np.argsort(merged_h, kind="stable")
            self.runs.append((merged_h[order], merged_l[order]))

    def _fail(self, claim_id: str, first: str, again: str) -> None:
        raise MalformedFileError(self.source, f"{self.unit} {again}", self.id_column,
                                 f"the rows of claim {claim_id!r} are not together: its first rows start at "
                                 f"{self.unit} {first} and more come back at {self.unit} {again}; keep each "
                                 f"claim's rows adjacent (sort the file by claim id)")


def _place(where: str) -> str:
    return f"line {where}" if where.isdigit() else where or "a row"


def _long_claim(row_number: int, rows: list[tuple[str, dict[str, Any]]], code_columns: dict[str, str],
                claim_columns: ColumnMap, table: "tuple[dict[str, dict[str, Any]], ColumnMap] | None",
                version: Any) -> ClaimRow:
    errors: list[str] = []
    claim_id = text(rows[0][1].get(code_columns["id"]))
    fields: dict[str, Any] = {"id": claim_id}
    # claim-level values: the first non-blank one on the claim's rows, or the claim table
    source_rows = [r for _, r in rows]
    mapping = claim_columns.fields
    if table is not None:
        by_id, table_mapping = table
        row = by_id.get(claim_id)
        if row is None:
            errors.append("claim id not found in the claim-level table")
        else:
            source_rows = [row]
            mapping = table_mapping.fields
    for name in _CLAIM_LEVEL[1:]:
        header = mapping.get(name)
        fields[name] = next((r[header] for r in source_rows if header in r and not blank(r[header])), None)
    extra: dict[str, Any] = {}
    for header in claim_columns.extra:
        extra[header] = next((r[header] for _, r in rows if not blank(r.get(header))), None)

    seq_column = code_columns.get("sequence")
    poa_column = code_columns.get("poa")
    codes: dict[str, list[tuple[int, int, Any, Any]]] = {"pdx": [], "admit_dx": [], "sdx": [], "proc": []}
    for order, (where, record) in enumerate(rows):
        kind = CODE_TYPES.get(canonical(text(record.get(code_columns["code_type"]))))
        code = record.get(code_columns["code"])
        if kind is None:
            errors.append(f"the code type ({_place(where)}) is not pdx, admit, sdx or proc")
            continue
        if blank(code):
            continue
        sequence = whole_number(record.get(seq_column)) if seq_column and not blank(record.get(seq_column)) else None
        codes[kind].append((sequence if sequence is not None else order, order, code,
                            record.get(poa_column) if poa_column else ""))
    for kind in codes:
        codes[kind].sort(key=lambda item: (item[0], item[1]))
    if len(codes["pdx"]) > 1:
        errors.append(f"{len(codes['pdx'])} principal diagnoses")
    if len(codes["admit_dx"]) > 1:
        errors.append(f"{len(codes['admit_dx'])} admit diagnoses")
    fields["pdx"] = (codes["pdx"][0][2], codes["pdx"][0][3]) if codes["pdx"] else None
    fields["admit_dx"] = (codes["admit_dx"][0][2], codes["admit_dx"][0][3]) if codes["admit_dx"] else None
    fields["sdx"] = [(code, poa) for _, _, code, poa in codes["sdx"]]
    fields["procedures"] = [code for _, _, code, _ in codes["proc"]]
    return build_row(row_number, fields, version=version, extra=extra, errors=errors)


def open_claims(path: "str | Path", input_format: str | None = None, chunk_size: int = 10_000,
                version: Any = None, claims_table: "str | Path | None" = None, *,
                hospital_status: str | None = None) -> ClaimReader:
    """An open claims file (iterate it for chunks); see ClaimReader. `hospital_status`: the POA
    reporting status of an X12 file's claims (the 837I does not carry it; other formats ignore it)."""
    return ClaimReader(path, input_format, chunk_size, version, claims_table, hospital_status=hospital_status)


def read_claims(path: "str | Path", input_format: str | None = None, chunk_size: int = 10_000,
                version: Any = None, claims_table: "str | Path | None" = None, *,
                hospital_status: str | None = None) -> Iterator[list[ClaimRow]]:
    """Chunks of ClaimRows, one per input claim, in input order (`hospital_status`: see open_claims)."""
    return iter(ClaimReader(path, input_format, chunk_size, version, claims_table, hospital_status=hospital_status))
