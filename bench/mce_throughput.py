"""MCE throughput: claims edited per second by drg.mce.edit_claim on the golden MCE claims,
and the cost of `drg group --edits` over `drg group`.

    python bench/mce_throughput.py [../shared/golden/mce] [--runs 5] [--no-group]

The claims are read and turned into Claim objects first (not timed); each run edits all of
them in one process; the median of the runs is printed. The tables are loaded before the
first run (their load time is printed on its own).

The cost of --edits is measured in the same process on the same claims, two ways, each run
timing both (in alternating order, so that neither always runs warm): the batch engine alone
(drg.batch.group_rows over chunks of 10,000 ClaimRows, with and without `edits`), and end to
end (drg.batch.run_batch from the claims file to a JSON Lines file, what `drg group FILE -o
OUT [--edits]` runs). It prints the medians and the ratio of the medians (edits / plain).
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
    parser.add_argument("--no-group", action="store_true", help="skip the group --edits cost")
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
    if not args.no_group:
        group_cost(files, args.runs)
    return 0


def group_cost(files: list[Path], runs: int) -> None:
    """`group --edits` over `group`: medians of both and their ratio, engine alone and end to end."""
    import tempfile

    from drg.batch import group_rows, run_batch
    from drg.io.normalize import build_row
    from drg.io.readers import golden_fields

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "claims.jsonl"
        with source.open("w", encoding="utf-8") as out:
            for path in files:
                with gzip.open(path, "rt", encoding="utf-8") as stream:
                    for line in stream:
                        if line.strip():
                            out.write(line)
                            fields, extra, errors = golden_fields(json.loads(line), nan_is_value=True)
                            rows.append(build_row(len(rows) + 1, fields, extra=extra, errors=errors))
        chunks = [rows[i:i + 10_000] for i in range(0, len(rows), 10_000)]
        for chunk in chunks:                      # warm: every version's tables loaded
            group_rows(chunk, edits=True)
        engine: dict[bool, list[float]] = {False: [], True: []}
        end_to_end: dict[bool, list[float]] = {False: [], True: []}
        for run in range(runs):
            for edits in ((False, True) if run % 2 == 0 else (True, False)):
                started = time.perf_counter()
                for chunk in chunks:
                    group_rows(chunk, edits=edits)
                engine[edits].append(time.perf_counter() - started)
                started = time.perf_counter()
                run_batch(source, Path(folder) / "out.jsonl", edits=edits)
                end_to_end[edits].append(time.perf_counter() - started)
    for name, seconds in (("engine (group_rows)", engine), ("end to end (run_batch, JSON Lines)", end_to_end)):
        plain, edited = statistics.median(seconds[False]), statistics.median(seconds[True])
        print(f"{name}: group {len(rows) / plain:,.0f} claims/s, group --edits {len(rows) / edited:,.0f} "
              f"claims/s; --edits costs x{edited / plain:.2f} the time of group ({runs} runs, medians)")


if __name__ == "__main__":
    sys.exit(main())
