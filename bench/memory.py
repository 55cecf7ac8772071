"""Batch memory is bounded by the chunk size, not the file size: group (or validate) a generated
file of 5,000,000 claims and report the peak RSS.

    python bench/memory.py [--claims 5000000] [--workers 1] [--chunk-size 10000] [--keep DIR]
    python bench/memory.py --command validate --claims 200000      # drg validate ... -o OUT --report R

Generates the claims (bench/claims_gen.py, golden distribution, all versions) as gzip JSON Lines,
runs `drg group FILE -o OUT.parquet --quiet` in a child process, samples the resident memory of
that process and its workers (summed, every 0.2 s) and prints the peak, with the kernel's own
peak for the largest single process (ru_maxrss). Needs ../shared/golden.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from claims_gen import generate  # noqa: E402


# billed DRGs spread over common medical and surgical families (the files are reused: one list)
BILLED_DRGS = (291, 292, 293, 193, 194, 195, 871, 872, 470, 690, 683, 392, 641, 603, 247)


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (Linux /proc)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    stack.extend(int(c) for c in children.read().split())
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=5_000_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--chunk-size", type=int, default=10_000)
    parser.add_argument("--keep", default=None, help="folder to keep the generated file in (reused when present)")
    parser.add_argument("--command", choices=("group", "validate"), default="group",
                        help="what to run; every generated claim carries a billed DRG (from BILLED_DRGS, in turn)")
    args = parser.parse_args()

    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"claims_billed_{args.claims}.jsonl.gz"
    if not source.exists():
        start = time.perf_counter()
        with gzip.open(source, "wt", compresslevel=1) as out:
            for number, claim in enumerate(generate(args.claims, seed=11)):
                claim["billed_drg"] = BILLED_DRGS[number % len(BILLED_DRGS)]
                out.write(json.dumps(claim, separators=(",", ":")) + "\n")
        print(f"generated {args.claims:,} claims in {time.perf_counter() - start:.0f} s: "
              f"{source} ({source.stat().st_size / 1e6:,.0f} MB gzip)", flush=True)
    output = folder / "results.parquet"
    drg = Path(sys.executable).with_name("drg")
    if args.command == "group":
        command = [str(drg), "group", str(source), "-o", str(output), "--quiet",
                   "--workers", str(args.workers), "--chunk-size", str(args.chunk_size)]
    else:
        command = [str(drg), "validate", str(source), "-o", str(output), "--report", str(folder / "report.html")]
    start = time.perf_counter()
    child = subprocess.Popen(command)
    peak = 0
    while child.poll() is None:
        peak = max(peak, tree_rss(child.pid))
        time.sleep(0.2)
    seconds = time.perf_counter() - start
    if child.returncode != 0:
        raise SystemExit(f"drg {args.command} failed with exit status {child.returncode}")
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    import pyarrow.parquet as pq
    rows = pq.ParquetFile(output).metadata.num_rows
    print(f"drg {args.command}: {rows:,} result rows from {args.claims:,} claims in {seconds:,.0f} s "
          f"({rows / seconds:,.0f} claims/s, workers={args.workers}, chunk size {args.chunk_size:,})")
    print(f"peak RSS, drg process + workers (sampled): {peak / 2**20:,.0f} MiB")
    print(f"peak RSS, largest single process (kernel): {largest / 2**20:,.0f} MiB")
    print("target: under 1 GB")


if __name__ == "__main__":
    main()
