"""Bad input is data: random claims (garbage values included) never make the editor raise, and
every result is consistent with itself (counts, per-code edits, flag strings, edit type)."""
from __future__ import annotations

import random
from collections import Counter

from drg.claim import Claim, Diagnosis
from drg.mce import Edit, EditTally, EditType, edit_claim, load_mce

DX = ["J189", "I10", "Z5189", "B950", "V0001XA", "D630", "Y6551", "G8100", "A33", "O80", "C9150", "A4851",
      "A1816", "Z370", "E1010", "C9100", "Z302", "Z006", "Z681", "O00121", "i10", " I10", "I1.0", "", "000",
      "XXXX", "1234", "É10"]
PR = ["0DTJ4ZZ", "5A1955Z", "00F3XZZ", "0FYG0Z0", "0TY00Z0", "30233G0", "0SR20JZ", "0U570ZZ", "02WA3QZ",
      "10D00Z0", "10D07Z3", "04LE0CV", "Z@5939", "", "0000000", "0dtj4zz", "X2KB317"]
DATES = ["2022-10-01", "2024-09-30", "2024-09-31", "2024-10-01", "2026-09-30", "2026-10-01", "2027-03-31",
         "2027-04-01", "", "garbage", None, "20250101", "2023-02-29"]
AGES = [0, 1, 8, 9, 17, 18, 50, 61, 64, 65, 124, 125, -1, None, "x", 3.0]
SEXES = ["M", "F", "U", "X", "", None, 1]
STATUSES = [1, 20, 0, 8, 99, None, "1", 30]
LOS = [0, 4, 5, -1, None, "3", 14]


def random_claim(rng: random.Random) -> tuple[Claim, object, object]:
    claim = Claim(id=f"f{rng.randrange(10**6)}", age=rng.choice(AGES), sex=rng.choice(SEXES),
                  discharge_status=rng.choice(STATUSES),
                  pdx=None if rng.random() < 0.05 else Diagnosis(rng.choice(DX)),
                  admit_dx=Diagnosis(rng.choice(DX)) if rng.random() < 0.3 else None,
                  sdx=tuple(Diagnosis(rng.choice(DX)) for _ in range(rng.randrange(0, 8))),
                  procedures=tuple(rng.choice(PR) for _ in range(rng.randrange(0, 5))))
    return claim, rng.choice(DATES), rng.choice(LOS)


def test_random_claims_give_consistent_results():
    rng = random.Random(13)
    tables = load_mce()
    dx_pos, pr_pos = tables.dx_flag_positions, tables.pr_flag_positions
    tally = EditTally()
    for _ in range(3000):
        claim, date, los = random_claim(rng)
        result = edit_claim(claim, discharge_date=date, length_of_stay=los)
        tally.add(result)
        data = result.to_dict()
        assert len(data["sdx"]) == len(claim.sdx) and len(data["procedures"]) == len(claim.procedures)
        if result.edit_type == EditType.INVALID_DISCHARGE_DATE:
            assert result.edits == () and all(not d.edits for d in (result.pdx, *result.sdx))
            continue
        # the counts are the per-code edits, less the admitting diagnosis' conflicts, plus the claim edits
        per_code = Counter()
        for dx in (result.pdx, *result.sdx):
            per_code.update(dx.edits)
            assert all(dx.flags[dx_pos[e]] == "1" for e in dx.edits)
            assert (dx.age_conflict_type is not None) == (Edit.AGE_CONFLICT in dx.edits)
            if dx.age_conflict_type:
                assert dx.flags[11] == dx.age_conflict_type.digit
        if result.admit_dx is not None:
            per_code.update(e for e in result.admit_dx.edits if e == Edit.INVALID_ADMIT_DX)
        for pr in result.procedures:
            per_code.update(pr.edits)
            assert all(pr.flags[pr_pos[e]] == "1" for e in pr.edits)
        for edit in (Edit.INVALID_AGE, Edit.INVALID_SEX, Edit.INVALID_DISCHARGE_STATUS):
            per_code[edit] += result.count(edit)
        assert {e.edit: e.count for e in result.edits} == {k: v for k, v in per_code.items() if v}
        kinds = {tables.edits[e.edit].edit_type for e in result.edits} - {EditType.NONE}
        assert result.edit_type == (EditType.NONE if not kinds else EditType.PREPAYMENT)
        assert result.pdx.edits.count(Edit.INVALID_CODE) <= 1
    assert tally.claims == 3000 and sum(tally.edit_types().values()) == 3000
    assert tally.per_edit_type[EditType.INVALID_DISCHARGE_DATE] > 0 and tally.per_edit_type[EditType.PREPAYMENT] > 0
    assert len(tally.claims_per_edit) >= 15


def test_flat_columns_and_tally_rows():
    claim = Claim(id="c", age=70, sex="M", discharge_status=1, pdx=Diagnosis("G8100"),
                  sdx=(Diagnosis("G8100"), Diagnosis("E1165")), procedures=("00F3XZZ",))
    result = edit_claim(claim, discharge_date="2026-05-01", length_of_stay=3)
    assert result.flat() == {"mce_edit_type": "PREPAYMENT",
                             "mce_edits": "DUPLICATE_OF_PDX=1|NON_COVERED=1|UNSPECIFIED=2",
                             "mce_prepayment": True, "mce_pdx_edits": "UNSPECIFIED",
                             "mce_sdx_edits": "DUPLICATE_OF_PDX+UNSPECIFIED|", "mce_procedure_edits": "NON_COVERED"}
    tally = EditTally().add_all([result, result])
    assert tally.rows()[0] == {"edit": "DUPLICATE_OF_PDX", "claims": 2, "occurrences": 2}
    assert {r["edit"]: r["occurrences"] for r in tally.rows()}["UNSPECIFIED"] == 4
    assert tally.prepayment_claims == ["c", "c"] and tally.edit_types()["PREPAYMENT"] == 2
