"""Writing rows that come as pandas DataFrames (validation rows, version-shift rows), chunk by chunk.

The same OutputTarget as the result writers (drg.io.writers): one format registry, atomic
output, deterministic gzip. CSV gets its header once, Parquet keeps the first chunk's schema
for every chunk, JSON Lines is one object a line (from the frame, or from records the caller
encodes itself when its JSON form holds more than the flat frame).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable

from drg.io.formats import FileFormat
from drg.io.writers import OutputTarget


class FrameWriter:
    """Chunks of rows into one file; `close()` completes it, `abandon()` leaves nothing behind."""

    def __init__(self, path: "str | Path", output_format: str | None = None, *,
                 inputs: Iterable["str | Path | None"] = (), stream: BinaryIO | None = None) -> None:
        self.target = OutputTarget(path, output_format, stream=stream, inputs=inputs)
        self.format = self.target.kind.format
        self._text = None if self.format is FileFormat.PARQUET else self.target.text("" if self.format is
                                                                                      FileFormat.CSV else "\n")
        self._parquet: Any = None
        self._header_written = False

    def write_frame(self, frame: Any, schema: Any = None) -> None:
        """A chunk as a DataFrame: CSV rows, Parquet row group, or JSON Lines (pandas' JSON).
        `schema`: the Arrow schema of every Parquet chunk (else the first chunk's)."""
        if self.format is FileFormat.PARQUET:
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self.target.binary, table.schema)
            self._parquet.write_table(table.cast(self._parquet.schema))
            return
        assert self._text is not None
        if self.format is FileFormat.CSV:
            frame.to_csv(self._text, index=False, header=not self._header_written, sep=self.target.kind.delimiter)
            self._header_written = True
        elif len(frame):
            self._text.write(frame.to_json(orient="records", lines=True).rstrip("\n") + "\n")

    def write_records(self, records: Iterable[dict], dumps: Callable[[dict], str]) -> None:
        """A chunk as dicts, one JSON object a line (JSON Lines output only)."""
        if self.format is not FileFormat.JSONL or self._text is None:
            raise ValueError("write_records writes JSON Lines only")
        self._text.write("".join(dumps(r) + "\n" for r in records))

    def close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
        if self._text is not None:
            self._text.flush()
            self._text.detach()
        self.target.finish()

    def abandon(self) -> None:
        self.target.abandon()

    def __enter__(self) -> "FrameWriter":
        return self

    def __exit__(self, kind: object, *rest: object) -> None:
        if kind is None:
            self.close()
        else:
            self.abandon()
