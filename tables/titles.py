"""ICD-10-CM and ICD-10-PCS code titles by fiscal year, and codes spelled as coders write them.

The titles come from ../shared/icd10-titles (CMS/NCHS text, public domain; its README gives
coverage and provenance). `drg tables build` compiles them into two manifest-verified files,
`dx_titles.parquet` and `pr_titles.parquet`: one row per code and distinct title, with the
first and last fiscal year that carries the title (about 155 000 rows, most codes one row).

`title(kind, code, fiscal_year)` picks the row whose range holds the fiscal year; when none
does, the row with the nearest range (the README's rule: FY2023 and part of FY2025 have no
complete source, so their neighbouring year's wording is used). On a tie, the earlier row:
a title is taken to hold until a source shows it changed.

The files are read on the first title asked for, not by `load`, so grouping pays nothing; and
a lookup decodes only the row group (4096 rows) that holds its code, so a one-claim command
pays about 5 ms for its titles instead of decoding 155 000 rows (`TitleFile`).
"""
from __future__ import annotations

import bisect
import re
import csv
import gzip
import threading
from collections.abc import Container, Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from drg.tables import cms
from drg.tables.manifest import read_manifest
from drg.tables.paths import DATA_DIR


class CodeKind(StrEnum):
    """Which code system a code belongs to: an ICD-10-CM diagnosis or an ICD-10-PCS procedure."""

    DIAGNOSIS = "dx"
    PROCEDURE = "pr"


TITLE_TABLES = {CodeKind.DIAGNOSIS: "dx_titles", CodeKind.PROCEDURE: "pr_titles"}
SOURCE_FILES = {CodeKind.DIAGNOSIS: "dx_titles.csv.gz", CodeKind.PROCEDURE: "pr_titles.csv.gz"}
TITLES_FOLDER = "icd10-titles"      # beside cms-msdrg in the shared source folder
_lock = threading.Lock()
_ICD10_CM_SHAPE = re.compile(r"[A-Z][0-9][0-9A-Z][0-9A-Z]{1,4}")   # a category and at least one more character


def code_kind(kind: "str | CodeKind") -> CodeKind:
    """"dx"/"pr" (also DIAGNOSIS/PROCEDURE, any case) as a CodeKind; ValueError otherwise."""
    word = str(kind).strip().lower()
    aliases = {"dx": CodeKind.DIAGNOSIS, "diagnosis": CodeKind.DIAGNOSIS, "cm": CodeKind.DIAGNOSIS,
               "pr": CodeKind.PROCEDURE, "procedure": CodeKind.PROCEDURE, "pcs": CodeKind.PROCEDURE}
    if word not in aliases:
        raise ValueError("the code type is 'dx' (ICD-10-CM diagnosis) or 'pr' (ICD-10-PCS procedure)")
    return aliases[word]


def coder_spelling(code: "str | None", code_type: "str | CodeKind") -> str:
    """A code as a coder writes it: ICD-10-CM with a dot after the category (J9601 -> J96.01),
    ICD-10-PCS as is (0DTJ4ZZ). Data fields keep the stored spelling; this is for text people read."""
    if not code:
        return ""
    stored = cms.normalize_code(str(code), drop_inner_spaces=True)
    if code_kind(code_type) is CodeKind.DIAGNOSIS and _ICD10_CM_SHAPE.match(stored):
        return f"{stored[:3]}.{stored[3:]}"
    return stored


@dataclass(frozen=True, slots=True)
class CodeTitle:
    """The title of one code for one fiscal year, and the years its wording covers."""

    code: str
    long_title: str
    short_title: str            # "" where the sources have no abbreviated title
    fiscal_year_from: int
    fiscal_year_to: int
    of_that_year: bool          # False: the nearest year's wording (no title for the year asked)


# ---- build side (drg tables build) -------------------------------------------------------------

def titles_source_present(folder: Path) -> bool:
    """Whether the shared titles folder holds both source files."""
    return all((Path(folder) / name).is_file() for name in SOURCE_FILES.values())


def read_titles_source(folder: Path, kind: "str | CodeKind") -> pa.Table:
    """One source CSV (gzip) as the compiled table: sorted by code and first year, years as int16."""
    path = Path(folder) / SOURCE_FILES[code_kind(kind)]
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows.sort(key=lambda r: (r["code"], int(r["fiscal_year_from"]), int(r["fiscal_year_to"]), r["title"]))
    return pa.table({
        "code": pa.array([r["code"] for r in rows], pa.string()),
        "fiscal_year_from": pa.array([int(r["fiscal_year_from"]) for r in rows], pa.int16()),
        "fiscal_year_to": pa.array([int(r["fiscal_year_to"]) for r in rows], pa.int16()),
        "title": pa.array([r["title"] for r in rows], pa.string()),
        # the abbreviated title only where it differs from the long one (a third of them do not)
        "short_title": pa.array([r["short_title"] if r["short_title"] != r["title"] else "" for r in rows],
                                pa.string()),
        "short_is_long": pa.array([r["short_title"] == r["title"] for r in rows], pa.bool_()),
        "source": pa.array([r["source"] for r in rows], pa.string()),
    })


ROWS_PER_GROUP = 4096     # rows of one Parquet row group: the unit a lookup decodes


def write_titles(table: pa.Table, path: Path) -> None:
    """Titles are nearly all distinct: plain encoding and strong zstd halve the file against the
    builder's dictionary default. Row groups of ROWS_PER_GROUP codes with the code's min/max
    statistics let a lookup decode the one group that holds its code (about 2 ms) instead of
    the whole file (0.06 MB more than one group); deterministic like every table."""
    pq.write_table(table.replace_schema_metadata(None), path, compression="zstd", compression_level=19,
                   use_dictionary=False, write_statistics=["code"], store_schema=False,
                   row_group_size=ROWS_PER_GROUP)


def build_titles(folder: Path, emit) -> None:
    """Compile both title files through the builder's `emit(name, table, origin, writer)`."""
    for kind, name in TITLE_TABLES.items():
        emit(name, read_titles_source(folder, kind), f"{TITLES_FOLDER}/{SOURCE_FILES[kind]}", write_titles)


# ---- lookup side ------------------------------------------------------------------------------

_LOOKUP_COLUMNS = ["code", "fiscal_year_from", "fiscal_year_to", "title", "short_title", "short_is_long"]


@dataclass(frozen=True)
class _Block:
    """One row group of a title file, decoded: the codes as a list (bisect finds a code), the
    years and titles left in their Arrow columns and read per hit, so that even a process that
    has decoded every group does not hold 150 000 Python strings of titles."""

    codes: list[str]
    year_from: pa.Array
    year_to: pa.Array
    long: pa.Array
    short: pa.Array
    short_is_long: pa.Array

    def years(self, i: int) -> tuple[int, int]:
        return self.year_from[i].as_py(), self.year_to[i].as_py()

    def long_at(self, i: int) -> str:
        return self.long[i].as_py()

    def short_at(self, i: int) -> str:
        return self.long[i].as_py() if self.short_is_long[i].as_py() else self.short[i].as_py()


class TitleFile:
    """One compiled title file, checked against the manifest when opened; its row groups are
    decoded on first use, one at a time. Only Parquet's footer is read up front: the first and
    last code of every row group (their statistics), so a lookup finds its group by bisection.
    (pyarrow's `pa.array` and `pyarrow.compute` are not used: both import pandas, 0.3 s.)"""

    def __init__(self, kind: CodeKind, data_dir: Path = DATA_DIR) -> None:
        from drg.tables.loader import checked_bytes   # the manifest check of every table

        self.kind = kind
        self._file: pq.ParquetFile | None = None
        self.first: list[str] = []
        self.last: list[str] = []
        self._blocks: dict[int, _Block] = {}
        self._lower: dict[int, list[str]] = {}
        self._lock = threading.Lock()
        if f"{TITLE_TABLES[kind]}.parquet" not in read_manifest(data_dir)["files"]:
            return                                  # tables built without the titles source
        self._file = pq.ParquetFile(pa.BufferReader(checked_bytes(TITLE_TABLES[kind], data_dir)))
        metadata = self._file.metadata
        for g in range(metadata.num_row_groups):
            stats = metadata.row_group(g).column(0).statistics
            self.first.append(stats.min)
            self.last.append(stats.max)

    @property
    def groups(self) -> int:
        """How many row groups the file has."""
        return len(self.first)

    @property
    def decoded(self) -> int:
        """How many row groups have been decoded so far."""
        return len(self._blocks)

    def block(self, g: int) -> _Block:
        """Row group g, decoded once."""
        found = self._blocks.get(g)
        if found is not None:
            return found
        with self._lock:
            if g not in self._blocks:
                assert self._file is not None
                table = self._file.read_row_group(g, columns=_LOOKUP_COLUMNS, use_threads=False)
                columns = {c: table.column(c).combine_chunks() for c in _LOOKUP_COLUMNS}
                self._blocks[g] = _Block(columns["code"].to_pylist(), columns["fiscal_year_from"],
                                         columns["fiscal_year_to"], columns["title"], columns["short_title"],
                                         columns["short_is_long"])
            return self._blocks[g]

    def rows_of(self, code: str) -> list[tuple[_Block, int]]:
        """Every row of one code (its titles over the years), in file order."""
        out = []
        for g in range(bisect.bisect_left(self.last, code), bisect.bisect_right(self.first, code)):
            block = self.block(g)
            start = bisect.bisect_left(block.codes, code)
            out += [(block, i) for i in range(start, bisect.bisect_right(block.codes, code, lo=start))]
        return out

    def rows_from(self, prefix: str) -> Iterator[tuple[_Block, int]]:
        """The rows whose code starts with the prefix, in code order."""
        for g in range(bisect.bisect_left(self.last, prefix), self.groups):
            block = self.block(g)
            for i in range(bisect.bisect_left(block.codes, prefix), len(block.codes)):
                if not block.codes[i].startswith(prefix):
                    return
                yield block, i

    def rows_with_words(self, words: list[str]) -> Iterator[tuple[_Block, int]]:
        """The rows whose long title holds every word (lower case): the word search decodes
        the whole file, on its first use."""
        for g in range(self.groups):
            block = self.block(g)
            if g not in self._lower:
                self._lower[g] = [text.lower() for text in block.long.to_pylist()]
            for i, low in enumerate(self._lower[g]):
                if all(w in low for w in words):
                    yield block, i


def titles_available(kind: "str | CodeKind" = CodeKind.DIAGNOSIS) -> bool:
    """Whether the installed tables carry the title file of this code system."""
    return f"{TITLE_TABLES[code_kind(kind)]}.parquet" in read_manifest(DATA_DIR)["files"]


@lru_cache(maxsize=None)
def _title_file(kind: CodeKind) -> TitleFile:
    with _lock:
        return TitleFile(kind)


def _distance(years: tuple[int, int], year: int) -> int:
    """How many years lie between a year and a range of years (0 inside it)."""
    low, high = years
    return low - year if year < low else year - high if year > high else 0


def code_title(code_type: "str | CodeKind", code: "str | None", fiscal_year: int) -> CodeTitle | None:
    """The title record of a code for a fiscal year (nearest year when that year has none); None
    when the code has no title at all (not a valid code, or one of the few without one)."""
    if not code:
        return None
    kind = code_kind(code_type)
    stored = cms.normalize_code(str(code), drop_inner_spaces=True)
    rows = _title_file(kind).rows_of(stored)
    if not rows:
        return None
    # the nearest range; on a tie the earlier row (rows are in file order)
    block, i = min(rows, key=lambda row: _distance(row[0].years(row[1]), fiscal_year))
    low, high = block.years(i)
    return CodeTitle(stored, block.long_at(i), block.short_at(i), low, high,
                     _distance((low, high), fiscal_year) == 0)


def title(code_type: "str | CodeKind", code: "str | None", fiscal_year: int) -> str:
    """The long title of a code in a fiscal year ("" when there is none), e.g.
    title("dx", "J9601", 2026) -> "Acute respiratory failure with hypoxia"."""
    found = code_title(code_type, code, fiscal_year)
    return found.long_title if found else ""


def described(code: "str | None", code_type: "str | CodeKind", fiscal_year: int, *,
              in_sentence: bool = False) -> str:
    """A code as a coder reads it: its coder spelling and title ("J96.01 Acute respiratory failure
    with hypoxia"); the spelling alone when there is no title. `in_sentence` puts the title in
    parentheses ("J96.01 (Acute respiratory failure with hypoxia) is an MCC"), so that a sentence
    around it, and a title with commas of its own, still read."""
    spelled = coder_spelling(code, code_type)
    text = title(code_type, code, fiscal_year)
    if not text:
        return spelled
    return f"{spelled} ({text})" if in_sentence else f"{spelled} {text}"


@dataclass(frozen=True, slots=True)
class CodeMatch:
    """One hit of a code search."""

    code: str               # stored spelling
    spelled: str            # coder spelling
    title: str

    def to_dict(self) -> dict:
        return {"code": self.code, "spelled": self.spelled, "title": self.title}


def search_codes(code_type: "str | CodeKind", query: str, fiscal_year: int, limit: int = 20,
                 valid: "Container[str] | None" = None) -> list[CodeMatch]:
    """Codes whose code starts with the query (dots and case ignored) or, for a query with a
    letter-only word, whose title holds every word; titles of the fiscal year. `valid` limits
    the hits to the codes of a version. At most `limit` hits, codes by prefix first."""
    kind = code_kind(code_type)
    titles = _title_file(kind)
    text = " ".join(str(query).split())[:80]
    if not text:
        return []
    limit = max(1, min(int(limit), 100))
    prefix = cms.normalize_code(text, drop_inner_spaces=True)
    hits: list[str] = []

    def take(code: str) -> bool:
        if code not in hits and (valid is None or code in valid):
            hits.append(code)
        return len(hits) >= limit

    full = False
    if prefix.isalnum():
        for block, i in titles.rows_from(prefix):
            if full := take(block.codes[i]):
                break
    words = [w.lower() for w in text.split() if len(w) >= 2]
    if not full and words and any(not w.isdigit() for w in words) and len(text) >= 3:
        for block, i in titles.rows_with_words(words):
            if take(block.codes[i]):
                break
    return [CodeMatch(code, coder_spelling(code, kind), title(kind, code, fiscal_year)) for code in hits]
