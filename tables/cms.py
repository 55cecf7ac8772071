"""CMS facts written once: the O.R. attribute rule, the unrelated-O.R. DRGs, the discharge
statuses the grouper tests, and how a code is written in the tables.

Every layer that needs one of these asks here, so the grouper, `drg tables show`, the table
diff and the validation's DRG profiles cannot drift apart (docs/GROUPER_LOGIC.md sections
5.3, 6 and 10.5).
"""
from __future__ import annotations

from collections.abc import Set

# --- O.R. procedures (section 5.3) -----------------------------------------------------------
# d468 and d477 are the "extensive" and "non-extensive" O.R. lists that send a procedure
# unrelated to the principal diagnosis to MDC 29 (DRGs 981-983 / 987-989); ornec marks the
# few remaining O.R. codes. Before version 42.0 the tables mark the non-O.R. codes instead
# (nonor), and every other code counts as O.R.
EXTENSIVE_OR = "d468"
NON_EXTENSIVE_OR = "d477"
OTHER_OR = "ornec"
NON_OR = "nonor"
OR_ATTRIBUTES: dict[str, str] = {EXTENSIVE_OR: "extensive O.R.", NON_EXTENSIVE_OR: "non-extensive O.R.",
                                 OTHER_OR: "O.R."}   # attribute -> coder's words, in this order
UNRELATED_OR_ATTRIBUTES = frozenset({EXTENSIVE_OR, NON_EXTENSIVE_OR})
# The entry the grouper adds to a procedure on either unrelated-O.R. list (its formulas test ORPROC).
ORPROC = "ORPROC"
FIRST_VERSION_WITH_OR_LISTS = 420

# DRGs of MDC 29: an O.R. procedure unrelated to the principal diagnosis (section 10.5).
UNRELATED_OR_DRGS = frozenset({981, 982, 983, 987, 988, 989})


def with_orproc(attributes: frozenset[str]) -> frozenset[str]:
    """A procedure's attributes as the grouper's formulas see them: ORPROC added for d468/d477."""
    if UNRELATED_OR_ATTRIBUTES.isdisjoint(attributes):
        return attributes
    return attributes | {ORPROC}


def is_operating_room(attributes: Set[str], version_id: int) -> bool:
    """The grouper's O.R. flag of a valid procedure code (section 5.3).

    From 42.0: on one of the O.R. lists (d468, d477, ornec). Before: not marked nonor.
    """
    if version_id >= FIRST_VERSION_WITH_OR_LISTS:
        return not OR_ATTRIBUTES.keys().isdisjoint(attributes)
    return not any(a.lower() == NON_OR for a in attributes)


def or_kinds(attributes: Set[str]) -> list[str]:
    """The coder's words for every O.R. list a procedure is on ("extensive O.R.", ...), in list order."""
    return [words for attribute, words in OR_ATTRIBUTES.items() if attribute in attributes]


# --- Discharge status (UB-04 patient status), as the formulas test it (section 6) ------------
DIED = 20
LEFT_AMA = 7
TRANSFER_TO_ACUTE = frozenset({2, 5, 66, 82, 85, 94})
KNOWN_DISCHARGE_STATUSES = frozenset(
    list(range(1, 8)) + [20, 21, 30, 43, 50, 51, 61, 62, 63, 64, 65, 66, 69, 70] + list(range(81, 96)))


def discharge_status_value(status: int | None) -> int | None:
    """The grouper's reading of a discharge status: the UB-04 code when it knows it, else None
    (the grouper's `NONE`: no formula's status test matches it)."""
    return status if status in KNOWN_DISCHARGE_STATUSES else None


# --- Codes ------------------------------------------------------------------------------------
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def ascii_upper(value: str) -> str:
    """Upper case for the ASCII letters only: ICD-10 codes and the claim's flags are ASCII, and a
    non-ASCII letter (the Turkish dotless "ı") must stay what it is, not turn into "I"."""
    return value.translate(_ASCII_UPPER)


def normalize_code(code: str, *, drop_inner_spaces: bool = False) -> str:
    """An ICD-10 code as the tables store it: surrounding white space and dots removed, ASCII
    letters upper-cased (a non-ASCII letter stays, so the code stays invalid).

    " i50.21 " -> "I5021". A space inside a code is kept ("I50 21" stays as written, and the
    grouper finds no such code) unless `drop_inner_spaces`: a code a person types to look up,
    as in `drg tables show 43.1 dx "I21 4"`, loses every space ("I214").
    """
    if drop_inner_spaces:
        return ascii_upper("".join(code.replace(".", "").split()))
    return ascii_upper(code.strip().replace(".", ""))
