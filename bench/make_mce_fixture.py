"""Build the committed MCE fixture (tests/fixtures/mce_*.jsonl.gz) from ../shared/golden/mce.

Picks golden MCE claims, in file order, so that every version (40.0 .. 43.1 and 44.0)
contributes, for each of these features, the first claim that has it:

* every edit raised, and every edit count above 1 (`edit:E`, `edit:E:many`), every edit type;
* every age-conflict type, on PDX, SDX and admitting diagnosis;
* near misses: a code carrying a flag an edit reads while the claim does not get that edit
  (a pancreas transplant with a kidney transplant, a delivery with a Z37 code, 5A1955Z with
  a long stay, an age-flagged code at an allowed age, Z51.89 with an SDX, ...);
* edge input: no PDX, blank / all-zero / lower-case / spaced / dotted codes, cluster ids,
  24+ SDX, an unreadable or missing discharge date.

With the CMS expected output of each (the v44 rows hold the claim-level fields only). The
output is deterministic (gzip without a timestamp).

    python bench/make_mce_fixture.py ../shared/golden/mce tests/fixtures
"""
from __future__ import annotations

import gzip
import io
import json
import sys
from collections import Counter
from pathlib import Path

PER_FEATURE = 1


def _lines(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        return [json.loads(line) for line in stream if line.strip()]


def _codes(claim: dict) -> list[tuple[str, str]]:
    out = []
    for role in ("pdx", "admit_dx"):
        if claim.get(role):
            out.append((role, claim[role]["code"] or ""))
    out += [("sdx", d["code"] or "") for d in claim.get("sdx") or []]
    out += [("proc", p or "") for p in claim.get("procedures") or []]
    return out


def features(claim: dict, expected: dict, tables, flag_edits: dict) -> set[str]:
    """The features of one claim (see the module docstring)."""
    from drg.mce import parse_discharge_date
    from drg.tables.mce import epoch_day

    found = {f"type:{expected['edit_type']}"}
    raised = {e["edit"]: e["count"] for e in expected["edits"]}
    for edit, count in raised.items():
        found.add(f"edit:{edit}")
        if count > 1:
            found.add(f"edit:{edit}:many")
    for role in ("pdx", "admit_dx"):
        if expected.get(role) and expected[role].get("age_conflict_type"):
            found.add(f"age:{role}:{expected[role]['age_conflict_type']}")
    for dx in expected.get("sdx") or []:
        if dx.get("age_conflict_type"):
            found.add(f"age:sdx:{dx['age_conflict_type']}")
    if claim.get("pdx") is None:
        found.add("edge:no-pdx")
    if len(claim.get("sdx") or []) >= 24:
        found.add("edge:24-sdx")
    date = claim.get("discharge_date")
    if date is None:
        found.add("edge:no-date")
    elif parse_discharge_date(date) is None:
        found.add("edge:bad-date")
    for role, code in _codes(claim):
        if not code.strip():
            found.add(f"edge:blank:{role}")
        elif not code.strip("0"):
            found.add(f"edge:zeros:{role}")
        elif code != code.upper():
            found.add(f"edge:lower:{role}")
        elif " " in code or "." in code:
            found.add(f"edge:spaced-or-dotted:{role}")
        elif code.startswith("Z@"):
            found.add(f"edge:cluster:{role}")
    parsed = parse_discharge_date(date) if date is not None else None
    if parsed is not None and expected["edit_type"] != "INVALID_DISCHARGE_DATE":
        day = epoch_day(parsed)
        for role, code in _codes(claim):
            master = tables.procedures if role == "proc" else tables.diagnoses
            for flag in master.flags_on(code.upper(), day) or ():
                for edit in flag_edits.get(flag, ()):
                    if edit not in raised:
                        found.add(f"near:{role}:{flag}:{edit}")
    return found


def main(golden: Path, out_dir: Path) -> int:
    from drg.mce import load_mce

    tables = load_mce()
    flag_edits = {flag: info.used_by for flag, info in tables.flag_info.items()}
    root = golden / "mce" if (golden / "mce").is_dir() else golden
    files = sorted(root.glob("claims_v*.jsonl.gz")) + sorted((root / "v44").glob("claims_v*.jsonl.gz"))
    if not files:
        print(f"{golden}: no golden MCE claims", file=sys.stderr)
        return 2
    claims_out, expected_out = [], []
    for path in files:
        seen: Counter = Counter()
        expected = _lines(path.with_name(path.name.replace("claims_", "expected_")))
        for claim, want in zip(_lines(path), expected, strict=True):
            new = [f for f in features(claim, want, tables, flag_edits) if seen[f] < PER_FEATURE]
            if new:
                for f in features(claim, want, tables, flag_edits):
                    seen[f] += 1
                claims_out.append(claim)
                expected_out.append(want)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, rows in (("mce_claims.jsonl.gz", claims_out), ("mce_expected.jsonl.gz", expected_out)):
        text = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in rows).encode("utf-8")
        buffer = io.BytesIO()
        with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, filename="") as stream:
            stream.write(text)
        (out_dir / name).write_bytes(buffer.getvalue())
    print(f"{len(claims_out)} claims from {len(files)} files -> {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
