"""The claim as the MCE reads it (docs/MCE_LOGIC.md section 2), and how it is read from a Claim.

The MCE takes every code exactly as written (only its table look-ups upper-case it), the
discharge date as text `yyyyMMdd` parsed the lenient CMS way (section 3.1), sex as 0/1/2,
age and discharge status as whole numbers, and the length of stay in days.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from drg.tables.mce import epoch_day

# Java's String.trim(): every character up to U+0020 on either end
_JAVA_BLANKS = "".join(chr(i) for i in range(0x21))
_DIGITS8 = re.compile(r"[0-9]{8}")

SEX_UNKNOWN, SEX_MALE, SEX_FEMALE = 0, 1, 2
_SEX = {"U": SEX_UNKNOWN, "M": SEX_MALE, "F": SEX_FEMALE, "0": SEX_UNKNOWN, "1": SEX_MALE, "2": SEX_FEMALE,
        "": SEX_UNKNOWN}
SEX_INVALID = 9          # any other value: the MCE's INVALID_SEX, and every sex-specific code conflicts


def java_trim(text: str) -> str:
    """The text without the characters Java's `trim()` removes (controls and spaces)."""
    return text.strip(_JAVA_BLANKS)


def is_blank(code: str) -> bool:
    """Empty after Java's trim (MCE_LOGIC.md section 4)."""
    return not java_trim(code)


def is_all_zeros(code: str) -> bool:
    """One or more "0" and nothing else, spaces included (MCE_LOGIC.md section 4)."""
    return bool(code) and not code.strip("0")


def parse_discharge_date(value: Any) -> dt.date | None:
    """The discharge date as the CMS MCE reads it (MCE_LOGIC.md 3.1), or None when it does not parse.

    A `date` is taken as it is. Text is read the way the CMS harness hands it to the MCE: the
    dashes of `YYYY-MM-DD` removed, surrounding blanks trimmed, then eight digits `yyyyMMdd`.
    A day of month up to 31 that the month does not have moves back to the month's last day
    (2024-09-31 is 2024-09-30, as in CMS); a month outside 1-12, a day 0 or above 31, fewer or
    more digits (2024-9-30) or any other text does not parse. Whether the parsed date lies
    inside the tables' dates is the editor's question, not this one's.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = java_trim(value.replace("-", ""))
    if not _DIGITS8.fullmatch(text):
        return None
    year, month, day = int(text[:4]), int(text[4:6]), int(text[6:])
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return None
    while True:
        try:
            return dt.date(year, month, day)
        except ValueError:          # 31 April -> 30 April, 30 February -> 28/29 February
            if year == 0:
                return None
            day -= 1


def whole_number(value: Any) -> int | None:
    """An int from an int, a whole float or digits with an optional sign; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
    return None


def sex_number(value: Any) -> int:
    """The MCE's sex: M 1, F 2, U (or missing) 0; any other value is invalid (SEX_INVALID)."""
    if value is None:
        return SEX_UNKNOWN
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value in (SEX_UNKNOWN, SEX_MALE, SEX_FEMALE) else SEX_INVALID
    return _SEX.get(str(value).strip().upper(), SEX_INVALID)


def length_of_stay(explicit: Any, discharge: dt.date | None, admit: Any) -> int | None:
    """The length of stay in days: the value given, else discharge date minus admission date.

    None when neither is there (or the dates cannot be read); then the one edit that reads
    it, INCONSISTENT_WITH_LENGTH_OF_STAY, cannot be judged and is not raised (the result says
    so in `needs_length_of_stay`). An admission after the discharge gives a negative stay,
    which the MCE treats as too short.
    """
    given = whole_number(explicit)
    if given is not None:
        return given
    admitted = parse_discharge_date(admit)
    if admitted is None or discharge is None:
        return None
    return (discharge - admitted).days


@dataclass(frozen=True, slots=True)
class EditInput:
    """One claim in the MCE's own terms. Codes are as written; None = the claim has no such code."""

    claim_id: str
    discharge_date: dt.date | None     # parsed (3.1); None = missing or unreadable
    age: int | None                    # None = missing or not a whole number (INVALID_AGE)
    sex: int                           # 0 unknown, 1 male, 2 female, other = invalid
    discharge_status: int | None       # None = missing or not a whole number (invalid)
    length_of_stay: int | None         # None = not known
    pdx: str | None
    admit_dx: str | None
    sdx: tuple[str, ...]
    procedures: tuple[str, ...]

    @property
    def day(self) -> int | None:
        return epoch_day(self.discharge_date) if self.discharge_date is not None else None


def _code(diagnosis: Any) -> str | None:
    if diagnosis is None:
        return None
    code = getattr(diagnosis, "code", diagnosis)
    return "" if code is None else str(code)


def input_from_claim(claim: Any, *, discharge_date: Any = None, admit_date: Any = None,
                     length_of_stay_days: Any = None) -> EditInput:
    """Read a drg.claim.Claim (or anything with all its attributes) into the MCE's terms.

    The keyword arguments win over the claim's own `discharge_date`, `admit_date` and
    `length_of_stay` (drg.claim.Claim carries all three; its length of stay is already derived
    from its two dates when not given).
    """
    raw_date = discharge_date if discharge_date is not None else claim.discharge_date
    date = parse_discharge_date(raw_date)
    admit = admit_date if admit_date is not None else claim.admit_date
    los = length_of_stay_days if length_of_stay_days is not None else claim.length_of_stay
    return EditInput(
        claim_id=str(claim.id or ""),
        discharge_date=date,
        age=whole_number(claim.age),
        sex=sex_number(claim.sex),
        discharge_status=whole_number(claim.discharge_status),
        length_of_stay=length_of_stay(los, date, admit),
        pdx=_code(claim.pdx),
        admit_dx=_code(claim.admit_dx),
        sdx=tuple(_code(d) or "" for d in claim.sdx or ()),
        procedures=tuple("" if p is None else str(getattr(p, "code", p)) for p in claim.procedures or ()),
    )
