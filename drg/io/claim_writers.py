"""Write claims in the input formats (wide or long CSV/Parquet, JSON Lines): for tests, benchmarks,
and for handing a cleaned claims file to another tool. The readers read these back unchanged."""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from drg.claim import Claim
from drg.io.normalize import MAX_PROCEDURES, MAX_SDX

CLAIM_COLUMNS = ("claim_id", "version", "discharge_date", "age", "sex", "discharge_status", "hospital_status")


def wide_header(sdx: int = MAX_SDX, procedures: int = MAX_PROCEDURES) -> list[str]:
    header = list(CLAIM_COLUMNS) + ["pdx", "pdx_poa", "admit_dx", "admit_dx_poa"]
    for n in range(1, sdx + 1):
        header += [f"sdx{n}", f"sdx{n}_poa"]
    return header + [f"proc{n}" for n in range(1, procedures + 1)]


def _claim_values(claim: Claim) -> list:
    return [claim.id, claim.version, claim.discharge_date.isoformat() if claim.discharge_date else None,
            claim.age, claim.sex, claim.discharge_status, claim.hospital_status]


def wide_row(claim: Claim, sdx: int = MAX_SDX, procedures: int = MAX_PROCEDURES) -> list:
    row = _claim_values(claim)
    row += [claim.pdx.code, claim.pdx.poa] if claim.pdx else [None, None]
    row += [claim.admit_dx.code, claim.admit_dx.poa] if claim.admit_dx else [None, None]
    for n in range(sdx):
        row += [claim.sdx[n].code, claim.sdx[n].poa] if n < len(claim.sdx) else [None, None]
    return row + [claim.procedures[n] if n < len(claim.procedures) else None for n in range(procedures)]


def wide_record(claim: "Claim | Mapping[str, Any]", include_version: bool = True) -> dict:
    """A claim (a Claim or the golden JSON form) as one wide-layout row keyed by column name,
    e.g. to build a DataFrame for `drg.group_frame`; `include_version=False` leaves the version out."""
    if not isinstance(claim, Claim):
        claim = Claim.from_dict(claim)
    record = dict(zip(wide_header(), wide_row(claim)))
    if not include_version:
        del record["version"]
    return record


LONG_HEADER = ["claim_id", "code_type", "sequence", "code", "poa"] + list(CLAIM_COLUMNS[1:])


def long_rows(claim: Claim) -> Iterator[list]:
    """One row per code; the claim-level values on every row."""
    level = _claim_values(claim)[1:]
    if claim.pdx is not None:
        yield [claim.id, "pdx", 1, claim.pdx.code, claim.pdx.poa] + level
    if claim.admit_dx is not None:
        yield [claim.id, "admit", 1, claim.admit_dx.code, claim.admit_dx.poa] + level
    for n, d in enumerate(claim.sdx, 1):
        yield [claim.id, "sdx", n, d.code, d.poa] + level
    for n, code in enumerate(claim.procedures, 1):
        yield [claim.id, "proc", n, code, None] + level
    if claim.pdx is None and not claim.sdx and not claim.procedures and claim.admit_dx is None:
        yield [claim.id, "pdx", 1, None, None] + level      # keeps a claim without codes


def write_claims(path: "str | Path", claims: Iterable[Claim], layout: str = "wide", fmt: str | None = None,
                 batch: int = 50_000) -> Path:
    """Write claims as JSON Lines (golden form), or CSV/Parquet in the wide or long layout
    (any name of drg.io.formats; written atomically, gzip deterministic)."""
    from drg.io.writers import OutputTarget

    target = OutputTarget(path, fmt)
    try:
        _write_claims(target, claims, layout, batch)
    except BaseException:
        target.abandon()
        raise
    target.finish()
    return Path(path)


def _write_claims(target: Any, claims: Iterable[Claim], layout: str, batch: int) -> None:
    from drg.io.formats import FileFormat

    kind = target.kind
    if kind.format is FileFormat.JSONL:
        out = target.text("\n")
        for claim in claims:
            out.write(json.dumps(claim.to_dict(), separators=(",", ":")) + "\n")
        out.flush()
        out.detach()
        return
    header = wide_header() if layout == "wide" else LONG_HEADER

    def rows() -> Iterator[list]:
        for claim in claims:
            if layout == "wide":
                yield wide_row(claim)
            else:
                yield from long_rows(claim)
    if kind.format is FileFormat.CSV:
        out = target.text("")
        writer = csv.writer(out, lineterminator="\n", delimiter=kind.delimiter)
        writer.writerow(header)
        writer.writerows(rows())
        out.flush()
        out.detach()
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    numeric = {"version", "age", "discharge_status", "sequence"}
    schema = pa.schema([(h, pa.int32() if h in numeric else pa.string()) for h in header])
    with pq.ParquetWriter(target.binary, schema) as writer:
        chunk: list[list] = []

        def flush() -> None:
            columns: list[Any] = list(zip(*chunk)) if chunk else [[] for _ in header]
            writer.write_table(pa.table({h: pa.array(list(c), type=schema.field(h).type)
                                         for h, c in zip(header, columns)}, schema=schema))
        for row in rows():
            chunk.append(row)
            if len(chunk) >= batch:
                flush()
                chunk = []
        if chunk:
            flush()
