"""Compare the MCE (drg.mce) with the official CMS MCE outputs of ../shared/golden/mce.

    python -m drg.mce_conformance ../shared/golden        # or the golden/mce folder itself

Every claim of `mce/claims_v*.jsonl.gz` is edited and its output compared with
`expected_v*.jsonl.gz` on every field (edit type, edit counts, and per code the edits,
age-conflict type and flag string); `mce/v44/` on its claim-level fields (id, edit_type,
edits: v44/README.md). Prints a table per version and per edit, then the first differences;
exits 1 when anything differs.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from drg.commands.edit import edit_record

CMS_FIELDS: tuple[str, ...] = ("id", "version_used", "edit_type", "edits", "pdx", "admit_dx", "sdx", "procedures")
V44_FIELDS: tuple[str, ...] = ("id", "edit_type", "edits")


@dataclass
class Tally:
    """Agreement of one claims file."""

    name: str
    fields: tuple[str, ...]
    claims: int = 0
    agreeing: int = 0
    field_mismatches: Counter = field(default_factory=Counter)
    edit_claims: Counter = field(default_factory=Counter)        # claims whose expected output has the edit
    edit_mismatches: Counter = field(default_factory=Counter)    # ... whose count of it differs
    first_diffs: list[str] = field(default_factory=list)


def _lines(path: Path) -> Iterator[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        for line in stream:
            if line.strip():
                yield json.loads(line)


def _first_diff(got, want, where: str = "") -> str:
    if isinstance(want, dict) and isinstance(got, dict):
        for key in want:
            if got.get(key) != want[key]:
                return _first_diff(got.get(key), want[key], f"{where}.{key}")
        return f"{where}: extra keys {sorted(set(got) - set(want))}"
    if isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        for n, (g, w) in enumerate(zip(got, want, strict=True)):
            if g != w:
                return _first_diff(g, w, f"{where}[{n}]")
    return f"{where}: got {json.dumps(got)}, expected {json.dumps(want)}"


def compare_file(claims: Path, expected: Path, fields: tuple[str, ...], keep: int = 5) -> Tally:
    """Edit every claim of `claims` and compare the chosen fields with `expected`, row by row."""
    tally = Tally(claims.name, fields)
    for record, want in zip(_lines(claims), _lines(expected), strict=True):
        got = edit_record(record).to_dict()
        tally.claims += 1
        wrong = [f for f in fields if got.get(f) != want.get(f)]
        for f in wrong:
            tally.field_mismatches[f] += 1
        want_counts = {e["edit"]: e["count"] for e in want.get("edits", [])}
        got_counts = {e["edit"]: e["count"] for e in got.get("edits", [])}
        for edit in set(want_counts) | set(got_counts):
            tally.edit_claims[edit] += edit in want_counts
            tally.edit_mismatches[edit] += want_counts.get(edit) != got_counts.get(edit)
        if wrong:
            if len(tally.first_diffs) < keep:
                tally.first_diffs.append(f"{want.get('id')}: " + _first_diff({f: got.get(f) for f in fields},
                                                                               {f: want.get(f) for f in fields}))
        else:
            tally.agreeing += 1
    return tally


def golden_files(root: Path) -> list[tuple[Path, Path, tuple[str, ...]]]:
    """(claims, expected, fields) of every golden MCE file under `root` (golden/ or golden/mce/)."""
    mce = root / "mce" if (root / "mce").is_dir() else root
    out: list[tuple[Path, Path, tuple[str, ...]]] = [
        (c, c.with_name(c.name.replace("claims_", "expected_")), CMS_FIELDS)
           for c in sorted(mce.glob("claims_v*.jsonl.gz"))]
    out += [(c, c.with_name(c.name.replace("claims_", "expected_")), V44_FIELDS)
            for c in sorted((mce / "v44").glob("claims_v*.jsonl.gz"))]
    return out


def report(tallies: list[Tally]) -> str:
    lines = ["| file | claims | fields compared | claims agreeing | field mismatches |", "|---|---:|---:|---:|---:|"]
    for t in tallies:
        lines.append(f"| {t.name} | {t.claims} | {t.claims * len(t.fields)} | {t.agreeing} | "
                     f"{sum(t.field_mismatches.values())} |")
    edits = sorted({e for t in tallies for e in t.edit_claims})
    names = [t.name.removeprefix("claims_").removesuffix(".jsonl.gz") for t in tallies]
    lines += ["", "claims with the edit / claims whose count of it differs:", "",
              "| edit | " + " | ".join(names) + " | total |", "|---|" + "---:|" * (len(names) + 1)]
    for edit in edits:
        cells = [f"{t.edit_claims[edit]} / {t.edit_mismatches[edit]}" if t.edit_claims[edit] or
                 t.edit_mismatches[edit] else "-" for t in tallies]
        total = f"{sum(t.edit_claims[edit] for t in tallies)} / {sum(t.edit_mismatches[edit] for t in tallies)}"
        lines.append(f"| {edit} | " + " | ".join(cells) + f" | {total} |")
    for t in tallies:
        if t.field_mismatches:
            lines += ["", f"{t.name}: mismatches per field {dict(t.field_mismatches)}"]
            lines += [f"  {d}" for d in t.first_diffs]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("golden", type=Path, help="the golden folder (../shared/golden) or its mce/ folder")
    args = parser.parse_args(argv)
    files = golden_files(args.golden)
    if not files:
        print(f"{args.golden}: no golden MCE claims found", file=sys.stderr)
        return 2
    tallies = [compare_file(c, e, f) for c, e, f in files]
    print(report(tallies))
    return 0 if all(not t.field_mismatches for t in tallies) else 1


if __name__ == "__main__":
    sys.exit(main())
