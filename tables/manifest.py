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
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise TableIntegrityError(
            f"{path}: manifest is not valid JSON (line {exc.lineno}, column {exc.colno})") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise TableIntegrityError(f"{path}: manifest cannot be read ({type(exc).__name__}); "
                                  "reinstall the package or rebuild with `drg tables build`") from exc
    problem = manifest_shape_problem(manifest)
    if problem:
        raise TableIntegrityError(f"{path}: manifest is malformed ({problem}); "
                                  "reinstall the package or rebuild with `drg tables build`")
    return manifest


_VERSION_KEYS = ("label", "id", "fiscal_year", "effective_from", "effective_through", "source")


def manifest_shape_problem(manifest: object) -> str:
    """What is wrong with the shape of a parsed manifest, in words ("" when nothing is).

    Checked once when the manifest is read, so that the loader, `verify` and the version
    list can index it without meeting a list where an object belongs or a missing key.
    """
    if not isinstance(manifest, dict):
        return f"the top level is a JSON {_json_kind(manifest)}, not an object"
    files = manifest.get("files")
    if not isinstance(files, dict):
        return "'files' is missing or not an object" if files is None else \
            f"'files' is a JSON {_json_kind(files)}, not an object"
    for name, entry in files.items():
        if not isinstance(entry, dict):
            return f"the entry of {name} is not an object"
        if not isinstance(entry.get("bytes"), int) or isinstance(entry.get("bytes"), bool):
            return f"the entry of {name} has no whole-number 'bytes'"
        sha = entry.get("sha256")
        if not isinstance(sha, str) or len(sha) != 64:
            return f"the entry of {name} has no 64-character 'sha256'"
    versions = manifest.get("versions")
    if not isinstance(versions, list):
        return "'versions' is missing or not a list"
    for number, row in enumerate(versions, 1):
        if not isinstance(row, dict):
            return f"version entry {number} is not an object"
        missing = [key for key in _VERSION_KEYS if key not in row]
        if missing:
            return f"version entry {number} lacks {', '.join(repr(k) for k in missing)}"
    return ""


def _json_kind(value: object) -> str:
    """The JSON name of a parsed value's type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    names: dict[type, str] = {str: "string", list: "array", dict: "object"}
    return names.get(type(value), type(value).__name__)


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
    try:
        size = path.stat().st_size
        if size != entry["bytes"]:
            return FileProblem(name, f"size {size} bytes, manifest says {entry['bytes']} (truncated or altered)")
        if full and sha256_of(path) != entry["sha256"]:
            return FileProblem(name, "SHA-256 differs from the manifest (file altered)")
    except OSError as exc:
        return FileProblem(name, f"cannot be read ({exc.strerror or type(exc).__name__})")
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


def check_installed(data_dir: Path = DATA_DIR) -> None:
    """Refuse damaged tables before any work: raise TableIntegrityError naming every bad file.

    What the command line runs once before each command (except `drg tables verify` and
    `drg tables build`), so that a damaged install stops at once with the file named instead
    of failing claim by claim. It hashes every compiled file (about 1.6 MB, a few ms).
    """
    data_dir = Path(data_dir)
    problems = verify(data_dir)
    if problems:
        more = f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
        listed = "; ".join(str(p) for p in problems[:5]) + more
        raise TableIntegrityError(
            f"the MS-DRG tables in {data_dir} are damaged: {listed}. Run `drg tables verify` for the full "
            "list, then reinstall drg-engine (or rebuild the tables with `drg tables build`)")
