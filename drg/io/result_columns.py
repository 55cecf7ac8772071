"""Result files from columns: one chunk's grouping results written without a dict per claim.

The column-wise engine (drg.grouper.group_columns) gives a chunk's results as flat arrays with
offsets (drg.grouper.column_results.GroupedColumns). This module turns them, with each row's
status, message and extra input columns and the rows that are no claim, into what the result
writers write, in input order:

* `arrow_table`  — a pyarrow Table in the Parquet output schema (drg.io.writers.parquet_schema),
  built with Arrow's own constructors (struct arrays, list arrays over the offsets);
* `jsonl_lines`  — the JSON Lines text of every row, built by Arrow string kernels: JSON text of
  each value, joined element-wise into per-code objects, joined per claim over the offsets;
* `csv_lines`    — the flat CSV rows (drg.io.writers.flatten) built the same way.

Every output is the same, byte for byte, as the record path (drg.batch.result_record, then
JsonlWriter / CsvWriter / records_to_arrow) gives: strings are escaped exactly as `json.dumps`
escapes them (only strings holding a quote, a backslash or a control character need more than
quotes, and those few are escaped by the JSON encoder itself); values of extra columns that
are not text are written by the same encoder (orjson, when installed, for the plain scalars
where its output is the standard library's); the rows that are no claim go through the record
path (they are few: rows with a reading error). tests/test_column_io.py holds the equality.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from drg.grouper import GroupedColumns
from drg.io.records import ClaimRow
from drg.io.writers import _INT_FIELDS, CLAIM_FIELDS, RESULT_KEYS, _as_text, flatten, parquet_schema, records_to_arrow


def _optional_orjson() -> Any:
    """orjson when installed (the `fast` extra), else None: the output is the same either way."""
    try:
        import orjson
    except ImportError:        # pragma: no cover - depends on the environment
        return None
    return orjson


ORJSON: Any = _optional_orjson()     # tests set it to None to run the standard-library path
_ORJSON_SAFE = (str, int, bool, type(None))     # exact types orjson writes as json.dumps does

# characters after which a JSON string needs more than its quotes (json's ESCAPE set)
_JSON_SPECIAL = r'[\x00-\x1f"\\]'


def _objects(values: Sequence) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def input_name(key: str) -> str:
    """The output name of an input column: `input_<name>` when it is one of the result's own keys."""
    return key if key not in RESULT_KEYS else f"input_{key}"


def renamed(extra: dict) -> dict:
    """The extra input columns of one row under their output names (as drg.batch.result_record)."""
    return {input_name(k): v for k, v in extra.items()}


@dataclass
class ResultColumns:
    """The results of one chunk of input rows, as columns.

    `columns` holds the grouped claims, which sit at the chunk positions `grouped` (0-based,
    increasing), each with its row `status`, `message` and input's `extra` columns (None when
    the input has none); `others` are the rows that are no claim, in input order, at the
    remaining positions. Built by `from_chunk` from a drg.io.records.ColumnChunk.
    """

    size: int
    columns: GroupedColumns
    grouped: np.ndarray
    status: np.ndarray
    message: np.ndarray
    extra: list | None
    others: list[ClaimRow]

    @classmethod
    def from_chunk(cls, chunk: Any, columns: GroupedColumns) -> "ResultColumns":
        """The results of a ColumnChunk whose claims the engine grouped into `columns`."""
        return cls(chunk.size, columns, np.asarray(chunk.grouped, dtype=np.int64), chunk.status,
                   chunk.message, chunk.extra, list(chunk.others))

    def __len__(self) -> int:
        return self.size

    @property
    def per_claim(self) -> int:
        """Claims of the chunk the per-claim engine grouped (the column-wise engine's fallback)."""
        return int(self.columns.per_claim)

    def first_extra_names(self) -> list[str]:
        """The output names of the extra columns of the chunk's first row (see `first_extra_names`)."""
        return first_extra_names(self)

    def status_counts(self) -> dict[str, int]:
        """Rows per status."""
        counts: dict[str, int] = {}
        for word in self.status.tolist() + [str(r.status) for r in self.others]:
            counts[word] = counts.get(word, 0) + 1
        return counts

    def return_code_counts(self) -> dict[str, int]:
        """Rows per final return code; "(not grouped)" for the rows that are no claim."""
        counts: dict[str, int] = {}
        for word in self.columns.final_return_code.tolist():
            counts[word] = counts.get(word, 0) + 1
        if self.others:
            counts["(not grouped)"] = counts.get("(not grouped)", 0) + len(self.others)
        return counts

    def other_records(self) -> list[dict]:
        """The output records of the rows that are no claim (the record path: drg.batch.result_record)."""
        return [no_claim_record(row) for row in self.others]

    def order(self) -> np.ndarray | None:
        """Positions that put [grouped claims..., other rows...] into input order (None: already)."""
        if not self.others:
            return None
        taken = np.zeros(self.size, dtype=bool)
        taken[self.grouped] = True
        where = np.concatenate([self.grouped, np.flatnonzero(~taken)])
        return np.argsort(where, kind="stable")



def first_extra_names(chunk: Any) -> list[str]:
    """The output names of the extra columns of the first row of a ColumnChunk or ResultColumns:
    they name the Parquet columns and the CSV header, as the first record does on the record path."""
    if chunk.size == 0:
        return []
    if len(chunk.grouped) and int(chunk.grouped[0]) == 0:
        return list(renamed(chunk.extra[0])) if chunk.extra is not None else []
    return list(renamed(dict(chunk.others[0].extra)))


def in_input_order(results: "ResultColumns", grouped: list, others: list) -> list:
    """The items of the grouped claims and of the other rows merged into input order."""
    if not others:
        return grouped
    out: list = [None] * results.size
    for position, item in zip(results.grouped.tolist(), grouped):
        out[position] = item
    rest = iter(others)
    return [next(rest) if item is None else item for item in out]


def frame_records(results: "ResultColumns") -> list[dict]:
    """The output records of a chunk in input order, as drg.batch.result_record gives them (for a
    DataFrame): the golden fields from the Arrow columns, the extra columns as given."""
    records = grouped_table(results, parquet_schema()).to_pylist()
    if results.extra is not None:
        for record, extra in zip(records, results.extra):
            record.update(renamed(extra))
    return in_input_order(results, records, results.other_records())


@dataclass(frozen=True)
class ChunkEncoder:
    """What a writer writes for one chunk's results, as a picklable recipe (batch workers encode
    their own chunks): `format` a drg.io.formats.FileFormat value; `extra_names` the extra
    columns of the first row of the output (the Parquet schema's last columns)."""

    format: str
    delimiter: str = ","
    extra_names: tuple[str, ...] = ()

    def __call__(self, results: "ResultColumns") -> Any:
        """JSON Lines or CSV: the lines (an Arrow string array); Parquet: the Arrow table."""
        if self.format == "parquet":
            return arrow_table(results, parquet_schema(self.extra_names))
        if self.format == "csv":
            return csv_lines(results, self.delimiter)
        return jsonl_lines(results)


def no_claim_record(row: ClaimRow) -> dict:
    """The output record of a row that is no claim: drg.batch.result_record(row, None)."""
    record: dict[str, Any] = {"id": row.claim_id, "version": row.claim.version if row.claim is not None else None}
    record.update(dict.fromkeys(CLAIM_FIELDS))
    record.update({"pdx": None, "sdx": [], "procedures": [], "status": row.status, "message": row.message})
    for key, value in row.extra.items():
        record[input_name(key)] = value
    return record


# ------------------------------------------------------------------ Arrow

def _offsets(start: np.ndarray) -> Any:
    return pa.array(np.asarray(start, dtype=np.int32), type=pa.int32())


def _strings(values: np.ndarray) -> Any:
    return pa.array(values, type=pa.string())


def _words(values: np.ndarray) -> Any:
    """An Arrow string array of a column of few distinct strings (the grouper's words), each
    distinct value converted once."""
    codes, uniques = _factor(values)
    return pa.array(uniques, type=pa.string()).take(pa.array(codes))


def _hac_struct(start: np.ndarray, number: np.ndarray, names: np.ndarray, usage: np.ndarray,
                hac_list_type: Any) -> Any:

    hac = hac_list_type.value_type
    entries = pa.StructArray.from_arrays([pa.array(number, type=pa.int32()), _words(names), _words(usage)],
                                         fields=list(hac))
    return pa.ListArray.from_arrays(_offsets(start), entries, type=hac_list_type)


def _diagnoses(c: GroupedColumns, prefix: str, hac_start: np.ndarray, diagnosis_type: Any) -> Any:

    def get(name: str) -> np.ndarray:
        return getattr(c, f"{prefix}_{name}")
    hacs = _hac_struct(hac_start, get("hac_number"), get("hac_list"), get("hac_usage"),
                       diagnosis_type.field("hacs").type)
    arrays = [_strings(get("code")), pa.array(get("recognized"), type=pa.bool_()), _words(get("affects_drg")),
              _words(get("initial_severity_usage")), _words(get("final_severity_usage")),
              _words(get("poa_error")), hacs]
    return pa.StructArray.from_arrays(arrays, fields=list(diagnosis_type))


def grouped_table(results: "ResultColumns", schema: Any) -> Any:
    """The Arrow table of the grouped claims alone (in their order), in `schema`."""

    c = results.columns
    arrays: list = []
    diagnosis_type = schema.field("pdx").type
    procedure_list_type = schema.field("procedures").type
    procedure_type = procedure_list_type.value_type
    extras = _extra_values(results, [f.name for f in schema][len(RESULT_KEYS):])
    for f in schema:
        name = f.name
        if name == "id":
            arrays.append(_strings(c.claim_id))
        elif name == "version" or name in _INT_FIELDS:
            arrays.append(pa.array(getattr(c, name), type=pa.int32()))
        elif name in CLAIM_FIELDS:
            arrays.append(_words(getattr(c, name)))
        elif name == "pdx":
            arrays.append(_diagnoses(c, "pdx", c.pdx_hac_start, diagnosis_type))
        elif name == "sdx":
            arrays.append(pa.ListArray.from_arrays(_offsets(c.sdx_start), _diagnoses(c, "sdx", c.sdx_hac_start,
                                                                                       diagnosis_type), type=f.type))
        elif name == "procedures":
            hac_usage = pa.ListArray.from_arrays(_offsets(c.procedure_hac_start), _words(c.procedure_hac_usage),
                                                 type=procedure_type.field("hac_usage").type)
            procedures = pa.StructArray.from_arrays(
                [_strings(c.procedure_code), pa.array(c.procedure_recognized, type=pa.bool_()),
                 _words(c.procedure_affects_drg), pa.array(c.procedure_is_or, type=pa.bool_()), hac_usage],
                fields=list(procedure_type))
            arrays.append(pa.ListArray.from_arrays(_offsets(c.procedure_start), procedures, type=procedure_list_type))
        elif name == "status":
            arrays.append(_words(results.status))
        elif name == "message":
            arrays.append(_strings(results.message))
        else:
            arrays.append(pa.array([_as_text(v) for v in extras[name]], type=pa.string()))
    return pa.Table.from_arrays(arrays, schema=schema)


def _extra_values(results: "ResultColumns", names: list[str]) -> dict[str, list]:
    """The values of the extra columns `names` for each grouped claim (None where a row lacks one)."""
    if not names:
        return {}
    if results.extra is None:
        return {name: [None] * len(results.grouped) for name in names}
    rows = [renamed(e) for e in results.extra]
    return {name: [r.get(name) for r in rows] for name in names}


def arrow_table(results: "ResultColumns", schema: Any) -> Any:
    """Every row of the chunk in input order, in `schema` (drg.io.writers.parquet_schema): the
    grouped claims from their columns, the rows that are no claim as the record path gives them."""

    table = grouped_table(results, schema)
    order = results.order()
    if order is None:
        return table
    others = records_to_arrow(results.other_records(), schema)
    return pa.concat_tables([table, others]).take(pa.array(order)).combine_chunks()


# ------------------------------------------------------------------ JSON text

def _encoder() -> Callable[[Any], str]:
    """The JSON encoder of drg.io.writers.JsonlWriter, for one value."""
    return json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode


_ENCODE = _encoder()


def json_value(value: Any) -> str:
    """JSON text of one value, exactly as JsonlWriter writes it (orjson for plain scalars when installed)."""
    if ORJSON is not None and type(value) in _ORJSON_SAFE:
        try:
            return ORJSON.dumps(value).decode()
        except TypeError:          # an int past 64 bits, a string with lone surrogates
            pass
    return _ENCODE(value)


def json_strings(values: Any) -> Any:
    """JSON text of every string of an Arrow string array (null -> "null"), as json.dumps writes it."""

    quoted = pc.binary_join_element_wise('"', values, '"', "")
    special = pc.match_substring_regex(values, _JSON_SPECIAL)
    if special.null_count:
        special = special.fill_null(False)
    if pc.any(special).as_py():
        escaped = [json_value(s) for s in pc.filter(values, special).to_pylist()]
        quoted = pc.replace_with_mask(quoted, special, pa.array(escaped, type=pa.string()))
    if values.null_count:
        quoted = quoted.fill_null("null")
    return quoted


def _string_parts(values: Any, before: str, after: str) -> list:
    """Parts that join into `before` + the JSON text of each string + `after`: when no string is
    null or needs escaping (the usual case), the quotes go into the neighbouring constants."""
    if values.null_count == 0 and not pc.any(pc.match_substring_regex(values, _JSON_SPECIAL)).as_py():
        return [before + '"', values, '"' + after]
    return [before, json_strings(values), after]


def _factor(values: Any) -> tuple[np.ndarray, list]:
    """Codes (int64, one per entry) and the distinct values of a numpy or Arrow column (None kept)."""
    array = values if isinstance(values, pa.Array) else pa.array(values)
    encoded = array.dictionary_encode()
    uniques = encoded.dictionary.to_pylist()
    indices = encoded.indices
    if indices.null_count:
        uniques.append(None)
        indices = indices.fill_null(len(uniques) - 1)
    return indices.to_numpy(zero_copy_only=False).astype(np.int64), uniques


def _rendered(render: Callable[..., str], *columns: Any) -> Any:
    """`render(*values)` for every row of the columns, as an Arrow string array: rendered once per
    distinct combination of values (the grouper's words, flags and DRG numbers repeat a lot)."""
    n = len(columns[0])
    if n == 0:
        return pa.array([], type=pa.string())
    keys = np.zeros(n, dtype=np.int64)
    combinations: list[tuple] = [()]
    for column in columns:
        codes, uniques = _factor(column)
        width = len(uniques) or 1
        combined, found = _factor(keys * width + codes)
        combinations = [combinations[v // width] + (uniques[v % width],) for v in found]
        keys = combined
    texts = pa.array([render(*values) for values in combinations], type=pa.string())
    return texts.take(pa.array(keys))


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _join(*parts: Any) -> Any:
    return pc.binary_join_element_wise(*parts, "")


def _join_lists(start: np.ndarray, entries: Any) -> Any:
    """Per list (offsets `start`), its entries' texts joined with commas ("" for an empty list)."""
    return pc.binary_join(pa.ListArray.from_arrays(_offsets(start), entries), ",")


def _json_hacs(start: np.ndarray, number: np.ndarray, names: np.ndarray, usage: np.ndarray) -> Any:
    """Per diagnosis, the text inside its "hacs" list."""
    entries = _rendered(lambda n, name, use: f'{{"hac_number":{n},"hac_list":{json_value(name)},'
                                             f'"hac_usage":{json_value(use)}}}', number, names, usage)
    return _join_lists(start, entries)


def _json_diagnoses(c: GroupedColumns, prefix: str, hac_start: np.ndarray) -> Any:
    """The JSON object of each diagnosis (pdx or sdx entries)."""
    def get(name: str) -> np.ndarray:
        return getattr(c, f"{prefix}_{name}")
    hacs = _json_hacs(hac_start, get("hac_number"), get("hac_list"), get("hac_usage"))
    rest = _rendered(lambda recognized, affects, initial, final, poa, hac_text:
                     f',"recognized":{_flag(recognized)},"affects_drg":{json_value(affects)},'
                     f'"initial_severity_usage":{json_value(initial)},"final_severity_usage":{json_value(final)},'
                     f'"poa_error":{json_value(poa)},"hacs":[{hac_text}]}}',
                     get("recognized"), get("affects_drg"), get("initial_severity_usage"),
                     get("final_severity_usage"), get("poa_error"), hacs)
    return _join(*_string_parts(_strings(get("code")), '{"code":', ""), rest)


def _json_procedures(c: GroupedColumns) -> Any:
    """Per claim, the text inside its "procedures" list."""
    hac_usage = _join_lists(c.procedure_hac_start,
                            _rendered(json_value, c.procedure_hac_usage))
    rest = _rendered(lambda recognized, affects, is_or, usage:
                     f',"recognized":{_flag(recognized)},"affects_drg":{json_value(affects)},'
                     f'"is_or":{_flag(is_or)},"hac_usage":[{usage}]}}',
                     c.procedure_recognized, c.procedure_affects_drg, c.procedure_is_or, hac_usage)
    entries = _join(*_string_parts(_strings(c.procedure_code), '{"code":', ""), rest)
    return _join_lists(c.procedure_start, entries)


def _words_then(names: tuple[str, ...], then: str) -> Callable[..., str]:
    """A renderer of ',"name":"WORD"...' for the word fields `names`, followed by the key `then`."""
    def render(*values: Any) -> str:
        return "".join(f',"{name}":{json_value(v)}' for name, v in zip(names, values)) + f',"{then}":'
    return render


def _ints(values: np.ndarray) -> Any:
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())


def _claim_level(c: GroupedColumns) -> list:
    """The parts of ',"version":431,"initial_drg":...,"hac_categories":0,"pdx":' of every claim:
    numbers as text, each run of word fields rendered once per distinct combination."""
    initial_words = ("initial_return_code", "initial_med_surg", "initial_severity")
    final_words = ("final_return_code", "final_med_surg", "final_severity", "hac_status")
    return [',"version":', _ints(c.version), ',"initial_drg":', _ints(c.initial_drg),
            ',"initial_mdc":', _ints(c.initial_mdc), ',"initial_base_drg":', _ints(c.initial_base_drg),
            _rendered(_words_then(initial_words, "final_drg"), *(getattr(c, n) for n in initial_words)),
            _ints(c.final_drg), ',"final_mdc":', _ints(c.final_mdc), ',"final_base_drg":', _ints(c.final_base_drg),
            _rendered(_words_then(final_words, "hac_categories"), *(getattr(c, n) for n in final_words)),
            _ints(c.hac_categories), ',"pdx":']


def _json_extras(results: "ResultColumns") -> Any | None:
    """Per grouped claim, the text of its extra columns (',"name":value...'), or None when there are none."""

    if results.extra is None:
        return None
    rows = results.extra
    keys = tuple(rows[0]) if rows else ()
    names = renamed(dict.fromkeys(keys))
    uniform = len(names) == len(keys) and all(tuple(e) == keys for e in rows)
    if not uniform:
        return pa.array(["".join(f",{json_value(k)}:{json_value(v)}" for k, v in renamed(e).items()) for e in rows],
                        type=pa.string())
    if not keys:
        return None
    parts: list = []
    for key, name in zip(keys, names):
        values = [e[key] for e in rows]
        if all(type(v) is str for v in values):
            texts = json_strings(pa.array(values, type=pa.string()))
        else:
            texts = pa.array([json_value(v) for v in values], type=pa.string())
        parts += ["," + json_value(name) + ":", texts]
    return _join(*parts)


def _grouped_json(results: "ResultColumns") -> Any:
    """The JSON Lines text (with its newline) of each grouped claim, in their order."""
    c = results.columns
    pdx = _json_diagnoses(c, "pdx", c.pdx_hac_start)
    sdx = _join_lists(c.sdx_start, _json_diagnoses(c, "sdx", c.sdx_hac_start))
    status = _rendered(lambda word: f'],"status":{json_value(word)},"message":', results.status)
    parts: list = [*_string_parts(_strings(c.claim_id), '{"id":', ""), *_claim_level(c), pdx, ',"sdx":[', sdx,
                   '],"procedures":[', _json_procedures(c), status,
                   *_string_parts(_strings(results.message), "", "")]
    extras = _json_extras(results)
    if extras is not None:
        parts.append(extras)
    parts.append("}\n")
    return _join(*parts)


def _interleave(results: "ResultColumns", grouped: Any, other_lines: list[str]) -> Any:

    order = results.order()
    if order is None:
        return grouped
    return pa.concat_arrays([grouped, pa.array(other_lines, type=pa.string())]).take(pa.array(order))


def jsonl_lines(results: "ResultColumns") -> Any:
    """An Arrow string array: the JSON Lines text of every row of the chunk, with its newline,
    in input order (what drg.io.writers.JsonlWriter writes for the same records)."""
    others = [_ENCODE(r) + "\n" for r in results.other_records()]
    return _interleave(results, _grouped_json(results), others)


def string_bytes(lines: Any) -> memoryview:
    """The bytes of an Arrow string array's values one after the other (no nulls), without copying."""
    if len(lines) == 0:
        return memoryview(b"")
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)
    begin, end = int(offsets[lines.offset]), int(offsets[lines.offset + len(lines)])
    return memoryview(lines.buffers()[2])[begin:end]


# ------------------------------------------------------------------ flat CSV

def _flags(values: np.ndarray) -> Any:
    return pc.if_else(pa.array(values, type=pa.bool_()), "Y", "N")


def _joined(start: np.ndarray, texts: Any, separator: str) -> Any:
    return pc.binary_join(pa.ListArray.from_arrays(_offsets(start), texts), separator)


def _flat_hacs(start: np.ndarray, number: np.ndarray, names: np.ndarray, usage: np.ndarray) -> Any:
    """Per diagnosis, "5:hac05_cc:HAC_CRITERIA_MET;0::NOT_ON_HAC_LIST" (drg.io.writers._hacs)."""
    entries = pc.binary_join_element_wise(_ints(number), _words(names).fill_null(""),
                                          _words(usage), ":")
    return _joined(start, entries, ";")


def _csv_columns(results: "ResultColumns") -> list:
    """The flat CSV columns (drg.io.writers.flatten, without the extra columns) of the grouped claims."""
    c = results.columns
    cols: list = [_strings(c.claim_id).fill_null(""), _ints(c.version), _words(results.status),
                  _strings(results.message)]
    for name in CLAIM_FIELDS:
        values = getattr(c, name)
        cols.append(_ints(values) if name in _INT_FIELDS else _words(values))
    cols += [_strings(c.pdx_code).fill_null(""), _flags(c.pdx_recognized), _words(c.pdx_affects_drg),
             _flat_hacs(c.pdx_hac_start, c.pdx_hac_number, c.pdx_hac_list, c.pdx_hac_usage)]
    s = c.sdx_start
    cols += [_joined(s, _strings(c.sdx_code).fill_null(""), "|"), _joined(s, _words(c.sdx_poa_error), "|"),
             _joined(s, _flags(c.sdx_recognized), "|"), _joined(s, _words(c.sdx_affects_drg), "|"),
             _joined(s, _words(c.sdx_initial_severity_usage), "|"),
             _joined(s, _words(c.sdx_final_severity_usage), "|"),
             _joined(s, _flat_hacs(c.sdx_hac_start, c.sdx_hac_number, c.sdx_hac_list, c.sdx_hac_usage), "|")]
    p = c.procedure_start
    cols += [_joined(p, _strings(c.procedure_code).fill_null(""), "|"), _joined(p, _flags(c.procedure_recognized), "|"),
             _joined(p, _words(c.procedure_affects_drg), "|"), _joined(p, _flags(c.procedure_is_or), "|"),
             _joined(p, _joined(c.procedure_hac_start, _words(c.procedure_hac_usage), "+"), "|")]
    return cols


def _csv_text(rows: list[list], delimiter: str) -> list[str]:
    """Each row as csv.writer writes it (drg.io.writers.CsvWriter), one string a row."""
    out, buffer = [], io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", delimiter=delimiter)
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        out.append(buffer.getvalue())
    return out


def csv_lines(results: "ResultColumns", delimiter: str) -> Any:
    """An Arrow string array: every row of the chunk as CsvWriter writes it (with its newline), in
    input order. A row with a field csv would quote (the delimiter, a quote, a line break) is
    written by csv.writer itself; the others are the fields joined with the delimiter."""

    cols = _csv_columns(results)
    n = len(results.grouped)
    extras: list[list] | None = None
    if results.extra is not None:
        extras = [[_as_text(v) for v in renamed(e).values()] for e in results.extra]
        widths = {len(e) for e in extras}
        if len(widths) == 1:                       # every row has the same extra columns
            for k in range(widths.pop()):
                cols.append(pa.array([e[k] for e in extras], type=pa.string()).fill_null(""))
            extras = None
    special = pa.array(np.zeros(n, dtype=bool))
    pattern = "[" + ("\\t" if delimiter == "\t" else _regex_char(delimiter)) + '"\\n\\r]'
    for col in cols:
        if pa.types.is_string(col.type):
            special = pc.or_(special, pc.match_substring_regex(col, pattern))
    lines = _join(pc.binary_join_element_wise(*cols, delimiter), "\n")
    if extras is not None or pc.any(special).as_py():
        redo = np.ones(n, dtype=bool) if extras is not None else special.to_numpy(zero_copy_only=False)
        chosen = np.flatnonzero(redo)
        picked = [pc.take(col, pa.array(chosen)).to_pylist() for col in cols]
        rows = [list(fields) for fields in zip(*picked)] if picked else [[] for _ in chosen]
        if extras is not None:
            for row, k in zip(rows, chosen.tolist()):
                row += ["" if v is None else v for v in extras[k]]
        lines = pc.replace_with_mask(lines, pa.array(redo), pa.array(_csv_text(rows, delimiter), type=pa.string()))
    others = _csv_text([flatten(r) for r in results.other_records()], delimiter)
    return _interleave(results, lines, others)


def _regex_char(character: str) -> str:
    return "\\" + character if not character.isalnum() else character
