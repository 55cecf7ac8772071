"""Batch throughput of drg against the reference grouper msdrg (PyPI, native Zig), same file, same run.

    python bench/throughput.py [--claims 100000] [--runs 3] [--workers 1]

1. Generates a claims file from the golden claims' distribution (bench/claims_gen.py), all versions.
2. drg: `run_batch` over the file (read, check, group, write JSON Lines), one process.
3. msdrg: the same file read, converted to its input form (sex 0/1/2, POA only Y/N/U/W: it
   rejects other POA values, so those are left out), grouped claim by claim as its README shows,
   results written as JSON Lines. Claims it refuses are counted, not timed out.
4. Prints claims/s for each (median of --runs), the ratio drg/msdrg, and the grouping-only rates.
5. Single-claim latency p50/p99 through `drg.group` (warm), and the wall time of a cold
   `drg group --pdx ...` command (median of 5 fresh processes).
Needs ../shared/golden and the dev extra (msdrg).
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from claims_gen import write_jsonl  # noqa: E402

_SEX = {"M": 0, "F": 1, "U": 2}


def to_msdrg(claim: dict) -> dict:
    def dx(d: dict) -> dict:
        out = {"code": d["code"] or ""}
        if d.get("poa") in ("Y", "N", "U", "W"):
            out["poa"] = d["poa"]
        return out
    out = {"version": claim["version"], "age": claim["age"], "sex": _SEX.get(claim["sex"], 2),
           "discharge_status": claim["discharge_status"],
           "hospital_status": "NOT_EXEMPT" if claim["hospital_status"] == "NON_EXEMPT" else claim["hospital_status"],
           "pdx": dx(claim["pdx"] or {"code": ""}), "sdx": [dx(d) for d in claim["sdx"]],
           "procedures": [{"code": p} for p in claim["procedures"]]}
    if claim.get("admit_dx"):
        out["admit_dx"] = dx(claim["admit_dx"])
    return out


def run_drg(path: Path, out: Path, workers: int) -> float:
    from drg.batch import run_batch

    start = time.perf_counter()
    summary = run_batch(path, out, workers=workers)
    return summary.claims_out / (time.perf_counter() - start)


def run_msdrg(path: Path, out: Path) -> tuple[float, int]:
    import msdrg

    refused = 0
    grouper = msdrg.MsdrgGrouper()
    try:
        start = time.perf_counter()
        count = 0
        with open(path) as source, open(out, "w") as sink:
            for line in source:
                claim = json.loads(line)
                count += 1
                try:
                    result = grouper.group(to_msdrg(claim))
                except Exception:        # noqa: BLE001 - its input validation refuses some golden claims
                    refused += 1
                    result = {"id": claim["id"], "error": True}
                sink.write(json.dumps(result, separators=(",", ":")) + "\n")
        rate = count / (time.perf_counter() - start)
    finally:
        grouper.close()
    return rate, refused


def grouping_only(path: Path, limit: int) -> tuple[float, float]:
    """Claims/s of the grouping step alone (claims already in memory), drg and msdrg."""
    import msdrg
    from drg.batch import group_rows
    from drg.io import read_claims

    rows = [row for chunk in read_claims(path) for row in chunk][:limit]
    start = time.perf_counter()
    for i in range(0, len(rows), 10_000):
        group_rows(rows[i:i + 10_000])
    drg_rate = len(rows) / (time.perf_counter() - start)
    with open(path) as source:
        claims = [to_msdrg(json.loads(line)) for _, line in zip(range(limit), source)]
    grouper = msdrg.MsdrgGrouper()
    start = time.perf_counter()
    for claim in claims:
        try:
            grouper.group(claim)
        except Exception:    # noqa: BLE001
            pass
    msdrg_rate = len(claims) / (time.perf_counter() - start)
    grouper.close()
    return drg_rate, msdrg_rate


def latency(path: Path, count: int = 2000) -> tuple[float, float]:
    import drg

    with open(path) as source:
        claims = [json.loads(line) for _, line in zip(range(count), source)]
    for claim in claims[:200]:
        drg.group(claim)
    times = []
    for claim in claims:
        start = time.perf_counter()
        drg.group(claim)
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2] * 1e3, times[int(len(times) * 0.99)] * 1e3


def cold_command(runs: int = 5) -> float | None:
    exe = Path(sys.executable).with_name("drg")
    command = [str(exe), "group", "--pdx", "I5021", "--sdx", "E1165", "J9601", "--proc", "02703DZ",
               "--age", "67", "--sex", "M", "--discharge-status", "1", "--version", "43.1"]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            return None
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = write_jsonl(Path(tmp) / "claims.jsonl", args.claims)
        drg_rates, msdrg_rates = [], []
        refused = 0
        for run in range(args.runs):
            drg_rates.append(run_drg(path, Path(tmp) / "drg.jsonl", args.workers))
            rate, refused = run_msdrg(path, Path(tmp) / "msdrg.jsonl")
            msdrg_rates.append(rate)
            print(f"run {run + 1}: drg {drg_rates[-1]:,.0f} claims/s, msdrg {rate:,.0f} claims/s", flush=True)
        drg_rate, msdrg_rate = statistics.median(drg_rates), statistics.median(msdrg_rates)
        print(f"\n{args.claims:,} claims (all versions), median of {args.runs} runs, drg workers={args.workers}")
        print(f"drg    {drg_rate:>10,.0f} claims/s   (file in -> results file out)")
        print(f"msdrg  {msdrg_rate:>10,.0f} claims/s   ({refused:,} claims refused by its input validation)")
        print(f"ratio drg/msdrg: {drg_rate / msdrg_rate:.2f}  (target >= 3)")
        g_drg, g_msdrg = grouping_only(path, min(args.claims, 20_000))
        print(f"grouping only (claims in memory): drg {g_drg:,.0f}/s, msdrg {g_msdrg:,.0f}/s, "
              f"ratio {g_drg / g_msdrg:.2f}")
        p50, p99 = latency(path)
        print(f"single claim drg.group: p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    cold = cold_command()
    print("cold `drg group --pdx ...`: " + (f"{cold:.2f} s (median of 5)" if cold is not None
                                            else "n/a (the command failed)"))


if __name__ == "__main__":
    main()
