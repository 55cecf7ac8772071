"""Result writers: JSON Lines (the golden output form), Parquet (per-code lists of structs), flat CSV.

A result record is the golden output dict of one claim (id, version, the claim-level fields,
pdx, sdx, procedures) followed by `status`, `message` and the input's extra columns. A row
that could not be grouped has null claim-level fields, pdx null and empty code lists.

With `edits` (`drg group --edits`) each record also holds `mce`: the Medicare Code Editor's
result in the golden MCE form (drg.mce, `EditResult.to_dict()`), or None for a row that is no
claim. JSON Lines writes it as the nested object, CSV as the flat `mce_*` columns
(drg.mce.FLAT_COLUMNS) after the code columns, Parquet as one struct column `mce` of the
golden form. Without `edits`, a column named `mce` is an input column like any other.

Output is deterministic: the same records give byte-identical files (gzip without a time
stamp or file name, fixed Parquet schema and writer options).
"""
from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator

from drg.io.atomic import AtomicFile
from drg.io.formats import FileFormat, UnknownFormatError, file_kind, open_for_writing, text_reader

CLAIM_FIELDS = ("initial_drg", "initial_mdc", "initial_base_drg", "initial_return_code",
                "initial_med_surg", "initial_severity", "final_drg", "final_mdc", "final_base_drg",
                "final_return_code", "final_med_surg", "final_severity", "hac_status", "hac_categories")
_INT_FIELDS = {"initial_drg", "initial_mdc", "initial_base_drg", "final_drg", "final_mdc", "final_base_drg",
               "hac_categories"}
RESULT_KEYS = ("id", "version") + CLAIM_FIELDS + ("pdx", "sdx", "procedures", "status", "message")
MCE_KEY = "mce"          # the MCE result of a record written with `edits`


class OutputTarget:
    """Where a run writes its rows: a file (written atomically, drg.io.atomic) or a binary stream
    such as standard output. Created before any work, so a bad path fails at once.

    `binary` is the stream to write into (gzipped deterministically when the name ends in .gz);
    `finish()` completes the file under its final name; `abandon()` leaves no trace of it.
    """

    def __init__(self, path: "str | Path", output_format: str | None = None, *,
                 stream: BinaryIO | None = None, inputs: Iterable["str | Path | None"] = ()) -> None:
        if stream is not None:
            self.kind = file_kind("-", output_format or FileFormat.JSONL.value)
            if self.kind.format is FileFormat.PARQUET:
                raise UnknownFormatError("Parquet output needs a file: give -o FILE.parquet")
            self.file: AtomicFile | None = None
            self.binary: BinaryIO = stream
            self._compressor: BinaryIO | None = None
        else:
            self.kind = file_kind(path, output_format)
            self.file = AtomicFile(path, inputs)
            self.binary = open_for_writing(self.file.stream, self.kind)
            self._compressor = self.binary if self.kind.gzip else None
        self.path = Path(path)

    def text(self, newline: str = "\n") -> io.TextIOWrapper:
        """A UTF-8 text view of `binary`; detach it (not close) when done."""
        return io.TextIOWrapper(self.binary, encoding="utf-8", newline=newline, write_through=True)

    def finish(self) -> None:
        if self._compressor is not None:
            self._compressor.close()
        if self.file is not None:
            self.file.commit()
        else:
            self.binary.flush()

    def abandon(self) -> None:
        """Leave no trace of a file; on a stream (standard output), what was written stays and
        what is still buffered is dropped, so a failed or interrupted run never blocks at exit on
        a reader that stopped reading."""
        if self.file is not None:
            self.file.discard()
        else:
            _drop_buffered(self.binary)


def _drop_buffered(stream: BinaryIO) -> None:
    try:
        descriptor = stream.fileno()
    except (OSError, ValueError, AttributeError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, descriptor)
    finally:
        os.close(devnull)


class ResultWriter:
    """Writes chunks of result records into an OutputTarget; `close()` finishes the file,
    `abandon()` (on an error) leaves nothing under the final name."""

    def __init__(self, target: OutputTarget) -> None:
        self.target = target
        self.path = target.path

    def write(self, records: list[dict]) -> None:
        raise NotImplementedError

    def column_encoder(self, extra_names: Iterable[str] = ()) -> Any:
        """The recipe (drg.io.result_columns.ChunkEncoder) that turns a chunk's results as columns
        into what `write_encoded` writes; `extra_names`: the extra columns of the output's first row."""
        from drg.io.result_columns import ChunkEncoder

        kind = self.target.kind
        return ChunkEncoder(kind.format.value, kind.delimiter, tuple(extra_names))

    def write_encoded(self, encoded: Any, encoder: Any) -> None:
        """Write one chunk encoded by `encoder` (a ChunkEncoder of this writer)."""
        raise NotImplementedError

    def write_columns(self, results: Any) -> None:
        """Write one chunk's results given as columns (drg.io.result_columns.ResultColumns): the
        same bytes `write` gives for the chunk's records, built without a dict per claim."""
        encoder = self.column_encoder(results.first_extra_names())
        self.write_encoded(encoder(results), encoder)

    def _end(self) -> None:
        """Write what the format needs at its end (a CSV header of an empty file, ...)."""

    def close(self) -> None:
        self._end()
        self.target.finish()

    def abandon(self) -> None:
        self.target.abandon()

    def __enter__(self) -> "ResultWriter":
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        if kind is None:
            self.close()
        else:
            self.abandon()


class _TextResultWriter(ResultWriter):
    def __init__(self, target: OutputTarget, newline: str) -> None:
        super().__init__(target)
        self._out = target.text(newline)

    def close(self) -> None:
        self._end()
        self._out.flush()
        self._out.detach()
        self.target.finish()


class JsonlWriter(_TextResultWriter):
    """The golden output form, one JSON object a line."""

    def __init__(self, target: OutputTarget) -> None:
        super().__init__(target, "\n")
        self._dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode

    def write(self, records: list[dict]) -> None:
        dumps = self._dumps
        self._out.write("".join(dumps(r) + "\n" for r in records))

    def write_encoded(self, encoded: Any, encoder: Any) -> None:
        from drg.io.result_columns import string_bytes

        self.target.binary.write(string_bytes(encoded))    # the text view writes through: nothing pending


# ------------------------------------------------------------------ Parquet

def mce_struct() -> Any:
    """The Parquet type of the `mce` column: the golden MCE form as a struct."""
    import pyarrow as pa

    edits = pa.list_(pa.string())
    diagnosis = pa.struct([("code", pa.string()), ("edits", edits), ("age_conflict_type", pa.string()),
                           ("flags", pa.string())])
    procedure = pa.struct([("code", pa.string()), ("edits", edits), ("flags", pa.string())])
    return pa.struct([("id", pa.string()), ("version_used", pa.int32()), ("edit_type", pa.string()),
                      ("edits", pa.list_(pa.struct([("edit", pa.string()), ("count", pa.int32())]))),
                      ("pdx", diagnosis), ("admit_dx", diagnosis), ("sdx", pa.list_(diagnosis)),
                      ("procedures", pa.list_(procedure))])


def parquet_schema(extra_columns: Iterable[str] = (), edits: bool = False) -> Any:
    import pyarrow as pa

    hac = pa.struct([("hac_number", pa.int32()), ("hac_list", pa.string()), ("hac_usage", pa.string())])
    diagnosis = pa.struct([("code", pa.string()), ("recognized", pa.bool_()), ("affects_drg", pa.string()),
                           ("initial_severity_usage", pa.string()), ("final_severity_usage", pa.string()),
                           ("poa_error", pa.string()), ("hacs", pa.list_(hac))])
    procedure = pa.struct([("code", pa.string()), ("recognized", pa.bool_()), ("affects_drg", pa.string()),
                           ("is_or", pa.bool_()), ("hac_usage", pa.list_(pa.string()))])
    fields = [("id", pa.string()), ("version", pa.int32())]
    fields += [(name, pa.int32() if name in _INT_FIELDS else pa.string()) for name in CLAIM_FIELDS]
    fields += [("pdx", diagnosis), ("sdx", pa.list_(diagnosis)), ("procedures", pa.list_(procedure)),
               ("status", pa.string()), ("message", pa.string())]
    if edits:
        fields.append((MCE_KEY, mce_struct()))
    fields += [(name, pa.string()) for name in extra_columns if not (edits and name == MCE_KEY)]
    return pa.schema(fields)


def _extra_columns(record: dict, edits: bool = False) -> list[str]:
    return [k for k in record if k not in RESULT_KEYS and not (edits and k == MCE_KEY)]


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return None
    return value if isinstance(value, str) else json.dumps(value) if isinstance(value, (list, dict)) else str(value)


def records_to_arrow(records: list[dict], schema: Any = None, edits: bool = False) -> Any:
    """A pyarrow Table of result records (extra columns as text; `edits`: the `mce` struct)."""
    import pyarrow as pa

    if schema is None:
        schema = parquet_schema(_extra_columns(records[0], edits) if records else (), edits)
    columns = {}
    for f in schema:
        values = [r.get(f.name) for r in records]
        if f.name not in RESULT_KEYS and not (f.name == MCE_KEY and pa.types.is_struct(f.type)):
            values = [_as_text(v) for v in values]
        columns[f.name] = pa.array(values, type=f.type)
    return pa.Table.from_pydict(columns, schema=schema)


class ParquetResultWriter(ResultWriter):
    """Per-code lists of structs (parquet_schema), zstd, one row group per chunk."""

    def __init__(self, target: OutputTarget, edits: bool = False) -> None:
        super().__init__(target)
        self._writer: Any = None
        self._schema: Any = None
        self._edits = edits

    def write(self, records: list[dict]) -> None:
        import pyarrow.parquet as pq

        if not records:
            return
        if self._writer is None:
            self._schema = parquet_schema(_extra_columns(records[0], self._edits), self._edits)
            self._writer = pq.ParquetWriter(self.target.binary, self._schema, compression="zstd")
        self._writer.write_table(records_to_arrow(records, self._schema))

    def column_encoder(self, extra_names: Iterable[str] = ()) -> Any:
        """As ResultWriter's, with the extra columns of this file's schema once it has one."""
        if self._schema is not None:
            extra_names = [f.name for f in self._schema][len(RESULT_KEYS):]
        return super().column_encoder(extra_names)

    def write_encoded(self, encoded: Any, encoder: Any) -> None:
        import pyarrow.parquet as pq

        if encoded.num_rows == 0:
            return
        if self._writer is None:
            self._schema = encoded.schema
            self._writer = pq.ParquetWriter(self.target.binary, self._schema, compression="zstd")
        self._writer.write_table(encoded)

    def _end(self) -> None:
        import pyarrow.parquet as pq

        if self._writer is None:          # no rows: still a valid, empty file
            pq.write_table(records_to_arrow([], parquet_schema(edits=self._edits)), self.target.binary,
                           compression="zstd")
        else:
            self._writer.close()


# ------------------------------------------------------------------ flat CSV

CSV_CODE_COLUMNS = ("pdx_code", "pdx_recognized", "pdx_affects_drg", "pdx_hacs",
                    "sdx_codes", "sdx_poa_error", "sdx_recognized", "sdx_affects_drg",
                    "sdx_initial_severity_usage", "sdx_final_severity_usage", "sdx_hacs",
                    "proc_codes", "proc_recognized", "proc_affects_drg", "proc_is_or", "proc_hac_usage")
CSV_HEADER = ("id", "version", "status", "message") + CLAIM_FIELDS + CSV_CODE_COLUMNS


def _flag(value: Any) -> str:
    return "" if value is None else "Y" if value else "N"


def _hacs(hacs: list[dict]) -> str:
    """ "5:hac05_cc:HAC_CRITERIA_MET;0::NOT_ON_HAC_LIST" """
    return ";".join(f"{h['hac_number']}:{h['hac_list'] or ''}:{h['hac_usage']}" for h in hacs)


def _mce_columns() -> tuple[str, ...]:
    from drg.mce.result import FLAT_COLUMNS
    return FLAT_COLUMNS


def flatten(record: dict, edits: bool = False) -> list[Any]:
    """One CSV row: claim-level fields, then per-code attributes joined with "|" in claim order."""
    pdx = record.get("pdx")
    sdx = record.get("sdx") or []
    procedures = record.get("procedures") or []
    row = [record.get("id"), record.get("version"), record.get("status"), record.get("message")]
    row += [record.get(name) for name in CLAIM_FIELDS]
    if pdx is None:
        row += [None, None, None, None]
    else:
        row += [pdx["code"], _flag(pdx["recognized"]), pdx["affects_drg"], _hacs(pdx["hacs"])]
    row += ["|".join(d["code"] or "" for d in sdx), "|".join(d["poa_error"] for d in sdx),
            "|".join(_flag(d["recognized"]) for d in sdx), "|".join(d["affects_drg"] for d in sdx),
            "|".join(d["initial_severity_usage"] for d in sdx), "|".join(d["final_severity_usage"] for d in sdx),
            "|".join(_hacs(d["hacs"]) for d in sdx)]
    row += ["|".join(p["code"] for p in procedures), "|".join(_flag(p["recognized"]) for p in procedures),
            "|".join(p["affects_drg"] for p in procedures), "|".join(_flag(p["is_or"]) for p in procedures),
            "|".join("+".join(p["hac_usage"]) for p in procedures)]
    if edits:
        from drg.mce.result import flat_columns
        row += [_flag(v) if isinstance(v, bool) else v for v in flat_columns(record.get(MCE_KEY)).values()]
    row += [_as_text(record[k]) for k in _extra_columns(record, edits)]
    return ["" if v is None else v for v in row]


class CsvWriter(_TextResultWriter):
    """One flat row per claim (flatten); the CSV delimiter is the name's (tab for .tsv)."""

    def __init__(self, target: OutputTarget, edits: bool = False) -> None:
        super().__init__(target, "")
        self._csv = csv.writer(self._out, lineterminator="\n", delimiter=target.kind.delimiter)
        self._header_done = False
        self._edits = edits
        self._header = CSV_HEADER + (_mce_columns() if edits else ())

    def write(self, records: list[dict]) -> None:
        if not records:
            return
        if not self._header_done:
            self._csv.writerow(self._header + tuple(_extra_columns(records[0], self._edits)))
            self._header_done = True
        edits = self._edits
        self._csv.writerows(flatten(r, edits) for r in records)

    def write_encoded(self, encoded: Any, encoder: Any) -> None:
        from drg.io.result_columns import string_bytes

        if len(encoded) == 0:
            return
        if not self._header_done:
            self._csv.writerow(self._header + tuple(encoder.extra_names))
            self._header_done = True
        self.target.binary.write(string_bytes(encoded))    # the text view writes through: nothing pending

    def _end(self) -> None:
        if not self._header_done:
            self._csv.writerow(self._header)


_WRITERS: dict[FileFormat, type[ResultWriter]] = {
    FileFormat.JSONL: JsonlWriter, FileFormat.CSV: CsvWriter, FileFormat.PARQUET: ParquetResultWriter}


def open_writer(path: "str | Path", output_format: str | None = None, stream: BinaryIO | None = None,
                inputs: Iterable["str | Path | None"] = (), edits: bool = False) -> ResultWriter:
    """A result writer for `path` (created now, atomically: drg.io.atomic), or for a binary
    `stream` such as standard output (JSON Lines or CSV). `inputs`: files the output must not
    replace. `edits`: the records carry `mce` (see the module's docstring)."""
    target = OutputTarget(path, output_format, stream=stream, inputs=inputs)
    if edits and target.kind.format is not FileFormat.JSONL:
        return _WRITERS[target.kind.format](target, edits=True)      # type: ignore[call-arg]
    return _WRITERS[target.kind.format](target)


# ------------------------------------------------------------------ reading results back

def _split(value: str) -> list[str]:
    return value.split("|") if value else []


def _unflag(value: str) -> bool | None:
    return None if value == "" else value == "Y"


def _unhacs(value: str) -> list[dict]:
    out = []
    for item in value.split(";") if value else []:
        number, name, usage = item.split(":", 2)
        out.append({"hac_number": int(number), "hac_list": name or None, "hac_usage": usage})
    return out


def unflatten(row: dict[str, str]) -> dict:
    """The result record of one flat CSV row (the inverse of `flatten`; extra columns come back as text)."""
    def number(value: str) -> int | None:
        return int(value) if value != "" else None

    record: dict[str, Any] = {"id": row["id"], "version": number(row["version"])}
    for name in CLAIM_FIELDS:
        record[name] = number(row[name]) if name in _INT_FIELDS else (row[name] or None)
    grouped = record["final_return_code"] is not None
    record["pdx"] = None if not grouped else {
        "code": row["pdx_code"] if row["pdx_code"] != "" or row["pdx_recognized"] else None,
        "recognized": _unflag(row["pdx_recognized"]), "affects_drg": row["pdx_affects_drg"],
        "initial_severity_usage": "NEITHER", "final_severity_usage": "NEITHER",
        "poa_error": "POA_NOT_CHECKED", "hacs": _unhacs(row["pdx_hacs"])}
    codes = _split(row["sdx_codes"]) if row["sdx_poa_error"] else []
    columns = [codes, _split(row["sdx_poa_error"]), _split(row["sdx_recognized"]), _split(row["sdx_affects_drg"]),
               _split(row["sdx_initial_severity_usage"]), _split(row["sdx_final_severity_usage"]),
               row["sdx_hacs"].split("|") if codes else []]
    record["sdx"] = [{"code": c, "recognized": _unflag(r), "affects_drg": a, "initial_severity_usage": i,
                      "final_severity_usage": f, "poa_error": e, "hacs": _unhacs(h)}
                     for c, e, r, a, i, f, h in zip(*columns)]
    procs = _split(row["proc_codes"]) if row["proc_recognized"] else []
    record["procedures"] = [{"code": c, "recognized": _unflag(r), "affects_drg": a, "is_or": _unflag(o),
                             "hac_usage": u.split("+") if u else []}
                            for c, r, a, o, u in zip(procs, _split(row["proc_recognized"]),
                                                     _split(row["proc_affects_drg"]), _split(row["proc_is_or"]),
                                                     row["proc_hac_usage"].split("|") if procs else [])]
    record["status"], record["message"] = row["status"], row["message"]
    for key in row:
        if key not in CSV_HEADER:
            record[key] = row[key]
    return record


def read_results(path: "str | Path", output_format: str | None = None) -> Iterator[dict]:
    """Result records back from a file written by these writers (for round-trip checks and tools)."""
    kind = file_kind(path, output_format)
    if kind.format is FileFormat.JSONL:
        with text_reader(path) as stream:
            for line in stream:
                if line.strip():
                    yield json.loads(line)
    elif kind.format is FileFormat.CSV:
        with text_reader(path) as stream:
            for row in csv.DictReader(stream, delimiter=kind.delimiter):
                yield unflatten(row)
    else:
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(path).iter_batches():
            yield from batch.to_pylist()
