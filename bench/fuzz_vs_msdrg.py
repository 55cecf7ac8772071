"""Differential check against the reference grouper `msdrg` on mutated golden claims.

Mutations the golden files rarely hold: shuffled and duplicated codes, codes borrowed from
other claims (other MDCs, other versions), lower-case codes, random sex, discharge status,
hospital status and POA. Claim kinds where msdrg is known to differ from CMS
(golden/v44/README.md: unknown discharge statuses, hospital status UNKNOWN, POA blank/1/X,
no principal diagnosis) are not generated. Every disagreement is printed for study: where
msdrg and CMS differ the CMS golden output wins, so a hit is a lead, not a verdict.

    python bench/fuzz_vs_msdrg.py ../shared/golden --claims 20000 --seed 1
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import msdrg  # noqa: E402  (reference only; never imported by product code)

from drg.claim import Claim  # noqa: E402
from drg.conformance import read_jsonl  # noqa: E402
from drg.grouper import group_claim  # noqa: E402
from drg.tables import load  # noqa: E402

KNOWN_STATUSES = [1, 2, 3, 4, 5, 6, 7, 20, 21, 30, 43, 50, 51, 61, 62, 63, 64, 65, 66, 69, 70, 81, 82, 85, 94]
FIELDS = ("initial_drg", "initial_mdc", "initial_return_code", "final_drg", "final_mdc", "final_return_code")
SEX_CODE = {"M": 0, "F": 1, "U": 2}


def mutate(claim: dict, pool: list[dict], rng: random.Random, lower_case: bool = False) -> dict:
    c = {**claim, "sdx": [dict(s) for s in claim["sdx"]], "procedures": list(claim["procedures"])}
    if rng.random() < 0.3:
        donor = rng.choice(pool)
        c["sdx"] += [dict(s) for s in donor["sdx"][: rng.randint(1, 4)]]
        c["procedures"] += donor["procedures"][: rng.randint(0, 3)]
    if rng.random() < 0.2 and c["sdx"]:
        c["sdx"].append(dict(rng.choice(c["sdx"])))
    if rng.random() < 0.2 and c["procedures"]:
        c["procedures"].append(rng.choice(c["procedures"]))
    rng.shuffle(c["sdx"])
    if rng.random() < 0.5:
        rng.shuffle(c["procedures"])
    # msdrg does not upper-case codes; CMS does (docs/GROUPER_LOGIC.md section 2.1)
    if lower_case and rng.random() < 0.05:
        c["sdx"] = [{**s, "code": s["code"].lower()} if rng.random() < 0.5 else s for s in c["sdx"]]
    for s in c["sdx"]:
        s["poa"] = rng.choice("YYYYNUW")
    c["sdx"] = c["sdx"][:24]
    c["procedures"] = c["procedures"][:25]
    if rng.random() < 0.3:
        c["discharge_status"] = rng.choice(KNOWN_STATUSES)
    if rng.random() < 0.1:
        c["sex"] = rng.choice("MFU")
    c["hospital_status"] = rng.choice(["NON_EXEMPT", "NON_EXEMPT", "EXEMPT"])
    return c


def as_msdrg(c: dict) -> dict:
    return {"version": c["version"], "age": c["age"], "sex": SEX_CODE[c["sex"]],
            "discharge_status": c["discharge_status"],
            "hospital_status": "NOT_EXEMPT" if c["hospital_status"] == "NON_EXEMPT" else c["hospital_status"],
            "pdx": {"code": c["pdx"]["code"], "poa": "Y"},
            "sdx": [{"code": s["code"], "poa": s["poa"]} for s in c["sdx"]],
            "procedures": [{"code": p} for p in c["procedures"]]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("golden_dir", type=Path)
    parser.add_argument("--claims", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=10)
    parser.add_argument("--lower-case", action="store_true", help="also lower-case some codes (msdrg differs there)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    by_version = {}
    for path in sorted((args.golden_dir / "dev").glob("claims_v*.jsonl.gz")):
        rows = [c for c in read_jsonl(path)
                if c["pdx"] and c["pdx"].get("code") and c["discharge_status"] in KNOWN_STATUSES]
        by_version[rows[0]["version"]] = rows
    differences = 0
    with msdrg.MsdrgGrouper() as reference:
        for n in range(args.claims):
            version = rng.choice(sorted(by_version))
            pool = by_version[version]
            claim = mutate(rng.choice(pool), pool, rng, args.lower_case)
            ours = group_claim(Claim.from_dict(claim), load(version)).to_dict()
            theirs = reference.group(as_msdrg(claim))
            theirs["final_return_code"] = theirs.get("return_code")
            diff = {f: (ours[f], theirs.get(f)) for f in FIELDS if ours[f] != theirs.get(f)}
            if diff:
                differences += 1
                if differences <= args.show:
                    print(f"claim {n}: {diff}\n   {claim}")
    print(f"{args.claims} mutated claims, {differences} disagree with msdrg on {', '.join(FIELDS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
