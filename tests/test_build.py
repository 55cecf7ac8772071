"""The committed tables are exactly what the importer builds from ../shared (skips without it)."""
from __future__ import annotations

from drg.tables.build import build
from drg.tables.paths import DATA_DIR

from conftest import CMS_WEIGHTS


def _files(directory):
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def test_committed_tables_equal_a_fresh_build(cms_source, tmp_path):
    weights = CMS_WEIGHTS if CMS_WEIGHTS.is_dir() else None
    build(cms_source, weights, tmp_path / "a")
    fresh, committed = _files(tmp_path / "a"), _files(DATA_DIR)
    assert sorted(fresh) == sorted(committed)
    differing = [name for name in fresh if fresh[name] != committed[name]]
    assert differing == [], f"rebuild differs from the committed tables: {differing}"


def test_building_twice_gives_identical_bytes(cms_source, tmp_path):
    build(cms_source, None, tmp_path / "a")
    build(cms_source, None, tmp_path / "b")
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
