"""Test helper: writes synthetic 837I (005010X223A2) files from claims in the golden JSON form.

Ours, written from the implementation guide's segment layout; no sample file is copied. Each
golden claim becomes one CLM (loop 2300) with a discharge date inside its version's period
(so the version the reader chooses from the date is the claim's own), an admission date a few
days earlier, and a birth date that gives the claim's age at admission.
"""
from __future__ import annotations

import datetime as dt
import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from drg.tables.versions import version_for

INSTITUTIONAL = "005010X223A2"
PROFESSIONAL = "005010X222A1"


@dataclass(frozen=True)
class Layout:
    """How the file is written: separators, line breaks and how claims are enveloped."""

    element: str = "*"
    component: str = ":"
    repetition: str = "^"
    terminator: str = "~"
    line_break: str = "\n"              # written after every terminator ("" for none)
    claims_per_transaction: int = 50
    transactions_per_group: int = 3
    groups_per_interchange: int = 2
    patient_loop_every: int = 2         # every n-th claim has its own patient HL 23 (0: never)
    guide: str = INSTITUTIONAL
    facility_code: str = "11"           # CLM05-1


def discharge_date_for(version: int, seq: int) -> dt.date:
    """A discharge date inside MS-DRG version `version` (431 = 43.1): x.0 runs from 1 October,
    x.1 from 1 April."""
    major, minor = divmod(int(version), 10)
    year = 1982 + major
    day = dt.date(year, 10, 5) if minor == 0 else dt.date(year + 1, 4, 5)
    date = day + dt.timedelta(days=seq % 150)
    assert version_for(date).id == int(version), (version, date)
    return date


def _birth_date(age: int, admission: dt.date, seq: int) -> dt.date:
    """A birth date giving `age` whole years on `admission`."""
    birthday = dt.date(admission.year - age, admission.month, min(admission.day, 28))
    return birthday - dt.timedelta(days=seq % 200)   # still `age` years old on admission (< 1 year back)


def _isa_field(value: str, width: int) -> str:
    return value[:width].ljust(width)


class _Writer:
    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.parts: list[str] = []
        self.in_transaction = 0

    def segment(self, *elements: str) -> None:
        text = self.layout.element.join(elements).rstrip(self.layout.element)
        self.parts.append(text + self.layout.terminator + self.layout.line_break)
        self.in_transaction += 1

    def composite(self, *components: str) -> str:
        return self.layout.component.join(components).rstrip(self.layout.component)

    def isa(self, control: int) -> None:
        lay = self.layout
        fields = [_isa_field("00", 2), " " * 10, "00", " " * 10, "ZZ", _isa_field("DRGSUBMIT", 15), "ZZ",
                  _isa_field("DRGRECEIVE", 15), "261201", "0600", lay.repetition, "00501", f"{control:09d}", "0",
                  "T", lay.component]
        text = "ISA" + lay.element + lay.element.join(fields) + lay.terminator
        assert len(text) == 106, len(text)
        self.parts.append(text + lay.line_break)


def _claim_segments(w: _Writer, claim: dict[str, Any], seq: int, billed_drg: Any) -> None:
    lay = w.layout
    discharge = discharge_date_for(claim["version"], seq) if claim.get("version") is not None else None
    los = seq % 9
    admission = discharge - dt.timedelta(days=los) if discharge else None
    bill = w.composite(lay.facility_code, "A", "1")
    w.segment("CLM", claim["id"], "12500.00", "", "", bill, "", "A", "Y", "Y")
    if discharge is not None:
        w.segment("DTP", "434", "RD8", f"{admission:%Y%m%d}-{discharge:%Y%m%d}")
        w.segment("DTP", "435", "DT", f"{admission:%Y%m%d}0800")
    status = claim.get("discharge_status")
    w.segment("CL1", "1", "7", "" if status is None else f"{int(status):02d}")
    w.segment("REF", "EA", f"MR{seq:07d}")

    def dx(qualifier: str, d: dict[str, Any]) -> str:
        return w.composite(qualifier, d["code"], "", "", "", "", "", "", d.get("poa") or "")

    pdx = claim.get("pdx")
    if pdx is not None:                 # a blank code is written as a blank HI*ABK code
        w.segment("HI", dx("ABK", pdx))
    admit = claim.get("admit_dx")
    if admit and admit.get("code"):
        w.segment("HI", w.composite("ABJ", admit["code"]))     # the guide has no POA on the admitting dx
    others = [dx("ABF", d) for d in claim.get("sdx") or []]
    for start in range(0, len(others), 12):
        w.segment("HI", *others[start:start + 12])
    procedures = list(claim.get("procedures") or [])
    date = f"{admission:%Y%m%d}" if admission else "20260101"
    if procedures:
        w.segment("HI", w.composite("BBR", procedures[0], "D8", date))
        rest = [w.composite("BBQ", code, "D8", date) for code in procedures[1:]]
        for start in range(0, len(rest), 12):
            w.segment("HI", *rest[start:start + 12])
    if billed_drg is not None:
        w.segment("HI", w.composite("DR", str(billed_drg)))
    w.segment("NM1", "71", "1", "ATTENDING", "ANNE", "", "", "", "XX", "1558444216")
    w.segment("LX", "1")
    w.segment("SV2", "0120", "", "12500.00", "DA", str(max(los, 1)))
    w.segment("DTP", "472", "D8", date)


def _transaction(w: _Writer, control: int, claims: Sequence[tuple[int, dict[str, Any], Any]],
                 npi: str, payer_id: str) -> None:
    lay = w.layout
    w.in_transaction = 0
    w.segment("ST", "837", f"{control:04d}", lay.guide)
    w.segment("BHT", "0019", "00", f"B{control:06d}", "20261201", "0600", "CH")
    w.segment("NM1", "41", "2", "DRG TEST SUBMITTER", "", "", "", "", "46", "SUB01")
    w.segment("PER", "IC", "CLAIMS DESK", "TE", "5555550100")
    w.segment("NM1", "40", "2", "DRG TEST PAYER", "", "", "", "", "46", "REC01")
    w.segment("HL", "1", "", "20", "1")
    w.segment("NM1", "85", "2", "GENERAL HOSPITAL", "", "", "", "", "XX", npi)
    w.segment("N3", "1 MAIN STREET")
    w.segment("N4", "SPRINGFIELD", "IL", "627010000")
    w.segment("REF", "EI", "371234567")
    hl = 1
    for seq, claim, billed in claims:
        with_patient = lay.patient_loop_every and seq % lay.patient_loop_every == 1
        discharge = discharge_date_for(claim["version"], seq) if claim.get("version") is not None else \
            dt.date(2026, 1, 1)
        admission = discharge - dt.timedelta(days=seq % 9)
        age = claim.get("age")
        birth = f"{_birth_date(int(age), admission, seq):%Y%m%d}" if age is not None else ""
        hl += 1
        subscriber_hl = hl
        w.segment("HL", str(hl), "1", "22", "1" if with_patient else "0")
        w.segment("SBR", "P" if with_patient else "P", "" if with_patient else "18", "", "", "", "", "", "", "MA")
        w.segment("NM1", "IL", "1", "SUBSCRIBER", f"S{seq}", "", "", "", "MI", f"{seq:09d}A")
        w.segment("N3", f"{seq} ELM STREET")
        w.segment("N4", "SPRINGFIELD", "IL", "627020000")
        if with_patient:   # the subscriber is someone else: a different age and sex, ignored for the claim
            w.segment("DMG", "D8", "19400101", "F" if claim.get("sex") == "M" else "M")
            w.segment("NM1", "PR", "2", "MEDICARE", "", "", "", "", "PI", payer_id)
            hl += 1
            w.segment("HL", str(hl), str(subscriber_hl), "23", "0")
            w.segment("PAT", "19")
            w.segment("NM1", "QC", "1", "PATIENT", f"P{seq}")
            w.segment("N3", f"{seq} OAK STREET")
            w.segment("N4", "SPRINGFIELD", "IL", "627030000")
            w.segment("DMG", "D8", birth, claim.get("sex") or "")
        else:
            w.segment("DMG", "D8", birth, claim.get("sex") or "")
            w.segment("NM1", "PR", "2", "MEDICARE", "", "", "", "", "PI", payer_id)
        _claim_segments(w, claim, seq, billed)
    w.segment("SE", str(w.in_transaction + 1), f"{control:04d}")


def x12_text(claims: Iterable[dict[str, Any]], layout: Layout = Layout(), *, billed_drgs: dict[str, Any] | None = None,
             npi: str = "1234567893", payer_id: str = "00431") -> str:
    """An 837 file's text holding `claims` (golden form) in order, enveloped as `layout` says."""
    listed = [(seq, claim, (billed_drgs or {}).get(claim["id"])) for seq, claim in enumerate(claims)]
    w = _Writer(layout)
    per_tx, per_gs = layout.claims_per_transaction, layout.transactions_per_group
    per_isa = layout.groups_per_interchange
    transactions = [listed[i:i + per_tx] for i in range(0, len(listed), per_tx)] or [[]]
    groups = [transactions[i:i + per_gs] for i in range(0, len(transactions), per_gs)]
    interchanges = [groups[i:i + per_isa] for i in range(0, len(groups), per_isa)]
    st = gs = 0
    for n, interchange in enumerate(interchanges, 1):
        w.isa(n)
        for group in interchange:
            gs += 1
            w.segment("GS", "HC", "DRGSUBMIT", "DRGRECEIVE", "20261201", "0600", str(gs), "X", layout.guide)
            for transaction in group:
                st += 1
                _transaction(w, st, transaction, npi, payer_id)
            w.segment("GE", str(len(group)), str(gs))
        w.segment("IEA", str(len(interchange)), f"{n:09d}")
    return "".join(w.parts)


def write_x12(path: "str | Path", claims: Iterable[dict[str, Any]], layout: Layout = Layout(), **options: Any) -> Path:
    """Write `claims` as an 837 file (gzipped when the name ends in .gz)."""
    path = Path(path)
    data = x12_text(claims, layout, **options).encode("utf-8")
    path.write_bytes(gzip.compress(data, mtime=0) if path.name.endswith(".gz") else data)
    return path
