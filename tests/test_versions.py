"""Version parsing and choosing a version by discharge date."""
from __future__ import annotations

import datetime as dt

import pytest

from drg.tables import available_versions, parse_version, version_for
from drg.tables.versions import UnknownVersionError


@pytest.mark.parametrize("text", ["43.1", "431", 431, "v43.1", "V43.1", " 43.1 ", 43.1])
def test_the_ways_users_write_a_version(text):
    version = parse_version(text)
    assert (version.label, version.id, version.fiscal_year) == ("43.1", 431, 2026)


def test_x0_versions_and_short_forms():
    assert parse_version("40").id == 400
    assert parse_version("44.0").label == "44.0"
    assert parse_version(parse_version("41.1")) is parse_version("41.1")


@pytest.mark.parametrize("bad", ["43.5", "39.0", 402, "4x.1", "", "latest", True])
def test_unknown_version_lists_the_available_ones(bad):
    with pytest.raises(UnknownVersionError) as info:
        parse_version(bad)
    message = str(info.value)
    for version in available_versions():
        assert version.label in message


def test_every_source_version_is_available_40_0_to_44_0():
    labels = [v.label for v in available_versions()]
    assert labels == ["40.0", "40.1", "41.0", "41.1", "42.0", "42.1", "43.0", "43.1", "44.0"]


@pytest.mark.parametrize("day, label", [
    ("2023-03-31", "40.0"), ("2023-04-01", "40.1"),
    ("2023-09-30", "40.1"), ("2023-10-01", "41.0"),
    ("2022-10-01", "40.0"), ("2026-03-31", "43.0"), ("2026-04-01", "43.1"),
    ("2026-09-30", "43.1"), ("2026-10-01", "44.0"),
])
def test_effective_date_boundaries(day, label):
    assert version_for(day).label == label
    assert version_for(dt.date.fromisoformat(day)).label == label


def test_x0_starts_1_october_and_x1_starts_1_april():
    for version in available_versions():
        expected = (10, 1) if version.label.endswith(".0") else (4, 1)
        assert (version.effective_from.month, version.effective_from.day) == expected


@pytest.mark.parametrize("day", ["2022-09-30", "1999-01-01", "2027-10-01", "2040-01-01"])
def test_dates_outside_every_version_are_refused(day):
    with pytest.raises(UnknownVersionError, match="no MS-DRG version covers"):
        version_for(day)


def test_unreadable_date():
    with pytest.raises(UnknownVersionError, match="YYYY-MM-DD"):
        version_for("31/03/2023")
