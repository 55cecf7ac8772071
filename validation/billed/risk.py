"""risk_score: one number from 0 to 100 that ranks a batch for review (docs/validation_rules.md).

    risk_score = min(100, finding_points + weight_points + rule_points)

    finding_points  UPCODING_RISK 40, BILLED_DRG_INVALID 30, UNGROUPABLE 20,
                    MISMATCH_WEIGHT_UNKNOWN 20, DOWNCODING_RISK 10, MISMATCH_SAME_WEIGHT 10, MATCH 0
    weight_points   min(30, 15 x |weight_delta|)   (relative weight, so it does not depend on the base rate)
    rule_points     min(40, sum of the points of the rules that fired)

Upcoding ranks above downcoding because the audit risk (recoupment, penalties) sits there;
a matching claim can still score up to 40 from rules (for example a single MCC that is a
frequently audited diagnosis), which is exactly the classic pre-bill review target.
"""
from __future__ import annotations

from drg.validation.billed.records import Finding
from drg.validation.billed.rules import RULES_BY_ID

FINDING_POINTS = {Finding.UPCODING_RISK: 40, Finding.BILLED_DRG_INVALID: 30, Finding.UNGROUPABLE: 20,
                  Finding.MISMATCH_WEIGHT_UNKNOWN: 20, Finding.DOWNCODING_RISK: 10,
                  Finding.MISMATCH_SAME_WEIGHT: 10, Finding.MATCH: 0}


def risk_score(finding: "Finding | str", weight_delta: float | None, rule_hits: tuple[str, ...]) -> float:
    """The formula above, rounded to one decimal."""
    points = FINDING_POINTS.get(finding, 0)
    if weight_delta is not None:
        points += min(30.0, 15.0 * abs(weight_delta))
    points += min(40, sum(RULES_BY_ID[r].points for r in rule_hits))
    return round(min(100.0, points), 1)
