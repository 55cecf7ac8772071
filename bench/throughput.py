"""Batch throughput of drg against the reference grouper msdrg (PyPI, native Zig), same file, same run.

    python bench/throughput.py [--claims 100000] [--runs 5] [--workers 1]

1. Generates a claims file from the golden claims' distribution (bench/claims_gen.py), all versions.
2. JSON Lines -> JSON Lines, alternated run by run, median of --runs:
   drg: `run_batch` over the file (read, check, group with the column-wise engine, write JSON
   Lines from the columns), one process;
   msdrg with orjson (its fastest configuration: it uses orjson when installed, and so does this
   loop): the same file read, converted to its input form (sex 0/1/2, POA only Y/N/U/W: it
   rejects other POA values, so those are left out), grouped claim by claim as its README shows,
   its whole result dict written as JSON Lines. Claims it refuses are counted, not timed out.
   drg's tables are loaded before the first run, as msdrg's grouper is built outside its timing.
3. Grouping only, claims in memory: drg's column-wise engine over ColumnChunks
   (drg.grouper.group_columns), msdrg's `group` over its input dicts.
4. Parquet -> Parquet claims/s through drg (the same claims written as a wide Parquet file).
5. The share of claims the per-claim engine grouped (the column-wise engine's fallback).
6. Single-claim latency p50/p99 through `drg.group` (warm), and the wall time of a cold
   `drg group --pdx ...` command (median of 5 fresh processes).
Needs ../shared/golden and the dev extra (msdrg, orjson). The machine is shared: try
`--claims 5000 --runs 1` before a full run.
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
from typing import Any, Callable

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


def run_drg(path: Path, out: Path, workers: int) -> tuple[float, Any]:
    """Claims/s of `drg group FILE -o OUT` (run_batch), and its summary."""
    from drg.batch import run_batch

    start = time.perf_counter()
    summary = run_batch(path, out, workers=workers)
    return summary.claims_out / (time.perf_counter() - start), summary


def _json_library() -> tuple[Callable[[str], Any], Callable[[Any], bytes], str]:
    """orjson's loads/dumps when installed (msdrg's fastest configuration), else the standard library's."""
    try:
        import orjson
        return orjson.loads, orjson.dumps, "orjson"
    except ImportError:
        return json.loads, lambda v: json.dumps(v, separators=(",", ":")).encode(), "json (orjson not installed)"


def run_msdrg(path: Path, out: Path) -> tuple[float, int]:
    import msdrg

    loads, dumps, _ = _json_library()
    refused = 0
    grouper = msdrg.MsdrgGrouper()
    try:
        start = time.perf_counter()
        count = 0
        with open(path, "rb") as source, open(out, "wb") as sink:
            for line in source:
                claim = loads(line)
                count += 1
                try:
                    result = grouper.group(to_msdrg(claim))
                except Exception:        # noqa: BLE001 - its input validation refuses some golden claims
                    refused += 1
                    result = {"id": claim["id"], "error": True}
                sink.write(dumps(result) + b"\n")
        rate = count / (time.perf_counter() - start)
    finally:
        grouper.close()
    return rate, refused


def grouping_only(path: Path, limit: int) -> tuple[float, float]:
    """Claims/s of the grouping step alone (claims already in memory), drg and msdrg."""
    import msdrg
    from drg.batch import column_chunks
    from drg.grouper import group_columns
    from drg.io import read_claims
    from drg.tables import load

    chunks = [chunk for chunk, _ in column_chunks(read_claims(path, chunk_size=10_000)) if chunk is not None]
    count = sum(len(chunk.columns) for chunk in chunks)
    group_columns(chunks[0].columns, load)             # tables loaded before the clock starts
    start = time.perf_counter()
    for chunk in chunks:
        group_columns(chunk.columns, load)
    drg_rate = count / (time.perf_counter() - start)
    loads, _, _ = _json_library()
    with open(path, "rb") as source:
        claims = [to_msdrg(loads(line)) for _, line in zip(range(limit), source)]
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


def parquet_to_parquet(path: Path, folder: Path, workers: int) -> float:
    """Claims/s of drg from a wide Parquet claims file to a Parquet results file."""
    from drg.claim import Claim
    from drg.io import write_claims

    source = folder / "claims.parquet"
    with open(path) as stream:
        write_claims(source, (Claim.from_dict(json.loads(line)) for line in stream), layout="wide")
    rate, _ = run_drg(source, folder / "drg.parquet", workers)
    return rate


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
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = write_jsonl(folder / "claims.jsonl", args.claims)
        from drg.tables import available_versions, load
        for version in available_versions():    # tables loaded first, as msdrg's grouper is built untimed
            load(version.id)
        drg_rates, msdrg_rates = [], []
        refused = 0
        summary = None
        for run in range(args.runs):         # alternated: both see the same machine load
            rate, summary = run_drg(path, folder / "drg.jsonl", args.workers)
            drg_rates.append(rate)
            rate, refused = run_msdrg(path, folder / "msdrg.jsonl")
            msdrg_rates.append(rate)
            print(f"run {run + 1}: drg {drg_rates[-1]:,.0f} claims/s, msdrg {rate:,.0f} claims/s", flush=True)
        drg_rate, msdrg_rate = statistics.median(drg_rates), statistics.median(msdrg_rates)
        print(f"\n{args.claims:,} claims (all versions), median of {args.runs} alternated runs, "
              f"drg workers={args.workers}; msdrg with {_json_library()[2]}")
        print(f"JSON Lines -> JSON Lines  drg    {drg_rate:>10,.0f} claims/s")
        print(f"JSON Lines -> JSON Lines  msdrg  {msdrg_rate:>10,.0f} claims/s   "
              f"({refused:,} claims refused by its input validation)")
        print(f"ratio drg/msdrg: {drg_rate / msdrg_rate:.2f}  (target >= 3)")
        grouped = summary.claims_out - summary.by_return_code.get("(not grouped)", 0) if summary else 0
        share = summary.per_claim / grouped if summary and grouped else 0.0
        print(f"per-claim fallback share: {share:.1%} ({summary.per_claim if summary else 0:,} of {grouped:,} "
              f"claims grouped by the per-claim engine)")
        g_drg, g_msdrg = grouping_only(path, args.claims)
        print(f"grouping only (claims in memory): drg {g_drg:,.0f}/s, msdrg {g_msdrg:,.0f}/s, "
              f"ratio {g_drg / g_msdrg:.2f}")
        print(f"Parquet -> Parquet  drg {parquet_to_parquet(path, folder, args.workers):,.0f} claims/s")
        p50, p99 = latency(path)
        print(f"single claim drg.group: p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    cold = cold_command()
    print("cold `drg group --pdx ...`: " + (f"{cold:.2f} s (median of 5)" if cold is not None
                                            else "n/a (the command failed)"))


if __name__ == "__main__":
    main()
