"""drg.tables.cms, drg.tables.formula and drg.tables.cache: the CMS facts, the formula grammar
and the per-table-set caches that every layer shares."""
from __future__ import annotations

import threading

import pytest

from drg.tables import TableSetCache, load
from drg.tables.cms import (OR_ATTRIBUTES, ORPROC, UNRELATED_OR_DRGS, is_operating_room, normalize_code,
                            or_kinds, with_orproc)
from drg.tables.formula import And, Atom, Not, Or, atoms, parse


@pytest.mark.parametrize("typed, expected", [
    (" i50.21 ", "I5021"),          # surrounding spaces and dots go, upper case
    ("0sr90j9", "0SR90J9"),
    ("I50 21", "I50 21"),           # a space inside is kept: no table holds such a code
    ("\ti21.4\n", "I214"),
    ("I50 . ", "I50 "),             # stripped before the dots go (the rule the CLI and readers always had)
])
def test_normalize_code_keeps_inner_spaces_by_default(typed, expected):
    assert normalize_code(typed) == expected


@pytest.mark.parametrize("typed, expected", [(" i21.4 ", "I214"), ("I21 4", "I214"), ("i 2 1 . 4", "I214")])
def test_normalize_code_for_a_lookup_drops_every_space(typed, expected):
    assert normalize_code(typed, drop_inner_spaces=True) == expected


def test_the_or_rule_of_version_42_and_later_reads_the_or_lists():
    assert is_operating_room(frozenset({"d477", "x"}), 431)
    assert is_operating_room(frozenset({"ornec"}), 420)
    assert not is_operating_room(frozenset({"x"}), 431)


def test_the_or_rule_before_42_reads_the_non_or_mark():
    assert is_operating_room(frozenset({"x"}), 411)
    assert not is_operating_room(frozenset({"NonOR", "x"}), 411)


def test_orproc_is_added_for_the_unrelated_or_lists_only():
    assert ORPROC in with_orproc(frozenset({"d468"}))
    assert ORPROC in with_orproc(frozenset({"d477"}))
    assert with_orproc(frozenset({"ornec"})) == frozenset({"ornec"})


def test_or_kinds_in_list_order():
    assert or_kinds({"ornec", "d468"}) == ["extensive O.R.", "O.R."]
    assert or_kinds({"nonor"}) == []
    assert list(OR_ATTRIBUTES) == ["d468", "d477", "ornec"]


def test_unrelated_or_drgs_are_the_drgs_of_mdc_29_in_every_version():
    for label in ("40.0", "43.1", "44.0"):
        ts = load(label)
        mdc_29 = {f.drg for f in ts.formulas.get(29, ()) if f.drg}
        assert mdc_29 == UNRELATED_OR_DRGS, label


def test_atoms_walks_every_operand_in_order():
    tree = parse("PDX:a & ~(b | SDX:c) & (MCC | CC)", 431)
    assert [(a.prefix, a.name) for a in atoms(tree)] == [
        ("PDX", "a"), ("NONE", "b"), ("SDX", "c"), ("NONE", "MCC"), ("NONE", "CC")]
    assert isinstance(tree, And) and isinstance(tree.operands[1], Not)
    assert isinstance(tree.operands[1].operand, Or) and isinstance(tree.operands[0], Atom)


def test_a_table_set_cache_builds_once_per_table_set():
    built = []
    cache: TableSetCache[int] = TableSetCache(lambda ts: built.append(ts.version.id) or len(built))
    a, b = load("43.1"), load("44.0")
    assert cache(a) == 1 and cache(a) == 1
    assert cache(b) == 2
    assert built == [431, 440]


def test_a_table_set_cache_builds_once_under_concurrent_first_use():
    built = []
    started = threading.Barrier(4)

    def slow(ts):
        built.append(ts.version.id)
        return object()

    cache: TableSetCache[object] = TableSetCache(slow)
    results = []

    def worker():
        started.wait()
        results.append(cache(load("42.0")))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert built == [420]
    assert all(r is results[0] for r in results)
