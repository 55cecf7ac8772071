"""Table-load benchmark: cold `drg.tables.load(version)` time and peak RSS per version.

Each run is a fresh Python process (nothing cached), timed from before `import drg.tables`
(import cost included and also shown apart) to a loaded TableSet. The median of --runs is
reported. On-disk size per version is not separable (the compiled tables keep CMS version
ranges, so rows are shared between versions), so the total compiled size and the row count
of every table are printed instead.

    python bench/table_load.py [--runs 5] [--versions 43.1 44.0]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
import drg.tables as T
t1 = time.perf_counter()
T.load(sys.argv[1])
t2 = time.perf_counter()
rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss   # kilobytes on Linux
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "total": t2 - t0, "rss_mb": rss_kb / 1024}))
"""

CHILD_ALL = r"""
import json, resource, time
import drg.tables as T
t = time.perf_counter()
for v in T.available_versions():
    T.load(v.label)
print(json.dumps({"load": time.perf_counter() - t,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _run(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def main() -> None:
    """Print the per-version table, the all-versions figure, and the compiled sizes and row counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--versions", nargs="*")
    args = parser.parse_args()

    from drg.tables import available_versions
    from drg.tables.manifest import read_manifest

    labels = args.versions or [v.label for v in available_versions()]
    print(f"cold load, fresh process per run, median of {args.runs} runs")
    print(f"{'version':<8} {'load s':>8} {'import s':>9} {'total s':>8} {'peak RSS MB':>12}")
    for label in labels:
        runs = [_run(CHILD, label) for _ in range(args.runs)]
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(f"{label:<8} {med['load']:>8.3f} {med['import']:>9.3f} {med['total']:>8.3f} {med['rss_mb']:>12.1f}")
    every = _run(CHILD_ALL)
    print(f"all {len(available_versions())} versions in one process: {every['load']:.2f} s, "
          f"peak RSS {every['rss_mb']:.0f} MB")

    files = read_manifest()["files"]
    total = sum(e["bytes"] for e in files.values())
    print(f"\ncompiled tables: {len(files)} files, {total / 1e6:.2f} MB in all (shared by every version)")
    print(f"{'table':<30} {'rows':>9} {'bytes':>9}")
    for name, entry in files.items():
        print(f"{name.removesuffix('.parquet'):<30} {entry['rows']:>9} {entry['bytes']:>9}")


if __name__ == "__main__":
    main()
