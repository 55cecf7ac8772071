"""Golden claims from the committed conformance fixture, shared by several test modules."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "conformance_claims.jsonl.gz"


def golden_claims(n: int) -> list[dict]:
    """About n claims spread evenly over the fixture (every version, many DRG families)."""
    with gzip.open(FIXTURE, "rt", encoding="utf-8") as stream:
        lines = [line for line in stream if line.strip()]
    step = max(len(lines) // n, 1)
    return [json.loads(line) for line in lines[::step][:n]]
