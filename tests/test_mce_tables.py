"""The compiled MCE tables: rebuilt from ../shared/cms-mce they equal the committed files
(skips without it); loaded they answer by code and discharge date; damaged they are refused."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from drg.tables.manifest import TableIntegrityError, read_manifest
from drg.tables.mce import MCE_TABLES, AgeGroup, Edit, EditType, Flag, build_mce, epoch_day, load_mce, tables_from
from drg.tables.paths import DATA_DIR

from conftest import SHARED

CMS_MCE = SHARED / "cms-mce"


@pytest.fixture
def cms_mce() -> Path:
    if not (CMS_MCE / "edits.csv").exists():
        pytest.skip(f"CMS MCE source not found at {CMS_MCE}")
    return CMS_MCE


def _build(source: Path, out: Path) -> dict[str, bytes]:
    out.mkdir(parents=True, exist_ok=True)
    written = {}

    def emit(name, table, origin, writer):
        writer(table, out / f"{name}.parquet")
        written[name] = (out / f"{name}.parquet").read_bytes()

    build_mce(source, emit)
    return written


def test_committed_mce_tables_equal_a_fresh_build(cms_mce, tmp_path):
    fresh = _build(cms_mce, tmp_path / "a")
    assert sorted(fresh) == sorted(MCE_TABLES)
    differing = [n for n, data in fresh.items() if data != (DATA_DIR / f"{n}.parquet").read_bytes()]
    assert differing == [], f"rebuild differs from the committed MCE tables: {differing}"
    assert _build(cms_mce, tmp_path / "b") == fresh


def test_the_manifest_lists_and_hashes_every_mce_table():
    files = read_manifest()["files"]
    for name in MCE_TABLES:
        entry = files[f"{name}.parquet"]
        assert entry["bytes"] == (DATA_DIR / f"{name}.parquet").stat().st_size
        assert entry["source"].startswith("cms-mce/")
    assert sum(files[f"{n}.parquet"]["bytes"] for n in MCE_TABLES) < 200_000


def test_look_ups_by_code_and_discharge_date():
    mce = load_mce()
    assert mce is load_mce()
    day = epoch_day(dt.date(2026, 9, 30))
    assert mce.diagnoses.flags_on("Z681", day) == {Flag.ADULT, Flag.UNACCEPTABLE}
    assert mce.diagnoses.flags_on("Z681", day + 1) is None           # deleted for FY 2027
    assert mce.diagnoses.flags_on("O00121", day) is None             # new in FY 2027
    assert Flag.MATERNITY in mce.diagnoses.flags_on("O00121", day + 1)
    assert mce.procedures.flags_on("5A1955Z", day) == {Flag.LOS}
    assert mce.diagnoses.flags_on("I10", day) == {Flag.QADM}
    assert mce.diagnoses.flags_on("i10", day) is None                # the editor upper-cases, not the table
    assert mce.termination_date == dt.date(2027, 3, 31)
    sex_flags = mce.diagnoses.history("A1816")
    assert sex_flags[0][2] == {Flag.FEMALE} and sex_flags[0][1] == dt.date(2024, 9, 30)


def test_edits_age_groups_and_statuses():
    mce = load_mce()
    assert len(mce.edits) == 44 and len(mce.counted_edits) == 42
    assert mce.edits[Edit.INVALID_ADMIT_DX].edit_type == EditType.NONE
    assert mce.edits[Edit.NON_COVERED].edit_type == EditType.PREPAYMENT
    assert mce.edits[Edit.BILATERAL].edit_type == EditType.POSTPAYMENT
    assert mce.dx_flag_width == mce.pr_flag_width == 20
    assert mce.dx_flag_positions[Edit.TYPE_OF_AGE_CONFLICT] == 11
    day = epoch_day(dt.date(2026, 11, 1))
    maternity = mce.age_range(Flag.MATERNITY, day)
    assert (maternity.group, maternity.start_age, maternity.end_age) == (AgeGroup.MATERNITY, 9, 64)
    assert mce.age_range(Flag.MATERNITY, epoch_day(dt.date(2019, 9, 30))).end_age == 55
    assert mce.discharge_status_valid(1, day) and not mce.discharge_status_valid(8, day)
    assert mce.discharge_status_valid(8, epoch_day(dt.date(1995, 1, 1)))


def test_a_damaged_mce_table_is_refused(data_copy):
    from drg.tables.loader import read_table

    path = data_copy / "mce_dx_codes.parquet"
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(TableIntegrityError):
        tables_from(lambda name: read_table(name, data_copy))


def test_code_edits_say_which_edits_a_code_can_raise_and_when():
    mce = load_mce()
    (z681,) = mce.code_edits("dx", "Z68.1")
    assert (z681.date_from, z681.date_through) == (dt.date(2015, 10, 1), dt.date(2026, 9, 30))
    assert z681.edits == (Edit.AGE_CONFLICT, Edit.UNACCEPTABLE_PDX)
    (z5189,) = mce.code_edits("dx", "Z51.89")
    assert Edit.REQUIRES_SDX in z5189.edits and Edit.UNACCEPTABLE_PDX not in z5189.edits
    female, after = mce.code_edits("dx", "A18.16")
    assert female.edits == (Edit.SEX_CONFLICT,) and female.date_through == dt.date(2024, 9, 30)
    assert after.edits == () and after.date_from == dt.date(2024, 10, 1)
    assert set(mce.code_edits("pr", "0FYG0Z0")[0].edits) == {Edit.NON_COVERED, Edit.LIMITED_COVERAGE}
    assert mce.code_edits("dx", "XXXX") == ()
