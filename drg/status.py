"""Row statuses: what was wrong with one input row, in a coder's words, and whether it was grouped.

Every reader, `drg group`, `drg validate` and `drg shift` give each input row exactly one
status. The spellings are the ones the output files carry. `RowStatus.X.meaning` says when
the status is given and `RowStatus.X.grouped` whether the row still got a DRG (`how_grouped`
says how). README's row-status table is `status_table()`, checked by a test.

A row with several problems takes the first that stops grouping, else the first found; its
message lists them all, naming fields, never values.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RowStatus(StrEnum):
    """The status of one input row (the value is the spelling in the output)."""

    OK = "OK"
    MISSING_CLAIM_ID = "MISSING_CLAIM_ID"
    MISSING_PDX = "MISSING_PDX"
    INVALID_AGE = "INVALID_AGE"
    INVALID_AGE_VALUE = "INVALID_AGE_VALUE"
    INVALID_SEX = "INVALID_SEX"
    INVALID_POA = "INVALID_POA"
    INVALID_DISCHARGE_STATUS = "INVALID_DISCHARGE_STATUS"
    INVALID_HOSPITAL_STATUS = "INVALID_HOSPITAL_STATUS"
    TOO_MANY_CODES = "TOO_MANY_CODES"
    UNKNOWN_VERSION = "UNKNOWN_VERSION"
    INVALID_DISCHARGE_DATE = "INVALID_DISCHARGE_DATE"
    MISSING_VERSION = "MISSING_VERSION"
    INVALID_RECORD = "INVALID_RECORD"
    INVALID_CODE = "INVALID_CODE"
    GROUPER_ERROR = "GROUPER_ERROR"
    MISSING_BILLED_DRG = "MISSING_BILLED_DRG"
    INVALID_BILLED_VERSION = "INVALID_BILLED_VERSION"
    MISSING_ELEMENT = "MISSING_ELEMENT"
    NOT_INPATIENT_BILL = "NOT_INPATIENT_BILL"
    NOT_INSTITUTIONAL = "NOT_INSTITUTIONAL"

    @property
    def meaning(self) -> str:
        """When the row gets this status, in plain words."""
        return _FACTS[self].meaning

    @property
    def grouped(self) -> bool:
        """True when a row with this status still gets a DRG (see `how_grouped` for the exceptions)."""
        return _FACTS[self].grouped

    @property
    def how_grouped(self) -> str:
        """Whether and how the row is grouped, and why."""
        return _FACTS[self].how_grouped


@dataclass(frozen=True)
class _Facts:
    meaning: str
    grouped: bool
    how_grouped: str


_FACTS: dict[RowStatus, _Facts] = {
    RowStatus.OK: _Facts("nothing wrong", True, "yes"),
    RowStatus.MISSING_CLAIM_ID: _Facts("no claim id", True, "yes (id \"\"; the row order identifies it)"),
    RowStatus.MISSING_PDX: _Facts("no principal diagnosis", True,
                                  "yes: the grouper gives DRG 999, `INVALID_PDX`"),
    RowStatus.INVALID_AGE: _Facts("age a whole number outside 0-124 (or JSON NaN / a number too long to read)",
                                  True, "yes, age as given (the grouper does not use age to choose a DRG); "
                                        "a NaN, or an age too large to store, as no age"),
    RowStatus.INVALID_AGE_VALUE: _Facts("age present but not a whole number", False,
                                        "no: the value cannot be represented"),
    RowStatus.INVALID_SEX: _Facts("sex not M/F/U (or male/female/unknown)", True,
                                  "yes, as U (what the CMS grouper does with other values)"),
    RowStatus.INVALID_POA: _Facts("a POA indicator not Y, N, U, W, 1, E, X or blank", True,
                                  "yes, as X (the grouper's INVALID; the HAC logic judges it)"),
    RowStatus.INVALID_DISCHARGE_STATUS: _Facts("discharge status not a whole number", True,
                                               "yes, as \"no status\" (unknown numbers are the grouper's "
                                               "own business)"),
    RowStatus.INVALID_HOSPITAL_STATUS: _Facts("hospital status not NON_EXEMPT/EXEMPT/UNKNOWN", False,
                                              "no: it decides the HAC logic; guessing would change DRGs"),
    RowStatus.TOO_MANY_CODES: _Facts("more than 24 secondary diagnoses or 25 procedures (CSV columns "
                                     "sdx100 and beyond included)", True,
                                     "yes, with every code, as the CMS grouper does"),
    RowStatus.UNKNOWN_VERSION: _Facts("a version the tables do not hold, or unreadable", False, "no"),
    RowStatus.INVALID_DISCHARGE_DATE: _Facts("discharge date unreadable, or no version covers it", False,
                                             "no (yes when a version is given as well)"),
    RowStatus.MISSING_VERSION: _Facts("neither version nor discharge date (and none given to the run)",
                                      False, "no"),
    RowStatus.INVALID_RECORD: _Facts("a claim of the wrong shape: a JSON claim whose `sdx` is not a list, "
                                     "whose id or code is not text, a null or code-less diagnosis, a line "
                                     "nested too deeply to read; two principal diagnoses in a long file",
                                     False, "no"),
    RowStatus.INVALID_CODE: _Facts("a code holding a character no ICD-10 code has: a non-ASCII letter such as "
                                   "the dotless ı, which upper-cased would read as another code", False,
                                   "no: grouping it as the code it resembles would give a DRG the claim does "
                                   "not support"),
    RowStatus.GROUPER_ERROR: _Facts("the engine failed on the claim (a bug: please report it)", False, "no"),
    RowStatus.MISSING_BILLED_DRG: _Facts("`drg validate`: no billed DRG on the row", True,
                                         "yes: the grouping is reported without a finding"),
    RowStatus.INVALID_BILLED_VERSION: _Facts("`drg validate`: the billed version is not a version the "
                                             "tables hold", True,
                                             "yes: the grouping is reported without a finding"),
    RowStatus.MISSING_ELEMENT: _Facts("an 837I claim lacks a segment or element the grouper reads (admission "
                                          "date, birth date, sex, CL103 discharge status, type of bill); the "
                                          "message names the segment and element", True,
                                          "yes, without the missing piece (no age, sex U, no status)"),
    RowStatus.NOT_INPATIENT_BILL: _Facts("an 837I claim whose type of bill (CLM05-1) is not hospital inpatient "
                                         "(11x Part A, 12x Part B)", False,
                                         "no: MS-DRGs group inpatient stays"),
    RowStatus.NOT_INSTITUTIONAL: _Facts("a claim of an 837 transaction that is not institutional 005010X223A2 (an 837P "
                               "professional claim, say)", False, "no: MS-DRGs group institutional inpatient claims"),
}


def status_table() -> str:
    """The row-status table in Markdown (README's table is exactly this; a test checks it)."""
    lines = ["| status | when | grouped? |", "|---|---|---|"]
    lines += [f"| `{status.value}` | {status.meaning} | {status.how_grouped} |" for status in RowStatus]
    return "\n".join(lines) + "\n"
