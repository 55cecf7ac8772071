"""Reading a claims file chunk by chunk as claim columns (ColumnChunk), for the column-wise engine.

JSON Lines in the golden form is read fast: blocks of lines are parsed by pyarrow's JSON
reader, and whole-column checks pick the "clean" rows — those the row reader
(drg.io.readers.ClaimReader, whose rules are drg.claim.check_claim) gives status OK with no
message. Those go straight into ClaimColumns. Every other row is read by the row reader's own
rule for one line (`drg.io.readers.jsonl_row`), so its status, message, claim and extra columns
are exactly the row reader's; so are the errors of a malformed file (file, line and column).
Other formats are read by the row reader and turned into columns (`ColumnChunk.from_rows`).

A row is clean when (all checked over whole columns):
- its line is ASCII text starting with "{" and holds no backslash (no escapes: the text is the
  value), and pyarrow reads it as one object with no key outside the golden keys;
- the claim id is text without surrounding blanks, or a whole number;
- version and discharge date, age, sex, discharge status and hospital status each hold a value
  that the row reader itself, asked once per distinct value (`_Verdicts`), takes with status OK
  and no message: the value it produces (the version id, sex "U" for none ...) is the column's;
  numbers must be integers (a JSON 65.0 is left to the row reader);
- the principal diagnosis is given, and every code (principal, admitting, secondary, procedure)
  is text of printable ASCII without blanks, every POA indicator one of Y, N, U, W, 1, E, X, ""
  or null; at most MAX_SDX secondary diagnoses and MAX_PROCEDURES procedures.
Codes of the golden form are kept exactly as given (drg.claim: no normalisation), so the
columns hold the text as read. Anything else, however harmless, is left to the row reader: the
fast path only has to be right about the rows it takes.
"""
from __future__ import annotations

import gzip
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator, NoReturn, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from drg.claim import GOLDEN_KEYS, MAX_PROCEDURES, MAX_SDX, Claim
from drg.claim_columns import NO_AGE, NO_STATUS, ClaimColumns
from drg.io.normalize import build_row
from drg.io.readers import (
    _READ_ERRORS,
    ClaimReader,
    _open_text,
    _read_place,
    _read_problem,
    golden_fields,
    jsonl_row,
)
from drg.io.records import OK, ClaimRow, ColumnChunk, MalformedFileError

__all__ = ["ColumnChunkReader", "open_column_chunks", "read_column_chunks"]

_BOM = b"\xef\xbb\xbf"
_POA_VALUES = ["Y", "N", "U", "W", "1", "E", "X", ""]
_CLEAN_ID = "^[!-~]([ -~]*[!-~])?$"     # printable ASCII, no blank at either end (text() keeps it as is)
_CLEAN_CODE = "^[!-~]+$"                # printable ASCII, no blank
_DEEPEST = 512                          # more brackets than this on a line: not given to pyarrow, whose parser
                                        # recurses (a line nested 30,000 deep crashes it)
_MOST_EXTRA_KEYS = 16                   # a part with more keys outside the golden form goes to the row reader
_SMALLEST_SEGMENT = 1                   # lines pyarrow cannot read below this size go to the row reader


def version_id(claim: Claim) -> int:
    """The version id a checked claim is grouped with (check_claim sets it)."""
    return int(claim.version)  # type: ignore[arg-type]


# ---------------------------------------------------------------- the reader

class ColumnChunkReader:
    """An open claims file: iterate it for ColumnChunks of `chunk_size` rows (the row reader's chunks).

    `fraction_done()` and `describe()` are the row reader's (the progress bar and the run summary
    use them); `rows_fast` / `rows_by_row` count the rows read column-wise and by the row reader.
    """

    def __init__(self, path: "str | Path", input_format: str | None = None, chunk_size: int = 10_000,
                 version: Any = None, claims_table: "str | Path | None" = None) -> None:
        self.rows = ClaimReader(path, input_format, chunk_size, version, claims_table)
        self.path = self.rows.path
        self.format = self.rows.format
        self.chunk_size = self.rows.chunk_size
        self.version = version
        self.rows_fast = 0
        self.rows_by_row = 0
        self._verdicts = _Verdicts(version)
        self._progress: Callable[[], float] | None = None

    def describe(self) -> str:
        """What was matched, in plain words (the row reader's words)."""
        return self.rows.describe()

    def fraction_done(self) -> float:
        return self._progress() if self._progress is not None else self.rows.fraction_done()

    def __iter__(self) -> Iterator[ColumnChunk]:
        if self.format != "jsonl":
            return (ColumnChunk.from_rows(rows, version_id) for rows in self.rows)
        return self._jsonl_chunks()

    # -------------------------------------------------------------- JSON Lines

    def _jsonl_chunks(self) -> Iterator[ColumnChunk]:
        raw = open(self.path, "rb")
        size = max(os.path.getsize(self.path), 1)

        def fraction() -> float:
            try:
                return min(raw.tell() / size, 1.0)
            except (ValueError, OSError):
                return 1.0

        self._progress = fraction
        gzipped = self.path.name.lower().endswith(".gz")
        stream: BinaryIO = gzip.GzipFile(fileobj=raw, mode="rb") if gzipped else raw  # type: ignore[assignment]
        lines = _Lines(self.path, stream)
        row_number = 0
        with raw, stream:
            while True:
                try:
                    block = lines.rows(self.chunk_size)
                    if not len(block):
                        return
                    chunk = self._chunk(block, row_number + 1)
                except MalformedFileError as error:
                    raise (_earlier_read_error(self.path, error) if gzipped else error) from None
                row_number += chunk.size
                yield chunk

    def _chunk(self, block: "_Block", first_row: int) -> ColumnChunk:
        """The ColumnChunk of one chunk's lines: candidates parsed by pyarrow, the rest by the row reader."""
        n = len(block)
        slow = ~block.candidate
        fast_parts: list[tuple[np.ndarray, ClaimColumns, list[dict] | None]] = []
        for start, end in _runs(block.candidate):
            for seg_start, seg_end, table in _parse(block, pa.py_buffer(block.data), start, end):
                if table is None:
                    slow[seg_start:seg_end] = True
                    continue
                try:
                    clean, columns, extras = _clean_columns(table, block, seg_start, self._verdicts)
                except pa.ArrowException:       # a shape pyarrow itself trips over: the row reader reads it
                    slow[seg_start:seg_end] = True
                    continue
                slow[seg_start:seg_end] |= ~clean
                if len(columns):
                    fast_parts.append((np.flatnonzero(clean) + seg_start, columns, extras))
        rows: list[ClaimRow] = []
        for k in np.flatnonzero(slow).tolist():
            row = jsonl_row(self.path, block.line(k).decode("utf-8", "surrogateescape"), int(block.numbers[k]),
                            first_row + k, self.version)
            assert row is not None          # blank lines were left out when the block was read
            rows.append(row)
        self.rows_by_row += len(rows)
        self.rows_fast += n - len(rows)
        return _assemble(first_row, n, fast_parts, np.flatnonzero(slow), rows)


def open_column_chunks(path: "str | Path", input_format: str | None = None, chunk_size: int = 10_000,
                       version: Any = None, claims_table: "str | Path | None" = None) -> ColumnChunkReader:
    """An open claims file (iterate it for ColumnChunks); see ColumnChunkReader."""
    return ColumnChunkReader(path, input_format, chunk_size, version, claims_table)


def read_column_chunks(path: "str | Path", input_format: str | None = None, chunk_size: int = 10_000,
                       version: Any = None, claims_table: "str | Path | None" = None) -> Iterator[ColumnChunk]:
    """ColumnChunks of `chunk_size` input rows each, in input order (the chunks of read_claims as columns)."""
    return iter(ColumnChunkReader(path, input_format, chunk_size, version, claims_table))


# ---------------------------------------------------------------- lines of the file

@dataclass
class _Block:
    """The lines of one chunk's rows (blank lines left out), one after the other in `data` (line k is
    `data[starts[k]:starts[k + 1]]`), their line numbers, and which of them pyarrow may read
    (ASCII, starting with "{", no backslash)."""

    data: bytes
    starts: np.ndarray
    numbers: np.ndarray
    candidate: np.ndarray

    def __len__(self) -> int:
        return len(self.numbers)

    def line(self, k: int) -> bytes:
        return self.data[int(self.starts[k]):int(self.starts[k + 1])]

    def lines(self, start: int, end: int) -> list[bytes]:
        return [self.line(k) for k in range(start, end)]


_NO_BLOCK = _Block(b"", np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool))


class _Lines:
    """The file's lines as the row reader counts them (universal newlines, a leading BOM dropped),
    read in large blocks of bytes."""

    READ = 1 << 20

    def __init__(self, path: Path, stream: BinaryIO) -> None:
        self.path, self.stream = path, stream
        self.line_number = 0          # lines handed out so far (blank ones included)
        self.buffer = b""             # bytes read and not yet handed out
        self.eof = False
        self.first = True

    def _read(self, lines: Sequence[bytes] = (), numbers: Sequence[int] = ()) -> bytes:
        """The next bytes of the file (b"" at its end); `lines`, `numbers`: this chunk's lines so far."""
        if self.eof:
            return b""
        try:
            data = self.stream.read(self.READ)
        except _READ_ERRORS as exc:
            self._read_failed(exc, lines, numbers)
        if self.first:
            self.first = False
            if data.startswith(_BOM):
                data = data[len(_BOM):]
        if not data:
            self.eof = True
        return data

    def rows(self, count: int) -> _Block:
        """The next `count` rows' lines (fewer at the end of the file)."""
        pieces, found = [self.buffer], [_line_ends(self.buffer)]
        size, lines = len(self.buffer), len(found[0])
        while lines < count:
            data = self._read()
            if not data:
                break
            pieces.append(data)
            found.append(_line_ends(data) + size)
            size += len(data)
            lines += len(found[-1])
        if len(pieces) > 1:
            self.buffer = b"".join(pieces)
        ends = np.concatenate(found)
        if len(ends) > count:
            ends = ends[:count]
        elif self.eof and len(self.buffer) > (int(ends[-1]) if len(ends) else 0):
            ends = np.append(ends, len(self.buffer))        # the last line, without its line end
        if not len(ends):
            return _NO_BLOCK
        end = int(ends[-1])
        region = self.buffer[:end]
        starts = np.concatenate([[0], ends]).astype(np.int64)
        if (b"\r" not in region and region.isascii() and b"\\" not in region
                and bool((np.frombuffer(region, dtype=np.uint8)[starts[:-1]] == 123).all())):   # "{"
            self.buffer = self.buffer[end:]                  # the common case: every line a plain claim
            numbers = np.arange(self.line_number + 1, self.line_number + 1 + len(ends), dtype=np.int64)
            self.line_number += len(ends)
            candidate = np.ones(len(ends), dtype=bool)
            for k in np.flatnonzero(np.diff(starts) > _DEEPEST).tolist():
                candidate[k] = _shallow(region[int(starts[k]):int(starts[k + 1])])
            return _Block(region, starts, numbers, candidate)
        return self._rows_one_by_one(count)

    def _rows_one_by_one(self, count: int) -> _Block:
        """The next `count` rows' lines, line by line: blank lines, line ends "\\r", lines that are
        not plain ASCII claims."""
        lines: list[bytes] = []
        numbers: list[int] = []
        candidate: list[bool] = []
        while len(lines) < count:
            cut = self.buffer.find(b"\n")
            while cut < 0:
                data = self._read(lines, numbers)
                if not data:
                    break
                self.buffer += data
                cut = self.buffer.find(b"\n")
            if cut < 0 and not self.buffer:
                break
            piece = self.buffer[: cut + 1] if cut >= 0 else self.buffer
            self.buffer = self.buffer[len(piece):]
            sublines = piece.splitlines(keepends=True)    # bytes: CR, LF and CR LF only
            for k, line in enumerate(sublines):
                if len(lines) >= count:                   # a piece cut at a CR gave more than needed
                    self.buffer = b"".join(sublines[k:]) + self.buffer
                    break
                self.line_number += 1
                plain = line.startswith(b"{") and line.isascii() and b"\\" not in line and _shallow(line)
                if not plain and not line.decode("utf-8", "surrogateescape").strip():
                    continue                              # a blank line is no row
                lines.append(line)
                numbers.append(self.line_number)
                candidate.append(plain)
        lengths = np.fromiter((len(line) for line in lines), dtype=np.int64, count=len(lines))
        return _Block(b"".join(lines), np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
                      np.asarray(numbers, dtype=np.int64), np.asarray(candidate, dtype=bool))

    def _read_failed(self, exc: BaseException, lines: Sequence[bytes], numbers: Sequence[int]) -> NoReturn:
        """A read error: raised where the row reader raises it. The row reader reads ahead in its own
        blocks, so it is asked how far it gets; the lines up to there that this chunk has not read
        yet are read by its rule first (a malformed one among them is the error it meets first)."""
        got, failure, tail = _row_reader_reach(self.path, after=self.line_number)
        if failure is None:        # the row reader gets through: report ours
            got, failure = self.line_number, exc
        pending = [(n, line.decode("utf-8", "surrogateescape")) for n, line in zip(numbers, lines) if n <= got]
        pending += [(self.line_number + 1 + k, line) for k, line in enumerate(tail)]
        for number, line in pending:
            jsonl_row(self.path, line, number, 1, None)
        raise MalformedFileError(str(self.path), _read_place(got), None, _read_problem(failure)) from None


def _shallow(line: bytes) -> bool:
    """At most _DEEPEST brackets: pyarrow may parse the line."""
    return len(line) <= _DEEPEST or line.count(b"[") + line.count(b"{") <= _DEEPEST


def _line_ends(data: bytes) -> np.ndarray:
    """The offset just past each line feed of `data`."""
    return np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10) + 1


def _row_reader_reach(path: Path, after: int, upto: int | None = None) -> tuple[int, BaseException | None, list[str]]:
    """How many lines the row reader reads before a read error (and that error; None when it reads
    every line, or `upto` lines), with the lines it reads past line `after`."""
    stream, _ = _open_text(path)
    count = 0
    tail: list[str] = []
    with stream:
        while upto is None or count < upto:
            try:
                line = stream.readline()
            except _READ_ERRORS as exc:
                return count, exc, tail
            if not line:
                break
            count += 1
            if count > after:
                tail.append(line)
    return count, None, tail


_LINE = re.compile(r"line (\d+)")


def _earlier_read_error(path: Path, error: MalformedFileError) -> MalformedFileError:
    """A compressed file's malformed line, unless the row reader would meet a read error before it."""
    where = _LINE.fullmatch(error.where or "") or _LINE.match(error.where or "")
    if where is None or error.where.startswith("after"):
        return error
    line = int(where.group(1))
    got, failure, _ = _row_reader_reach(path, after=line, upto=line)
    if failure is None or got >= line:
        return error
    return MalformedFileError(str(path), _read_place(got), None, _read_problem(failure))


# ---------------------------------------------------------------- parsing with pyarrow

def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each run of True."""
    if not len(mask):
        return []
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist()))


def _parse(block: _Block, data: pa.Buffer, start: int, end: int) -> Iterator[tuple[int, int, pa.Table | None]]:
    """pyarrow tables of lines start..end of the block, one row per line; a part pyarrow cannot read
    (a type that changes between rows, two keys alike, a line that is not JSON ...) is halved until
    the lines it fails on are found (table None: the row reader reads them)."""
    offset = int(block.starts[start])
    size = int(block.starts[end]) - offset
    try:
        table = pj.read_json(pa.BufferReader(data.slice(offset, size)),
                             read_options=pj.ReadOptions(use_threads=False, block_size=size + 1),
                             parse_options=pj.ParseOptions(newlines_in_values=False))
        if table.num_rows == end - start:
            table.validate(full=True)         # pyarrow makes broken lists of [null, ...] (ArrowInvalid)
            yield start, end, table
            return
    except (pa.ArrowException, ValueError, UnicodeDecodeError):
        pass
    if end - start <= _SMALLEST_SEGMENT:
        yield start, end, None
        return
    middle = (start + end) // 2
    yield from _parse(block, data, start, middle)
    yield from _parse(block, data, middle, end)


# ---------------------------------------------------------------- the clean rows

_BASE_CLAIM: dict[str, Any] = {"id": "C", "version": 431, "age": 50, "sex": "M", "discharge_status": 1,
                               "hospital_status": "NON_EXEMPT", "pdx": {"code": "A000", "poa": "Y"},
                               "admit_dx": None, "sdx": [], "procedures": []}


class _Verdicts:
    """The row reader's verdict on claim-level values, asked once per distinct value: a clean claim
    with just those fields changed goes through the row reader's rules (golden_fields, build_row);
    the value is clean when the row is OK with no message, and gives the claim it builds. The rules
    judge these fields one by one (the version together with the discharge date), so a row whose
    every field is clean is clean."""

    LIMIT = 100_000

    def __init__(self, version: Any) -> None:
        self.version = version
        self.memo: dict[tuple, Claim | None] = {}

    def claim(self, names: tuple[str, ...], values: tuple) -> Claim | None:
        key = (names, tuple((type(v), v) for v in values))
        try:
            return self.memo[key]
        except KeyError:
            pass
        record = dict(_BASE_CLAIM)
        for name, value in zip(names, values):
            if value is None and name not in _BASE_CLAIM:
                continue
            record[name] = value
        fields, extra, errors = golden_fields(record, nan_is_value=True)
        row = build_row(1, fields, version=self.version, extra=extra, errors=errors)
        verdict = row.claim if row.status == OK and not row.message else None
        if len(self.memo) > self.LIMIT:
            self.memo.clear()
        self.memo[key] = verdict
        return verdict


def _array(table: pa.Table, name: str) -> pa.Array | None:
    if name not in table.column_names:
        return None
    column = table.column(name)
    if isinstance(column, pa.ChunkedArray):
        return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    return column


def _bools(array: pa.Array) -> np.ndarray:
    return np.asarray(array.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _judge(arrays: Sequence[pa.Array | None], accepted: Sequence[Callable[[pa.DataType], bool]],
           names: tuple[str, ...], verdicts: _Verdicts, n: int) -> tuple[np.ndarray, "_Judged"]:
    """Which rows' values of the fields `names` are clean, and the claims their values give."""
    codes = np.zeros(n, dtype=np.int64)
    ok = np.ones(n, dtype=bool)
    dictionaries: list[list] = []
    for array, accept in zip(arrays, accepted):
        if array is None or pa.types.is_null(array.type):
            dictionaries.append([None])
            continue
        if not accept(array.type):
            ok &= ~_bools(array.is_valid())
            dictionaries.append([None])
            continue
        encoded = array.dictionary_encode()
        values = encoded.dictionary.to_pylist() + [None]
        index = encoded.indices.fill_null(len(values) - 1).to_numpy(zero_copy_only=False).astype(np.int64)
        codes = codes * len(values) + index
        dictionaries.append(values)
    distinct, inverse = np.unique(codes, return_inverse=True)
    claims: list[Claim | None] = []
    for code in distinct.tolist():
        values = []
        for dictionary in reversed(dictionaries):
            code, k = divmod(code, len(dictionary))
            values.append(dictionary[k])
        claims.append(verdicts.claim(names, tuple(reversed(values))))
    good = np.array([c is not None for c in claims], dtype=bool)
    inverse = inverse.reshape(-1)
    ok &= good[inverse]
    return ok, _Judged(claims, inverse)


@dataclass(frozen=True)
class _Judged:
    """The claim each distinct value gives (None when not clean) and each row's distinct value."""

    claims: list[Claim | None]
    inverse: np.ndarray

    def values(self, name: str, keep: np.ndarray, missing: Any = None, dtype: Any = object) -> np.ndarray:
        """Claim attribute `name` of the rows `keep` (clean rows: their claims are not None)."""
        per_value = [missing if c is None or getattr(c, name) is None else getattr(c, name) for c in self.claims]
        return np.asarray(per_value, dtype=dtype)[self.inverse[keep]] if len(keep) else np.zeros(0, dtype=dtype)


class _Text:
    """A text column dictionary-encoded: row i holds `values[index[i]]` (the last value, None, for a
    null). Codes repeat, so checks and Python strings are made once per distinct value."""

    def __init__(self, array: pa.Array) -> None:
        encoded = array.dictionary_encode()
        self.dictionary = encoded.dictionary
        self.values = np.empty(len(encoded.dictionary) + 1, dtype=object)
        self.values[:-1] = encoded.dictionary.to_numpy(zero_copy_only=False)
        self.values[-1] = None
        self.index = encoded.indices.fill_null(len(self.values) - 1).to_numpy(zero_copy_only=False).astype(np.int64)

    def matches(self, pattern: str, null: bool) -> np.ndarray:
        """Per row: its value matches the regular expression (`null` for a null)."""
        return np.append(_bools(pc.match_substring_regex(self.dictionary, pattern)), null)[self.index]

    def within(self, values: list[str], null: bool) -> np.ndarray:
        """Per row: its value is one of `values` (`null` for a null)."""
        return np.append(_bools(pc.is_in(self.dictionary, value_set=pa.array(values))), null)[self.index]

    def pick(self, keep: np.ndarray, fill: Any = None) -> np.ndarray:
        """The values of the rows `keep` (a mask), None as `fill`."""
        values = self.values
        if fill is not None:
            values = values.copy()
            values[-1] = fill
        return values[self.index[keep]]


def _code_parts(array: pa.Array | None, n: int) -> tuple[np.ndarray, np.ndarray, _Text | None, _Text | None]:
    """(given, clean, code, poa) of a diagnosis column (objects with code and poa, or codes)."""
    if array is None or pa.types.is_null(array.type):
        return np.zeros(n, dtype=bool), np.ones(n, dtype=bool), None, None
    given = _bools(array.is_valid())
    if _is_text(array.type):
        code, poa = array, None
    elif pa.types.is_struct(array.type) and array.type.get_field_index("code") >= 0:
        code = pc.struct_field(array, "code")
        poa = pc.struct_field(array, "poa") if array.type.get_field_index("poa") >= 0 else None
    else:
        return given, ~given, None, None
    if not _is_text(code.type):
        return given, ~given, None, None
    codes = _Text(code)
    clean = codes.matches(_CLEAN_CODE, False)
    poas = None
    if poa is not None and not pa.types.is_null(poa.type):
        if _is_text(poa.type):
            poas = _Text(poa)
            clean &= poas.within(_POA_VALUES, True)
        else:
            clean &= ~_bools(poa.is_valid())
    return given, ~given | clean, codes, poas


def _list_parts(array: pa.Array | None, n: int, limit: int, diagnoses: bool
                ) -> tuple[np.ndarray, np.ndarray, _Text | None, _Text | None]:
    """(clean, lengths, codes, poas) of a list column: sdx (`diagnoses`) or procedures."""
    if array is None or pa.types.is_null(array.type):
        return np.ones(n, dtype=bool), np.zeros(n, dtype=np.int64), None, None
    if not pa.types.is_list(array.type):
        return ~_bools(array.is_valid()), np.zeros(n, dtype=np.int64), None, None
    lengths = pc.list_value_length(array).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    clean = lengths <= limit
    items = pc.list_flatten(array)
    if not len(items):
        return clean, lengths, None, None
    codes: _Text | None = None
    poas: _Text | None = None
    if diagnoses:
        _, item_clean, codes, poas = _code_parts(items, len(items))
        item_clean &= _bools(items.is_valid())
    elif _is_text(items.type):
        codes = _Text(items)
        item_clean = codes.matches(_CLEAN_CODE, False)
    else:
        item_clean = np.zeros(len(items), dtype=bool)
    if not item_clean.all():
        parents = pc.list_parent_indices(array).to_numpy(zero_copy_only=False)
        clean &= np.bincount(parents[~item_clean], minlength=n)[:n] == 0
    return clean, lengths, codes, poas


def _objects(array: pa.Array | None, keep: np.ndarray, fill: Any) -> np.ndarray:
    """The values of `array` at `keep` (a mask) as an object array of Python values (None -> fill)."""
    count = int(keep.sum())
    out = np.empty(count, dtype=object)
    if array is None or pa.types.is_null(array.type):
        out[:] = [fill] * count
        return out
    chosen = array.filter(pa.array(keep))
    if fill is not None and chosen.null_count:
        chosen = chosen.fill_null(fill)
    out[:] = chosen.to_numpy(zero_copy_only=False)
    return out


def _picked(text: _Text | None, keep: np.ndarray, fill: Any) -> np.ndarray:
    if text is None:
        out = np.empty(int(keep.sum()), dtype=object)
        out[:] = [fill] * len(out)
        return out
    return text.pick(keep, fill)


def _clean_columns(table: pa.Table, block: _Block, first: int, verdicts: _Verdicts
                   ) -> tuple[np.ndarray, ClaimColumns, list[dict] | None]:
    """Which rows of a parsed part (the block's lines from `first` on) are clean (see the module
    docstring), their ClaimColumns and their extra columns (None when none has any)."""
    n = table.num_rows
    clean = np.ones(n, dtype=bool)
    extra = [name for name in table.column_names if name not in GOLDEN_KEYS]
    if len(extra) > _MOST_EXTRA_KEYS:       # each is looked for on every line: leave them to the row reader
        return np.zeros(n, dtype=bool), ClaimColumns.from_claims([], []), None
    present: list[tuple[str, np.ndarray, list]] = []      # extra columns with values: name, where, values
    lines = block.lines(first, first + n) if extra else []
    for name in extra:
        # a key outside the golden form: an extra column, kept when its values are text, integers or
        # true/false; pyarrow reads "key": null like a missing key, so a line without a value for
        # the key but naming it anywhere is left to the row reader
        column = _array(table, name)
        assert column is not None
        valid = _bools(column.is_valid())
        kind = column.type
        if not (_is_text(kind) or pa.types.is_int64(kind) or pa.types.is_boolean(kind)):
            clean &= ~valid
        elif valid.any():
            present.append((name, valid, column.to_pylist()))
        quoted = b'"' + name.encode("utf-8", "surrogateescape") + b'"'
        clean &= valid | ~np.fromiter((quoted in line for line in lines), dtype=bool, count=n)
    if len(present) > 1:
        # the row reader keeps a line's extra keys in the order they come: the columns' order must be it
        several = np.flatnonzero(clean & (np.sum([valid for _, valid, _ in present], axis=0) > 1)).tolist()
        keys = [(b'"' + name.encode("utf-8", "surrogateescape") + b'":', valid) for name, valid, _ in present]
        for k in several:
            places = [lines[k].find(key) for key, valid in keys if valid[k]]
            if min(places) < 0 or places != sorted(places):
                clean[k] = False

    ids = _array(table, "id")
    if ids is None or pa.types.is_null(ids.type):
        clean[:] = False
    elif _is_text(ids.type):
        clean &= _bools(pc.match_substring_regex(ids, _CLEAN_ID))
    elif pa.types.is_integer(ids.type):
        clean &= _bools(ids.is_valid())
        ids = ids.cast(pa.string())
    else:
        clean[:] = False

    integer, text = pa.types.is_integer, _is_text
    version_ok, version_claims = _judge([_array(table, "version"), _array(table, "discharge_date")],
                                        [lambda t: integer(t) or text(t), text],
                                        ("version", "discharge_date"), verdicts, n)
    clean &= version_ok
    scalar: dict[str, _Judged] = {}
    for name, accept in (("age", integer), ("sex", text), ("discharge_status", integer),
                         ("hospital_status", text)):
        ok, scalar[name] = _judge([_array(table, name)], [accept], (name,), verdicts, n)
        clean &= ok

    pdx_given, pdx_clean, pdx_code, pdx_poa = _code_parts(_array(table, "pdx"), n)
    clean &= pdx_given & pdx_clean
    _, admit_clean, _, _ = _code_parts(_array(table, "admit_dx"), n)
    clean &= admit_clean
    sdx_clean, sdx_lengths, sdx_code, sdx_poa = _list_parts(_array(table, "sdx"), n, MAX_SDX, True)
    clean &= sdx_clean
    proc_clean, proc_lengths, proc_code, _ = _list_parts(_array(table, "procedures"), n, MAX_PROCEDURES, False)
    clean &= proc_clean

    keep = np.flatnonzero(clean)
    sdx_items = np.repeat(clean, sdx_lengths)
    proc_items = np.repeat(clean, proc_lengths)
    columns = ClaimColumns(
        claim_id=_objects(ids, clean, None),
        version=version_claims.values("version", keep, 0, np.int32),
        age=scalar["age"].values("age", keep, NO_AGE, np.int64),
        sex=scalar["sex"].values("sex", keep),
        discharge_status=scalar["discharge_status"].values("discharge_status", keep, NO_STATUS, np.int64),
        hospital_status=scalar["hospital_status"].values("hospital_status", keep),
        pdx_code=_picked(pdx_code, clean, None),
        pdx_poa=_picked(pdx_poa, clean, ""),
        sdx_start=_offsets(sdx_lengths[keep]),
        sdx_code=_picked(sdx_code, sdx_items, None),
        sdx_poa=_picked(sdx_poa, sdx_items, ""),
        procedure_start=_offsets(proc_lengths[keep]),
        procedure_code=_picked(proc_code, proc_items, None),
    )
    extras = None
    if present:
        extras = [{name: values[k] for name, valid, values in present if valid[k]} for k in keep.tolist()]
    return clean, columns, extras


def _offsets(lengths: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]).astype(np.int64)


# ---------------------------------------------------------------- one chunk

_ARRAYS = ("claim_id", "version", "age", "sex", "discharge_status", "hospital_status", "pdx_code", "pdx_poa")
_LISTS = (("sdx_start", ("sdx_code", "sdx_poa")), ("procedure_start", ("procedure_code",)))


def _concatenate(parts: Sequence[ClaimColumns]) -> ClaimColumns:
    """The claims of several ClaimColumns one after the other."""
    if len(parts) == 1:
        return parts[0]
    out: dict[str, np.ndarray] = {name: np.concatenate([getattr(p, name) for p in parts]) for name in _ARRAYS}
    for start_name, names in _LISTS:
        starts = [getattr(p, start_name) for p in parts]
        shift = np.cumsum([0] + [int(s[-1]) for s in starts[:-1]])
        out[start_name] = np.concatenate([np.zeros(1, dtype=np.int64)] + [s[1:] + k for s, k in zip(starts, shift)])
        for name in names:
            out[name] = np.concatenate([getattr(p, name) for p in parts])
    return ClaimColumns(**out)


def _take(columns: ClaimColumns, order: np.ndarray) -> ClaimColumns:
    """The claims `order` (positions, in that order)."""
    out: dict[str, np.ndarray] = {name: getattr(columns, name)[order] for name in _ARRAYS}
    for start_name, names in _LISTS:
        start = getattr(columns, start_name)
        lengths = (start[1:] - start[:-1])[order]
        new_start = _offsets(lengths)
        positions = np.repeat(start[:-1][order] - new_start[:-1], lengths) + np.arange(new_start[-1])
        out[start_name] = new_start
        for name in names:
            out[name] = getattr(columns, name)[positions]
    return ClaimColumns(**out)


def _assemble(first_row: int, size: int, fast_parts: list[tuple[np.ndarray, ClaimColumns, list[dict] | None]],
              slow_positions: np.ndarray, slow_rows: list[ClaimRow]) -> ColumnChunk:
    """The chunk's ColumnChunk, exactly as ColumnChunk.from_rows would make it of the same rows."""
    claimed = [(p, r) for p, r in zip(slow_positions.tolist(), slow_rows) if r.claim is not None]
    parts = [columns for _, columns, _ in fast_parts]
    positions = [where for where, _, _ in fast_parts]
    if claimed or not parts:
        parts.append(ClaimColumns.from_claims([r.claim for _, r in claimed],   # type: ignore[misc]
                                              [version_id(r.claim) for _, r in claimed]))  # type: ignore[arg-type]
        positions.append(np.asarray([p for p, _ in claimed], dtype=np.int64))
    grouped = np.concatenate(positions).astype(np.int64)
    status = np.empty(len(grouped), dtype=object)
    message = np.empty(len(grouped), dtype=object)
    fast_count = len(grouped) - len(claimed)
    status[:fast_count] = str(OK)
    message[:fast_count] = ""
    status[fast_count:] = [str(r.status) for _, r in claimed]
    message[fast_count:] = [r.message for _, r in claimed]
    with_extra = any(r.extra for _, r in claimed) or any(any(part) for _, _, part in fast_parts if part)
    extras: list[dict] = []
    if with_extra:
        for where, _, part_extras in fast_parts:
            extras += part_extras if part_extras is not None else [{} for _ in range(len(where))]
        extras += [dict(r.extra) for _, r in claimed]
    columns = _concatenate(parts)
    if claimed and fast_count:
        order = np.argsort(grouped, kind="stable")
        grouped, status, message = grouped[order], status[order], message[order]
        extras = [extras[k] for k in order.tolist()] if with_extra else extras
        columns = _take(columns, order)
    return ColumnChunk(first_row=first_row, size=size, columns=columns, grouped=grouped, status=status,
                       message=message, extra=extras if with_extra else None,
                       others=[r for r in slow_rows if r.claim is None])
