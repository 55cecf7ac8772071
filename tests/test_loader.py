"""load(): one immutable, cached table set per version, with the source's documented key counts."""
from __future__ import annotations

import dataclasses

import pytest

from drg.tables import load

# keys per version from cms-msdrg/README.md (dx_codes, cluster ids of pr_cluster_ids)
DX_KEYS = {"40.0": 73639, "40.1": 73674, "41.0": 74044, "42.0": 74260, "43.0": 74719, "43.1": 74719, "44.0": 74879}
FORMULAS = {"40.0": 877, "41.1": 823, "42.0": 830, "43.1": 828, "44.0": 824}


@pytest.mark.parametrize("label, count", DX_KEYS.items())
def test_diagnosis_counts_match_the_source_readme(label, count):
    assert len(load(label).diagnoses) == count


@pytest.mark.parametrize("label, count", FORMULAS.items())
def test_formula_counts_match_the_source_readme(label, count):
    assert sum(len(rows) for rows in load(label).formulas.values()) == count


def test_cached_and_immutable():
    tables = load("43.1")
    assert load(431) is tables and load("v43.1") is tables
    with pytest.raises(dataclasses.FrozenInstanceError):
        tables.version = None
    with pytest.raises(TypeError):
        tables.diagnoses["X"] = None


def test_weights_of_the_fiscal_year():
    tables = load("43.1")
    assert tables.base_rate is not None and tables.base_rate.fiscal_year == 2026
    assert all(w.fiscal_year == 2026 for w in tables.weights.values())
    assert 281 in tables.weights


def test_formulas_in_evaluation_order():
    for rows in load("43.1").formulas.values():
        keys = [(f.rank, f.list_index) for f in rows]
        assert keys == sorted(keys)
