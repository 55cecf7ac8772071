"""MS-DRG versions: parsing the ways users write them, and choosing one by discharge date."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from drg.tables.manifest import read_manifest


class UnknownVersionError(ValueError):
    """A version that the compiled tables do not hold, or that cannot be read."""


@dataclass(frozen=True)
class Version:
    """One MS-DRG version: label "43.1", CMS id 431, fiscal year, effective discharge dates."""

    label: str
    id: int
    fiscal_year: int
    effective_from: dt.date
    effective_through: dt.date
    source: str

    def __str__(self) -> str:
        return self.label


@lru_cache(maxsize=1)
def available_versions() -> tuple[Version, ...]:
    """Every version the compiled tables hold, oldest first."""
    out = []
    for row in read_manifest()["versions"]:
        through = row["effective_through"]
        # the newest version has no end date in the source: it holds to the end of its fiscal year
        end = dt.date.fromisoformat(through) if through else dt.date(int(row["fiscal_year"]), 9, 30)
        out.append(Version(row["label"], int(row["id"]), int(row["fiscal_year"]),
                           dt.date.fromisoformat(row["effective_from"]), end, row["source"]))
    return tuple(sorted(out, key=lambda v: v.id))


_VERSION_TEXT = re.compile(r"^[vV]?\s*(\d{2})(?:\.(\d))?$|^[vV]?\s*(\d{3})$")


def parse_version(value: "str | int | Version") -> Version:
    """Accept 43.1, "43.1", "431", 431 or "v43.1" and return the Version; unknown ones raise."""
    if isinstance(value, Version):
        return value
    known = {v.id: v for v in available_versions()}
    listing = ", ".join(v.label for v in known.values())
    if isinstance(value, bool):
        raise UnknownVersionError(f"not a version: {value!r}; available: {listing}")
    if isinstance(value, int):
        version_id = value
    elif isinstance(value, float):
        version_id = int(round(value * 10))
    else:
        match = _VERSION_TEXT.match(str(value).strip())
        if not match:
            raise UnknownVersionError(
                f"cannot read {value!r} as an MS-DRG version (write it like 43.1); available: {listing}")
        if match.group(3):
            version_id = int(match.group(3))
        else:
            version_id = int(match.group(1)) * 10 + int(match.group(2) or 0)
    if version_id not in known:
        raise UnknownVersionError(f"MS-DRG version {value!r} is not available; available: {listing}")
    return known[version_id]


def version_for(discharge_date: "dt.date | str") -> Version:
    """The version in effect on a discharge date (x.0 from 1 October, x.1 from 1 April)."""
    if isinstance(discharge_date, str):
        try:
            discharge_date = dt.date.fromisoformat(discharge_date.strip())
        except ValueError as exc:
            raise UnknownVersionError(f"cannot read discharge date {discharge_date!r} (expected YYYY-MM-DD)") from exc
    if isinstance(discharge_date, dt.datetime):
        discharge_date = discharge_date.date()
    versions = available_versions()
    for version in versions:
        if version.effective_from <= discharge_date <= version.effective_through:
            return version
    first, last = versions[0], versions[-1]
    raise UnknownVersionError(
        f"no MS-DRG version covers discharge date {discharge_date.isoformat()}: the tables cover "
        f"{first.effective_from.isoformat()} ({first.label}) to {last.effective_through.isoformat()} ({last.label})")
