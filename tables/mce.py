"""The Medicare Code Editor (MCE) tables: compiled, date-ranged, loaded once.

The MCE selects everything by the **discharge date** (docs/MCE_LOGIC.md section 3): a
code, an age group or a discharge status is looked up and the row whose
`date_from <= date <= date_through` holds is used; no row means "not valid on that date".
The compiled tables keep exactly those date ranges (ICD-10 rows only):

| file | rows | what |
|---|---:|---|
| mce_dx_codes.parquet | ~85 000 | ICD-10-CM master: code, dates, flags (`a\\|b`) |
| mce_pr_codes.parquet | ~87 000 | ICD-10-PCS master: code, dates, flags |
| mce_edits.parquet | 44 | the MCE's edits: code type, payment type, counter and flag positions, title |
| mce_age_groups.parquet | 5 | Newborn / Pediatric / Maternity / Adult age ranges by date |
| mce_discharge_statuses.parquet | 45 | valid UB-04 discharge statuses by date |
| mce_flags.parquet | 57 | what each flag means and which edit reads it |

`load_mce()` returns the frozen `MceTables`, built once per process; look-ups by code and
discharge date are dictionary look-ups.
"""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping

import numpy as np
import pyarrow as pa

from drg.tables.manifest import TableIntegrityError

MCE_TABLES = ("mce_dx_codes", "mce_pr_codes", "mce_edits", "mce_age_groups", "mce_discharge_statuses", "mce_flags")

# The data version the CMS MCE reports for this release (43.1); the FY 2027 rows that extend it
# carry no version of their own (cms-mce/README.md, MCE_LOGIC.md section 10).
DATA_VERSION = 431

_EPOCH = dt.date(1970, 1, 1)


def epoch_day(date: dt.date) -> int:
    """Days since 1970-01-01: the form the compiled date columns hold (Parquet date32)."""
    return (date - _EPOCH).days


# ------------------------------------------------------------------ domain words

class Edit(StrEnum):
    """The MCE's edits, by the names of the CMS jar's `Edit` enum (cms-mce/edits.csv), in its order."""

    INVALID_CODE = "INVALID_CODE"
    SEX_CONFLICT = "SEX_CONFLICT"
    AGE_CONFLICT = "AGE_CONFLICT"
    QUESTIONABLE_ADMISSION = "QUESTIONABLE_ADMISSION"
    MANIFESTATION_AS_PDX = "MANIFESTATION_AS_PDX"
    NONSPECIFIC_PDX = "NONSPECIFIC_PDX"
    E_CODE_AS_PDX = "E_CODE_AS_PDX"
    UNACCEPTABLE_PDX = "UNACCEPTABLE_PDX"
    DUPLICATE_OF_PDX = "DUPLICATE_OF_PDX"
    MEDICARE_IS_SECONDARY_PAYER = "MEDICARE_IS_SECONDARY_PAYER"
    REQUIRES_SDX = "REQUIRES_SDX"
    NONSPECIFIC_OR = "NONSPECIFIC_OR"
    OPEN_BIOPSY = "OPEN_BIOPSY"
    NON_COVERED = "NON_COVERED"
    BILATERAL = "BILATERAL"
    LIMITED_COVERAGE_LVRS = "LIMITED_COVERAGE_LVRS"
    LIMITED_COVERAGE = "LIMITED_COVERAGE"
    LIMITED_COVERAGE_LUNG_TRANSPLANT = "LIMITED_COVERAGE_LUNG_TRANSPLANT"
    QUESTIONABLE_OBSTETRIC_ADMISSION = "QUESTIONABLE_OBSTETRIC_ADMISSION"
    LIMITED_COVERAGE_COMBINATION_HEART_LUNG_TRANSPLANT = "LIMITED_COVERAGE_COMBINATION_HEART_LUNG_TRANSPLANT"
    LIMITED_COVERAGE_HEART_TRANSPLANT = "LIMITED_COVERAGE_HEART_TRANSPLANT"
    LIMITED_COVERAGE_HEART_IMPLANT = "LIMITED_COVERAGE_HEART_IMPLANT"
    LIMITED_COVERAGE_INTESTINE_MULTI_VISCERAL_TRANSPLANT = "LIMITED_COVERAGE_INTESTINE_MULTI_VISCERAL_TRANSPLANT"
    LIMITED_COVERAGE_LIVER_TRANSPLANT = "LIMITED_COVERAGE_LIVER_TRANSPLANT"
    INVALID_ADMIT_DX = "INVALID_ADMIT_DX"
    INVALID_AGE = "INVALID_AGE"
    INVALID_SEX = "INVALID_SEX"
    INVALID_DISCHARGE_STATUS = "INVALID_DISCHARGE_STATUS"
    LIMITED_COVERAGE_KIDNEY_TRANSPLANT = "LIMITED_COVERAGE_KIDNEY_TRANSPLANT"
    LIMITED_COVERAGE_PANCREAS_TRANSPLANT = "LIMITED_COVERAGE_PANCREAS_TRANSPLANT"
    TYPE_OF_AGE_CONFLICT = "TYPE_OF_AGE_CONFLICT"
    INVALID_POA = "INVALID_POA"
    LIMITED_COVERAGE_ARTIFICIAL_HEART = "LIMITED_COVERAGE_ARTIFICIAL_HEART"
    WRONG_PROCEDURE_PERFORMED = "WRONG_PROCEDURE_PERFORMED"
    INCONSISTENT_WITH_LENGTH_OF_STAY = "INCONSISTENT_WITH_LENGTH_OF_STAY"
    UNSPECIFIED = "UNSPECIFIED"
    DX_UNUSED_1 = "DX_UNUSED_1"
    DX_UNUSED_2 = "DX_UNUSED_2"
    DX_UNUSED_3 = "DX_UNUSED_3"
    DX_UNUSED_4 = "DX_UNUSED_4"
    DX_UNUSED_5 = "DX_UNUSED_5"
    SG_UNUSED_1 = "SG_UNUSED_1"
    SG_UNUSED_2 = "SG_UNUSED_2"
    SG_UNUSED_3 = "SG_UNUSED_3"


class EditType(StrEnum):
    """An edit's payment type, and the claim's edit type (MCE_LOGIC.md section 9)."""

    NONE = "NONE"
    PREPAYMENT = "PREPAYMENT"
    POSTPAYMENT = "POSTPAYMENT"
    BOTH = "BOTH"
    INVALID_DISCHARGE_DATE = "INVALID_DISCHARGE_DATE"


class CodeType(StrEnum):
    """What an edit can hit: a diagnosis, a procedure, either, or the claim itself (NONE)."""

    DIAGNOSIS = "DIAGNOSIS"
    PROCEDURE = "PROCEDURE"
    BOTH = "BOTH"
    NONE = "NONE"


class AgeGroup(StrEnum):
    """The MCE's age groups; the digit is the age-conflict type written in a diagnosis' flag string."""

    NEWBORN = "NEWBORN"
    PEDIATRIC = "PEDIATRIC"
    MATERNITY = "MATERNITY"
    ADULT = "ADULT"

    @property
    def digit(self) -> str:
        return _AGE_DIGITS[self]


_AGE_DIGITS = {AgeGroup.NEWBORN: "1", AgeGroup.PEDIATRIC: "2", AgeGroup.MATERNITY: "3", AgeGroup.ADULT: "4"}


class Flag(StrEnum):
    """The flags of the MCE code masters, spelled as CMS stores them (cms-mce/flags.csv)."""

    ADULT = "adult"
    BILATERAL = "bilateral"
    BIOPSY = "biopsy"
    CC = "cc"
    CLINTRIAL = "clintrial"
    CSECT = "csect"
    DELOUT = "delout"
    DIABTYPEI = "diabtypeI"
    ECODEPDX = "ecodepdx"
    FEMALE = "female"
    KIDNEYXP = "kidneyxp"
    LCOV = "lcov"
    LCOV_ARTHEARTXP = "lcov_artheartxp"
    LCOV_ARTHEARTXPA = "lcov_artheartxpa"
    LCOV_ARTHEARTXPB = "lcov_artheartxpb"
    LCOV_HEARTLUNGXP = "lcov_heartlungxp"
    LCOV_HEARTSYS = "lcov_heartsys"
    LCOV_HEARTXP = "lcov_heartxp"
    LCOV_INTXP = "lcov_intxp"
    LCOV_KIDNEYXP = "lcov_kidneyxp"
    LCOV_LIVERXP = "lcov_liverxp"
    LCOV_LUNGXP = "lcov_lungxp"
    LCOV_LVRS = "lcov_lvrs"
    LCOV_PANCREASXP = "lcov_pancreasxp"
    LOS = "los"
    MALE = "male"
    MANIFESTATION = "manifestation"
    MATERNITY = "maternity"
    MDC08 = "mdc08"
    MSP = "msp"
    NCOV12AGELE60 = "ncov12agele60"
    NCOV13A = "ncov13a"
    NCOV13B = "ncov13b"
    NCOV2 = "ncov2"
    NCOV2AGELT64 = "ncov2agelt64"
    NCOV2AGELT78 = "ncov2agelt78"
    NCOV3 = "ncov3"
    NCOV4 = "ncov4"
    NCOV45 = "ncov45"
    NCOV5 = "ncov5"
    NCOV6 = "ncov6"
    NCOV7 = "ncov7"
    NCOV8 = "ncov8"
    NCOV89 = "ncov89"
    NCOV9 = "ncov9"
    NCOV_Z302 = "ncov_z302"
    NEWBORN = "newborn"
    NONCOVERED = "noncovered"
    NONSPECIFIC = "nonspecific"
    OR_INDIC = "or_indic"
    PEDIATRIC = "pediatric"
    QADM = "qadm"
    REQSDX = "reqsdx"
    UNACCEPTABLE = "unacceptable"
    UNSPECIFIED = "unspecified"
    VAGDEL = "vagdel"
    WRNGPROC = "wrngproc"


NO_FLAGS: frozenset[Flag] = frozenset()


# ------------------------------------------------------------------ records

@dataclass(frozen=True, slots=True)
class EditInfo:
    """One edit of cms-mce/edits.csv, ICD-10 columns."""

    edit: Edit
    ordinal: int
    code_type: CodeType
    edit_type: EditType               # PREPAYMENT, POSTPAYMENT or NONE
    counter_position: int | None      # order in the claim's `edits` list; None = not counted for ICD-10
    dx_flag_position: int | None      # position in a diagnosis' 20-character flag string
    pr_flag_position: int | None      # position in a procedure's flag string
    manual_number: int | None         # number in CMS's "Definitions of Medicare Code Edits"
    title: str


@dataclass(frozen=True, slots=True)
class AgeRange:
    """The ages (years, both inclusive) an age group allows, over a range of discharge dates."""

    group: AgeGroup
    flag: Flag
    start_age: int
    end_age: int
    day_from: int                     # epoch days, inclusive
    day_through: int


@dataclass(frozen=True, slots=True)
class FlagInfo:
    """What a flag marks, in plain words, and the edits that read it."""

    flag: Flag
    used_by: tuple[str, ...]
    meaning: str


@dataclass(frozen=True)
class CodeMaster:
    """A code master (diagnoses or procedures): each code's date-ranged rows of flags.

    Codes are stored upper case without dots, as CMS stores them; `flags_on` looks up the
    code exactly as given (callers upper-case it, as the MCE does). The rows are parallel
    lists sorted by code and date; `last_row` maps a code to the position of its last row
    (a code's rows are consecutive), so a look-up is one dictionary probe.
    """

    codes: list[str]
    day_from: list[int]               # days since 1970-01-01, inclusive
    day_through: list[int]
    flags: list[frozenset]            # frozenset[Flag] per row
    last_row: dict[str, int]          # read-only by convention (a plain dict: the fastest look-up)

    def flags_on(self, code: str, day: int) -> frozenset | None:
        """The code's flags on the day, or None when the code is not valid on that day."""
        i = self.last_row.get(code)
        if i is None:
            return None
        codes = self.codes
        while i >= 0 and codes[i] == code:
            if self.day_from[i] <= day <= self.day_through[i]:
                return self.flags[i]
            i -= 1
        return None

    def history(self, code: str) -> tuple[tuple[dt.date, dt.date, frozenset], ...]:
        """Every row of the code as (first date, last date, flags), oldest first (empty when unknown)."""
        i = self.last_row.get(code)
        out = []
        while i is not None and i >= 0 and self.codes[i] == code:
            out.append((_EPOCH + dt.timedelta(days=self.day_from[i]),
                        _EPOCH + dt.timedelta(days=self.day_through[i]), self.flags[i]))
            i -= 1
        return tuple(reversed(out))


@dataclass(frozen=True, slots=True)
class CodeEditRange:
    """What the MCE knows of a code over one range of discharge dates (for `drg tables show`)."""

    date_from: dt.date
    date_through: dt.date
    flags: tuple[Flag, ...]
    edits: tuple[Edit, ...]           # the edits whose rules read these flags (cms-mce/flags.csv)
    meanings: tuple[str, ...]         # each flag in plain words, in the order of `flags`


@dataclass(frozen=True)
class MceTables:
    """Everything the MCE reads, ICD-10 part: code masters, edits, age groups, discharge statuses.

    `first_day` .. `termination_day` (epoch days) is the span of discharge dates the data
    covers; outside it every claim is INVALID_DISCHARGE_DATE (MCE_LOGIC.md 3.1).
    """

    diagnoses: CodeMaster
    procedures: CodeMaster
    edits: Mapping[Edit, EditInfo]
    age_ranges: tuple[AgeRange, ...]
    discharge_statuses: Mapping[int, tuple[tuple[int, int], ...]]
    flag_info: Mapping[Flag, FlagInfo]
    termination_day: int
    first_day: int = epoch_day(dt.date(1985, 10, 1))
    data_version: int = DATA_VERSION

    @property
    def termination_date(self) -> dt.date:
        return _EPOCH + dt.timedelta(days=self.termination_day)

    def code_edits(self, kind: str, code: str) -> tuple[CodeEditRange, ...]:
        """Every date range of a code ("dx" or "pr", as CMS stores it) with the edits it can raise.

        Empty when the MCE has never known the code (it is then INVALID_CODE on every date).
        """
        master = self.diagnoses if kind == "dx" else self.procedures
        out = []
        for first, last, flags in master.history(code.replace(".", "").strip().upper()):
            ordered = tuple(sorted(flags, key=lambda f: f.value))
            edits = dict.fromkeys(Edit(e) for f in ordered for e in self.flag_info[f].used_by if e in Edit.__members__)
            # `unacceptable` raises REQUIRES_SDX only with `reqsdx`, UNACCEPTABLE_PDX only without it
            edits.pop(Edit.UNACCEPTABLE_PDX if Flag.REQSDX in flags else Edit.REQUIRES_SDX, None)
            out.append(CodeEditRange(first, last, ordered, tuple(edits),
                                     tuple(self.flag_info[f].meaning for f in ordered)))
        return tuple(out)

    def age_range(self, flag: Flag, day: int) -> AgeRange | None:
        """The age range of the group of an age flag on the day (None when no row covers it)."""
        for entry in self.age_ranges:
            if entry.flag == flag and entry.day_from <= day <= entry.day_through:
                return entry
        return None

    def discharge_status_valid(self, status: int, day: int) -> bool:
        """Whether the UB-04 discharge status has a row for the day."""
        return any(first <= day <= last for first, last in self.discharge_statuses.get(status, ()))

    @cached_property
    def dx_flag_positions(self) -> Mapping[Edit, int]:
        """Edit -> its position in a diagnosis' flag string (TYPE_OF_AGE_CONFLICT included)."""
        return MappingProxyType({i.edit: i.dx_flag_position for i in self.edits.values()
                                 if i.dx_flag_position is not None})

    @cached_property
    def pr_flag_positions(self) -> Mapping[Edit, int]:
        """Edit -> its position in a procedure's flag string."""
        return MappingProxyType({i.edit: i.pr_flag_position for i in self.edits.values()
                                 if i.pr_flag_position is not None})

    @cached_property
    def dx_flag_width(self) -> int:
        """Characters of a diagnosis' flag string (20 for ICD-10)."""
        return max(self.dx_flag_positions.values()) + 1

    @cached_property
    def pr_flag_width(self) -> int:
        """Characters of a procedure's flag string (20 for ICD-10)."""
        return max(self.pr_flag_positions.values()) + 1

    @cached_property
    def counter_order(self) -> Mapping[Edit, int]:
        """Edit -> its place in the counter order (edits without an ICD-10 counter are absent)."""
        return MappingProxyType({edit: n for n, edit in enumerate(self.counted_edits)})

    @cached_property
    def counted_edits(self) -> tuple[Edit, ...]:
        """The edits with an ICD-10 counter, in counter order (the order of a claim's `edits`)."""
        ranked = sorted((i.counter_position, i.edit) for i in self.edits.values() if i.counter_position is not None)
        return tuple(edit for _, edit in ranked)


# ------------------------------------------------------------------ build

def write_mce_parquet(table: pa.Table, path: Path) -> None:
    """Write a compiled MCE table deterministically (no volatile metadata).

    The code columns of the masters are sorted text, which delta encoding stores in a quarter
    of the space of a dictionary (the two masters take about 130 kB instead of 560 kB).
    """
    import pyarrow.parquet as pq

    table = table.replace_schema_metadata(None)
    delta = ["code"] if "code" in table.column_names and table.schema.field("code").type == pa.string() else []
    pq.write_table(table, path, compression="zstd", compression_level=9,
                   use_dictionary=[c for c in table.column_names if c not in delta],
                   column_encoding={c: "DELTA_BYTE_ARRAY" for c in delta} or None,
                   write_statistics=False, store_schema=False)


def build_mce(source_dir: Path, emit: Callable[..., None]) -> None:
    """Compile the cms-mce folder's ICD-10 tables, handing each to `emit(name, table, origin, writer)`.

    The enums above must name every edit and flag of the source: a new edit or flag in a
    later CMS release stops the build instead of being ignored.
    """
    from drg.tables.mce_source import MCE_SOURCES, read_mce_table

    for name in MCE_TABLES:
        table = read_mce_table(source_dir, name)
        _check_names(name, table)
        emit(name, table, f"cms-mce/{MCE_SOURCES[name][0]}", write_mce_parquet)


def _check_names(name: str, table: pa.Table) -> None:
    from drg.tables.source import SourceError

    def unknown(values, enum) -> list[str]:
        return sorted({v for v in values if v not in enum.__members__.values()})

    if name == "mce_edits":
        bad = unknown(table.column("edit").to_pylist(), Edit)
    elif name == "mce_flags":
        bad = unknown(table.column("flag").to_pylist(), Flag)
    elif name in ("mce_dx_codes", "mce_pr_codes"):
        bad = unknown({f for s in set(table.column("flags").to_pylist()) for f in s.split("|") if f}, Flag)
    else:
        bad = []
    if bad:
        raise SourceError(f"{name}: names the MCE does not know: {', '.join(bad)}")


# ------------------------------------------------------------------ load

def _days(array: pa.ChunkedArray) -> list[int]:
    """A date32 (or integer) column without nulls as epoch days, read from its buffers."""
    if array.null_count:
        raise TableIntegrityError("unexpected null date in the compiled MCE tables")
    parts = [np.frombuffer(c.buffers()[1], dtype=np.int32, count=len(c), offset=c.offset * 4)
             for c in array.chunks if len(c)]
    return np.concatenate(parts).tolist() if parts else []


def _master(table: pa.Table) -> CodeMaster:
    codes = table.column("code").to_pylist()
    if any(a > b for a, b in zip(codes, codes[1:], strict=False)):
        raise TableIntegrityError("compiled MCE code master is not sorted by code")
    texts = table.column("flags").to_pylist()
    flag_sets = {text: frozenset(Flag(f) for f in text.split("|") if f) for text in set(texts)}
    return CodeMaster(codes, _days(table.column("date_from")), _days(table.column("date_through")),
                      [flag_sets[t] for t in texts], dict(zip(codes, range(len(codes)), strict=True)))


def _edits(table: pa.Table) -> Mapping[Edit, EditInfo]:
    out = {}
    for row in table.to_pylist():
        edit = Edit(row["edit"])
        out[edit] = EditInfo(edit, row["ordinal"], CodeType(row["code_type"]), EditType(row["edit_type"]),
                             row["counter_position_icd10"], row["dx_flag_position_icd10"],
                             row["pr_flag_position_icd10"], row["manual_number"], row["title"])
    return MappingProxyType(out)


def _age_ranges(table: pa.Table) -> tuple[AgeRange, ...]:
    firsts, lasts = _days(table.column("date_from")), _days(table.column("date_through"))
    out = []
    for row, first, last in zip(table.to_pylist(), firsts, lasts, strict=True):
        out.append(AgeRange(AgeGroup(row["age_group"]), Flag(row["flag"]), row["start_age"], row["end_age"],
                            first, last))
        if AgeGroup(row["age_group"]).digit != str(row["age_conflict_type"]):
            raise TableIntegrityError(f"mce_age_groups: age-conflict type of {row['age_group']} is not "
                                      f"{AgeGroup(row['age_group']).digit}")
    return tuple(out)


def _statuses(table: pa.Table) -> Mapping[int, tuple[tuple[int, int], ...]]:
    firsts, lasts = _days(table.column("date_from")), _days(table.column("date_through"))
    out: dict[int, list] = {}
    for code, first, last in zip(table.column("code").to_pylist(), firsts, lasts, strict=True):
        out.setdefault(code, []).append((first, last))
    return MappingProxyType({k: tuple(v) for k, v in out.items()})


def _flag_info(table: pa.Table) -> Mapping[Flag, FlagInfo]:
    return MappingProxyType({
        Flag(row["flag"]): FlagInfo(Flag(row["flag"]), tuple(row["used_by"].split()) if row["used_by"] != "-" else (),
                                    row["meaning"])
        for row in table.to_pylist()})


def tables_from(read: Callable[[str], pa.Table]) -> MceTables:
    """Build the MCE table set from the compiled tables, each given by `read(name)`."""
    dx, pr = read("mce_dx_codes"), read("mce_pr_codes")
    diagnoses, procedures = _master(dx), _master(pr)
    termination = max(max(_days(dx.column("date_through")), default=0),
                      max(_days(pr.column("date_through")), default=0))
    return MceTables(diagnoses=diagnoses, procedures=procedures, edits=_edits(read("mce_edits")),
                     age_ranges=_age_ranges(read("mce_age_groups")),
                     discharge_statuses=_statuses(read("mce_discharge_statuses")),
                     flag_info=_flag_info(read("mce_flags")), termination_day=termination)


_lock = threading.Lock()
_cache: dict[Path | None, MceTables] = {}


def load_mce(data_dir: "Path | str | None" = None) -> MceTables:
    """The MCE tables of the package (or of a copy in `data_dir`), checked against the manifest.

    Built once per process and shared (the object is immutable); about 0.2 s the first time.
    """
    from drg.tables.loader import read_table

    key = Path(data_dir) if data_dir is not None else None
    tables = _cache.get(key)
    if tables is None:
        with _lock:
            tables = _cache.get(key)
            if tables is None:
                tables = tables_from(lambda name: read_table(name, key))
                _cache[key] = tables
    return tables
