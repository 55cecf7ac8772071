"""The built wheel is the product: build it, install it (not editable) into a fresh virtual
environment, import every module of the source tree from it, and run one command.

The editable install that development and CI use resolves drg.tables, drg.grouper and
drg.validation through the package-dir mapping at import time, so a subpackage missing
from setup.py's package list would import fine there and be absent from the wheel. This
test sees the wheel itself. The new environment reuses the test runner's dependencies
(numpy, pandas, pyarrow, click) through a .pth line, so nothing is downloaded.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from test_layers import ROOT, source_modules

pytestmark = pytest.mark.packaging


def _run(*command: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=environment)


# What the build reads. It runs on a clean copy: setuptools' build/ folder in a working tree
# would otherwise put modules of an earlier build into the wheel and hide a missing package.
BUILD_INPUTS = ("pyproject.toml", "setup.py", "README.md", "drg", "tables", "grouper", "mce", "validation")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in BUILD_INPUTS:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    done = _run(sys.executable, "-m", "pip", "wheel", str(source), "--no-deps",
                "-q", "-w", str(out), cwd=out, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    (built,) = out.glob("drg_engine-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv holding the wheel; its python."""
    env_dir = tmp_path_factory.mktemp("venv") / "env"
    done = _run(sys.executable, "-m", "venv", "--without-pip", str(env_dir), cwd=env_dir.parent)
    assert done.returncode == 0, done.stderr
    python = env_dir / "bin" / "python"
    site = Path(_run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                     cwd=env_dir.parent).stdout.strip())
    # the runner's dependencies, appended after the venv's own site-packages
    (site / "runner_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    done = _run(sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                "-q", str(wheel), cwd=env_dir.parent, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    return python


def test_the_wheel_holds_every_module_of_the_source_tree(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {}
    for module, path in source_modules().items():
        inside = module.replace(".", "/") + ("/__init__.py" if path.name == "__init__.py" else ".py")
        expected[module] = inside
    missing = sorted(module for module, inside in expected.items() if inside not in names)
    assert not missing, f"modules missing from the wheel: {missing}"
    assert "drg/tables/data/manifest.json" in names


def test_every_module_imports_from_the_installed_wheel(installed):
    modules = sorted(source_modules())
    script = (
        "import importlib, json, sys\n"
        "failed, files = {}, {}\n"
        f"for name in {modules!r}:\n"
        "    try:\n"
        "        files[name] = importlib.import_module(name).__file__\n"
        "    except Exception as error:\n"
        "        failed[name] = f'{type(error).__name__}: {error}'\n"
        "print(json.dumps({'failed': failed, 'files': files}))\n"
    )
    done = _run(str(installed), "-I", "-c", script, cwd=installed.parent)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert not report["failed"]
    prefix = str(installed.parent.parent)
    elsewhere = sorted(name for name, file in report["files"].items() if not file.startswith(prefix))
    assert not elsewhere, f"imported from outside the installed wheel: {elsewhere}"


def test_the_installed_command_groups_a_claim(installed):
    drg = installed.parent / "drg"
    done = _run(str(drg), "group", "--pdx", "I5021", "--version", "43.1", cwd=installed.parent)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "DRG        293" in done.stdout and "MS-DRG version 43.1" in done.stdout
