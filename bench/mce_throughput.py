"""MCE throughput: claims edited per second by drg.mce.edit_claim on the golden MCE claims.

    python bench/mce_throughput.py [../shared/golden/mce] [--runs 5]

The claims are read and turned into Claim objects first (not timed); each run edits all of
them in one process; the median of the runs is printed. The tables are loaded before the
first run (their load time is printed on its own).
"""
from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "golden" / "mce"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("golden", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    files = sorted(args.golden.glob("claims_v*.jsonl.gz")) + sorted(args.golden.glob("v44/claims_v*.jsonl.gz"))
    if not files:
        print(f"{args.golden}: no golden MCE claims", file=sys.stderr)
        return 2

    from drg.commands.edit import claim_from_record
    from drg.mce import edit_claim, load_mce

    started = time.perf_counter()
    tables = load_mce()
    load_seconds = time.perf_counter() - started
    claims = []
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8") as stream:
            claims.extend(claim_from_record(json.loads(line)) for line in stream if line.strip())
    rates = []
    for _ in range(args.runs):
        started = time.perf_counter()
        for claim, date, los in claims:
            edit_claim(claim, discharge_date=date if date is not None else "", length_of_stay=los, tables=tables)
        rates.append(len(claims) / (time.perf_counter() - started))
    print(f"MCE tables loaded in {load_seconds:.2f} s")
    print(f"{len(claims)} claims, {args.runs} runs: median {statistics.median(rates):,.0f} claims/s "
          f"(min {min(rates):,.0f}, max {max(rates):,.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
