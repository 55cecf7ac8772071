"""The claim model's admission date and length of stay: read from every way in, derived from the
two dates, ignored by the grouper, read by the MCE."""
from __future__ import annotations

import datetime as dt

from drg.claim import Claim, Diagnosis, check_claim, stay_values
from drg.grouper import group_claim
from drg.io.readers import read_claims
from drg.mce import Edit, edit_claim
from drg.tables import load

VENT = "5A1955Z"        # ventilation > 96 hours: INCONSISTENT_WITH_LENGTH_OF_STAY under 5 days


def _claim(**more) -> Claim:
    return Claim(id="s1", version=431, age=70, sex="F", discharge_status=1, pdx=Diagnosis("J9601", "Y"),
                 procedures=(VENT,), **more)


def test_length_of_stay_is_derived_from_the_two_dates_and_a_given_one_wins():
    day = dt.date(2026, 3, 10)
    assert _claim(discharge_date=day, admit_date=dt.date(2026, 3, 7)).length_of_stay == 3
    assert _claim(discharge_date=day, admit_date=day).length_of_stay == 0
    assert _claim(discharge_date=day, admit_date=dt.date(2026, 3, 1), length_of_stay=2).length_of_stay == 2
    assert _claim(discharge_date=day).length_of_stay is None
    assert _claim(admit_date=day).length_of_stay is None


def test_from_dict_reads_los_and_admit_date_and_to_dict_gives_them_back():
    data = {**_claim().to_dict(), "discharge_date": "2026-03-10", "admit_date": "2026-03-06"}
    claim = Claim.from_dict(data)
    assert (claim.admit_date, claim.length_of_stay) == (dt.date(2026, 3, 6), 4)
    assert Claim.from_dict({**_claim().to_dict(), "los": 9}).length_of_stay == 9
    again = Claim.from_dict(claim.to_dict())
    assert (again.admit_date, again.length_of_stay) == (claim.admit_date, claim.length_of_stay)
    assert "los" not in _claim().to_dict() and "admit_date" not in _claim().to_dict()


def test_an_unreadable_stay_is_left_out_without_a_row_status():
    fields = {"id": "x", "version": 431, "pdx": ("J9601", "Y"), "sdx": [], "procedures": [],
              "admit_date": "not a date", "length_of_stay": "three"}
    checked = check_claim(fields)
    assert checked.status == "OK" and checked.claim is not None
    assert (checked.claim.admit_date, checked.claim.length_of_stay) == (None, None)


def test_stay_columns_are_found_by_their_aliases_in_any_case():
    assert stay_values({"Admission Date": "2026-01-02", "LOS": "", "Length-Of-Stay": "4", "other": 1}) == {
        "admit_date": "2026-01-02", "length_of_stay": "4"}


def test_wide_file_columns_give_the_stay_and_stay_copied_through(tmp_path):
    source = tmp_path / "claims.csv"
    source.write_text("claim_id,version,discharge_date,Admission Date,age,sex,discharge_status,pdx,proc1,LOS\n"
                      "a,43.1,2026-03-10,2026-03-08,70,F,1,J9601,5A1955Z,\n"
                      "b,43.1,2026-03-10,,70,F,1,J9601,5A1955Z,6\n"
                      "c,43.1,2026-03-10,,70,F,1,J9601,5A1955Z,\n", encoding="utf-8")
    rows = [row for chunk in read_claims(source) for row in chunk]
    assert [r.claim.length_of_stay for r in rows] == [2, 6, None]
    assert rows[0].extra["Admission Date"] == "2026-03-08"        # still an extra column, copied as given
    edits = [edit_claim(r.claim) for r in rows]
    assert [e.count(Edit.INCONSISTENT_WITH_LENGTH_OF_STAY) for e in edits] == [1, 0, 0]
    assert [e.needs_length_of_stay for e in edits] == [False, False, True]


def test_the_grouper_ignores_the_stay():
    tables = load(431)
    plain = group_claim(_claim(), tables).to_dict()
    assert group_claim(_claim(length_of_stay=1, admit_date=dt.date(2026, 1, 1)), tables).to_dict() == plain
