"""Pins for drg.tables.diff (issue 10, mutation run): the words, rows and text of a table diff,
exactly, on small hand-made changes; and the per-code comparisons on codes whose change between
43.1 and 44.0 was checked by hand against the formulas (C510: PDX:uaothmal led to DRGs 739-741,
PDX:uamal now to 731-733) and the exclusion lists (A0224 excludes 24 more, 8 fewer)."""
from __future__ import annotations

import pytest

from drg.tables import load
from drg.tables.diff import (ADDED, CHANGED, REMOVED, DrgChange, DxChange, PrChange, TablesDiff,
                             attribute_drgs, diff_drg, diff_rows, dx_change, or_status, pr_change,
                             render_diff)


def dx(code="X1", change=CHANGED, from_mdc=5, to_mdc=6, from_sev="CC", to_sev="MCC", mdc=True, sev=True,
       gained=(1, 20), lost=(300,), excl=True, added=2, removed=3) -> DxChange:
    return DxChange(code, change, from_mdc, to_mdc, from_sev, to_sev, mdc, sev, gained, lost, excl, added, removed)


def test_diagnosis_words_name_every_change_in_order():
    assert dx().words("43.1", "44.0") == (
        "diagnosis X1: MDC 5 -> 6; CC -> MCC; as principal leads to +DRG 001, 020 -DRG 300; "
        "as principal excludes 2 more / 3 fewer secondary codes as CC/MCC")
    only_lost = dx(mdc=False, sev=False, gained=(), lost=(7,), excl=False)
    assert only_lost.words("a", "b") == "diagnosis X1: as principal leads to -DRG 007"
    only_gained = dx(mdc=False, sev=False, gained=(7, 8), lost=(), excl=False)
    assert only_gained.words("a", "b") == "diagnosis X1: as principal leads to +DRG 007, 008"
    assert dx(mdc=False, gained=(), lost=(), excl=False).words("a", "b") == "diagnosis X1: CC -> MCC"


def test_diagnosis_added_and_removed_words():
    added = dx("C7831", ADDED, None, 4, None, "CC", False, False, (), (), False, 0, 0)
    assert added.words("43.1", "44.0") == "diagnosis C7831 is new in 44.0 (MDC 4, CC)"
    removed = dx("D691", REMOVED, 16, None, "NON_CC", None, False, False, (), (), False, 0, 0)
    assert removed.words("43.1", "44.0") == "diagnosis D691 is not valid in 44.0 (was MDC 16, NON_CC)"


def test_procedure_and_drg_words():
    assert PrChange("P1", ADDED, None, "extensive O.R.", False, (), ()).words("a", "44.0") == \
        "procedure P1 is new in 44.0 (extensive O.R.)"
    assert PrChange("P1", REMOVED, "O.R.", None, False, (), ()).words("a", "44.0") == \
        "procedure P1 is not valid in 44.0 (was O.R.)"
    assert PrChange("P1", CHANGED, "non-O.R.", "O.R.", True, (7,), ()).words("a", "b") == \
        "procedure P1: non-O.R. -> O.R.; leads to +DRG 007"
    assert PrChange("P1", CHANGED, "O.R.", "O.R.", False, (), (8, 9)).words("a", "b") == \
        "procedure P1: leads to -DRG 008, 009"
    assert DrgChange(7, ADDED, None, "New one").words("a", "44.0") == "DRG 007 is new in 44.0: New one"
    assert DrgChange(466, REMOVED, "Old one", None).words("a", "44.0") == \
        "DRG 466 was deleted in 44.0 (was: Old one)"
    assert DrgChange(8, "RETITLED", "a", "b").words("x", "y") == "DRG 008 retitled: 'a' -> 'b'"


def small_diff() -> TablesDiff:
    return TablesDiff("43.1", "44.0",
                      [dx(), dx("C7831", ADDED, None, 4, None, "CC", False, False, (), (), False, 0, 0)],
                      [PrChange("P1", CHANGED, "non-O.R.", "O.R.", True, (7,), ()),
                       PrChange("P2", REMOVED, "O.R.", None, False, (), ())],
                      [DrgChange(8, "RETITLED", "a", "b")])


def test_diff_rows_one_flat_row_per_change():
    rows = diff_rows(small_diff())
    assert rows == [
        {"kind": "dx", "key": "X1", "change": "CHANGED",
         "what": "MDC, CC/MCC level, DRGs as principal, CC exclusions as principal",
         "from": "MDC 5 CC", "to": "MDC 6 MCC", "words": dx().words("43.1", "44.0")},
        {"kind": "dx", "key": "C7831", "change": "ADDED", "what": "", "from": "", "to": "MDC 4 CC",
         "words": "diagnosis C7831 is new in 44.0 (MDC 4, CC)"},
        {"kind": "pr", "key": "P1", "change": "CHANGED", "what": "O.R. status, DRGs", "from": "non-O.R.",
         "to": "O.R.", "words": "procedure P1: non-O.R. -> O.R.; leads to +DRG 007"},
        {"kind": "pr", "key": "P2", "change": "REMOVED", "what": "", "from": "O.R.", "to": "",
         "words": "procedure P2 is not valid in 44.0 (was O.R.)"},
        {"kind": "drg", "key": "008", "change": "RETITLED", "what": "", "from": "a", "to": "b",
         "words": "DRG 008 retitled: 'a' -> 'b'"},
    ]
    one = TablesDiff("a", "b", [dx(mdc=False, excl=False, gained=(), lost=())],
                     [PrChange("P", CHANGED, "O.R.", "O.R.", False, (), (3,))], [])
    assert [r["what"] for r in diff_rows(one)] == ["CC/MCC level", "DRGs"]


def test_render_diff_counts_then_one_line_per_change():
    assert render_diff(small_diff()) == "\n".join([
        "MS-DRG tables: 43.1 -> 44.0",
        "",
        "Diagnoses: 1 added, 1 changed",
        "Procedures: 1 changed, 1 removed",
        "DRGs: 1 retitled",
        "  diagnoses with a new CC/MCC level: 1; with a new MDC: 1",
        "  procedures with a new O.R. status: 1",
        "",
        "Diagnoses:",
        "  " + dx().words("43.1", "44.0"),
        "  diagnosis C7831 is new in 44.0 (MDC 4, CC)",
        "",
        "Procedures:",
        "  procedure P1: non-O.R. -> O.R.; leads to +DRG 007",
        "  procedure P2 is not valid in 44.0 (was O.R.)",
        "",
        "DRGs:",
        "  DRG 008 retitled: 'a' -> 'b'",
    ])


def test_render_diff_of_some_kinds_and_of_no_changes():
    assert render_diff(small_diff(), ("drg",)) == "\n".join([
        "MS-DRG tables: 43.1 -> 44.0", "", "DRGs: 1 retitled", "", "DRGs:", "  DRG 008 retitled: 'a' -> 'b'"])
    empty = TablesDiff("a", "b", [], [], [])
    assert render_diff(empty, ("dx", "pr")) == "\n".join([
        "MS-DRG tables: a -> b", "", "Diagnoses: no changes", "Procedures: no changes",
        "  diagnoses with a new CC/MCC level: 0; with a new MDC: 0", "  procedures with a new O.R. status: 0"])
    assert small_diff().to_dict()["pr"][1] == {"code": "P2", "change": "REMOVED", "from_or_status": "O.R.",
                                               "to_or_status": None, "or_changed": False, "drgs_gained": (),
                                               "drgs_lost": ()}


@pytest.fixture(scope="module")
def tables():
    return load("43.1"), load("44.0")


def test_a_diagnosis_whose_attribute_leads_to_other_drgs(tables):
    a, b = tables
    assert dx_change(a, b, "C510") == DxChange("C510", CHANGED, 13, 13, "NON_CC", "NON_CC", False, False,
                                               (731, 732, 733), (739, 740, 741), False, 0, 0)
    back = dx_change(b, a, "C510")
    assert (back.pdx_drgs_gained, back.pdx_drgs_lost) == ((739, 740, 741), (731, 732, 733))
    assert {731, 732, 733} <= attribute_drgs(b, "PDX", frozenset({"uamal"}))
    assert attribute_drgs(b, "PDX", frozenset()) == frozenset()
    assert attribute_drgs(b, "PDX", None) == frozenset()


def test_exclusion_counts_are_the_codes_excluded_more_and_fewer(tables):
    a, b = tables
    change = dx_change(a, b, "A0224")
    assert change.exclusions_changed and not change.severity_changed and not change.mdc_changed
    more, fewer = b.excluded_by("A0224") - a.excluded_by("A0224"), a.excluded_by("A0224") - b.excluded_by("A0224")
    assert (change.excludes_added, change.excludes_removed) == (len(more), len(fewer)) == (24, 8)


def test_added_and_removed_codes(tables):
    a, b = tables
    assert dx_change(a, b, "C7831") == DxChange("C7831", ADDED, None, 4, None, "CC", False, False, (), (),
                                                False, 0, 0)
    assert dx_change(a, b, "D691") == DxChange("D691", REMOVED, 16, None, "NON_CC", None, False, False, (),
                                               (), False, 0, 0)
    assert dx_change(a, b, "NOTACODE") is None and pr_change(a, b, "NOTACODE") is None
    assert pr_change(a, b, "028F3Z0") == PrChange("028F3Z0", ADDED, None, "extensive O.R.", False, (), ())
    assert pr_change(b, a, "028F3Z0") == PrChange("028F3Z0", REMOVED, "extensive O.R.", None, False, (), ())
    assert pr_change(a, b, "02H40JZ") == PrChange("02H40JZ", CHANGED, "non-O.R.", "non-O.R.", False,
                                                  (210, 211), (260, 261, 262))


def test_or_status_words():
    assert or_status(frozenset()) == "non-O.R."
    assert or_status(frozenset({"nonor"})) == "non-O.R."
    assert or_status(None) is None


def test_retitled_drg_keeps_both_titles(tables):
    a, b = tables
    eight = next(c for c in diff_drg(a, b) if c.drg == 8)
    assert eight == DrgChange(8, "RETITLED", "Simultaneous Pancreas and Kidney Transplant",
                              "Simultaneous Pancreas, Islet Cell and Kidney Transplant")


def test_the_prefix_of_an_atom_says_which_codes_it_lets_reach_a_drg(tables):
    """DRG 280: `ALIVE & MCC & ANY:ami`; DRG 456: `MCC & fusion & (PDX:curvmalig | SDX:curvoth)`;
    DRG 795: `ONLY:incident` (a claim-level fact, reached by no code)."""
    _, b = tables
    assert attribute_drgs(b, "SDX", frozenset({"ami"})) == attribute_drgs(b, "PDX", frozenset({"ami"})) == \
        frozenset({280, 281, 282, 283, 284, 285})
    assert attribute_drgs(b, "SDX", frozenset({"curvoth"})) == frozenset({456, 457, 458})
    assert attribute_drgs(b, "PDX", frozenset({"curvoth"})) == frozenset()
    assert 795 not in attribute_drgs(b, "PR", frozenset({"incident"})) | attribute_drgs(b, "SDX",
                                                                                         frozenset({"incident"}))
    assert attribute_drgs(b, "PR", frozenset({"ALIVE"})) >= {280, 281, 282}


def test_added_drgs_carry_their_title_and_quiet_attribute_changes_are_no_change(tables):
    a, b = tables
    added = next(c for c in diff_drg(a, b) if c.drg == 449)
    assert added == DrgChange(449, ADDED, None, b.drg_titles[449]) and added.to_title
    assert a.procedures["02C03Z6"] != b.procedures["02C03Z6"] and pr_change(a, b, "02C03Z6") is None


def test_render_diff_goes_on_past_an_empty_section():
    text = render_diff(TablesDiff("a", "b", [], [], [DrgChange(8, "RETITLED", "x", "y")]))
    assert text.endswith("\n\nDRGs:\n  DRG 008 retitled: 'x' -> 'y'")
