"""The DRG formula language: one grammar for every reader of a formula (docs/GROUPER_LOGIC.md section 7).

A formula such as `PDX:dxc0505 & (MCC | CC) & ~ornec` parses into a small tree of atoms
(`PREFIX:name`, or a bare name), negations, conjunctions and disjunctions. The grouper
compiles the trees of a version into functions (drg.grouper.compiled); `drg tables show`,
the table diff and the validation's DRG profiles read the atoms of the same trees, so
every reader agrees on what a formula tests.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

PREFIXES = ("ANY", "PDX", "SDX", "ONLY", "PT")
_DELIMITERS = re.compile(r"\s*([()&|~])\s*|\s+")

# Special operands (section 7.5), by the version in which the grouper recognises them.
FUSION_COUNTERS_420 = ("SINGLEFUSIONCTR", "MULTFUSE", "SGLANTSECTXCTR", "SGLPOSTFUSECTR")
FUSION_COUNTERS_430 = ("SGLANTCTR", "SGLPOST1CTR")


def special_operands(version_id: int) -> tuple[frozenset[str], bool]:
    """The special operand names of a version and whether they match case-insensitively (section 19)."""
    names = {"MULTST", "BILATERAL", "INVALID_DSTAT", "INVALID_PDX", "INVALID_SEX", "PDX_ECODE",
             "INVALID_AGE", "MDC_20_FALL_THRU", "incident"}
    if version_id < 410:
        names |= {"FOUR_VESSELS", "FOUR_DRUG_ELUTING_STENTS", "FOUR_NON_DRUG_ELUTING_STENTS"}
    else:
        names |= {"FOUR_VESSELS", "FOUR_STENTS"}
    if version_id >= 420:
        names |= set(FUSION_COUNTERS_420)
    if version_id >= 430:
        names |= set(FUSION_COUNTERS_430)
    return frozenset(names), version_id >= 420


@dataclass(frozen=True, slots=True)
class Atom:
    """One operand: a list name tested under a prefix, or a special operand."""

    prefix: str          # ANY, PDX, SDX, ONLY, PT or NONE
    name: str            # case as written
    special: str | None  # canonical special-operand name, or None for a plain membership test


@dataclass(frozen=True, slots=True)
class Not:
    """`~operand`."""

    operand: "Node"


@dataclass(frozen=True, slots=True)
class And:
    """`a & b & ...`."""

    operands: tuple["Node", ...]


@dataclass(frozen=True, slots=True)
class Or:
    """`a | b | ...`."""

    operands: tuple["Node", ...]


Node = Atom | Not | And | Or


class FormulaSyntaxError(ValueError):
    """A formula text that the grammar cannot read."""


def tokenize(text: str) -> list[str]:
    """The words and operators of a formula: `(`, `)`, `&`, `|`, `~` and operands."""
    tokens = []
    for piece in _DELIMITERS.split(text):
        if piece:
            piece = piece.strip()
            if piece:
                tokens.append(piece)
    return tokens


def parse(text: str, version_id: int) -> Node:
    """Parse a formula: `|` binds loosest, then `&`, then prefix `~` (section 7.2)."""
    specials, case_insensitive = special_operands(version_id)
    lookup = {s.lower(): s for s in specials} if case_insensitive else {s: s for s in specials}
    tokens = tokenize(text)
    position = 0

    def atom(word: str) -> Atom:
        prefix, name = "NONE", word
        if word.count(":") == 1:
            head, name = word.split(":")
            head = head.upper()
            prefix = head if head in PREFIXES else "NONE"
        special = lookup.get(name.lower() if case_insensitive else name)
        return Atom(prefix, name, special)

    def expr() -> Node:
        nonlocal position
        terms = [term()]
        while position < len(tokens) and tokens[position] == "|":
            position += 1
            terms.append(term())
        return terms[0] if len(terms) == 1 else Or(tuple(terms))

    def term() -> Node:
        nonlocal position
        factors = [factor()]
        while position < len(tokens) and tokens[position] == "&":
            position += 1
            factors.append(factor())
        return factors[0] if len(factors) == 1 else And(tuple(factors))

    def factor() -> Node:
        nonlocal position
        if position >= len(tokens):
            raise FormulaSyntaxError(f"formula ends early: {text!r}")
        token = tokens[position]
        position += 1
        if token == "~":
            return Not(factor())
        if token == "(":
            node = expr()
            if position >= len(tokens) or tokens[position] != ")":
                raise FormulaSyntaxError(f"missing ')' in {text!r}")
            position += 1
            return node
        if token in ")&|":
            raise FormulaSyntaxError(f"unexpected {token!r} in {text!r}")
        return atom(token)

    node = expr()
    if position != len(tokens):
        raise FormulaSyntaxError(f"unexpected text after position {position} in {text!r}")
    return node


def atoms(node: Node) -> Iterator[Atom]:
    """Every atom of a tree, left to right, negated ones included."""
    if isinstance(node, Atom):
        yield node
    elif isinstance(node, Not):
        yield from atoms(node.operand)
    else:
        for operand in node.operands:
            yield from atoms(operand)
