"""Write a realistic claims file for `drg shift` benchmarks by resampling golden claims.

    python bench/make_shift_claims.py -n 100000 -o /tmp/claims_100k.jsonl [--seed 1]

Claims are drawn with replacement from ../shared/golden/dev (all versions; the committed
test fixture when ../shared is absent) and given fresh ids; their own version field is kept
(drg shift ignores it). Then time it, e.g.:

    /usr/bin/time -v drg shift /tmp/claims_100k.jsonl --from 43.1 --to 44.0 -o /tmp/shift.parquet \\
        --report /tmp/shift.html
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO.parent / "shared" / "golden" / "dev"
FIXTURE = REPO / "tests" / "fixtures" / "conformance_claims.jsonl.gz"


def source_claims() -> list[dict]:
    files = sorted(GOLDEN.glob("claims_v*.jsonl.gz")) or [FIXTURE]
    out = []
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            out += [json.loads(line) for line in handle if line.strip()]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    pool = source_claims()
    rng = random.Random(args.seed)
    with open(args.output, "w", encoding="utf-8") as out:
        for i in range(args.n):
            claim = dict(rng.choice(pool))
            claim["id"] = f"B{i + 1:07d}"
            out.write(json.dumps(claim, separators=(",", ":")) + "\n")
    print(f"wrote {args.n} claims resampled from {len(pool)} to {args.output}")


if __name__ == "__main__":
    main()
