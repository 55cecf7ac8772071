"""Code titles: compiled from ../shared/icd10-titles, manifest-verified, chosen by fiscal year."""
from __future__ import annotations

import csv
import gzip
from collections import defaultdict

import pytest

from drg.tables import load
from drg.tables.loader import read_table
from drg.tables.manifest import TableIntegrityError, read_manifest, verify
from drg.tables.titles import (CodeKind, code_title, coder_spelling, described, search_codes, title,
                               titles_available)

from conftest import SHARED

TITLES_SOURCE = SHARED / "icd10-titles"


def _source_rows(name: str) -> dict[str, list[dict]]:
    if not (TITLES_SOURCE / name).exists():
        pytest.skip(f"titles source not found at {TITLES_SOURCE}")
    rows: dict[str, list[dict]] = defaultdict(list)
    with gzip.open(TITLES_SOURCE / name, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rows[row["code"]].append(row)
    return rows


def test_titles_are_listed_in_the_manifest_and_verify():
    files = read_manifest()["files"]
    assert {"dx_titles.parquet", "pr_titles.parquet"} <= set(files)
    assert titles_available("dx") and titles_available("pr")
    assert not [p for p in verify() if "titles" in p.file]


@pytest.mark.parametrize("name, kind", [("dx_titles.csv.gz", "dx"), ("pr_titles.csv.gz", "pr")])
def test_every_source_row_is_the_title_of_its_own_years(name, kind):
    rows = _source_rows(name)
    wrong = []
    for code, entries in rows.items():
        for row in entries:
            for year in {int(row["fiscal_year_from"]), int(row["fiscal_year_to"])}:
                found = code_title(kind, code, year)
                if found is None or found.long_title != row["title"] or not found.of_that_year:
                    if code not in ("5A0935A", "5A0945A", "5A0955A"):   # two titles in FY2024 (README)
                        wrong.append((code, year))
    assert wrong == []


def test_a_revised_title_follows_the_fiscal_year():
    rows = _source_rows("dx_titles.csv.gz")
    revised = sorted(code for code, entries in rows.items() if len(entries) == 2)
    assert len(revised) == 55                     # the README's count
    code = revised[0]
    first, second = sorted(rows[code], key=lambda r: int(r["fiscal_year_from"]))
    assert title("dx", code, int(first["fiscal_year_to"])) == first["title"]
    assert title("dx", code, int(second["fiscal_year_from"])) == second["title"]
    assert first["title"] != second["title"]


def test_a_year_without_a_source_takes_the_nearest_year():
    # G20 was deleted before FY2024: only FY2023 carries it, so a later year gets that wording
    found = code_title("dx", "G20", 2026)
    assert found is not None and found.fiscal_year_to == 2023 and not found.of_that_year
    # a FY2023 claim of a code first titled in FY2024 gets the FY2024 title
    assert code_title("dx", "J9601", 2023).fiscal_year_from == 2024
    assert title("dx", "J9601", 2023) == "Acute respiratory failure with hypoxia"


def test_every_valid_code_of_a_version_has_a_title():
    tables = load("43.1")
    fy = tables.version.fiscal_year
    missing_dx = [c for c in tables.diagnoses if not title("dx", c, fy)]
    missing_pr = [c for c in tables.procedures if not c.startswith("Z@") and not title("pr", c, fy)]
    assert missing_dx == [] and missing_pr == []


def test_unknown_codes_have_no_title():
    assert title("dx", "J96019", 2026) == "" and code_title("pr", "", 2026) is None
    with pytest.raises(ValueError):
        title("icd9", "J9601", 2026)


@pytest.mark.parametrize("code, kind, spelled", [
    ("J9601", "dx", "J96.01"), ("j96.01", CodeKind.DIAGNOSIS, "J96.01"), ("I10", "dx", "I10"),
    ("S72001A", "dx", "S72.001A"), ("0DTJ4ZZ", "pr", "0DTJ4ZZ"), ("0dtj4zz", "pr", "0DTJ4ZZ"), (None, "dx", ""),
])
def test_coder_spelling(code, kind, spelled):
    assert coder_spelling(code, kind) == spelled


def test_described_joins_spelling_and_title():
    assert described("J9601", "dx", 2026) == "J96.01 Acute respiratory failure with hypoxia"
    assert described("Z9989", "dx", 2026).startswith("Z99.89 ")
    assert described("ZZZ99", "dx", 2026) == "ZZZ99"          # not the shape of an ICD-10-CM code: no dot


def test_search_by_code_prefix_and_by_words():
    by_code = search_codes("dx", "j96.0", 2026, limit=10)
    assert [m.code for m in by_code] == ["J9600", "J9601", "J9602"]
    assert by_code[1].spelled == "J96.01" and by_code[1].title == "Acute respiratory failure with hypoxia"
    by_words = search_codes("dx", "acute respiratory failure hypoxia", 2026, limit=50)
    assert "J9601" in {m.code for m in by_words}
    assert all("hypoxia" in m.title.lower() for m in by_words)
    valid = frozenset(load("43.1").procedures)
    assert all(m.code in valid for m in search_codes("pr", "0DT", 2026, limit=30, valid=valid))
    assert len(search_codes("pr", "0DT", 2026, limit=7)) == 7
    assert search_codes("dx", "  ", 2026) == []


def test_a_damaged_title_file_is_refused(data_copy):
    path = data_copy / "dx_titles.parquet"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(TableIntegrityError, match="dx_titles"):
        read_table("dx_titles", data_copy)
