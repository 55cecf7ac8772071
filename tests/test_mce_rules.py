"""Each rule of docs/MCE_LOGIC.md with a claim that fires it and a near miss that does not.

The ICD-10 rules run on the package's MCE tables with real codes; the rules only ICD-9 data
can trigger (their flags are on no ICD-10 code) run on a small synthetic table set built
from the real edits, age groups and discharge statuses.
"""
from __future__ import annotations

import ast
import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from drg.claim import Claim, Diagnosis
from drg.mce import AgeGroup, Edit, EditType, Flag, edit_claim, load_mce, parse_discharge_date
from drg.tables.mce import CodeMaster, epoch_day

DATE = "2026-05-01"          # MS-DRG 43.1
BEFORE_FY2025 = "2024-06-01"  # sex edits still in force (41.1)
BASE_PDX = "J189"             # pneumonia, no MCE flag


def run(pdx: "str | None" = BASE_PDX, sdx=(), procs=(), admit=None, age=50, sex="M", status=1,
        date=DATE, los=3, tables=None, **kw):
    claim = Claim(id="t", age=age, sex=sex, discharge_status=status,
                  pdx=Diagnosis(pdx) if pdx is not None else None,
                  admit_dx=Diagnosis(admit) if admit is not None else None,
                  sdx=tuple(Diagnosis(c) for c in sdx), procedures=tuple(procs))
    return edit_claim(claim, discharge_date=date, length_of_stay=los, tables=tables, **kw)


def counts(result) -> dict[str, int]:
    return {e.edit.value: e.count for e in result.edits}


def test_a_clean_claim_has_no_edit():
    result = run(sdx=["E1165"], procs=["0DTJ4ZZ"])
    assert result.edits == () and result.edit_type == EditType.NONE
    assert result.pdx.flags == "0" * 20 and result.procedures[0].flags == "0" * 20


# ---------------------------------------------------------------- 3.1 discharge date

@pytest.mark.parametrize("date", [None, "", "2025-13-01", "2024-00-10", "20250101x", "2024-9-30",
                                  "1985-09-30", "2027-04-01", "2028-01-15"])
def test_3_1_invalid_discharge_date_stops_everything(date):
    result = run(pdx="XXXX", sdx=["YYYY"], age=200, status=0, date=date)
    assert result.edit_type == EditType.INVALID_DISCHARGE_DATE
    assert result.edits == () and result.pdx.edits == () and result.sdx[0].edits == ()


@pytest.mark.parametrize("date", ["1985-10-01", "2027-03-31", "20261101", " 2026-11-01 ", dt.date(2026, 11, 1)])
def test_3_1_valid_discharge_dates(date):
    assert run(date=date).edit_type != EditType.INVALID_DISCHARGE_DATE


def test_3_1_a_day_the_month_lacks_moves_back_to_its_last_day():
    assert parse_discharge_date("2024-09-31") == dt.date(2024, 9, 30)
    assert parse_discharge_date("2023-02-29") == dt.date(2023, 2, 28)
    assert parse_discharge_date("2024-02-30") == dt.date(2024, 2, 29)
    assert parse_discharge_date("2024-09-32") is None and parse_discharge_date("2024-09-00") is None
    assert run(date="2024-09-31").discharge_date == dt.date(2024, 9, 30)


def test_3_1_the_date_is_read_from_the_claim_when_not_given():
    claim = Claim(id="t", age=50, sex="M", discharge_status=1, pdx=Diagnosis("I10"),
                  discharge_date=dt.date(2026, 11, 2))
    assert edit_claim(claim).edit_type == EditType.PREPAYMENT
    assert edit_claim(replace(claim, discharge_date=None)).edit_type == EditType.INVALID_DISCHARGE_DATE


# ---------------------------------------------------------------- 3.2 / 4 validation

def test_3_2_codes_are_upper_cased_for_look_ups_but_never_trimmed_or_undotted():
    assert counts(run(pdx="j189")) == {}
    assert counts(run(pdx=" J189")) == {"INVALID_CODE": 1}
    assert counts(run(pdx="J18.9")) == {"INVALID_CODE": 1}


def test_3_2_a_code_is_valid_only_inside_its_dates():
    # Z68.1 was deleted for FY 2027 (valid to 2026-09-30)
    assert "INVALID_CODE" not in counts(run(sdx=["Z681"], date="2026-09-30"))
    assert counts(run(sdx=["Z681"], date="2026-10-01"))["INVALID_CODE"] == 1


def test_4_1_invalid_admit_dx_is_counted_but_of_type_none():
    result = run(admit="XXXXX")
    assert counts(result) == {"INVALID_ADMIT_DX": 1} and result.edit_type == EditType.NONE
    assert result.admit_dx.edits == (Edit.INVALID_ADMIT_DX,) and result.admit_dx.flags == "0" * 20
    for near_miss in ("", "000", "I10", "i10"):
        assert counts(run(admit=near_miss)) == {}


def test_4_2_invalid_code_on_diagnoses():
    assert counts(run(pdx="XXXX")) == {"INVALID_CODE": 1}
    assert counts(run(pdx=None)) == {"INVALID_CODE": 1}
    assert run(pdx=None).to_dict()["pdx"]["code"] is None
    assert counts(run(pdx="000")) == {"INVALID_CODE": 1}
    assert counts(run(pdx="")) == {"INVALID_CODE": 1}
    assert counts(run(sdx=["XXXX", "YYYY", "E1165"]))["INVALID_CODE"] == 2
    assert counts(run(sdx=["", "0000", "E1165"])) == {}
    assert counts(run(sdx=["1234"])) == {"INVALID_CODE": 1}      # an ICD-9 code on an ICD-10 claim


def test_4_3_invalid_code_on_procedures():
    result = run(procs=["Z@5939", "0DTJ4ZZ", "", "0000000"])
    assert counts(result) == {"INVALID_CODE": 1}
    assert result.procedures[0].edits == (Edit.INVALID_CODE,) and result.procedures[0].flags[0] == "1"
    assert [p.edits for p in result.procedures[1:]] == [(), (), ()]


def test_4_4_invalid_sex():
    assert counts(run(sex="U", date=BEFORE_FY2025)) == {"INVALID_SEX": 1}
    assert counts(run(sex="U", date="2024-10-01")) == {}
    assert counts(run(sex="X", date="2024-10-01")) == {"INVALID_SEX": 1}
    assert counts(run(sex="F", date=BEFORE_FY2025)) == {}


@pytest.mark.parametrize("status,fires", [(0, True), (8, True), (99, True), (None, True), (1, False),
                                          (20, False), (95, False)])
def test_4_5_invalid_discharge_status(status, fires):
    assert ("INVALID_DISCHARGE_STATUS" in counts(run(status=status))) is fires


def test_4_5_discharge_status_validity_depends_on_the_date():
    assert "INVALID_DISCHARGE_STATUS" not in counts(run(status=8, date="1995-06-01", pdx=None))
    assert "INVALID_DISCHARGE_STATUS" in counts(run(status=8, date="2006-06-01", pdx=None))


@pytest.mark.parametrize("age,fires", [(-1, True), (125, True), (999, True), (None, True), (0, False),
                                       (124, False)])
def test_4_6_invalid_age(age, fires):
    assert ("INVALID_AGE" in counts(run(age=age))) is fires


# ---------------------------------------------------------------- 5 principal diagnosis

def test_5_1_e_code_as_pdx_only_as_pdx():
    assert counts(run(pdx="V0001XA")) == {"E_CODE_AS_PDX": 1}
    assert counts(run(sdx=["V0001XA"])) == {}


def test_5_2_manifestation_as_pdx_only_as_pdx():
    assert counts(run(pdx="D630")) == {"MANIFESTATION_AS_PDX": 1}
    assert counts(run(sdx=["D630"])) == {}


def test_5_3_requires_sdx_and_unacceptable_pdx():
    assert counts(run(pdx="Z5189")) == {"REQUIRES_SDX": 1}
    assert counts(run(pdx="Z5189", sdx=[""])) == {}               # any SDX, even a blank one
    assert counts(run(pdx="Z5189", sdx=["XXXX"])) == {"INVALID_CODE": 1}
    assert counts(run(pdx="B950")) == {"UNACCEPTABLE_PDX": 1}
    assert counts(run(sdx=["B950"])) == {}


def test_5_5_questionable_admission_only_as_pdx():
    assert counts(run(pdx="E119")) == {"QUESTIONABLE_ADMISSION": 1}
    assert counts(run(sdx=["E119"])) == {}


def test_5_6_age_conflict_on_the_pdx_with_its_type():
    result = run(pdx="A33", age=1)
    assert counts(result) == {"AGE_CONFLICT": 1}
    assert result.pdx.age_conflict_type == AgeGroup.NEWBORN and result.pdx.flags[2] == "1"
    assert result.pdx.flags[11] == "1"
    assert counts(run(pdx="A33", age=0)) == {}


@pytest.mark.parametrize("age,fires", [(8, True), (9, False), (64, False), (65, True)])
def test_7_1_maternity_ages(age, fires):
    result = run(pdx="O80", sex="F", age=age)
    assert ("AGE_CONFLICT" in counts(result)) is fires
    if fires:
        assert result.pdx.age_conflict_type == AgeGroup.MATERNITY and result.pdx.flags[11] == "3"


def test_7_1_maternity_was_12_to_55_before_fy2020():
    assert "AGE_CONFLICT" in counts(run(pdx="O80", sex="F", age=10, date="2019-09-30"))
    assert "AGE_CONFLICT" not in counts(run(pdx="O80", sex="F", age=10, date="2019-10-01"))


@pytest.mark.parametrize("code,age,fires,group", [("A4851", 17, False, None), ("A4851", 18, True, "PEDIATRIC"),
                                                  ("C9150", 15, False, None), ("C9150", 14, True, "ADULT"),
                                                  ("C9150", 125, True, "ADULT"), ("A33", -1, True, "NEWBORN")])
def test_7_1_age_groups_on_both_sides(code, age, fires, group):
    result = run(sdx=[code], age=age)
    assert ("AGE_CONFLICT" in counts(result)) is fires
    assert result.sdx[0].age_conflict_type == (AgeGroup(group) if group else None)


def test_7_1_a_missing_age_conflicts_with_no_group():
    assert "AGE_CONFLICT" not in counts(run(sdx=["A33"], age=None))


def test_5_7_and_7_2_sex_conflict_on_diagnoses():
    assert counts(run(pdx="A1816", sex="M", date=BEFORE_FY2025)) == {"SEX_CONFLICT": 1}
    assert counts(run(pdx="A1816", sex="F", date=BEFORE_FY2025)) == {}
    assert counts(run(sdx=["A1816"], sex="U", date=BEFORE_FY2025)) == {"SEX_CONFLICT": 1, "INVALID_SEX": 1}
    assert counts(run(sdx=["A1816"], sex="M", date="2024-10-01")) == {}      # the flags end on 2024-09-30


def test_5_8_wrong_procedure_performed():
    assert run(pdx="Y6551").pdx.edits == (Edit.E_CODE_AS_PDX, Edit.WRONG_PROCEDURE_PERFORMED)
    assert counts(run(sdx=["Y6551"])) == {"WRONG_PROCEDURE_PERFORMED": 1}
    assert counts(run(admit="Y6551")) == {}


def test_5_10_unspecified_on_pdx_and_sdx_each_counted():
    assert counts(run(pdx="G8100", sdx=["G8110", "G8110"])) == {"UNSPECIFIED": 3}
    assert counts(run(admit="G8100")) == {}


def test_5_order_of_the_pdx_edits():
    result = run(pdx="O80", sex="M", age=70, date=BEFORE_FY2025)
    assert result.pdx.edits == (Edit.AGE_CONFLICT, Edit.SEX_CONFLICT)


# ---------------------------------------------------------------- 6 admitting and secondary diagnoses

def test_6_admitting_diagnosis_conflicts_are_flagged_not_counted():
    result = run(admit="O80", sex="M", age=70, date=BEFORE_FY2025)
    assert counts(result) == {}
    assert result.admit_dx.edits == (Edit.AGE_CONFLICT, Edit.SEX_CONFLICT)
    assert result.admit_dx.age_conflict_type == AgeGroup.MATERNITY and result.admit_dx.flags[:3] == "011"
    assert run(admit="O80", sex="F", age=30).admit_dx.edits == ()


def test_6_1_duplicate_of_pdx():
    assert counts(run(pdx="I5021", sdx=["I5021", "I5021"])) == {"DUPLICATE_OF_PDX": 2}
    assert counts(run(pdx="I5021", sdx=["i5021"])) == {}                        # case-sensitive
    assert counts(run(pdx=None, sdx=[""])) == {"INVALID_CODE": 1, "DUPLICATE_OF_PDX": 1}
    result = run(pdx="G8100", sdx=["G8100"])
    assert result.sdx[0].edits == (Edit.DUPLICATE_OF_PDX, Edit.UNSPECIFIED) and result.sdx[0].flags[8] == "1"


# ---------------------------------------------------------------- 7.3 / 8 procedures

def test_8_1_sex_conflict_on_procedures():
    assert counts(run(procs=["04LE0CV"], sex="F", date=BEFORE_FY2025)) == {"SEX_CONFLICT": 1}
    assert counts(run(procs=["04LE0CV"], sex="M", date=BEFORE_FY2025)) == {}


@pytest.mark.parametrize("los,fires", [(4, True), (0, True), (-1, True), (5, False), (14, False)])
def test_8_4_inconsistent_with_length_of_stay(los, fires):
    result = run(procs=["5A1955Z"], los=los)
    assert ("INCONSISTENT_WITH_LENGTH_OF_STAY" in counts(result)) is fires
    assert result.procedures[0].flags[16] == ("1" if fires else "0")


def test_8_4_length_of_stay_from_the_admission_date_or_missing():
    claim = Claim(id="t", age=50, sex="M", discharge_status=1, pdx=Diagnosis(BASE_PDX), procedures=("5A1955Z",))
    short = edit_claim(claim, discharge_date="2026-05-04", admit_date="2026-05-01")
    assert short.length_of_stay == 3 and "INCONSISTENT_WITH_LENGTH_OF_STAY" in counts(short)
    long = edit_claim(claim, discharge_date="2026-05-09", admit_date=dt.date(2026, 5, 1))
    assert long.length_of_stay == 8 and counts(long) == {}
    unknown = edit_claim(claim, discharge_date="2026-05-09")
    assert counts(unknown) == {} and unknown.needs_length_of_stay
    assert not edit_claim(replace(claim, procedures=()), discharge_date="2026-05-09").needs_length_of_stay


def test_8_5_a_never_covered():
    result = run(procs=["00F3XZZ"])
    assert counts(result) == {"NON_COVERED": 1} and result.procedures[0].flags[4] == "1"


def test_8_5_b_pancreas_transplant():
    assert counts(run(procs=["0FYG0Z0"])) == {"NON_COVERED": 1}
    assert counts(run(procs=["0FYG0Z0", "0TY00Z0"])) == {"LIMITED_COVERAGE": 2}
    assert counts(run(procs=["0FYG0Z0"], sdx=["E1010"])) == {"LIMITED_COVERAGE": 1}
    assert counts(run(procs=["0FYG0Z0"], pdx="E1010")) == {"LIMITED_COVERAGE": 1}
    # 7.3: the admitting diagnosis is not part of D
    assert counts(run(procs=["0FYG0Z0"], admit="E1010")) == {"NON_COVERED": 1}


def test_8_5_c_total_artificial_heart_and_clinical_trial():
    date = "2020-06-01"
    assert counts(run(procs=["02RK0JZ", "02RL0JZ"], date=date)) == {"NON_COVERED": 2}
    assert counts(run(procs=["02RK0JZ", "02RL0JZ"], sdx=["Z006"], date=date)) == {"LIMITED_COVERAGE": 2}
    assert counts(run(procs=["02RK0JZ"], date=date)) == {}


def test_8_5_d_stem_cells_with_acute_leukemia():
    assert counts(run(procs=["30233G0"], sdx=["C9100"])) == {"NON_COVERED": 1}
    assert counts(run(procs=["30233G0"])) == {}


def test_8_5_e_allogeneic_transfusion_with_myeloma_to_fy2018():
    assert counts(run(procs=["30230G2"], sdx=["C9000"], date="2017-06-01")) == {"NON_COVERED": 1}
    assert counts(run(procs=["30230G2"], date="2017-06-01")) == {}


@pytest.mark.parametrize("age,fires", [(60, False), (59, False), (61, True), (75, True), (-1, True)])
def test_8_5_f_lumbar_disc_over_60(age, fires):
    assert ("NON_COVERED" in counts(run(procs=["0SR20JZ"], age=age))) is fires


def test_8_5_g_sterilization_with_z30_2():
    assert counts(run(procs=["0U570ZZ"], sex="F", sdx=["Z302"])) == {"NON_COVERED": 1}
    assert counts(run(procs=["0U570ZZ"], sex="F")) == {}


def test_8_6_limited_coverage():
    result = run(procs=["02WA3QZ"])
    assert counts(result) == {"LIMITED_COVERAGE": 1} and result.procedures[0].flags[6] == "1"
    assert counts(run(procs=["0DTJ4ZZ"])) == {}


def test_8_8_questionable_obstetric_admission():
    result = run(procs=["10D00Z0"], sex="F", age=30, pdx="O80")
    assert counts(result) == {"QUESTIONABLE_OBSTETRIC_ADMISSION": 1} and result.procedures[0].flags[7] == "1"
    assert counts(run(procs=["10D00Z0"], sex="F", age=30, pdx="O80", sdx=["Z370"])) == {}
    # a Z37 code as PDX does not count (and is unacceptable as PDX)
    assert counts(run(procs=["10D07Z3"], sex="F", age=30, pdx="Z370")) == {
        "UNACCEPTABLE_PDX": 1, "QUESTIONABLE_OBSTETRIC_ADMISSION": 1}


# ---------------------------------------------------------------- 9 / 10 edit type and output

def test_9_edit_type_and_10_counter_order():
    result = run(pdx="G8100", sdx=["G8100", "XXXX"], age=130)
    assert result.edit_type == EditType.PREPAYMENT and result.prepayment
    assert [e.edit for e in result.edits] == [Edit.INVALID_CODE, Edit.DUPLICATE_OF_PDX, Edit.INVALID_AGE,
                                              Edit.UNSPECIFIED]
    data = result.to_dict()
    assert list(data) == ["id", "version_used", "edit_type", "edits", "pdx", "admit_dx", "sdx", "procedures"]
    assert data["version_used"] == 431 and data["pdx"]["flags"] == "00000000000000100000"


def test_10_hits_name_the_place_and_the_code():
    result = run(pdx="G8100", admit="O80", sdx=["G8110"], procs=["00F3XZZ"], age=70, sex="M", date=BEFORE_FY2025)
    hits = [(h.edit, h.where, h.code, h.counted) for h in result.hits()]
    assert (Edit.UNSPECIFIED, "principal diagnosis", "G8100", True) in hits
    assert (Edit.AGE_CONFLICT, "admitting diagnosis", "O80", False) in hits
    assert (Edit.UNSPECIFIED, "secondary diagnosis 1", "G8110", True) in hits
    assert (Edit.NON_COVERED, "procedure 1", "00F3XZZ", True) in hits


# ---------------------------------------------------------------- ICD-9-only rules on synthetic tables

def _synthetic(dx: dict[str, set], pr: dict[str, set]):
    real = load_mce()
    first, last = epoch_day(dt.date(1985, 10, 1)), real.termination_day

    def master(codes: dict[str, set]) -> CodeMaster:
        names = sorted(codes)
        return CodeMaster(names, [first] * len(names), [last] * len(names),
                          [frozenset(Flag(f) for f in codes[c]) for c in names], {c: i for i, c in enumerate(names)})

    return replace(real, diagnoses=master(dx), procedures=master(pr))


SYNTHETIC = _synthetic(
    dx={"BASE": set(), "NSPEC": {"nonspecific"}, "MSP": {"msp"}, "MDC8": {"mdc08"}, "N2": {"ncov2"},
        "N2LT64": {"ncov2agelt64"}, "N3": {"ncov3"}, "N89": {"ncov89"}, "N4": {"ncov4"}, "N5": {"ncov5"},
        "TRIAL": {"clintrial"}},
    pr={"PBASE": set(), "NSOR": {"nonspecific", "or_indic"}, "OR": {"or_indic"}, "BIOP": {"biopsy"},
        "BIL1": {"bilateral"}, "BIL2": {"bilateral"}, "HEART": {"lcov_heartxp"}, "P2": {"ncov2"},
        "P3": {"ncov3"}, "P8": {"ncov8"}, "P9": {"ncov9"}, "P13A": {"ncov13a"}, "P13B": {"ncov13b"},
        "AH": {"lcov_artheartxp"}, "PANC": {"ncov45"}})


def syn(**kw):
    kw.setdefault("pdx", "BASE")
    return run(tables=SYNTHETIC, **kw)


def test_5_4_nonspecific_pdx_unless_expired_and_9_postpayment():
    result = syn(pdx="NSPEC")
    assert counts(result) == {"NONSPECIFIC_PDX": 1} and result.edit_type == EditType.POSTPAYMENT
    assert counts(syn(pdx="NSPEC", status=20)) == {}


def test_5_9_medicare_is_secondary_payer_and_9_both():
    assert counts(syn(pdx="MSP")) == {"MEDICARE_IS_SECONDARY_PAYER": 1}
    assert counts(syn(sdx=["MSP"])) == {"MEDICARE_IS_SECONDARY_PAYER": 1}
    assert syn(pdx="MSP", age=200).edit_type == EditType.BOTH
    assert counts(syn(admit="MSP")) == {}


def test_8_2_nonspecific_or_unless_another_or_procedure():
    assert counts(syn(procs=["NSOR"])) == {"NONSPECIFIC_OR": 1}
    assert counts(syn(procs=["NSOR", "OR"])) == {}


def test_8_3_open_biopsy():
    assert counts(syn(procs=["BIOP"])) == {"OPEN_BIOPSY": 1}
    assert counts(syn(procs=["PBASE"])) == {}


def test_8_7_bilateral_counted_once_flagged_on_each():
    result = syn(pdx="MDC8", procs=["BIL1", "BIL2", "BIL1"])
    assert counts(result) == {"BILATERAL": 1}
    assert all(p.edits == (Edit.BILATERAL,) and p.flags[5] == "1" for p in result.procedures)
    assert counts(syn(pdx="MDC8", procs=["BIL1", "BIL1"])) == {}      # the same code twice
    assert counts(syn(pdx="BASE", procs=["BIL1", "BIL2"])) == {}      # not an MDC 8 PDX


def test_8_6_organ_specific_limited_coverage():
    result = syn(procs=["HEART"])
    assert counts(result) == {"LIMITED_COVERAGE_HEART_TRANSPLANT": 1} and result.procedures[0].flags[9] == "1"


def test_8_5_icd9_non_covered_rules():
    assert counts(syn(procs=["P2"])) == {"NON_COVERED": 1}
    assert counts(syn(procs=["P2"], sdx=["N2"])) == {}
    assert counts(syn(procs=["P2"], sdx=["N2LT64"], age=63)) == {}
    assert counts(syn(procs=["P2"], sdx=["N2LT64"], age=64)) == {"NON_COVERED": 1}
    assert counts(syn(procs=["P3"])) == {"NON_COVERED": 1}
    assert counts(syn(procs=["P3"], pdx="N3")) == {}
    assert counts(syn(procs=["P8"])) == {"NON_COVERED": 1}
    assert counts(syn(procs=["P8", "P9"], sdx=["N89"])) == {}
    assert counts(syn(procs=["P8", "P9"], pdx="N89")) == {"NON_COVERED": 1}   # S only: an SDX
    assert counts(syn(procs=["P13A"])) == {"NON_COVERED": 1}
    assert counts(syn(procs=["P13A", "P13B"])) == {}


def test_8_5_ah_artificial_heart_non_covered_or_limited():
    assert counts(syn(procs=["AH"])) == {"NON_COVERED": 1}
    assert counts(syn(procs=["AH"], sdx=["TRIAL"])) == {"LIMITED_COVERAGE_ARTIFICIAL_HEART": 1}


def test_8_5_b_pancreas_before_2006_04_26():
    assert counts(syn(procs=["PANC"], date="2006-04-25")) == {"NON_COVERED": 1}
    assert counts(syn(procs=["PANC"], sdx=["N4", "N5"], date="2006-04-25")) == {}
    assert counts(syn(procs=["PANC"], sdx=["N4", "N5"], date="2006-04-26")) == {"NON_COVERED": 1}


# ---------------------------------------------------------------- layers

def test_the_editor_imports_only_tables_and_the_claim_model():
    allowed = ("drg.tables", "drg.claim", "drg.mce")
    root = Path(__file__).resolve().parents[1] / "mce"
    for path in sorted(root.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                if name.startswith("drg"):
                    assert name.startswith(allowed), f"{path.name} imports {name}"
