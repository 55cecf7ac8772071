"""The claim record: one inpatient stay as the grouper sees it.

The JSON form is the one of the golden files (`golden/README.md`): codes upper case
without dots, `version` as the CMS id (431) or any spelling `parse_version` accepts.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping

from drg.tables import Version, parse_version, version_for

POA_VALUES = ("Y", "N", "U", "W", "1", "E", "", "X")
SEX_VALUES = ("M", "F", "U")
HOSPITAL_STATUSES = ("NON_EXEMPT", "EXEMPT", "UNKNOWN")


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """A diagnosis code with its present-on-admission indicator."""

    code: str
    poa: str = ""

    def to_dict(self) -> dict:
        return {"code": self.code, "poa": self.poa}


@dataclass(frozen=True, slots=True)
class Claim:
    """One inpatient stay: demographics, discharge status and its ICD-10 codes."""

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

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Claim":
        """Build a claim from the golden JSON form (missing fields take their defaults)."""
        def dx(value: Any) -> Diagnosis | None:
            if value is None:
                return None
            if isinstance(value, str):
                return Diagnosis(value, "")
            code = value.get("code")
            return Diagnosis("" if code is None else str(code), "" if value.get("poa") is None else str(value.get("poa")))

        date = data.get("discharge_date")
        if isinstance(date, str) and date:
            date = dt.date.fromisoformat(date)
        status = data.get("discharge_status")
        return cls(
            id=str(data.get("id", "")),
            version=data.get("version"),
            discharge_date=date or None,
            age=data.get("age"),
            sex=data.get("sex") or "U",
            discharge_status=None if status is None else int(status),
            hospital_status=data.get("hospital_status") or "NON_EXEMPT",
            pdx=dx(data.get("pdx")),
            admit_dx=dx(data.get("admit_dx")),
            sdx=tuple(d for d in (dx(v) for v in data.get("sdx") or ()) if d is not None),
            procedures=tuple("" if p is None else str(p) for p in data.get("procedures") or ()),
        )

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
        return out


def resolve_version(claim: Claim, version: "str | int | Version | None" = None) -> Version:
    """The version a claim is grouped under: the argument wins, then the claim's `version`,
    then its `discharge_date` (CMS effective dates)."""
    if version is not None:
        return parse_version(version)
    if claim.version is not None:
        return parse_version(claim.version)
    if claim.discharge_date is not None:
        return version_for(claim.discharge_date)
    raise ValueError(f"claim {claim.id!r}: no version given and no discharge date to choose one")
