"""The manifest of the compiled tables, and integrity checks against it.

The manifest lists every version (label, CMS id, fiscal year, effective dates) and every
compiled file with its row count, byte size and SHA-256, plus where the source came from.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from drg.tables.paths import DATA_DIR, MANIFEST_NAME


class TableIntegrityError(RuntimeError):
    """A compiled table file is missing, truncated or altered."""


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@lru_cache(maxsize=4)
def read_manifest(data_dir: Path = DATA_DIR) -> dict:
    """The parsed manifest.json of a data directory (cached; `verify` bypasses the cache)."""
    path = data_dir / MANIFEST_NAME
    if not path.exists():
        raise TableIntegrityError(f"{path}: manifest not found; rebuild with `drg tables build --source DIR`")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise TableIntegrityError(
            f"{path}: manifest is not valid JSON (line {exc.lineno}, column {exc.colno})") from exc


@dataclass(frozen=True)
class FileProblem:
    """One file that does not match the manifest."""

    file: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}: {self.problem}"


def check_bytes(name: str, data: bytes, entry: dict) -> FileProblem | None:
    """Compare a file's content, already read, with its manifest entry (size, then SHA-256).

    The loader reads each file once and checks and parses the same bytes, so a check costs
    one hash of at most a few hundred kilobytes.
    """
    if len(data) != entry["bytes"]:
        return FileProblem(name, f"size {len(data)} bytes, manifest says {entry['bytes']} (truncated or altered)")
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        return FileProblem(name, "SHA-256 differs from the manifest (file altered)")
    return None


def check_file(data_dir: Path, name: str, entry: dict, full: bool = True) -> FileProblem | None:
    """Compare one file with its manifest entry: presence, size and (when `full`) SHA-256."""
    path = data_dir / name
    if not path.exists():
        return FileProblem(name, "missing")
    size = path.stat().st_size
    if size != entry["bytes"]:
        return FileProblem(name, f"size {size} bytes, manifest says {entry['bytes']} (truncated or altered)")
    if full and sha256_of(path) != entry["sha256"]:
        return FileProblem(name, "SHA-256 differs from the manifest (file altered)")
    return None


def verify(data_dir: Path = DATA_DIR) -> list[FileProblem]:
    """Every problem found in the compiled tables in `data_dir`; an empty list means all is well.

    Reads the manifest afresh (not the cached copy) so that a rebuilt or damaged
    directory is judged by what is on disk now. Parquet files in the directory that the
    manifest does not list are reported too, since the loader would refuse them.
    """
    data_dir = Path(data_dir)
    manifest = read_manifest.__wrapped__(data_dir)
    problems = []
    for name, entry in sorted(manifest["files"].items()):
        problem = check_file(data_dir, name, entry)
        if problem:
            problems.append(problem)
    for path in sorted(data_dir.glob("*.parquet")):
        if path.name not in manifest["files"]:
            problems.append(FileProblem(path.name, "not listed in the manifest"))
    return problems
