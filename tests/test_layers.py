"""The layers of the house, checked on the source: every import runs downward.

Bottom to top (docs/DESIGN of the project, README "Layout"):

    drg.tables  ->  the claim model (drg.claim, drg.status)  ->  drg.grouper  ->  drg.validation  ->  the face

A module may import modules of its own layer and of the layers below, never above. Every
`import` and `from ... import` of every .py file in tables/, grouper/, validation/ and drg/
counts, including imports inside functions and under `if TYPE_CHECKING:`: an import run
late is still a dependency. The source folders are mapped to module names the way
pyproject's package-dir mapping installs them (tables/ -> drg.tables, ...).

A second check keeps the grouper's internals its own: code outside drg.grouper imports
the grouper's public names from `drg.grouper` itself (or its result records), not from
the modules that build the engine.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Source folder -> the package it installs as (pyproject.toml [tool.setuptools.package-dir]).
SOURCE_FOLDERS = {"tables": "drg.tables", "grouper": "drg.grouper", "mce": "drg.mce", "validation": "drg.validation",
                  "drg": "drg"}

# Bottom to top. A module belongs to the layer of the longest prefix that names it.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("tables", ("drg.tables",)),
    ("claim model", ("drg.claim", "drg.claim_columns", "drg.status")),
    ("grouper and code editor", ("drg.grouper", "drg.mce")),     # siblings of one rank
    ("validation", ("drg.validation",)),
    ("face", ("drg", "drg.io", "drg.commands", "drg.batch", "drg.partitions", "drg.dask", "drg.spark", "drg.api",
              "drg.cli", "drg.conformance", "drg.mce_conformance", "drg.validating", "drg.workers", "drg.web")),
)

# Modules of drg.grouper that other layers may import by name: the package, its result records
# and the explanation of a grouping.
GROUPER_PUBLIC = frozenset({"drg.grouper", "drg.grouper.result", "drg.grouper.explain"})

# Upward edges still present in files other helpers are rewriting (validation reading files
# through drg.io). This set must shrink to empty: an entry that no longer occurs fails the
# test too, so it cannot go stale.
KNOWN_UPWARD: frozenset[tuple[str, str]] = frozenset()


def module_name(path: Path, root: Path = ROOT) -> tuple[str, bool]:
    """The installed module name of a source file, and whether it is a package's __init__."""
    relative = path.relative_to(root)
    parts = list(relative.with_suffix("").parts)
    package = SOURCE_FOLDERS[parts[0]]
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join([package, *parts[1:]]), is_package


def source_modules() -> dict[str, Path]:
    """Every module of the source tree by its installed name."""
    modules = {}
    for folder in SOURCE_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            modules[module_name(path)[0]] = path
    return modules


def layer_of(module: str) -> int | None:
    """Index in LAYERS of a drg module, None for modules outside drg (stdlib, numpy, ...)."""
    if module != "drg" and not module.startswith("drg."):
        return None
    best, best_length = None, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_length:
                best, best_length = index, len(prefix)
    return best


def imported_modules(path: Path, known: dict[str, Path], root: Path = ROOT) -> list[tuple[str, int]]:
    """(module, line) for every import of a file, relative imports resolved, anywhere in the file."""
    name, is_package = module_name(path, root)
    package = name if is_package else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                # `from drg import claim` imports the module drg.claim; `from drg import group` the package.
                found.append((submodule if submodule in known else target, node.lineno))
    return found


def import_edges() -> list[tuple[str, str, str]]:
    """(importer, imported, where) for every import of a drg module in the source tree."""
    known = source_modules()
    edges = []
    for importer, path in known.items():
        for imported, line in imported_modules(path, known):
            edge = (importer, imported, f"{path.relative_to(ROOT)}:{line}")
            if layer_of(imported) is not None and imported != importer and edge not in edges:
                edges.append(edge)
    return edges


def upward_edges() -> list[tuple[str, str, str]]:
    """The imports that run from a lower layer to a higher one."""
    return [(a, b, where) for a, b, where in import_edges() if layer_of(b) > layer_of(a)]


def test_every_module_has_a_layer():
    """A new module outside the layer prefixes must be given a layer before it is used."""
    unplaced = sorted(name for name in source_modules() if layer_of(name) is None)
    # drg/__init__ is the face; anything else unmatched would fall back to "drg" (the face)
    # silently, so a module directly under drg/ must be named in LAYERS.
    direct = sorted(name for name in source_modules()
                    if name.count(".") == 1 and name.startswith("drg.")
                    and not any(name == p for _, prefixes in LAYERS for p in prefixes)
                    and not any(name == p for p in SOURCE_FOLDERS.values()))
    assert not unplaced and not direct, f"give these modules a layer in LAYERS: {unplaced + direct}"


def test_no_import_runs_upward():
    """Every import of tables/, grouper/, validation/ and drg/ points down or sideways."""
    new = [(a, b, where) for a, b, where in upward_edges() if (a, b) not in KNOWN_UPWARD]
    message = "\n".join(f"{where}: {a} ({LAYERS[layer_of(a)][0]}) imports {b} ({LAYERS[layer_of(b)][0]})"
                        for a, b, where in new)
    assert not new, "upward imports:\n" + message


def test_known_upward_edges_still_exist():
    """KNOWN_UPWARD lists only edges that are still there: remove an entry when its import goes."""
    present = {(a, b) for a, b, _ in upward_edges()}
    stale = sorted(KNOWN_UPWARD - present)
    assert not stale, f"remove from KNOWN_UPWARD, these imports are gone: {stale}"


def test_grouper_internals_stay_inside_the_grouper():
    """Other layers use drg.grouper's public names, not the modules that build the engine."""
    reaching = [(a, b, where) for a, b, where in import_edges()
                if b.startswith("drg.grouper.") and not a.startswith("drg.grouper")
                and b not in GROUPER_PUBLIC]
    assert not reaching, "\n".join(f"{where}: {a} imports {b}" for a, b, where in reaching)


@pytest.mark.parametrize("source, expected", [
    ("import drg.io\n", "drg.io"),
    ("def f():\n    from drg.io.readers import TableRows\n", "drg.io.readers"),
    ("from drg import cli\n", "drg.cli"),
    ("from ... import grouper\n", "drg.grouper"),
])
def test_the_checker_sees_every_form_of_import(tmp_path, source, expected):
    """The walk finds module-level, function-level, `from drg import x` and relative imports."""
    (tmp_path / "tables" / "sub").mkdir(parents=True)
    path = tmp_path / "tables" / "sub" / "probe.py"
    path.write_text(source)
    known = {"drg.cli": path, "drg.grouper": path}
    names = [name for name, _ in imported_modules(path, known, root=tmp_path)]
    assert expected in names
    assert layer_of(expected) > layer_of("drg.tables.sub.probe")
