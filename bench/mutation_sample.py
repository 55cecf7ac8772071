"""The mutation run of issue 10: a fixed random sample of the mutants of drg/io/*.py and tables/diff.py.

    .venv/bin/python bench/mutation_sample.py            # 320 mutants, seed 10, 2 workers
    .venv/bin/python bench/mutation_sample.py --size 400 --seed 7

It generates every mutant with mutmut (the [tool.mutmut] section of pyproject.toml), draws the
sample with `random.Random(seed)` from the sorted list of names, runs only those, and prints the
score: killed / (sample - the survivors judged equivalent), with every survivor named.

Imported as a pytest plugin (`-p bench.mutation_sample`, set in [tool.mutmut]) inside mutmut's
folder, it makes drg.tables.diff mutmut's copy of tables/diff.py (see _load_mutated_diff);
elsewhere it does nothing.
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MUTMUT = Path(sys.executable).with_name("mutmut")

# Survivors judged equivalent: no input can tell them from the original (the reason for each).
EQUIVALENT: dict[str, str] = {
    "drg.io.columns.x__known_name__mutmut_19": 'rstrip("XX_XX") strips the characters X and _; a canonical '
                                               'header is lower case, so only "_" is ever stripped',
    "drg.io.columns.x_canonical__mutmut_13": 'strip("XX_XX"): the text is lower-cased first, so only "_" is stripped',
    "drg.io.frame_writer.xǁFrameWriterǁwrite_frame__mutmut_19": "to_csv(index=None): pandas takes None as no index",
    "drg.io.frame_writer.xǁFrameWriterǁwrite_frame__mutmut_32": 'rstrip(None): pandas\' JSON lines end in "}\\n", '
                                                               "no other trailing blank to strip",
    "drg.io.readers.x__open_text__mutmut_30": "codec names are case-insensitive (UTF-8-SIG is utf-8-sig)",
    "drg.io.readers.xǁClaimReaderǁ_csv_error__mutmut_29": "str.count(sub, None, end) counts from 0",
    "drg.io.readers.xǁClaimReaderǁ_csv_error__mutmut_35": 'counting from 1 differs only for a record whose text '
                                                         'starts with "\\n": an empty line, which never raises',
    "drg.io.readers.x__long_claim__mutmut_83": "without a sequence column record.get(None) is None and "
                                               "whole_number(None) is None, as is whole_number of a blank",
    "drg.io.readers.xǁ_FinishedClaimsǁadd__mutmut_19": "> instead of >= flushes one claim later; every repeated id "
                                                      "is still caught, with the same two lines",
    "drg.io.readers.xǁ_FinishedClaimsǁflush__mutmut_14": "numpy infers float64 for the line numbers; str(int(x)) "
                                                        "gives the same text below 2**53 lines",
    "drg.io.readers.xǁ_FinishedClaimsǁflush__mutmut_54": 'numpy reads kind="STABLE" as "stable"',
    "drg.io.writers.x__as_text__mutmut_4": "str() of a str is the same text",
    "drg.io.writers.xǁCsvWriterǁ__init____mutmut_14": "None and False: the flag is only tested with `not`",
}


def _load_mutated_diff() -> None:
    """mutmut names the mutants of tables/diff.py "tables.diff.x_..." (from the path) and switches one
    on only in a module of that name, while the tests import it as drg.tables.diff (the package-dir
    mapping). Load mutmut's copy under the name "tables.diff" and make drg.tables.diff that module."""
    root = HERE.parent
    copy = root / "tables" / "diff.py"
    if root.name != "mutants" or not copy.exists() or "tables.diff" in sys.modules:
        return
    import importlib.util

    import drg.tables

    spec = importlib.util.spec_from_file_location("tables.diff", copy)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["tables.diff"] = sys.modules["drg.tables.diff"] = module
    spec.loader.exec_module(module)
    drg.tables.diff = module  # type: ignore[attr-defined]


_load_mutated_diff()


def _mutmut(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(MUTMUT), *args], cwd=HERE.parent, text=True, capture_output=True)


def all_mutants() -> list[str]:
    """Every mutant name, from the .meta files mutmut writes when it generates the mutants."""
    names: list[str] = []
    for meta in sorted((HERE.parent / "mutants").rglob("*.meta")):
        names += json.loads(meta.read_text())["exit_code_by_key"]
    return sorted(names)


def states() -> dict[str, str]:
    out = _mutmut("results", "--all", "true").stdout
    found = {}
    for line in out.splitlines():
        name, _, state = line.strip().rpartition(": ")
        if name:
            found[name] = state
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=320)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--max-children", default="2")
    parser.add_argument("--no-run", action="store_true", help="only print the score of the last run")
    args = parser.parse_args()
    if not args.no_run:
        # generate the mutants and map tests to functions; a pattern that matches no mutant runs none
        prepared = _mutmut("run", "--max-children", args.max_children, "no-such-mutant")
        if "failed to collect stats" in prepared.stdout + prepared.stderr:
            print(prepared.stdout[-3000:], prepared.stderr[-3000:], file=sys.stderr)
            print("the tests fail before any mutant is run (see above)", file=sys.stderr)
            return 1
    names = all_mutants()
    sample = sorted(random.Random(args.seed).sample(names, min(args.size, len(names))))
    if not args.no_run:
        done = _mutmut("run", "--max-children", args.max_children, *sample)
        if done.returncode:
            print(done.stdout[-3000:], done.stderr[-3000:], file=sys.stderr)
    state = states()
    counts: dict[str, int] = {}
    for name in sample:
        counts[state.get(name, "missing")] = counts.get(state.get(name, "missing"), 0) + 1
    survivors = [n for n in sample if state.get(n) != "killed"]
    equivalent = [n for n in survivors if n in EQUIVALENT]
    killed = counts.get("killed", 0)
    scored = len(sample) - len(equivalent)
    print(f"mutants: {len(names)} in all; sample of {len(sample)} (seed {args.seed})")
    print("states: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print(f"score: {killed} killed of {scored} non-equivalent = {100 * killed / max(scored, 1):.1f}%")
    for name in survivors:
        print(f"  {state.get(name)}: {name}" + (f"  (equivalent: {EQUIVALENT[name]})" if name in EQUIVALENT else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
