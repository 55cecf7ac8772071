"""The one registry of file formats: which suffix means which format, and whether it is gzipped.

Every command reads and writes through it, so `drg group`, `drg validate`, `drg shift` and the
Dask adapter accept the same names: `.jsonl` / `.ndjson` / `.json` (JSON Lines), `.csv`,
`.tsv` (tab-separated CSV), `.txt` (CSV), `.parquet` / `.pq`, X12 837I claims `.837` / `.x12` /
`.edi` (read only: drg.io.x12), each text format also gzipped (`.gz` after it). A name that says
nothing is a usage error raised before any work.
"""
from __future__ import annotations

import gzip
import io
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO


class FileFormat(StrEnum):
    """A file format of claims or results."""

    JSONL = "jsonl"
    CSV = "csv"
    PARQUET = "parquet"
    X12 = "x12"            # ASC X12 837 institutional claims (read only)


@dataclass(frozen=True)
class FileKind:
    """What a file name (or an explicit format) means: the format, gzip or not, the CSV delimiter."""

    format: FileFormat
    gzip: bool = False
    delimiter: str = ","


# suffix -> (format, CSV delimiter)
SUFFIXES: dict[str, tuple[FileFormat, str]] = {
    ".jsonl": (FileFormat.JSONL, ","), ".ndjson": (FileFormat.JSONL, ","), ".json": (FileFormat.JSONL, ","),
    ".csv": (FileFormat.CSV, ","), ".tsv": (FileFormat.CSV, "\t"), ".txt": (FileFormat.CSV, ","),
    ".parquet": (FileFormat.PARQUET, ","), ".pq": (FileFormat.PARQUET, ","),
    ".837": (FileFormat.X12, ","), ".x12": (FileFormat.X12, ","), ".edi": (FileFormat.X12, ","),
}
READ_ONLY = frozenset({FileFormat.X12})
FORMAT_NAMES = tuple(f.value for f in FileFormat)
# what --input-format / --output-format accept: every format ("tsv" = CSV with tabs); X12 in only
INPUT_FORMAT_NAMES = FORMAT_NAMES + ("tsv",)
OUTPUT_FORMAT_NAMES = tuple(f.value for f in FileFormat if f not in READ_ONLY) + ("tsv",)
GZIP_SUFFIX = ".gz"


class UnknownFormatError(ValueError):
    """A file name whose format cannot be told, or a format name that does not exist."""


def _suffix_kind(name: str) -> tuple[FileFormat, str] | None:
    return SUFFIXES.get(Path(name).suffix)


def file_kind(path: "str | Path", given_format: str | None = None) -> FileKind:
    """The FileKind of `path`: from `given_format` (jsonl, csv, tsv, parquet, x12) when given, else from
    the suffix (".gz" looked through). Raises UnknownFormatError in plain words."""
    name = Path(path).name.lower()
    gzipped = name.endswith(GZIP_SUFFIX)
    bare = name[: -len(GZIP_SUFFIX)] if gzipped else name
    from_name = _suffix_kind(bare)
    if given_format is not None:
        wanted = given_format.lower()
        if wanted == "tsv":
            fmt, delimiter = FileFormat.CSV, "\t"
        elif wanted in FORMAT_NAMES:
            fmt = FileFormat(wanted)
            delimiter = from_name[1] if from_name is not None and from_name[0] is fmt else ","
        else:
            raise UnknownFormatError(f"unknown format {given_format!r}; use one of {', '.join(FORMAT_NAMES)}")
    elif from_name is None:
        raise UnknownFormatError(f"cannot tell the format of {path} from its name: use a name ending in "
                                 f"{', '.join(SUFFIXES)} (optionally + .gz), or give the format")
    else:
        fmt, delimiter = from_name
    if gzipped and fmt is FileFormat.PARQUET:
        raise UnknownFormatError(f"{path}: Parquet is compressed inside the file; drop the .gz")
    return FileKind(fmt, gzipped, delimiter)


def deterministic_gzip(raw: BinaryIO) -> BinaryIO:
    """A gzip writer over `raw` with no time stamp and no file name in its header, so the same
    content always gives the same bytes."""
    return gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0)  # type: ignore[return-value]


def check_writable(kind: FileKind) -> None:
    """UnknownFormatError for a format that is only read (X12 837I)."""
    if kind.format in READ_ONLY:
        raise UnknownFormatError(f"{kind.format.value} files are read, not written: write results as "
                                 f".jsonl, .csv, .tsv or .parquet")


def open_for_writing(raw: BinaryIO, kind: FileKind) -> BinaryIO:
    """The binary stream to write a file of `kind` into `raw` (gzip when the kind says so)."""
    check_writable(kind)
    return deterministic_gzip(raw) if kind.gzip else raw


def open_for_reading(path: "str | Path") -> BinaryIO:
    """A binary stream of the file's content (gunzipped when its name ends in .gz)."""
    raw = open(path, "rb")
    if str(path).lower().endswith(GZIP_SUFFIX):
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    return raw


def text_reader(path: "str | Path") -> io.TextIOWrapper:
    """The file's content as UTF-8 text (a byte-order mark skipped), gunzipped when named .gz."""
    return io.TextIOWrapper(open_for_reading(path), encoding="utf-8-sig", newline="")
