"""Scale-out on Spark: the dataset of bench/scale.py grouped by drg.spark on local[1] and local[2].

    python bench/spark_scale.py                     # 1,000,000 claims (the issue's size)
    python bench/spark_scale.py --claims 100000     # a smaller run on a busy machine

The dataset is made by bench/scale.py's `make_dataset` (a directory of wide-layout Parquet
files), so the figures sit beside the Dask ones. First the single-process reference of
bench/scale.py (drg.group_frame per file, Parquet written) runs on the same files, so a Spark
core is compared with a plain process under the same load (`--no-reference` skips it). Each
Spark run starts a fresh local session in a fresh process (its Python workers load the tables
on first use, as a user's would), reads the directory, groups it with drg.spark.group and
writes Parquet results. Printed per run: the session start, the job (read, group, write), the
claims/s of the job and end to end, and the load average (the machine may be shared); then the
scaling efficiency = (rate on 2 cores) / (2 x rate on 1 core). Needs PySpark and Java 17+.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

_RUN = """
import os, sys, time
os.environ["PYSPARK_PYTHON"] = sys.executable
from pyspark.sql import SparkSession
import drg.spark
start = time.perf_counter()
spark = (SparkSession.builder.master("local[{cores}]").config("spark.ui.enabled", "false")
         .config("spark.sql.files.maxPartitionBytes", "8m").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
started = time.perf_counter()
drg.spark.group(spark.read.parquet({source!r})).write.mode("overwrite").parquet({target!r})
print(started - start, time.perf_counter() - started)
spark.stop()
"""


def on_spark(source: Path, target: Path, cores: int) -> tuple[float, float]:
    """(session start, job) seconds for one run in a fresh process (a fresh JVM and Python workers)."""
    code = _RUN.format(cores=cores, source=str(source), target=str(target))
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    session, job = out.stdout.strip().splitlines()[-1].split()
    return float(session), float(job)


def _load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    from scale import make_dataset, single_process

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--partitions", type=int, default=0, help="files (default: claims / 5,000, at least 8)")
    parser.add_argument("--workdir", default=None, help="keep the dataset here (reused when present)")
    parser.add_argument("--no-reference", action="store_true", help="skip the single-process run")
    args = parser.parse_args()
    partitions = args.partitions or max(args.claims // 5_000, 8)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="drg-spark-scale-"))
    source = work / f"claims-{args.claims}"
    if not any(source.glob("part.*.parquet")):
        make_dataset(source, args.claims, partitions)
    print(f"machine: {os.cpu_count()} cores (shared); {args.claims:,} claims in "
          f"{len(list(source.glob('part.*.parquet')))} Parquet files", flush=True)
    if not args.no_reference:
        before = _load()
        seconds = single_process(source, work / "out-single")
        print(f"single process   {seconds:8.1f} s  {args.claims / seconds:10,.0f} claims/s   "
              f"({before} before, {_load()} after)", flush=True)
    rates = {}
    for cores in (1, 2):
        before = _load()
        session, job = on_spark(source, work / f"out-{cores}", cores)
        rates[cores] = args.claims / (session + job)
        print(f"spark local[{cores}]  session {session:5.1f} s  job {job:8.1f} s  {args.claims / job:10,.0f} claims/s "
              f"(job)  {rates[cores]:10,.0f} claims/s (end to end)   ({before} before, {_load()} after)", flush=True)
    print(f"scaling efficiency, 2 cores (end to end): {rates[2] / (2 * rates[1]):.0%}")


if __name__ == "__main__":
    main()
