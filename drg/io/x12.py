"""ASC X12 837 institutional claims (005010X223A2, "837I") in: one ClaimRow per CLM, streamed.

The envelope is checked as it is read: every ISA closed by an IEA with its control number and
group count, every GS by a GE, every ST by an SE whose count of segments is right. A broken
envelope or an unreadable segment stops the run with MalformedFileError naming the file, the
segment number and its byte offset (drg.io.x12_segments). Inside a transaction the HL
hierarchy is followed (20 billing provider, 22 subscriber, 23 patient), so each claim (loop
2300, CLM) gets its own patient: the patient's DMG when an HL 23 is there, else the
subscriber's. The mapping to claim fields is README's "X12 837I files" table (`FIELD_MAP`).

Each claim's fields go through the same checks as every other format (drg.io.normalize.build_row),
so its status is the one a CSV row with the same values gets; a missing required piece of the
837I adds its segment and element to the message (never a value). Claims that are not hospital
inpatient bills (type of bill other than 11x / 12x) and claims of an 837P (professional)
transaction are rows with their own status (RowStatus.NOT_INPATIENT_BILL, NOT_INSTITUTIONAL), not
grouped.

The hospital's POA reporting status is not in the transaction: the run gives it
(`hospital_status`, `--hospital-status`, default NON_EXEMPT).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import os
import zlib
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator

from drg.io.normalize import build_row
from drg.io.records import ClaimRow, MalformedFileError
from drg.io.x12_segments import Segment, SegmentStream, place
from drg.status import RowStatus

INSTITUTIONAL = "005010X223A2"          # the 837I implementation guide (GS08, ST03)
PROFESSIONAL = "005010X222A1"           # the 837P guide
INPATIENT_FACILITY_CODES = ("11", "12")  # CLM05-1: hospital inpatient (Part A) 11x, (Part B) 12x
DEFAULT_HOSPITAL_STATUS = "NON_EXEMPT"

# HL03 hierarchical level codes
BILLING_PROVIDER, SUBSCRIBER, PATIENT = "20", "22", "23"

# HI composite qualifiers (code list 1270) the grouper reads
PRINCIPAL_DX, ADMITTING_DX, OTHER_DX, EXTERNAL_CAUSE = "ABK", "ABJ", "ABF", "ABN"
PRINCIPAL_PROCEDURE, OTHER_PROCEDURE, DRG = "BBR", "BBQ", "DR"
POA_COMPONENT = 9                       # C022-09: present on admission indicator

# The README table: (claim field or output column, where in the 837I, how)
FIELD_MAP: tuple[tuple[str, str, str], ...] = (
    ("id, patient_control_number", "CLM01", "as given"),
    ("type_of_bill", "CLM05-1 + CLM05-3", "facility code + frequency (111 = hospital inpatient, "
                                          "admit through discharge); inpatient is 11x or 12x"),
    ("pdx, pdx POA", "HI*ABK, C022-02 and C022-09", "principal diagnosis and its POA"),
    ("admit_dx", "HI*ABJ, C022-02 (C022-09 when given)", "admitting diagnosis"),
    ("sdx + POA", "HI*ABF, C022-02 and C022-09", "other diagnoses in order, across every HI segment "
                                                 "(up to 12 composites each)"),
    ("sdx + POA (external cause)", "HI*ABN, C022-02 and C022-09", "external cause of injury codes: "
                                                                  "secondary diagnoses after the ABF codes"),
    ("procedures", "HI*BBR then HI*BBQ, C022-02", "principal procedure first, then the others in order"),
    ("billed_drg", "HI*DR, C022-02", "the billed DRG (`drg validate` compares it)"),
    ("discharge_status", "CL1 element CL103", "UB-04 patient status"),
    ("discharge_date; statement_from, statement_through", "DTP*434 (RD8) DTP03",
     "discharge date = the through date; it selects the version"),
    ("admission_date, length_of_stay", "DTP*435 DTP03 (D8 or DT)", "admission date; length of stay = "
                                                                   "through date - admission date"),
    ("age", "DMG02 (D8) of loop 2010CA (patient), else 2010BA (subscriber)",
     "whole years from birth to admission (to discharge when there is no admission date)"),
    ("sex", "DMG03 of the same DMG", "M, F, U"),
    ("billing_provider_npi", "loop 2010AA NM1*85 NM109", "as given"),
    ("payer_id", "loop 2010BB NM1*PR NM109", "as given"),
    ("hospital_status", "not in the 837I", "`--hospital-status` (default NON_EXEMPT)"),
)


@dataclass
class _Level:
    """One HL loop: its level code, parent, and what its segments said."""

    code: str
    parent: str
    npi: str = ""
    payer_id: str = ""
    birth_date: str | None = None
    sex: str | None = None
    has_dmg: bool = False


@dataclass
class _Claim:
    """Loop 2300 as read so far."""

    segment: Segment
    levels: list[_Level]
    transaction_version: str
    pdx: tuple[str, str] | None = None
    admit_dx: tuple[str, str] | None = None
    other_dx: list[tuple[str, str]] = field(default_factory=list)
    external_cause: list[tuple[str, str]] = field(default_factory=list)
    principal_procedure: list[str] = field(default_factory=list)
    other_procedures: list[str] = field(default_factory=list)
    billed_drg: str | None = None
    statement: str | None = None
    admission: str | None = None
    discharge_status: str | None = None
    in_service_lines: bool = False


def _date(value: str) -> dt.date | None:
    """CCYYMMDD (the first 8 digits of a DT date-time) as a date; None when unreadable."""
    if len(value) < 8 or not value[:8].isdigit() or not value[:8].isascii():
        return None
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return None


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


class _Envelope:
    """The ISA/GS/ST nesting and its control numbers and counts, checked segment by segment."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.isa: Segment | None = None
        self.gs: Segment | None = None
        self.st: Segment | None = None
        self.groups = self.transactions = self.in_transaction = 0

    def _fail(self, segment: Segment, problem: str, element: str | None = None) -> MalformedFileError:
        return MalformedFileError(self.path, place(segment.number, segment.offset), element, problem)

    def _count(self, segment: Segment, expected: int, element: str, what: str) -> None:
        given = segment.element(1)
        if not given.isdigit() or int(given) != expected:
            raise self._fail(segment, f"the {segment.tag} says {given or 'nothing'} {what} where the envelope "
                                      f"holds {expected}", element)

    def _control(self, segment: Segment, opening: Segment, position: int, element: str, opening_element: str) -> None:
        if segment.element(position).strip() != opening.element(int(opening_element[-2:])).strip():
            raise self._fail(segment, f"the control number does not match {opening_element} of the "
                                      f"{opening.tag} at {place(opening.number, opening.offset)}", element)

    def step(self, segment: Segment) -> None:
        """Check `segment` against the envelope so far (raises MalformedFileError)."""
        tag = segment.tag
        if self.st is not None:
            self.in_transaction += 1
        if tag == "ISA":
            if self.isa is not None:
                raise self._fail(segment, "an ISA inside an interchange: the IEA before it is missing")
            self.isa, self.groups = segment, 0
        elif tag == "IEA":
            if self.isa is None:
                raise self._fail(segment, "an IEA without its ISA")
            if self.gs is not None:
                raise self._fail(segment, f"the {'SE' if self.st else 'GE'} is missing: an IEA comes before it")
            self._count(segment, self.groups, "IEA01", "functional groups")
            self._control(segment, self.isa, 2, "IEA02", "ISA13")
            self.isa = None
        elif tag == "GS":
            if self.isa is None or self.gs is not None:
                raise self._fail(segment, "a GS outside an interchange, or inside another functional group "
                                          "(a GE is missing)")
            self.gs, self.transactions = segment, 0
            self.groups += 1
        elif tag == "GE":
            if self.gs is None:
                raise self._fail(segment, "a GE without its GS")
            if self.st is not None:
                raise self._fail(segment, "the SE that closes the transaction is missing: a GE comes before it")
            self._count(segment, self.transactions, "GE01", "transaction sets")
            self._control(segment, self.gs, 2, "GE02", "GS06")
            self.gs = None
        elif tag == "ST":
            if self.gs is None or self.st is not None:
                raise self._fail(segment, "an ST outside a functional group, or inside another transaction "
                                          "(an SE is missing)")
            self.st, self.in_transaction = segment, 1
            self.transactions += 1
        elif tag == "SE":
            if self.st is None:
                raise self._fail(segment, "an SE without its ST")
            self._count(segment, self.in_transaction, "SE01", "segments")
            self._control(segment, self.st, 2, "SE02", "ST02")
            self.st = None
        elif tag == "TA1":
            if self.isa is None or self.gs is not None:
                raise self._fail(segment, "a TA1 outside an interchange")
        elif self.st is None:
            raise self._fail(segment, f"a {tag} segment outside a transaction set (between ST and SE)")

    def finish(self, end_offset: int, segments: int) -> None:
        """At the end of the file: every envelope must be closed."""
        missing = "SE" if self.st else "GE" if self.gs else "IEA" if self.isa else None
        if missing:
            raise MalformedFileError(
                self.path, place(segments + 1, end_offset), None,
                f"the file ends before the {missing} that closes the "
                f"{ {'SE': 'transaction', 'GE': 'functional group', 'IEA': 'interchange'}[missing]}"
                f": is it cut off?")


class X12Claims:
    """The claims of one 837 file, as ClaimRows in file order (iterate once)."""

    def __init__(self, raw: BinaryIO, path: str, *, version: Any = None,
                 hospital_status: str | None = None) -> None:
        self.path = path
        self.segments = SegmentStream(raw, path)
        self.version = version
        self.hospital_status = hospital_status or DEFAULT_HOSPITAL_STATUS

    def bytes_read(self) -> int:
        return self.segments.offset()

    def __iter__(self) -> Iterator[ClaimRow]:
        envelope = _Envelope(self.path)
        levels: dict[str, _Level] = {}
        current: _Level | None = None
        claim: _Claim | None = None
        version = ""
        row_number = 0
        last = None
        for segment in self.segments:
            last = segment
            envelope.step(segment)
            tag = segment.tag
            if tag in ("HL", "SE", "CLM") and claim is not None:
                row_number += 1
                yield self._row(row_number, claim)
                claim = None
            if tag == "ST":
                levels, current, version = {}, None, segment.element(3) or (
                    envelope.gs.element(8) if envelope.gs else "")
            elif tag == "HL":
                current = _Level(segment.element(3), segment.element(2))
                levels[segment.element(1)] = current
            elif tag == "CLM":
                claim = _Claim(segment, self._chain(current, levels), version)
            elif claim is not None:
                self._claim_segment(claim, segment)
            elif current is not None:
                self._level_segment(current, segment)
        envelope.finish(self.segments.offset(), last.number if last else 0)

    @staticmethod
    def _chain(level: _Level | None, levels: dict[str, _Level]) -> list[_Level]:
        """The HL loop of a claim and its parents, nearest first."""
        chain: list[_Level] = []
        while level is not None and level not in chain:
            chain.append(level)
            level = levels.get(level.parent)
        return chain

    @staticmethod
    def _level_segment(level: _Level, segment: Segment) -> None:
        tag = segment.tag
        if tag == "NM1":
            if segment.element(1) == "85" and level.code == BILLING_PROVIDER:
                level.npi = segment.element(9)
            elif segment.element(1) == "PR" and level.code == SUBSCRIBER:
                level.payer_id = segment.element(9)
        elif tag == "DMG" and not level.has_dmg:
            level.has_dmg = True
            level.birth_date = segment.element(2) if segment.element(1) == "D8" else ""
            level.sex = segment.element(3)

    @staticmethod
    def _claim_segment(claim: _Claim, segment: Segment) -> None:
        tag = segment.tag
        if tag == "LX":                      # loop 2400: service lines, nothing the grouper reads
            claim.in_service_lines = True
        if claim.in_service_lines:
            return
        if tag == "HI":
            for position in range(1, len(segment.elements)):
                parts = segment.components(position)
                qualifier = parts[0]
                code = parts[1] if len(parts) > 1 else ""
                poa = parts[POA_COMPONENT - 1] if len(parts) >= POA_COMPONENT else ""
                if qualifier == PRINCIPAL_DX and claim.pdx is None:
                    claim.pdx = (code, poa)
                elif qualifier == ADMITTING_DX and claim.admit_dx is None:
                    claim.admit_dx = (code, poa)
                elif qualifier == OTHER_DX:
                    claim.other_dx.append((code, poa))
                elif qualifier == EXTERNAL_CAUSE:
                    claim.external_cause.append((code, poa))
                elif qualifier == PRINCIPAL_PROCEDURE:
                    claim.principal_procedure.append(code)
                elif qualifier == OTHER_PROCEDURE:
                    claim.other_procedures.append(code)
                elif qualifier == DRG and claim.billed_drg is None:
                    claim.billed_drg = code
        elif tag == "DTP":
            if segment.element(1) == "434" and claim.statement is None:
                claim.statement = segment.element(3) if segment.element(2) == "RD8" else ""
            elif segment.element(1) == "435" and claim.admission is None:
                claim.admission = segment.element(3) if segment.element(2) in ("D8", "DT") else ""
        elif tag == "CL1" and claim.discharge_status is None:
            claim.discharge_status = segment.element(3)

    def _row(self, row_number: int, claim: _Claim) -> ClaimRow:
        clm = claim.segment
        claim_id = clm.element(1)
        bill = clm.components(5)
        facility = bill[0] if bill else ""
        type_of_bill = facility + (bill[2] if len(bill) > 2 else "")
        levels = claim.levels
        npi = next((level.npi for level in levels if level.code == BILLING_PROVIDER), "")
        payer = next((level.payer_id for level in levels if level.code == SUBSCRIBER), "")
        person = next((level for level in levels if level.code == PATIENT and level.has_dmg), None) or next(
            (level for level in levels if level.code == SUBSCRIBER and level.has_dmg), None)
        notes: list[str] = []

        statement_from = statement_through = None
        if claim.statement is None:
            notes.append("no statement period (segment DTP, qualifier 434): no discharge date")
        else:
            start, _, end = claim.statement.partition("-")
            statement_from, statement_through = _date(start), _date(end)
            if statement_from is None or statement_through is None:
                notes.append("the statement period cannot be read (segment DTP, qualifier 434, element DTP03: "
                             "CCYYMMDD-CCYYMMDD)")
        admission = _date(claim.admission) if claim.admission else None
        if claim.admission is None:
            notes.append("no admission date (segment DTP, qualifier 435); age taken at discharge")
        elif admission is None:
            notes.append("the admission date cannot be read (segment DTP, qualifier 435, element DTP03)")
        extra: dict[str, Any] = {
            "patient_control_number": claim_id, "type_of_bill": type_of_bill, "billing_provider_npi": npi,
            "payer_id": payer, "statement_from": statement_from.isoformat() if statement_from else None,
            "statement_through": statement_through.isoformat() if statement_through else None,
            "admission_date": admission.isoformat() if admission else None,
            "length_of_stay": (statement_through - admission).days if admission and statement_through else None,
            "billed_drg": claim.billed_drg,
        }
        if claim.transaction_version != INSTITUTIONAL:
            kind = "an 837P (professional) claim" if claim.transaction_version == PROFESSIONAL else \
                "a claim of a transaction that is not an 837I (005010X223A2)"
            return ClaimRow(row_number, claim_id, None, RowStatus.NOT_INSTITUTIONAL,
                            f"{kind} (GS08 / ST03); MS-DRGs group institutional inpatient claims", extra)
        if facility and facility not in INPATIENT_FACILITY_CODES:
            return ClaimRow(row_number, claim_id, None, RowStatus.NOT_INPATIENT_BILL,
                            "the type of bill (segment CLM, element CLM05-1) is not hospital inpatient (11x or "
                            "12x); MS-DRGs group inpatient stays", extra)
        if not facility:
            notes.append("no type of bill (segment CLM, element CLM05-1); grouped as an inpatient claim")

        age: int | None = None
        sex: str | None = None
        if person is None:
            notes.append("no patient or subscriber demographics (segment DMG in loop 2010CA or 2010BA): "
                         "no age, sex U")
        else:
            sex = person.sex
            birth = _date(person.birth_date or "")
            on = admission or statement_through
            if birth is None:
                notes.append("no readable birth date (segment DMG, element DMG02); grouped without an age")
            elif on is not None:
                age = _age(birth, on)
            if not sex:
                notes.append("no sex (segment DMG, element DMG03)")
        if not claim_id:
            notes.append("no claim id (segment CLM, element CLM01)")
        if claim.pdx is None:
            notes.append("no principal diagnosis (segment HI, qualifier ABK)")
        elif not claim.pdx[0]:
            notes.append("the principal diagnosis code is blank (segment HI, qualifier ABK, component C022-02)")
        if not claim.discharge_status:
            notes.append("no discharge status (segment CL1, element CL103); grouped as no status")

        fields = {
            "id": claim_id, "discharge_date": statement_through or (None if claim.statement is None else "unreadable"),
            "age": age, "sex": sex if sex is not None else "U", "discharge_status": claim.discharge_status,
            "hospital_status": self.hospital_status,
            "pdx": claim.pdx,
            "admit_dx": claim.admit_dx if claim.admit_dx and claim.admit_dx[0] else None,
            "sdx": claim.other_dx + claim.external_cause,
            "procedures": claim.principal_procedure + claim.other_procedures,
        }
        row = build_row(row_number, fields, version=self.version, extra=extra)
        if not notes:
            return row
        status = row.status if row.status != RowStatus.OK else RowStatus.MISSING_ELEMENT
        message = "; ".join(([row.message] if row.message else []) + notes)
        return dataclasses.replace(row, status=status, message=message)


def read_x12(raw: BinaryIO, path: str, *, version: Any = None, hospital_status: str | None = None
             ) -> Iterator[ClaimRow]:
    """The ClaimRows of an 837 byte stream, in file order (see X12Claims)."""
    return iter(X12Claims(raw, path, version=version, hospital_status=hospital_status))


_RUN_HOSPITAL_STATUS: ContextVar[str | None] = ContextVar("drg_x12_hospital_status", default=None)


@contextmanager
def hospital_status_for_x12(value: str | None) -> Iterator[None]:
    """Within the block, X12 files are read with this POA reporting status (the commands'
    `--hospital-status`). Readers given a status (`open_claims(..., hospital_status=)`) use theirs;
    this carries the option through the batch runner, validation and shift streams, which open
    their readers without it."""
    token = _RUN_HOSPITAL_STATUS.set(value)
    try:
        yield
    finally:
        _RUN_HOSPITAL_STATUS.reset(token)


_READ_ERRORS = (OSError, EOFError, zlib.error)


def x12_rows(path: "str | Path", *, version: Any = None,
             hospital_status: str | None = None) -> tuple[Iterator[ClaimRow], Callable[[], float]]:
    """The ClaimRows of an 837 file (gunzipped when named .gz) and a function giving the share of
    its bytes read so far. `hospital_status`: None takes the run's (hospital_status_for_x12)."""
    path = Path(path)
    raw = open(path, "rb")
    size = max(os.path.getsize(path), 1)
    stream: Any = gzip.GzipFile(fileobj=raw, mode="rb") if path.name.lower().endswith(".gz") else raw
    claims = X12Claims(stream, str(path), version=version,
                       hospital_status=hospital_status or _RUN_HOSPITAL_STATUS.get())

    def fraction() -> float:
        try:
            return min(raw.tell() / size, 1.0)
        except (ValueError, OSError):
            return 1.0

    def rows() -> Iterator[ClaimRow]:
        with raw:
            try:
                yield from claims
            except MalformedFileError:
                raise
            except _READ_ERRORS as exc:
                problem = ("not a gzip file, though the name ends in .gz" if isinstance(exc, gzip.BadGzipFile)
                           else "the compressed file ends too early (cut off?)" if isinstance(exc, EOFError)
                           else "the compressed data is damaged" if isinstance(exc, zlib.error)
                           else f"cannot be read ({type(exc).__name__})")
                raise MalformedFileError(str(path), f"after byte offset {claims.bytes_read()}", None,
                                         problem) from None

    return rows(), fraction


def mapping_table() -> str:
    """README's field-mapping table in Markdown (a test checks README against it)."""
    lines = ["| claim field / output column | 837I (005010X223A2) | how |", "|---|---|---|"]
    lines += [f"| {name} | {where} | {how} |" for name, where, how in FIELD_MAP]
    return "\n".join(lines) + "\n"
