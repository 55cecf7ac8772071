"""Build tests/fixtures/validation_cases.jsonl and tests/fixtures/shift_cases.jsonl from the
conformance fixture's real claims (run once; review the output by reading it, then commit it).

    python tests/make_validation_cases.py

Validation cases: billed DRGs built by construction (validation_oracle.py: the expected DRG, one
severity level up and down in the family, a medical DRG of another MDC, a DRG of another version,
a number that is no DRG), plus claims chosen so that every audit rule fires, and the edge cases
(billed value not a number, billed DRG missing, another billed version, an ungroupable claim, a
lengths of stay for the stay rules). Each line: the claim, the billed facts, and what validation
must give (status, finding, expected DRG, weights, reason elements and codes, rule hits, risk).

Shift cases: claims of the from-version's own golden set (so their from-DRG is the CMS grouper's)
grouped under pairs of versions, those whose DRG changed (every reason kind found) and some whose
DRG did not; each line: the claim, from/to versions, from/to DRGs, reason kinds and codes.
"""
from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from validation_oracle import cases_for  # noqa: E402

from drg.claim import Claim  # noqa: E402
from drg.conformance import read_jsonl  # noqa: E402
from drg.grouper import group_claim  # noqa: E402
from drg.tables import load  # noqa: E402
from drg.validation import RULES, validate_claim  # noqa: E402
from drg.validation.version_shift import ShiftRowMaker  # noqa: E402

FIXTURES = HERE / "fixtures"
RULES_WANTED = 2          # claims per audit rule
SHIFT_PAIRS = (("42.0", "43.1"), ("43.1", "44.0"), ("44.0", "43.1"), ("40.0", "41.1"))
SHIFT_PER_KIND = 3        # changed claims per reason kind and pair
SHIFT_UNCHANGED = 4       # unchanged claims per pair


def expectation(v) -> dict:
    """What a case must give: the fields a coder reads."""
    return {"status": v.status, "message": v.message, "finding": str(v.finding), "expected_drg": v.expected_drg,
            "billed_weight": v.billed_weight, "expected_weight": v.expected_weight, "weight_delta": v.weight_delta,
            "dollar_impact": v.dollar_impact, "billed_level": v.billed_level, "expected_level": v.expected_level,
            "reason_elements": [r.element for r in v.reasons], "reason_codes": [r.code for r in v.reasons],
            "rule_hits": list(v.rule_hits), "risk_score": v.risk_score,
            "single_code_severity": v.single_code_severity, "explanation": v.explanation,
            "drivers": [[d.element, d.code, d.drg_without] for d in v.drivers]}


def template(element: str, message: str) -> str:
    """A reason's kind of wording: its element and message with codes, DRGs and numbers blanked,
    and every parenthesis (a code's title, which may hold parentheses of its own) emptied."""
    text = re.sub(r"[A-Z0-9.]*\d[A-Z0-9.]*", "#", message)
    text = re.sub(r"group \w+", "group #", text)
    while (emptied := re.sub(r"\([^()]*\)", "<>", text)) != text:
        text = emptied
    return element + ":" + text.replace("<>", "()")[:70]


def case(kind: str, record: dict, billed, required: tuple = (), **facts) -> dict:
    claim = Claim.from_dict(record)
    v = validate_claim(claim, billed, billed_version=facts.get("billed_version"),
                       length_of_stay=facts.get("length_of_stay"))
    return {"case": kind, "claim": record, "billed_drg": billed, **facts, "required_elements": list(required),
            "expect": expectation(v)}


def validation_cases(records: list[dict]) -> list[dict]:
    out = []
    kinds: Counter = Counter()
    for record in records[::23]:                      # constructed billed DRGs, two per kind and version
        claim = Claim.from_dict(record)
        tables = load(claim.version)
        result = group_claim(claim, tables)
        if result.final_return_code != "OK" or result.final_drg in (None, 998, 999):
            if kinds["ungroupable"] < 3:
                kinds["ungroupable"] += 1
                out.append(case("ungroupable", record, result.final_drg or 100, ("return_code",)))
            continue
        for c in cases_for(tables, result.final_drg, result.final_mdc):
            if kinds[c.kind, claim.version] < 2:
                kinds[c.kind, claim.version] += 1
                out.append(case(c.kind, record, c.billed_drg, c.elements))
        same = [d for d, w in tables.weights.items() if d != result.final_drg and w.relative_weight is not None
                and w.relative_weight == tables.weights[result.final_drg].relative_weight]
        if same and kinds["same_weight"] < 3:         # another DRG of exactly the same weight
            kinds["same_weight"] += 1
            out.append(case("same_weight", record, same[0]))
        if kinds["weight_unknown"] < 2:               # DRG 998 has no relative weight
            kinds["weight_unknown"] += 1
            out.append(case("weight_unknown", record, 998))
    hits: Counter = Counter()
    for n, record in enumerate(records):              # every audit rule, billed = expected
        claim = Claim.from_dict(record)
        los = [1, 2, 30][n % 3]
        v = validate_claim(claim, 1, length_of_stay=los, drivers=False)
        if v.expected_drg is None:
            continue
        wanted = [r.id for r in RULES if hits[r.id] < RULES_WANTED]
        if not wanted:
            break
        v = validate_claim(claim, v.expected_drg, length_of_stay=los)
        if any(r in wanted for r in v.rule_hits):
            hits.update(v.rule_hits)
            out.append(case("rule", record, v.expected_drg, length_of_stay=los))
    seen: Counter = Counter()                      # every kind of reason wording, twice
    for c in out:
        seen.update(set(template(e, m) for e, m in _reasons(c)))
    for record in records[::13]:
        claim = Claim.from_dict(record)
        tables = load(claim.version)
        result = group_claim(claim, tables)
        if result.final_return_code != "OK" or result.final_mdc is None:
            continue
        candidates = sorted({f.drg for f in tables.formulas.get(result.final_mdc, ())} - {result.final_drg})
        if result.hac_status == "FINAL_DRG_CHANGES" and result.initial_drg:
            candidates.insert(0, result.initial_drg)          # billed the DRG before the HAC logic
        for billed in candidates:
            v = validate_claim(claim, billed, drivers=False)
            new = {template(r.element, r.message) for r in v.reasons} - {k for k, n in seen.items() if n >= 2}
            if new:
                c = case("reason", record, billed)
                seen.update({template(e, m) for e, m in _reasons(c)})
                out.append(c)
    for c in [c for c in out if "HAC_CHANGED_DRG" in c["expect"]["rule_hits"]][:2]:
        # billed the DRG before the HAC logic (the initial DRG)
        initial = group_claim(Claim.from_dict(c["claim"]), load(c["claim"]["version"])).initial_drg
        out.append(case("billed_before_hac", c["claim"], initial, ("hac",), length_of_stay=c["length_of_stay"]))
    for c in [c for c in out if "SHORT_MCC_STAY" in c["expect"]["rule_hits"]][:2]:
        # a billed number that is no DRG: the stay rules read the expected DRG
        out.append(case("no_drg_short_stay", c["claim"], 1234, ("billed_drg",), length_of_stay=c["length_of_stay"]))
    first = records[0]
    out.append(case("billed_text_with_zero", first, "301.0"))
    out.append(case("billed_not_a_number", first, "29I", ("billed_drg",)))
    out.append(case("billed_missing", first, None))
    out.append(case("billed_text_number", first, " 301 "))
    out.append(case("billed_float", first, 301.0))
    out.append(case("other_billed_version", first, 301, billed_version="42.0"))
    out.append(case("unknown_billed_version", first, 301, billed_version="39.0"))
    return out


def _reasons(c: dict) -> list[tuple[str, str]]:
    v = validate_claim(Claim.from_dict(c["claim"]), c["billed_drg"], billed_version=c.get("billed_version"),
                       length_of_stay=c.get("length_of_stay"), drivers=False)
    return [(r.element, r.message) for r in v.reasons]


def shift_cases(records: list[dict]) -> list[dict]:
    out = []
    found: Counter = Counter()          # reason kinds over all pairs
    wordings: Counter = Counter()       # kinds of reason wording over all pairs
    for a, b in SHIFT_PAIRS:
        maker = ShiftRowMaker(a, b)
        per_kind: Counter = Counter()
        unchanged = 0
        own = [r for r in records if str(r["version"]) == a.replace(".", "")]   # golden from-DRGs exist
        others = [r for r in records if str(r["version"]) != a.replace(".", "")]
        for own_version, batch in ((True, own), (False, others)):
            for n, record in enumerate(batch):
                claim = Claim.from_dict(record)
                row = maker.row(n + 1, claim.id, claim)
                kinds = [k for k in row["reason_kinds"].split("|") if k]
                words = {template(r["kind"], r["text"]) for r in json.loads(row["reasons_json"])}
                if row["drg_changed"]:
                    # the claim's own version: every kind up to SHIFT_PER_KIND; others: only kinds still
                    # missing; any claim with a wording of a reason not seen yet
                    if (all(per_kind[k] >= SHIFT_PER_KIND for k in kinds) or
                            (not own_version and all(found[k] >= 2 for k in kinds))) and words <= set(wordings):
                        continue
                    per_kind.update(kinds)
                    found.update(kinds)
                    wordings.update(words)
                elif own_version and unchanged < SHIFT_UNCHANGED and (not kinds or unchanged < 2):
                    unchanged += 1
                else:
                    continue
                out.append({"claim": record, "from": a, "to": b, "own_version": own_version,
                            "from_drg": row["from_drg"], "to_drg": row["to_drg"],
                            "from_mdc": row["from_mdc"], "to_mdc": row["to_mdc"],
                            "from_severity": row["from_severity"], "to_severity": row["to_severity"],
                            "drg_changed": row["drg_changed"], "reason_kinds": kinds,
                            "reason_codes": [r["code"] for r in json.loads(row["reasons_json"])],
                            "reasons": row["reasons"], "message": row["message"], "reasons_json": row["reasons_json"],
                            "invalid_in_from": row["invalid_in_from"], "invalid_in_to": row["invalid_in_to"]})
    return out


def write(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, sort_keys=True) + "\n")
    print(f"wrote {len(rows)} cases to {path}")


def main() -> None:
    records = list(read_jsonl(FIXTURES / "conformance_claims.jsonl.gz"))
    write(FIXTURES / "validation_cases.jsonl", validation_cases(records))
    write(FIXTURES / "shift_cases.jsonl", shift_cases(records))


if __name__ == "__main__":
    main()
