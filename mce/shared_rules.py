"""Rules shared by several edits (docs/MCE_LOGIC.md section 7)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Sequence

from drg.tables.mce import AgeGroup, Flag, MceTables, epoch_day

from drg.mce.inputs import SEX_FEMALE, SEX_MALE, SEX_UNKNOWN

# From this discharge date on, sex unknown is valid and never conflicts (7.2, 4.4): CMS
# retired the sex conflict edit for FY 2025.
SEX_EDIT_RETIRED_DAY = epoch_day(dt.date(2024, 10, 1))

# the age flags in the order the MCE checks them (7.1: the jar's names sorted descending)
AGE_FLAGS = (Flag.PEDIATRIC, Flag.NEWBORN, Flag.MATERNITY, Flag.ADULT)


def age_conflict(flags: frozenset, age: int | None, day: int, tables: MceTables) -> AgeGroup | None:
    """7.1 Age conflict: the first age group of the code whose range does not hold the age.

    An invalid age is compared as it is (125 conflicts with an adult code, -1 with every
    group). A missing age (None) cannot be compared: no conflict.
    """
    if age is None:
        return None
    for flag in AGE_FLAGS:
        if flag in flags:
            group = tables.age_range(flag, day)
            if group is not None and not group.start_age <= age <= group.end_age:
                return group.group
    return None


def sex_conflict(flags: frozenset, sex: int, day: int) -> bool:
    """7.2 Sex conflict: a male code on a patient not male, a female code on one not female.

    From 2024-10-01 sex unknown never conflicts; before, an unknown or invalid sex conflicts
    with every sex-specific code.
    """
    if day >= SEX_EDIT_RETIRED_DAY and sex == SEX_UNKNOWN:
        return False
    return (Flag.MALE in flags and sex != SEX_MALE) or (Flag.FEMALE in flags and sex != SEX_FEMALE)


@dataclass(frozen=True, slots=True)
class ClaimFlags:
    """7.3 The claim-wide conditions the procedure edits read (flags of valid codes only).

    S: the secondary diagnoses' flags; D: the PDX's with S (never the admitting diagnosis);
    P: the procedures'; mdc8: the PDX has mdc08; bilateral_codes: distinct procedure strings
    (as written) with `bilateral`; or_procedure: some procedure is O.R. and not non-specific.
    """

    secondary: frozenset
    diagnoses: frozenset
    procedures: frozenset
    mdc8: bool
    bilateral_codes: int
    or_procedure: bool


def claim_flags(pdx_flags: frozenset, sdx_flags: Sequence[frozenset],
                procedures: Sequence[tuple[str | None, frozenset]]) -> ClaimFlags:
    """Compute 7.3 from the flags of the PDX, each SDX and each (procedure as written, flags)."""
    secondary = frozenset().union(*sdx_flags)
    pr_flags = frozenset().union(*(flags for _, flags in procedures))
    return ClaimFlags(
        secondary=secondary,
        diagnoses=pdx_flags | secondary,
        procedures=pr_flags,
        mdc8=Flag.MDC08 in pdx_flags,
        bilateral_codes=len({code for code, flags in procedures if Flag.BILATERAL in flags}),
        or_procedure=any(Flag.OR_INDIC in f and Flag.NONSPECIFIC not in f for _, f in procedures),
    )
