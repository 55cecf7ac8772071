"""By-construction accuracy of drg validate on the conformance fixture (or any golden claims file).

For every groupable claim, billed DRGs are built by construction (validation/construct.py):
the expected DRG, one severity level up and down in the same family, a medical DRG of another
MDC, a DRG of another version, a number that is no DRG. Each must give the right finding and
its reasons must name the right element. Also reports throughput of validate with drivers.

    python bench/validate_accuracy.py [claims.jsonl.gz] [--limit N]
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from drg.claim import Claim
from drg.conformance import read_jsonl
from drg.grouper import group_claim
from drg.tables import load
from drg.validation import validate_claim
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from validation_oracle import cases_for  # noqa: E402  (the test oracle lives in tests/)

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "conformance_claims.jsonl.gz"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("claims", nargs="?", default=str(FIXTURE))
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    records = list(read_jsonl(Path(args.claims)))
    if args.limit:
        records = records[: args.limit]
    total, right_finding, right_element = Counter(), Counter(), Counter()
    failures = []
    validations = 0
    started = time.perf_counter()
    for record in records:
        claim = Claim.from_dict(record)
        tables = load(claim.version)
        result = group_claim(claim, tables)
        if result.final_return_code != "OK" or result.final_drg in (None, 999):
            v = validate_claim(claim, 1, drivers=False)
            total["ungroupable"] += 1
            validations += 1
            right_finding["ungroupable"] += v.finding == "UNGROUPABLE"
            right_element["ungroupable"] += any(r.element == "return_code" for r in v.reasons)
            continue
        pdx_mdc = result.final_path.principal_mdc if result.final_path else -1
        for case in cases_for(tables, result.final_drg, pdx_mdc):
            v = validate_claim(claim, case.billed_drg, drivers=case.kind in ("level_up", "level_down"))
            validations += 1
            total[case.kind] += 1
            ok_finding = v.finding in case.finding
            ok_element = not case.elements or any(r.element in case.elements for r in v.reasons)
            right_finding[case.kind] += ok_finding
            right_element[case.kind] += ok_element
            if not (ok_finding and ok_element) and len(failures) < 25:
                failures.append((claim.id, case.kind, case.billed_drg, result.final_drg, v.finding,
                                 [(r.element, r.message) for r in v.reasons][:3]))
    elapsed = time.perf_counter() - started
    print(f"{'case':15} {'rows':>7} {'finding':>9} {'element':>9}")
    for kind in total:
        print(f"{kind:15} {total[kind]:7} {right_finding[kind] / total[kind]:9.2%} "
              f"{right_element[kind] / total[kind]:9.2%}")
    n = sum(total.values())
    print(f"{'all':15} {n:7} {sum(right_finding.values()) / n:9.2%} {sum(right_element.values()) / n:9.2%}")
    print(f"{validations} validations in {elapsed:.1f} s")
    for f in failures:
        print("FAIL", f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
