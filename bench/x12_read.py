"""Reading speed of X12 837I files: claims/s through drg.io (segments, envelope, HL loops, the
claim checks), without grouping, and end to end through `run_batch` (read + group + write).

    python bench/x12_read.py [--claims 100000] [--runs 3]

The file is written by the test helper (tests/x12_writer.py) from the conformance claims,
repeated under new ids; the figures are the median of --runs.
"""
from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from x12_writer import Layout, write_x12  # noqa: E402

from drg.batch import run_batch  # noqa: E402
from drg.io.readers import ClaimReader  # noqa: E402


def claims(n: int) -> list[dict]:
    base = [json.loads(line) for line in gzip.open(ROOT / "tests" / "fixtures" / "conformance_claims.jsonl.gz")]
    return [dict(base[i % len(base)], id=f"X{i:08d}") for i in range(n)]


def median_seconds(job, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = write_x12(Path(tmp) / "claims.837", claims(args.claims), Layout(claims_per_transaction=5000))
        size = path.stat().st_size
        read = median_seconds(lambda: sum(len(c) for c in ClaimReader(path)), args.runs)
        out = Path(tmp) / "out.parquet"
        end_to_end = median_seconds(lambda: run_batch(path, out), args.runs)
    print(f"{args.claims:,} claims, {size / 1e6:.1f} MB of 837I")
    print(f"read (segments -> checked ClaimRows): {args.claims / read:,.0f} claims/s ({size / read / 1e6:.1f} MB/s)")
    print(f"drg group to Parquet, end to end:     {args.claims / end_to_end:,.0f} claims/s")


if __name__ == "__main__":
    main()
