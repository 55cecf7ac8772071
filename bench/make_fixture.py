"""Build the compact conformance fixture (tests/fixtures/) from ../shared/golden.

Picks golden claims so that the fixture covers every final DRG of every version at
least once across versions, every return code, HAC status, hospital status and
discharge-status kind, plus the whole smoke set and a slice of the 44.0 set, with the
CMS grouper's expected output for each. Deterministic.

    python bench/make_fixture.py ../shared/golden tests/fixtures
"""
from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from drg.conformance import golden_pairs, read_jsonl  # noqa: E402


def feature_keys(claim: dict, expected: dict) -> list[tuple]:
    version = claim["version"]
    return [
        ("drg", expected["final_drg"]),
        ("version-drg-family", version, expected["final_base_drg"]),
        ("rc", version, expected["initial_return_code"], expected["final_return_code"]),
        ("hac", version, expected["hac_status"], claim["hospital_status"]),
        ("status", version, claim["discharge_status"]),
        ("sex", version, claim["sex"], expected["final_mdc"]),
        ("usage", version, tuple(sorted({d["final_severity_usage"] for d in expected.get("sdx", [])}))),
        ("impact", version, tuple(sorted({p["affects_drg"] for p in expected.get("procedures", [])}))),
    ]


def main(golden_dir: Path, out_dir: Path) -> None:
    claims_out, expected_out, seen = [], [], set()
    for set_name, claims_path, expected_path in golden_pairs(golden_dir):
        for claim, expected in zip(read_jsonl(claims_path), read_jsonl(expected_path)):
            if set_name == "smoke":
                keep = True
            elif set_name == "v440":
                keep = int(claim["id"].split("-")[1]) % 20 == 0
            else:
                keys = [k for k in feature_keys(claim, expected) if k not in seen]
                keep = bool(keys)
                seen.update(keys)
            if keep:
                claims_out.append(claim)
                expected_out.append(expected)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, rows in (("conformance_claims.jsonl.gz", claims_out), ("conformance_expected.jsonl.gz", expected_out)):
        data = "".join(json.dumps(r, separators=(",", ":"), sort_keys=False) + "\n" for r in rows).encode()
        with open(out_dir / name, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
            gz.write(data)
    print(f"{len(claims_out)} claims written to {out_dir}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
