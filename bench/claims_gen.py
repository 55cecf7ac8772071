"""Generate claims "from the golden claims' distribution", for the throughput and memory benchmarks.

Each generated claim starts from a golden claim picked at random (any version): its version,
principal diagnosis, procedures and hospital status stay (they decide the MDC and the surgical
path together); the secondary diagnoses are the template's or, half of the time, the same
number drawn from that version's pool of (code, POA) pairs; the age moves by up to 5 years.
So claims are new combinations, not copies (few exact duplicates), with realistic code mixes.
"""
from __future__ import annotations

import gzip
import json
import random
from pathlib import Path
from typing import Iterator

GOLDEN = Path(__file__).resolve().parents[1].parent / "shared" / "golden"


def golden_claims(golden: Path = GOLDEN) -> list[dict]:
    claims = []
    for path in sorted((golden / "dev").glob("claims_v*.jsonl.gz")):
        with gzip.open(path, "rt") as stream:
            claims.extend(json.loads(line) for line in stream)
    if not claims:
        raise SystemExit(f"no golden claims under {golden}/dev")
    return claims


def generate(count: int, seed: int = 7, golden: Path = GOLDEN) -> Iterator[dict]:
    rng = random.Random(seed)
    templates = golden_claims(golden)
    pools: dict[int, list[dict]] = {}
    for claim in templates:
        pools.setdefault(claim["version"], []).extend(claim["sdx"])
    for n in range(count):
        t = rng.choice(templates)
        sdx = t["sdx"]
        if sdx and rng.random() < 0.5:
            pool = pools[t["version"]]
            sdx = [rng.choice(pool) for _ in sdx]
        yield {"id": f"G{n:08d}", "version": t["version"], "age": min(max(t["age"] + rng.randint(-5, 5), 0), 124),
               "sex": t["sex"], "discharge_status": t["discharge_status"], "hospital_status": t["hospital_status"],
               "pdx": t["pdx"], "admit_dx": t["admit_dx"], "sdx": sdx, "procedures": t["procedures"]}


def write_jsonl(path: Path, count: int, seed: int = 7) -> Path:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "wt") as stream:
        for claim in generate(count, seed):
            stream.write(json.dumps(claim, separators=(",", ":")) + "\n")
    return path


if __name__ == "__main__":
    import sys

    write_jsonl(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 100_000)
