"""Import of the CMS relative weights (IPPS Table 5) and national base rates.

The weight files differ in completeness by fiscal year: FY2026 and later carry the
paid ("10% cap applied") weight, AMLOS and the transfer flags; the FY2023-FY2025
copies (VA VistA) carry only the uncapped weight, GMLOS and sometimes AMLOS. Nothing is
guessed: an absent figure stays null and every row records the file it came from.
"""
from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa

from drg.tables.source import SourceError, read_csv

WEIGHT_FILE = re.compile(r"^fy(\d{4})_ms_drg_weights(_vista)?\.csv$")

WEIGHTS_SCHEMA = pa.schema([
    ("fiscal_year", pa.int32()),
    ("drg", pa.int32()),
    ("title", pa.string()),
    ("weight", pa.float64()),              # paid weight (10% cap applied); null when the source lacks it
    ("weight_before_cap", pa.float64()),
    ("gmlos", pa.float64()),
    ("amlos", pa.float64()),
    ("post_acute_transfer", pa.bool_()),   # null when the source lacks the flag
    ("special_pay", pa.bool_()),
    ("source_file", pa.string()),
])

BASE_RATES_SCHEMA = pa.schema([
    ("fiscal_year", pa.int32()),
    ("ms_drg_version", pa.int32()),
    ("operating_standardized_amount", pa.float64()),
    ("capital_federal_rate", pa.float64()),
    ("basis", pa.string()),
    ("source", pa.string()),
])


def _number(text: str) -> float | None:
    text = text.strip()
    return float(text) if text and text != "." else None


def _flag(text: str) -> bool | None:
    text = text.strip().lower()
    return {"yes": True, "no": False}.get(text)


def read_weight_files(weights_dir: Path) -> pa.Table:
    """All fiscal years' weights as one table, sorted by (fiscal_year, drg)."""
    rows: list[dict] = []
    for path in sorted(weights_dir.glob("fy*_ms_drg_weights*.csv")):
        match = WEIGHT_FILE.match(path.name)
        if not match:
            continue
        from_vista = bool(match.group(2))
        for row in read_csv(path).to_pylist():
            weight = _number(row["weight"])
            rows.append({
                "fiscal_year": int(row["fiscal_year"]),
                "drg": int(row["ms_drg"]),
                "title": row["title"],
                # VistA copies hold the uncapped weight only (cms-weights/README.md)
                "weight": None if from_vista else weight,
                "weight_before_cap": weight if from_vista else _number(row["weight_before_cap"]),
                "gmlos": _number(row["gmlos"]),
                "amlos": _number(row.get("amlos") or row.get("amlos_if_present") or ""),
                "post_acute_transfer": _flag(row.get("post_acute_drg", "")),
                "special_pay": _flag(row.get("special_pay_drg", "")),
                "source_file": path.name,
            })
    if not rows:
        raise SourceError(f"{weights_dir}: no fyYYYY_ms_drg_weights*.csv files found")
    rows.sort(key=lambda r: (r["fiscal_year"], r["drg"]))
    return pa.Table.from_pylist(rows, schema=WEIGHTS_SCHEMA)


def read_base_rates(weights_dir: Path) -> pa.Table:
    """National operating standardized amount and capital rate per fiscal year."""
    rows = []
    for row in read_csv(weights_dir / "ipps_base_rates.csv").to_pylist():
        rows.append({
            "fiscal_year": int(row["fiscal_year"]),
            "ms_drg_version": int(row["ms_drg_version"]),
            "operating_standardized_amount": _number(row["operating_standardized_amount"]),
            "capital_federal_rate": _number(row["capital_federal_rate"]),
            "basis": row["basis"],
            "source": row["source"],
        })
    rows.sort(key=lambda r: r["fiscal_year"])
    return pa.Table.from_pylist(rows, schema=BASE_RATES_SCHEMA)
