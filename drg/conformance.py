"""Conformance report: group every golden claim and compare with the CMS grouper's output.

    python -m drg.conformance ../shared/golden [--limit N] [--show 3]

Prints agreement per version and per field, and for mismatches the first claim ids with
a field-by-field diff.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Iterator

from drg.claim import Claim, resolve_version
from drg.grouper import group_claim
from drg.tables import load


def read_jsonl(path: Path) -> Iterator[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def golden_pairs(golden_dir: Path) -> Iterator[tuple[str, Path, Path]]:
    """(set name, claims file, expected file) for every golden set found."""
    for claims in sorted((golden_dir / "dev").glob("claims_v*.jsonl.gz")):
        yield claims.name[7:11], claims, claims.with_name(claims.name.replace("claims_", "expected_"))
    v44 = golden_dir / "v44" / "claims_v440.jsonl.gz"
    if v44.exists():
        yield "v440", v44, v44.with_name("expected_v440.jsonl.gz")
    smoke = golden_dir / "smoke.jsonl.gz"
    if smoke.exists():
        yield "smoke", smoke, golden_dir / "smoke_expected.jsonl.gz"


def flatten(record: dict, prefix: str = "") -> dict:
    """Field path -> value, with per-code fields named like `sdx.affects_drg` (list positions dropped)."""
    out = {}
    for key, value in record.items():
        if key in ("pdx", "sdx", "procedures") and isinstance(value, (dict, list)):
            items = [value] if isinstance(value, dict) else value
            for i, item in enumerate(items):
                for field, v in item.items():
                    out[(f"{key}.{field}", i)] = v
            out[(f"{key}.count", 0)] = len(items)
        else:
            out[(prefix + key, 0)] = value
    return out


def compare(expected: dict, actual: dict) -> list[tuple[str, int, object, object]]:
    """Differences on the fields the expected record holds."""
    exp, act = flatten(expected), flatten(actual)
    return [(name, i, value, act.get((name, i), "<missing>")) for (name, i), value in exp.items()
            if act.get((name, i), "<missing>") != value]


def print_field_table(per_set: dict[str, tuple[Counter, Counter]], out) -> None:
    """Agreement per field (rows) and set (columns): % of claims whose field agrees; '-' not compared."""
    names = sorted({name for total, _ in per_set.values() for name in total})
    sets = list(per_set)
    print("\nagreement per field, % of claims (per-code fields: all codes of the claim agree)", file=out)
    print(f"{'field':34s}" + "".join(f"{s:>9s}" for s in sets), file=out)
    for name in names:
        cells = []
        for set_name in sets:
            total, bad = per_set[set_name]
            cells.append(f"{100.0 * (total[name] - bad[name]) / total[name]:9.2f}" if total[name] else f"{'-':>9s}")
        print(f"{name:34s}" + "".join(cells), file=out)


def run(golden_dir: Path, limit: int | None = None, show: int = 3, out=sys.stdout) -> bool:
    all_ok = True
    per_set: dict[str, tuple[Counter, Counter]] = {}
    for set_name, claims_path, expected_path in golden_pairs(golden_dir):
        fields_total: Counter = Counter()
        fields_bad: Counter = Counter()
        claims_total = claims_bad = 0
        examples: list[tuple[str, list]] = []
        for n, (claim_json, expected) in enumerate(zip(read_jsonl(claims_path), read_jsonl(expected_path))):
            if limit is not None and n >= limit:
                break
            claim = Claim.from_dict(claim_json)
            try:
                actual = group_claim(claim, load(resolve_version(claim))).to_dict()
            except Exception as exc:  # a crash is a mismatch on every field, reported with its type
                actual = {"error": f"{type(exc).__name__}: {exc}"}
            diffs = compare(expected, actual)
            claims_total += 1
            for name, _i in {(d[0], 0) for d in diffs}:
                fields_bad[name] += 1
            for (name, _i) in {(k[0], 0) for k in flatten(expected)}:
                fields_total[name] += 1
            if diffs:
                claims_bad += 1
                if len(examples) < show:
                    examples.append((expected["id"],
                                     diffs[:12] if "error" not in actual else [("error", 0, "", actual["error"])]))
        ok = claims_bad == 0
        all_ok &= ok
        per_set[set_name] = (fields_total, fields_bad)
        rate = 100.0 * (claims_total - claims_bad) / max(claims_total, 1)
        print(f"{set_name:6s} claims {claims_total:6d}  agree {claims_total - claims_bad:6d}  ({rate:7.3f}%)", file=out)
        for name in sorted(fields_bad):
            print(f"         field {name:32s} mismatching claims {fields_bad[name]}", file=out)
        for claim_id, diffs in examples:
            print(f"         {claim_id}:", file=out)
            for name, i, want, got in diffs:
                print(f"             {name}[{i}] expected {want!r} got {got!r}", file=out)
    print_field_table(per_set, out)
    return all_ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m drg.conformance", description=__doc__.splitlines()[0])
    parser.add_argument("golden_dir", type=Path)
    parser.add_argument("--limit", type=int, default=None, help="claims per set (default: all)")
    parser.add_argument("--show", type=int, default=3, help="mismatching claims shown per set")
    args = parser.parse_args(argv)
    return 0 if run(args.golden_dir, args.limit, args.show) else 1


if __name__ == "__main__":
    sys.exit(main())
