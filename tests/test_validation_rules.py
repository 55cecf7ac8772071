"""Each audit rule: a claim where it fires and one where it must not (version 43.1)."""
from __future__ import annotations

import pytest

from drg.validation import RULES, validate

BASE = {"id": "r", "version": 431, "age": 70, "sex": "M", "discharge_status": 1, "hospital_status": "NON_EXEMPT",
        "admit_dx": None, "procedures": []}


def claim(pdx: str, sdx=(), procedures=(), **fields) -> dict:
    out = dict(BASE, pdx={"code": pdx, "poa": "Y"}, sdx=[{"code": c, "poa": "Y"} if isinstance(c, str)
                                                      else {"code": c[0], "poa": c[1]} for c in sdx],
               procedures=list(procedures))
    out.update(fields)
    return out


def hits(data: dict, billed=None, **kw) -> tuple[str, ...]:
    v = validate(data, billed if billed is not None else data.get("billed_drg", 0) or _expected(data), **kw)
    assert v.status == "OK", v.message
    return v.rule_hits


def _expected(data: dict) -> int:
    return validate(data, 1, drivers=False).expected_drg


CASES = {
    # rule id: (fires, must not fire); each a (claim, billed DRG or None = the expected one, length of stay)
    "SINGLE_CC_MCC": ((claim("I5021", ["N179"]), None, None), (claim("I5021", ["N179", "I4820"]), None, None)),
    "AUDITED_ONLY_MCC": ((claim("I5021", ["E43"]), None, None), (claim("I5021", ["J690"]), None, None)),
    "KWASHIORKOR": ((claim("I5021", ["E40"]), None, None), (claim("I5021", ["E43"]), None, None)),
    "SEPSIS_LOCALIZED_INFECTION": ((claim("A419", ["N390", "R6520"]), None, None),
                                   (claim("A419", ["I10", "R6520"]), None, None)),
    "RESPIRATORY_INFECTION": ((claim("J151", ["N179"]), None, None), (claim("J189", ["N179"]), None, None)),
    "UNRELATED_OR": ((claim("H44123", ["H4611", ("I82402", "N"), ("J9859", "N")], ["0SRU0JZ", "02120ZF"],
                            discharge_status=3), None, None),
                     (claim("I5021", ["N179"]), None, None)),
    "VENTILATION_96H": ((claim("J9601", [], ["5A1955Z"]), None, None), (claim("J9601", []), None, None)),
    "SHORT_MCC_STAY": ((claim("I5021", ["E43"]), 291, 1), (claim("I5021", ["E43"]), 291, 4)),
    "POST_ACUTE_TRANSFER": ((claim("I5021", ["E43"], discharge_status=3), 291, 1),
                            (claim("I5021", ["E43"], discharge_status=1), 291, 1)),
    "HAC_CHANGED_DRG": ((claim("T8141XA", ["Z96651", ("S72363B", "N")], ["0N5V0ZZ"], age=99, sex="F"), None, None),
                        (claim("T8141XA", ["Z96651", ("S72363B", "Y")], ["0N5V0ZZ"], age=99, sex="F"), None, None)),
}


def test_every_rule_has_cases_and_a_source():
    assert {r.id for r in RULES} == set(CASES)
    for r in RULES:
        assert r.description and r.source and r.points > 0


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires(rule_id):
    data, billed, los = CASES[rule_id][0]
    assert rule_id in hits(data, billed, length_of_stay=los)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_does_not_fire(rule_id):
    data, billed, los = CASES[rule_id][1]
    assert rule_id not in hits(data, billed, length_of_stay=los)


def test_ventilation_rule_fires_when_billed_207_lacks_the_procedure():
    v = validate(claim("J9601", []), 207)
    assert "VENTILATION_96H" in v.rule_hits
    assert v.finding == "UPCODING_RISK"
    assert any(r.element == "procedure" for r in v.reasons)
