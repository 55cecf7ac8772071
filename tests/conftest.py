"""Shared fixtures: the CMS source beside the repository (optional) and a scratch copy of the tables."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from drg.tables.paths import DATA_DIR

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CMS_SOURCE = SHARED / "cms-msdrg"
CMS_WEIGHTS = SHARED / "cms-weights"


@pytest.fixture
def cms_source() -> Path:
    """../shared/cms-msdrg; tests that need it skip when it is absent (e.g. a fresh clone)."""
    if not (CMS_SOURCE / "versions.csv").exists():
        pytest.skip(f"CMS source not found at {CMS_SOURCE}")
    return CMS_SOURCE


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of the compiled tables that a test may damage."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target
