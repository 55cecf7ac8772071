"""Scale-out benchmark: the same Parquet dataset grouped single-process, then on 1 and 2 local Dask workers.

    python bench/scale.py                     # 1,000,000 claims (the issue's size)
    python bench/scale.py --claims 100000     # a smaller run on a busy machine

The dataset is generated once (bench/claims_gen.py: golden claims resampled into new combinations,
so the per-chunk memo of identical claims does not flatter the figures) and written as a
directory of Parquet files in the wide layout (one partition per file). Every run reads that
directory and writes a directory of Parquet results. Figures: claims/s for each run and the
scaling efficiency = (rate with N workers) / (N x rate with 1 worker). The single-process run is
the reference (drg.group_frame per file, no Dask), so Dask's own overhead shows as 1-worker vs
single-process. Timings are medians of --repeat runs and include starting the local cluster
(its workers load the tables on first use), because a user of `--scheduler local:N` pays that.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from drg.io import wide_record  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))




def make_dataset(directory: Path, count: int, partitions: int) -> None:
    from claims_gen import generate

    directory.mkdir(parents=True, exist_ok=True)
    per_part = -(-count // partitions)
    claims = generate(count)
    for n in range(partitions):
        rows = [wide_record(c) for _, c in zip(range(per_part), claims)]
        if not rows:
            break
        pd.DataFrame(rows).to_parquet(directory / f"part.{n:05d}.parquet", index=False)


def single_process(source: Path, target: Path) -> float:
    """drg.group_frame over each file in turn, results written with the same Parquet writer."""
    import drg
    from drg.dask import _write_group_part

    target.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for n, path in enumerate(sorted(source.glob("part.*.parquet"))):
        _write_group_part(drg.group_frame(pd.read_parquet(path)), str(target), n)
    return time.perf_counter() - start


def on_dask(source: Path, target: Path, workers: int) -> float:
    from drg.dask import run_on_dask

    start = time.perf_counter()
    run_on_dask(source, target, "group", f"local:{workers}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--partitions", type=int, default=0,
                        help="files in the dataset (default: claims / 5,000, at least 8)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per setting; the median is reported")
    parser.add_argument("--workdir", default=None, help="keep the dataset here (reused when present)")
    args = parser.parse_args()
    partitions = args.partitions or max(args.claims // 5_000, 8)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="drg-scale-"))
    source = work / f"claims-{args.claims}"
    if not any(source.glob("part.*.parquet")):
        t = time.perf_counter()
        make_dataset(source, args.claims, partitions)
        print(f"dataset: {args.claims:,} claims in {partitions} Parquet files "
              f"({time.perf_counter() - t:.0f} s to make)")
    print(f"machine: {os.cpu_count()} cores (shared); runs per setting: {args.repeat}")

    rates = {}
    runs = [("single process", lambda out: single_process(source, out))]
    runs += [(f"dask, {n} worker{'s' if n > 1 else ''}", lambda out, n=n: on_dask(source, out, n)) for n in (1, 2)]
    for label, run in runs:
        seconds = statistics.median(run(work / f"out-{label.replace(' ', '_').replace(',', '')}-{k}")
                                    for k in range(args.repeat))
        rates[label] = args.claims / seconds
        print(f"{label:16s} {seconds:8.1f} s  {rates[label]:10,.0f} claims/s")
    one, two = rates["dask, 1 worker"], rates["dask, 2 workers"]
    print(f"Dask, 1 worker vs single process: {one / rates['single process']:.0%} of the throughput")
    print(f"scaling efficiency, 2 workers: {two / (2 * one):.0%}  (speed-up {two / one:.2f}x over 1 worker)")


if __name__ == "__main__":
    main()
