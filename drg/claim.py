"""The claim record: one inpatient stay as the grouper sees it, and the rules that check one.

The JSON form is the one of the golden files (`golden/README.md`): codes upper case
without dots, `version` as the CMS id (431) or any spelling `parse_version` accepts.

Every way in — a claims file of any format (drg.io) and a dict given to the Python API
(`Claim.from_dict`) — goes through `check_claim`, so one claim gets one verdict wherever it
comes from: a RowStatus (drg.status) and a message naming the field, never its value. The
golden JSON form's shape (sdx a list of {code, poa}, codes text ...) is `golden_shape`.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping as AnyMapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Mapping, Sequence

from drg.status import RowStatus
from drg.tables.cms import ascii_upper
from drg.tables.cms import normalize_code as cms_normalize_code
from drg.tables import Version, parse_version, version_for
from drg.tables.versions import UnknownVersionError, available_versions

POA_VALUES = ("Y", "N", "U", "W", "1", "E", "", "X")
SEX_VALUES = ("M", "F", "U")
HOSPITAL_STATUSES = ("NON_EXEMPT", "EXEMPT", "UNKNOWN")
MAX_SDX = 24
MAX_PROCEDURES = 25
INVALID_SEX_MESSAGE = "sex is not M, F or U"     # the row message of a sex read as U (the MCE's INVALID_SEX)


class InvalidClaimError(ValueError):
    """A claim given to the Python API that `drg group` would not group: `field` names the claim
    field (golden JSON name), `status` the row status the batch would give; the message names
    the field and the rule, never the value."""

    def __init__(self, field: str, problem: str, status: "RowStatus | str" = RowStatus.INVALID_RECORD) -> None:
        self.field = field
        self.problem = problem
        self.status = RowStatus(status)
        super().__init__(f"{field}: {problem} ({self.status.value})")

    def __reduce__(self) -> tuple:
        """Picklable with its fields (a worker process may raise it)."""
        return (type(self), (self.field, self.problem, self.status.value))


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """A diagnosis code with its present-on-admission indicator."""

    code: str
    poa: str = ""

    def to_dict(self) -> dict:
        return {"code": self.code, "poa": self.poa}


@dataclass(frozen=True, slots=True)
class Claim:
    """One inpatient stay: demographics, discharge status and its ICD-10 codes.

    `admit_date` and `length_of_stay` (days) are read only by the Medicare Code Editor
    (drg.mce: its length-of-stay edit); the grouper ignores both. A length of stay not given
    is the discharge date minus the admission date when the claim has both (an admission
    after the discharge gives a negative stay, which the MCE reads as too short). When the
    claim has neither a length of stay nor both dates, `length_of_stay` stays None: the
    MCE then cannot judge its length-of-stay edit, does not raise it, and says so
    (`EditResult.needs_length_of_stay`).
    """

    id: str = ""
    version: int | str | None = None
    discharge_date: dt.date | None = None
    age: int | None = None
    sex: str = "U"
    discharge_status: int | None = None
    hospital_status: str = "NON_EXEMPT"
    pdx: Diagnosis | None = None
    admit_dx: Diagnosis | None = None
    sdx: tuple[Diagnosis, ...] = field(default_factory=tuple)
    procedures: tuple[str, ...] = field(default_factory=tuple)
    admit_date: dt.date | None = None
    length_of_stay: int | None = None

    def __post_init__(self) -> None:
        if (self.length_of_stay is None and isinstance(self.admit_date, dt.date)
                and isinstance(self.discharge_date, dt.date)):
            object.__setattr__(self, "length_of_stay", stay_days(self.admit_date, self.discharge_date))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], version: "str | int | Version | None" = None) -> "Claim":
        """Build a claim from the golden JSON form, checked by the rules of `drg group`'s reader.

        A claim that reader would not group (a wrong shape, an unreadable age, hospital status or
        version ...) raises InvalidClaimError naming the field; one it groups with a warning status
        (age out of range, sex Q, POA Z ...) is built the same way the reader builds it. `version`
        (the run's) overrides the claim's own, as `drg group --version` does; without it the claim's
        version is kept as given and judged when the claim is grouped (`resolve_version`).
        """
        fields, problems = golden_shape(data)
        checked = check_claim(fields, version=version, errors=problems, defer_version=version is None)
        if checked.claim is None:
            raise InvalidClaimError(checked.field, checked.message, checked.status)
        return checked.claim

    def to_dict(self) -> dict:
        """The golden JSON form."""
        out: dict[str, Any] = {"id": self.id}
        if self.version is not None:
            out["version"] = self.version
        if self.discharge_date is not None:
            out["discharge_date"] = self.discharge_date.isoformat()
        out.update({
            "age": self.age, "sex": self.sex, "discharge_status": self.discharge_status,
            "hospital_status": self.hospital_status,
            "pdx": self.pdx.to_dict() if self.pdx else None,
            "admit_dx": self.admit_dx.to_dict() if self.admit_dx else None,
            "sdx": [d.to_dict() for d in self.sdx],
            "procedures": list(self.procedures),
        })
        if self.admit_date is not None:
            out["admit_date"] = self.admit_date.isoformat()
        if self.length_of_stay is not None:
            out["los"] = self.length_of_stay
        return out


def stay_days(admit_date: dt.date, discharge_date: dt.date) -> int:
    """The length of stay in days: discharge date minus admission date (a same-day stay is 0)."""
    return (discharge_date - admit_date).days


def resolve_version(claim: Claim, version: "str | int | Version | None" = None) -> Version:
    """The version a claim is grouped under: the argument wins, then the claim's `version`,
    then its `discharge_date` (CMS effective dates). InvalidClaimError when none is usable."""
    try:
        if version is not None:
            return parse_version(version)
        if claim.version is not None:
            return parse_version(claim.version)
    except (UnknownVersionError, ValueError, TypeError, OverflowError):
        raise InvalidClaimError("version", f"not an MS-DRG version the tables hold ({_available()})",
                                RowStatus.UNKNOWN_VERSION) from None
    if claim.discharge_date is not None:
        try:
            return version_for(claim.discharge_date)
        except (UnknownVersionError, ValueError):
            raise InvalidClaimError("discharge_date", "no MS-DRG version covers the discharge date",
                                    RowStatus.INVALID_DISCHARGE_DATE) from None
    raise InvalidClaimError("version", f"claim {claim.id!r}: no version given and no discharge date to choose one",
                            RowStatus.MISSING_VERSION)


def _available() -> str:
    return "available: " + ", ".join(v.label for v in available_versions())


# ------------------------------------------------------------------ plain values

def blank(value: Any) -> bool:
    """None, NaN, or a string of blanks: a missing value in any format."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float) and math.isnan(value)


def text(value: Any) -> str:
    """A value as stripped text ("" when missing); whole floats lose their ".0" (CSV/pandas)."""
    if blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_CODE_CACHE: dict[Any, str] = {}


def normalize_code(value: Any) -> str:
    """"i50.21 " -> "I5021": drg.tables.cms.normalize_code of the value as text. Memoized: files
    repeat the same codes."""
    try:
        return _CODE_CACHE[value]
    except (KeyError, TypeError):
        pass
    code = cms_normalize_code(text(value))
    if isinstance(value, str):
        if len(_CODE_CACHE) > 500_000:     # bounded memory on files with endless distinct junk
            _CODE_CACHE.clear()
        _CODE_CACHE[value] = code
    return code


def _as_given(value: Any) -> str:
    """A code exactly as given (the golden JSON form); a missing one is ""."""
    return "" if value is None else str(value)


@lru_cache(maxsize=256)
def cached_version(value: "str | int") -> Version:
    """parse_version, remembered (every claim of a file names one of a few versions)."""
    return parse_version(value)


_INTEGER_TEXT = re.compile(r"[+-]?\d+")


def whole_number(value: Any) -> int | None:
    """An int from 65, 65.0, "65" or " 65 "; None when it is not a whole number (or too long to read)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    raw = str(value).strip()
    try:
        return int(raw)
    except ValueError:       # not digits, or more digits than Python converts
        if _INTEGER_TEXT.fullmatch(raw):
            return None
        try:
            number = float(raw)
        except ValueError:
            return None
        return int(number) if number.is_integer() else None


def _too_long_integer(value: Any) -> bool:
    """Digits too many to convert (a 5,001-digit age): a whole number outside every range."""
    if isinstance(value, float):
        return math.isinf(value)
    return isinstance(value, str) and bool(_INTEGER_TEXT.fullmatch(value.strip()))


# ------------------------------------------------------------------ the golden JSON form's shape

GOLDEN_KEYS = ("id", "version", "discharge_date", "age", "sex", "discharge_status", "hospital_status",
               "pdx", "admit_dx", "sdx", "procedures")
_SCALARS = frozenset({str, int, float, bool})
_SCALAR_FIELDS = {"id": "claim id", "version": "version", "discharge_date": "discharge date", "age": "age",
                  "sex": "sex", "discharge_status": "discharge status", "hospital_status": "hospital status"}


@dataclass(frozen=True)
class ShapeProblem:
    """A golden-form claim of the wrong shape: the field (golden name) and plain words (no value)."""

    field: str
    message: str


def _code_pair(value: Any, key: str, where: str, problems: list[ShapeProblem]) -> tuple[Any, Any] | None:
    """(code, poa) of a diagnosis given as a code or as {"code": ..., "poa": ...}; None when missing."""
    if value is None:
        return None
    if type(value) is str:
        return value, ""
    if type(value) is not dict and not isinstance(value, AnyMapping):
        problems.append(ShapeProblem(key, f"{where} is neither a code nor an object with code and poa"))
        return None
    code, poa = value.get("code"), value.get("poa")
    if type(code) is str and (type(poa) is str or poa is None):       # the common case
        return code, poa
    if code is None:
        problems.append(ShapeProblem(key, f"{where} has no code"))
        return None
    if not isinstance(code, str):
        problems.append(ShapeProblem(key, f"{where}: the code is not text"))
        return None
    if poa is not None and not isinstance(poa, str):
        problems.append(ShapeProblem(key, f"{where}: the POA indicator is not text"))
        return None
    return code, poa


def golden_shape(record: Any, nan_is_value: bool = True) -> tuple[dict[str, Any], list[ShapeProblem]]:
    """The fields of one claim in the golden JSON form, for `check_claim`, and its shape problems.

    Claim-level fields must be single values, the claim id text or a whole number; pdx and
    admit_dx a code or an object with a text code; sdx a list of those; procedures a list of
    codes (text, or objects with a text code). Codes are kept exactly as given (the CMS
    grouper's own input: a lower-case code is recognized but never CC-excluded).
    `nan_is_value`: a NaN is a value (JSON's NaN: an invalid age), not a blank (a DataFrame's gap).
    """
    problems: list[ShapeProblem] = []
    if type(record) is not dict and not isinstance(record, AnyMapping):
        return {"exact_codes": True, "nan_is_value": True}, [ShapeProblem("claim", "a claim must be a JSON object")]
    fields: dict[str, Any] = {}
    for key, words in _SCALAR_FIELDS.items():
        value = record.get(key)
        if value is not None and type(value) not in _SCALARS and isinstance(value, (AnyMapping, list, tuple, set)):
            problems.append(ShapeProblem(key, f"{words} is not a single value"))
            value = None
        fields[key] = value
    claim_id = fields["id"]
    if isinstance(claim_id, bool) or (isinstance(claim_id, float) and not claim_id.is_integer()):
        problems.append(ShapeProblem("id", "claim id is not text or a whole number"))
        fields["id"] = None
    fields["pdx"] = _code_pair(record.get("pdx"), "pdx", "principal diagnosis", problems)
    fields["admit_dx"] = _code_pair(record.get("admit_dx"), "admit_dx", "admit diagnosis", problems)
    sdx = record.get("sdx")
    pairs: list[tuple[Any, Any]] = []
    if sdx is not None and not isinstance(sdx, list):
        problems.append(ShapeProblem("sdx", "secondary diagnoses (sdx) are not a list"))
    else:
        for n, item in enumerate(sdx or (), 1):
            if item is None:
                problems.append(ShapeProblem("sdx", f"secondary diagnosis {n} is null"))
                continue
            pair = _code_pair(item, "sdx", f"secondary diagnosis {n}", problems)
            if pair is not None:
                pairs.append(pair)
    fields["sdx"] = pairs
    procedures = record.get("procedures")
    codes: list[str] = []
    if procedures is not None and not isinstance(procedures, list):
        problems.append(ShapeProblem("procedures", "procedures are not a list"))
    else:
        for n, item in enumerate(procedures or (), 1):
            code = item if type(item) is str else item.get("code") if isinstance(item, AnyMapping) else item
            if not isinstance(code, str):
                problems.append(ShapeProblem("procedures", f"procedure {n} is not a code (text)"))
                continue
            codes.append(code)
    fields["procedures"] = codes
    fields["admit_date"] = record.get("admit_date")
    fields["length_of_stay"] = record.get("los", record.get("length_of_stay"))
    fields["exact_codes"] = True       # codes used exactly as given (docs/GROUPER_LOGIC.md section 2.1)
    fields["nan_is_value"] = nan_is_value   # JSON numbers: NaN is a value, not a blank
    return fields, problems


# ------------------------------------------------------------------ the stay: admission date, length of stay

# input columns that give the admission date or the length of stay, compared like every header
# (lower case, other characters as "_"; drg.io.columns). They stay columns of their own too:
# `drg group` copies them to its output as given.
STAY_COLUMNS = {
    "admit_date": ("admit_date", "admission_date", "admitdate", "admit_dt", "adm_date", "admsn_dt"),
    "length_of_stay": ("los", "length_of_stay", "lengthofstay", "los_days", "stay_days"),
}
_STAY_ALIASES = {alias: name for name, aliases in STAY_COLUMNS.items() for alias in aliases}


@lru_cache(maxsize=4096)
def _stay_field(header: str) -> str | None:
    return _STAY_ALIASES.get(re.sub(r"[^a-z0-9]+", "_", str(header).strip().lower()).strip("_"))


def stay_values(extra: Mapping[str, Any]) -> dict[str, Any]:
    """`admit_date` and `length_of_stay` from a row's other columns, by the names of STAY_COLUMNS
    (the first non-blank column of each)."""
    found: dict[str, Any] = {}
    for header, value in extra.items():
        name = _stay_field(header)
        if name is not None and name not in found and not blank(value):
            found[name] = value
    return found


def _stay(fields: Mapping[str, Any], extra: Mapping[str, Any] | None) -> tuple[dt.date | None, int | None]:
    """The admission date and length of stay of a claim's fields (else its other columns).

    The grouper reads neither, so neither gives a row status: an unreadable admission date or a
    length of stay that is not a whole number is left out (None), and the MCE then says it could
    not judge its length-of-stay edit.
    """
    admit, los = fields.get("admit_date"), fields.get("length_of_stay")
    if extra and (admit is None or los is None):
        more = stay_values(extra)
        admit = more.get("admit_date") if admit is None else admit
        los = more.get("length_of_stay") if los is None else los
    read = _date(admit) if admit is not None else None
    days = whole_number(los) if los is not None and not blank(los) else None
    if days is not None and abs(days) >= 10 ** 6:
        days = None
    return (read if isinstance(read, dt.date) else None), days


# ------------------------------------------------------------------ the rules of one claim

_POA = {"Y": "Y", "N": "N", "U": "U", "W": "W", "1": "1", "E": "E", "X": "X", "": ""}
_SEX = {"M": "M", "F": "F", "U": "U", "MALE": "M", "FEMALE": "F", "UNKNOWN": "U", "": "U"}
_HOSPITAL = {"NON_EXEMPT": "NON_EXEMPT", "NOT_EXEMPT": "NON_EXEMPT", "NONEXEMPT": "NON_EXEMPT",
             "EXEMPT": "EXEMPT", "UNKNOWN": "UNKNOWN", "": "NON_EXEMPT"}


class _Problems:
    """Collects the problems of one claim; the first not-grouped one, else the first, is its status."""

    def __init__(self) -> None:
        self.items: list[tuple[RowStatus, str, bool, str]] = []

    def add(self, status: RowStatus, message: str, field: str, fatal: bool | None = None) -> None:
        """`fatal`: the row cannot be grouped (default: what the status says)."""
        self.items.append((status, message, (not status.grouped) if fatal is None else fatal, field))

    def has(self, status: RowStatus) -> bool:
        return any(s == status for s, _, _, _ in self.items)


@dataclass(frozen=True)
class CheckedClaim:
    """The verdict on one claim: the claim (None when it is not grouped), its status and message,
    and the field the status is about ("" when OK)."""

    claim: Claim | None
    status: RowStatus
    message: str
    field: str = ""


def _date(value: Any) -> dt.date | None | str:
    """A date from a date/datetime, ISO text, YYYYMMDD text/int or MM/DD/YYYY; "" when unreadable."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, float) and math.isinf(value):
        return ""
    raw = text(value)
    if not raw:
        return None
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%m/%d/%Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return ""


def _poa(value: Any, where: str, field: str, problems: _Problems, exact: bool = False) -> str:
    """A POA indicator; `exact` (the golden form) takes no case or blank variants, as CMS does."""
    poa = _POA.get(value) if isinstance(value, str) else None     # the common case: already clean
    if poa is not None:
        return poa
    raw = ("" if value is None else str(value)) if exact else ascii_upper(text(value))
    poa = _POA.get(raw)
    if poa is None:
        problems.add(RowStatus.INVALID_POA, f"{where} POA indicator is not one of Y, N, U, W, 1, E, X "
                                            f"or blank; grouped as X (invalid)", field)
        return "X"
    return poa


_DX_CACHE: dict[tuple, Diagnosis] = {}
_EXACT_DX_CACHE: dict[tuple, Diagnosis] = {}


def _diagnosis(code: Any, poa: Any, n: int, problems: _Problems, exact: bool) -> Diagnosis:
    """The n-th secondary diagnosis; clean (code, POA) pairs are remembered (files repeat them)."""
    cache = _EXACT_DX_CACHE if exact else _DX_CACHE
    key = (code, poa)
    try:
        return cache[key]
    except (KeyError, TypeError):
        pass
    before = len(problems.items)
    diagnosis = Diagnosis(_as_given(code) if exact else normalize_code(code),
                          _poa(poa, f"secondary diagnosis {n}", "sdx", problems, exact))
    if len(problems.items) == before and isinstance(code, str) and isinstance(poa, (str, type(None))):
        if len(cache) > 500_000:          # bounded memory on files with endless distinct junk
            cache.clear()
        cache[key] = diagnosis
    return diagnosis


def _readable_version(value: Any) -> Version:
    """parse_version for any value a file or a dict may hold; UnknownVersionError otherwise."""
    try:
        if isinstance(value, Version):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return cached_version(value)
        return cached_version(text(value))
    except (UnknownVersionError, ValueError, TypeError, OverflowError):
        raise UnknownVersionError("not a version") from None


def _check_ascii(pdx: Diagnosis | None, admit_dx: Diagnosis | None, sdx: Sequence[Diagnosis],
                 procedures: Sequence[str], problems: _Problems) -> None:
    """ICD-10 codes are ASCII letters and digits; a non-ASCII letter ("ı") is not the code it looks like."""
    for where, name, code in (("principal diagnosis", "pdx", pdx.code if pdx else ""),
                              ("admit diagnosis", "admit_dx", admit_dx.code if admit_dx else "")):
        if not code.isascii():
            problems.add(RowStatus.INVALID_CODE, f"the {where} code holds a character that is not ASCII", name)
    for n, diagnosis in enumerate(sdx, 1):
        if not diagnosis.code.isascii():
            problems.add(RowStatus.INVALID_CODE, f"secondary diagnosis {n}: the code holds a character that is "
                                                 f"not ASCII", "sdx")
    for n, code in enumerate(procedures, 1):
        if not code.isascii():
            problems.add(RowStatus.INVALID_CODE, f"procedure {n}: the code holds a character that is not ASCII",
                         "procedures")


def _choose_version(claim_version: Any, version: Any, date: "dt.date | None", date_problem: str,
                    golden: bool, problems: _Problems) -> Version | None:
    """The run's version, then the claim's, then its discharge date's; the problems on the way."""
    chosen: Version | None = None
    try:
        if version is not None:
            chosen = _readable_version(version)
        elif not blank(claim_version) or (golden and isinstance(claim_version, float)):
            chosen = _readable_version(claim_version)
    except UnknownVersionError:
        problems.add(RowStatus.UNKNOWN_VERSION, f"version is not an MS-DRG version the tables hold "
                                                f"(write it like 43.1; {_available()})", "version")
        return None
    if chosen is None and date is not None:
        try:
            chosen = version_for(date)
        except (UnknownVersionError, ValueError):
            problems.add(RowStatus.INVALID_DISCHARGE_DATE, "no MS-DRG version covers the discharge date",
                         "discharge_date")
    if date_problem:
        problems.add(RowStatus.INVALID_DISCHARGE_DATE,
                     date_problem + ("; grouped by the version given" if chosen else " and no version is given"),
                     "discharge_date", chosen is None)
    elif chosen is None and not problems.has(RowStatus.INVALID_DISCHARGE_DATE):
        problems.add(RowStatus.MISSING_VERSION, "neither a version nor a discharge date is given", "version")
    return chosen


def check_claim(fields: Mapping[str, Any], *, version: "str | int | Version | None" = None,
                errors: Sequence["ShapeProblem | str"] = (), defer_version: bool = False,
                extra: Mapping[str, Any] | None = None) -> CheckedClaim:
    """Check and normalise one claim's fields: the rules every reader and `Claim.from_dict` apply.

    `fields` uses the golden claim names: id, version, discharge_date, age, sex, discharge_status,
    hospital_status, pdx / admit_dx as (code, poa) pairs or None, sdx as a list of (code, poa),
    procedures as a list of codes; `exact_codes` keeps codes as given (the golden form), else
    they are normalised ("i50.21 " -> "I5021"). `version` (the run's) overrides the claim's own.
    `errors`: problems of the record's shape (INVALID_RECORD, not grouped).
    `defer_version` (a dict given to the API, which may get its version later): the claim's version
    is kept as given, to be judged by `resolve_version` when the claim is grouped.
    `admit_date` and `length_of_stay` come from `fields`, else from the row's other columns
    (`extra`, names of STAY_COLUMNS); they never change the status (see `_stay`).
    """
    problems = _Problems()
    for error in errors:
        if isinstance(error, ShapeProblem):
            problems.add(RowStatus.INVALID_RECORD, error.message, error.field)
        else:
            problems.add(RowStatus.INVALID_RECORD, str(error), "claim")
    golden = bool(fields.get("nan_is_value"))      # NaN is a value (JSON), not a blank
    claim_id = text(fields.get("id"))
    if not claim_id:
        problems.add(RowStatus.MISSING_CLAIM_ID, "claim id is missing; the row number identifies the claim", "id")

    read_date = _date(fields.get("discharge_date"))
    date_problem = ""
    if isinstance(read_date, str):
        read_date, date_problem = None, "discharge date cannot be read (write it as YYYY-MM-DD)"
    date: dt.date | None = read_date
    claim_version: Any = fields.get("version")
    if defer_version:
        if blank(claim_version) and not isinstance(claim_version, float):
            claim_version = None
        if date_problem:
            problems.add(RowStatus.INVALID_DISCHARGE_DATE, date_problem + (
                "; grouped by the version given" if claim_version is not None else " and no version is given"),
                "discharge_date", claim_version is None)
    else:
        chosen = _choose_version(claim_version, version, date, date_problem, golden, problems)
        claim_version = chosen.id if chosen else None

    age: int | None = None
    raw_age = fields.get("age")
    if golden and isinstance(raw_age, float) and math.isnan(raw_age):
        problems.add(RowStatus.INVALID_AGE, "age is not a number (NaN); grouped without an age", "age")
    elif not blank(raw_age):
        age = whole_number(raw_age)
        if age is None:
            if _too_long_integer(raw_age):
                problems.add(RowStatus.INVALID_AGE, "age is outside 0-124 (too many digits); grouped without an age",
                             "age")
            else:
                problems.add(RowStatus.INVALID_AGE_VALUE, "age is not a whole number of years", "age")
        elif abs(age) >= 10 ** 18:         # too large for any output column
            problems.add(RowStatus.INVALID_AGE, "age is outside 0-124; grouped without an age", "age")
            age = None
        elif not 0 <= age <= 124:
            problems.add(RowStatus.INVALID_AGE, "age is outside 0-124; grouped as given", "age")

    raw_sex = ascii_upper(text(fields.get("sex")))
    sex = _SEX.get(raw_sex)
    if sex is None:
        problems.add(RowStatus.INVALID_SEX, INVALID_SEX_MESSAGE + "; grouped as U", "sex")
        sex = "U"

    status: int | None = None
    raw_status = fields.get("discharge_status")
    if golden and isinstance(raw_status, float) and math.isnan(raw_status):
        problems.add(RowStatus.INVALID_DISCHARGE_STATUS, "discharge status is not a number (NaN); "
                                                         "grouped as no status", "discharge_status")
    elif not blank(raw_status):
        status = whole_number(raw_status)
        if status is None or abs(status) >= 10 ** 18:
            status = None
            problems.add(RowStatus.INVALID_DISCHARGE_STATUS,
                         "discharge status is not a whole number (a UB-04 code); grouped as no status",
                         "discharge_status")

    raw_hospital = ascii_upper(text(fields.get("hospital_status"))).replace("-", "_").replace(" ", "_")
    hospital = _HOSPITAL.get(raw_hospital)
    if hospital is None:
        problems.add(RowStatus.INVALID_HOSPITAL_STATUS,
                     "hospital status is not NON_EXEMPT, EXEMPT or UNKNOWN", "hospital_status")
        hospital = "NON_EXEMPT"

    exact = bool(fields.get("exact_codes"))
    code_of = _as_given if exact else normalize_code
    pdx_field = fields.get("pdx")
    pdx: Diagnosis | None = None
    if pdx_field is None:
        if not any(f == "pdx" for _, _, _, f in problems.items):
            problems.add(RowStatus.MISSING_PDX, "principal diagnosis is missing; grouped (the grouper gives DRG 999)",
                         "pdx")
    else:
        code, poa = pdx_field
        pdx = Diagnosis(code_of(code), _poa(poa, "principal diagnosis", "pdx", problems))
        if not pdx.code:
            problems.add(RowStatus.MISSING_PDX, "principal diagnosis is blank; grouped (the grouper gives DRG 999)",
                         "pdx")
    admit = fields.get("admit_dx")
    admit_dx = None
    if admit is not None and not blank(admit[0]):
        admit_dx = Diagnosis(code_of(admit[0]), _poa(admit[1], "admit diagnosis", "admit_dx", problems))

    sdx = tuple(_diagnosis(code, poa, n, problems, exact) for n, (code, poa) in enumerate(fields.get("sdx") or (), 1))
    procedures = tuple(code_of(code) for code in fields.get("procedures") or ())
    _check_ascii(pdx, admit_dx, sdx, procedures, problems)
    if len(sdx) > MAX_SDX:
        problems.add(RowStatus.TOO_MANY_CODES, f"{len(sdx)} secondary diagnoses; at most {MAX_SDX} on a claim; "
                                               f"grouped with all of them", "sdx")
    if len(procedures) > MAX_PROCEDURES:
        problems.add(RowStatus.TOO_MANY_CODES, f"{len(procedures)} procedures; at most {MAX_PROCEDURES} on a "
                                               f"claim; grouped with all of them", "procedures")

    admit_date, length_of_stay = _stay(fields, extra)
    if not problems.items:
        return CheckedClaim(Claim(id=claim_id, version=claim_version, discharge_date=date, age=age,
                                  sex=sex, discharge_status=status, hospital_status=hospital, pdx=pdx,
                                  admit_dx=admit_dx, sdx=sdx, procedures=procedures, admit_date=admit_date,
                                  length_of_stay=length_of_stay), RowStatus.OK, "")
    fatal = [item for item in problems.items if item[2]]
    first = fatal[0] if fatal else problems.items[0]
    message = "; ".join(m for _, m, _, _ in problems.items)
    claim = None
    if not fatal:
        claim = Claim(id=claim_id, version=claim_version, discharge_date=date, age=age, sex=sex,
                      discharge_status=status, hospital_status=hospital, pdx=pdx, admit_dx=admit_dx,
                      sdx=sdx, procedures=procedures, admit_date=admit_date, length_of_stay=length_of_stay)
    return CheckedClaim(claim, first[0], message, first[3])
