"""Turn the fields of one input claim (from any format) into a `ClaimRow`, checking each value.

The rule for each problem, and why (README "Batch grouping" repeats this table):

| status | when | grouped? |
|---|---|---|
| MISSING_CLAIM_ID | no claim id | yes, id "" — the row number still identifies it |
| MISSING_PDX | no principal diagnosis | yes — the CMS grouper returns DRG 999 / INVALID_PDX, which is the useful answer |
| INVALID_AGE | age a number outside 0-124 | yes, with the age as given — the grouper does not use age to choose a DRG |
| INVALID_AGE_VALUE | age present but not a whole number | no — the value cannot be represented |
| INVALID_SEX | sex not M/F/U (or male/female/unknown) | yes, as U — what the CMS grouper does with any other value |
| INVALID_POA | a POA indicator not Y/N/U/W/1/E/X/blank | yes, as X — the CMS grouper's INVALID, which the HAC logic judges |
| INVALID_DISCHARGE_STATUS | discharge status not a whole number | yes, as none — the grouper's NONE, as for unknown numbers |
| INVALID_HOSPITAL_STATUS | hospital status not NON_EXEMPT/EXEMPT/UNKNOWN | no — it decides the HAC logic; guessing would change DRGs |
| TOO_MANY_CODES | more than 24 secondary diagnoses or 25 procedures | yes, with every code — the CMS grouper groups them all; a UB-04 claim cannot carry them, so the row is flagged |
| UNKNOWN_VERSION | a version the tables do not hold, or unreadable | no |
| INVALID_DISCHARGE_DATE | an unreadable date, or one no version covers, and no version given | no (with a version given: grouped, status kept) |
| MISSING_VERSION | neither version nor discharge date (and none given to the run) | no |

Unknown or invalid codes are not row errors: they are grouped as the CMS grouper groups
them and the result says `recognized: false`.

Codes are normalised the same way in every format: surrounding blanks and dots removed,
upper case ("i50.21 " -> "I5021").
"""
from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache
from typing import Any, Mapping, Sequence

from drg.claim import Claim, Diagnosis
from drg.io.records import OK, ClaimRow
from drg.tables.versions import UnknownVersionError, Version, parse_version, version_for

MAX_SDX = 24
MAX_PROCEDURES = 25

_POA = {"Y": "Y", "N": "N", "U": "U", "W": "W", "1": "1", "E": "E", "X": "X", "": ""}
_SEX = {"M": "M", "F": "F", "U": "U", "MALE": "M", "FEMALE": "F", "UNKNOWN": "U", "": "U"}
_HOSPITAL = {"NON_EXEMPT": "NON_EXEMPT", "NOT_EXEMPT": "NON_EXEMPT", "NONEXEMPT": "NON_EXEMPT",
             "EXEMPT": "EXEMPT", "UNKNOWN": "UNKNOWN", "": "NON_EXEMPT"}


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
    """"i50.21 " -> "I5021". Memoized: a claims file repeats the same few thousand codes."""
    try:
        return _CODE_CACHE[value]
    except (KeyError, TypeError):
        pass
    code = text(value).replace(".", "").upper()
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


def whole_number(value: Any) -> int | None:
    """An int from 65, 65.0, "65" or " 65 "; None when it is not a whole number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    raw = str(value).strip()
    try:
        return int(raw)
    except ValueError:
        try:
            number = float(raw)
        except ValueError:
            return None
        return int(number) if number.is_integer() else None


class _Problems:
    """Collects (status, message) pairs; the first not-grouped one, else the first, is the row status."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str, bool]] = []

    def add(self, status: str, message: str, fatal: bool = False) -> None:
        """`fatal`: the row cannot be grouped."""
        self.items.append((status, message, fatal))

    def has(self, status: str) -> bool:
        return any(s == status for s, _, _ in self.items)

    def result(self) -> tuple[str, str, bool]:
        if not self.items:
            return OK, "", True
        fatal = [s for s, _, f in self.items if f]
        status = fatal[0] if fatal else self.items[0][0]
        return status, "; ".join(m for _, m, _ in self.items), not fatal


def _date(value: Any) -> dt.date | None | str:
    """A date from a date/datetime, ISO text, YYYYMMDD text/int or MM/DD/YYYY; "" when unreadable."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(value)
    if not raw:
        return None
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%m/%d/%Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return ""


def _poa(value: Any, where: str, problems: _Problems, exact: bool = False) -> str:
    """A POA indicator; `exact` (the golden form) takes no case or blank variants, as CMS does."""
    poa = _POA.get(value) if isinstance(value, str) else None     # the common case: already clean
    if poa is not None:
        return poa
    raw = ("" if value is None else str(value)) if exact else text(value).upper()
    poa = _POA.get(raw)
    if poa is None:
        problems.add("INVALID_POA", f"{where} POA indicator {raw!r} is not one of Y, N, U, W, 1, E, X "
                                    f"or blank; grouped as X (invalid)")
        return "X"
    return poa


_DX_CACHE: dict[tuple, Diagnosis] = {}


def _diagnosis(code: Any, poa: Any, n: int, problems: _Problems) -> Diagnosis:
    """The n-th secondary diagnosis; clean (code, POA) pairs are remembered (files repeat them)."""
    key = (code, poa)
    try:
        return _DX_CACHE[key]
    except (KeyError, TypeError):
        pass
    before = len(problems.items)
    diagnosis = Diagnosis(normalize_code(code), _poa(poa, f"secondary diagnosis {n}", problems))
    if len(problems.items) == before and isinstance(code, str) and isinstance(poa, (str, type(None))):
        if len(_DX_CACHE) > 500_000:
            _DX_CACHE.clear()
        _DX_CACHE[key] = diagnosis
    return diagnosis


_EXACT_DX_CACHE: dict[tuple, Diagnosis] = {}


def _exact_diagnosis(code: Any, poa: Any, n: int, problems: _Problems) -> Diagnosis:
    """The n-th secondary diagnosis of the golden form, code as given; clean pairs are remembered."""
    diagnosis = _EXACT_DX_CACHE.get((code, poa)) if isinstance(code, str) and isinstance(poa, str) else None
    if diagnosis is None:
        before = len(problems.items)
        diagnosis = Diagnosis(_as_given(code), _poa(poa, f"secondary diagnosis {n}", problems, exact=True))
        if len(problems.items) == before and isinstance(code, str) and isinstance(poa, str):
            if len(_EXACT_DX_CACHE) > 500_000:      # bounded memory on files with endless distinct junk
                _EXACT_DX_CACHE.clear()
            _EXACT_DX_CACHE[(code, poa)] = diagnosis
    return diagnosis


def build_row(row_number: int, fields: Mapping[str, Any], *, version: "str | int | Version | None" = None,
              extra: Mapping[str, Any] | None = None, errors: Sequence[str] = ()) -> ClaimRow:
    """Check and normalise one claim's fields into a ClaimRow.

    `fields` uses the golden claim names: id, version, discharge_date, age, sex, discharge_status,
    hospital_status, pdx / admit_dx as (code, poa) pairs or None, sdx as a list of (code, poa),
    procedures as a list of codes. `version` (the run's version) overrides the claim's own.
    `errors`: problems the reader found in the record's shape (status INVALID_RECORD, not grouped).
    """
    problems = _Problems()
    for error in errors:
        problems.add("INVALID_RECORD", error, True)
    claim_id = text(fields.get("id"))
    if not claim_id:
        problems.add("MISSING_CLAIM_ID", "claim id is missing; the row number identifies the claim")

    # version: the run's, then the claim's, then its discharge date
    chosen: Version | None = None
    date = _date(fields.get("discharge_date"))
    if date == "":
        date = None
        date_problem = "discharge date cannot be read (write it as YYYY-MM-DD)"
    else:
        date_problem = ""
    claim_version = fields.get("version")
    try:
        if version is not None:
            chosen = cached_version(version) if isinstance(version, (str, int)) else parse_version(version)
        elif not blank(claim_version):
            chosen = cached_version(claim_version if isinstance(claim_version, int) else text(claim_version))
    except UnknownVersionError:
        shown = text(version if version is not None else claim_version)
        problems.add("UNKNOWN_VERSION", f"version {shown!r} is not an MS-DRG version the tables hold", True)
    else:
        if chosen is None and date is not None:
            try:
                chosen = version_for(date)
            except UnknownVersionError:
                problems.add("INVALID_DISCHARGE_DATE", "no MS-DRG version covers the discharge date", True)
        if date_problem:
            problems.add("INVALID_DISCHARGE_DATE", date_problem + ("; grouped by the version given" if chosen
                                                                   else " and no version is given"), chosen is None)
        elif chosen is None and not problems.has("INVALID_DISCHARGE_DATE"):
            problems.add("MISSING_VERSION", "neither a version nor a discharge date is given", True)

    age: int | None = None
    raw_age = fields.get("age")
    if not blank(raw_age):
        age = whole_number(raw_age)
        if age is None:
            problems.add("INVALID_AGE_VALUE", f"age {text(raw_age)!r} is not a whole number of years", True)
        elif not 0 <= age <= 124:
            problems.add("INVALID_AGE", f"age {age} is outside 0-124; grouped as given")

    raw_sex = text(fields.get("sex")).upper()
    sex = _SEX.get(raw_sex)
    if sex is None:
        problems.add("INVALID_SEX", f"sex {raw_sex!r} is not M, F or U; grouped as U")
        sex = "U"

    status: int | None = None
    raw_status = fields.get("discharge_status")
    if not blank(raw_status):
        status = whole_number(raw_status)
        if status is None:
            problems.add("INVALID_DISCHARGE_STATUS",
                         f"discharge status {text(raw_status)!r} is not a number; grouped as no status")

    raw_hospital = text(fields.get("hospital_status")).upper().replace("-", "_").replace(" ", "_")
    hospital = _HOSPITAL.get(raw_hospital)
    if hospital is None:
        problems.add("INVALID_HOSPITAL_STATUS",
                     f"hospital status {raw_hospital!r} is not NON_EXEMPT, EXEMPT or UNKNOWN", True)
        hospital = "NON_EXEMPT"

    exact = bool(fields.get("exact_codes"))
    code_of = _as_given if exact else normalize_code
    pdx_field = fields.get("pdx")
    pdx: Diagnosis | None = None
    if pdx_field is None:
        problems.add("MISSING_PDX", "principal diagnosis is missing; grouped (the grouper gives DRG 999)")
    else:
        code, poa = pdx_field
        pdx = Diagnosis(code_of(code), _poa(poa, "principal diagnosis", problems))
        if not pdx.code:
            problems.add("MISSING_PDX", "principal diagnosis is blank; grouped (the grouper gives DRG 999)")
    admit = fields.get("admit_dx")
    admit_dx = None
    if admit is not None and not blank(admit[0]):
        admit_dx = Diagnosis(code_of(admit[0]), _poa(admit[1], "admit diagnosis", problems))

    sdx_fields: Sequence = fields.get("sdx") or ()
    if exact:
        sdx = tuple(_exact_diagnosis(code, poa, n, problems) for n, (code, poa) in enumerate(sdx_fields, 1))
    else:
        sdx = tuple(_diagnosis(code, poa, n, problems) for n, (code, poa) in enumerate(sdx_fields, 1))
    procedures = tuple(code_of(code) for code in fields.get("procedures") or ())
    if len(sdx) > MAX_SDX:
        problems.add("TOO_MANY_CODES", f"{len(sdx)} secondary diagnoses; at most {MAX_SDX} on a claim; grouped with all of them")
    if len(procedures) > MAX_PROCEDURES:
        problems.add("TOO_MANY_CODES", f"{len(procedures)} procedures; at most {MAX_PROCEDURES} on a claim; grouped with all of them")

    row_status, message, grouped = problems.result()
    claim = None
    if grouped:
        claim = Claim(id=claim_id, version=chosen.id if chosen else None, discharge_date=date, age=age, sex=sex,
                      discharge_status=status, hospital_status=hospital, pdx=pdx, admit_dx=admit_dx,
                      sdx=sdx, procedures=procedures)
    return ClaimRow(row_number, claim_id, claim, row_status, message, dict(extra or {}))
