"""Version shift on DataFrames in the batch (wide) layout, the module layout, and the streaming CLI."""
from __future__ import annotations

import importlib
import json
import types

import pandas as pd
import pytest
from click.testing import CliRunner

import drg.validating
import drg.validation
from drg.cli import main
from drg.validation.version_shift.summary import summarize_shift
from drg.validation.version_shift import SHIFT_COLUMNS, SHIFT_DTYPES, shift_rows, summary_part
from drg.io import wide_record  # noqa: E402

from golden_samples import golden_claims  # noqa: E402


def values(column: pd.Series) -> list:
    """Nulls (NaN, NA, None) as None, so that lists compare."""
    return [None if pd.isna(v) else v for v in column.tolist()]


@pytest.fixture(scope="module")
def claims() -> list[dict]:
    return golden_claims(300)


@pytest.mark.parametrize("with_version", [True, False])
def test_wide_frame_uses_the_from_version(claims, with_version) -> None:
    """A wide frame with no discharge date (with or without its own version column) is grouped under
    both versions, as the same claims in the golden form are; none is MISSING_VERSION."""
    frame = pd.DataFrame([wide_record(c, with_version) for c in claims])
    got = drg.validating.shift(frame, "42.1", "43.0").claims
    expected = drg.validation.shift(claims, "42.1", "43.0").claims
    assert len(got) == len(claims)
    assert "MISSING_VERSION" not in set(got["status"])
    assert got["claim_id"].tolist() == [c["id"] for c in claims]
    assert got["to_drg"].notna().sum() >= 0.95 * len(claims)
    grouped = expected["from_drg"].notna() & got["from_drg"].notna()
    assert grouped.sum() >= 0.95 * len(claims)
    for column in ("from_drg", "to_drg", "from_weight", "to_weight", "drg_changed", "reason_kinds"):
        assert values(got.loc[grouped, column]) == values(expected.loc[grouped, column]), column


def test_golden_form_frame(claims) -> None:
    frame = pd.DataFrame(claims[:40]).drop(columns=["version"])
    got = drg.validating.shift(frame, "43.1", "44.0").claims
    assert "MISSING_VERSION" not in set(got["status"]) and got["to_drg"].notna().all()
    assert got["to_drg"].tolist() == drg.validation.shift(claims[:40], "43.1", "44.0").claims["to_drg"].tolist()


def test_shift_is_a_function_and_the_module_is_version_shift() -> None:
    module = importlib.import_module("drg.validation.version_shift")
    assert isinstance(module, types.ModuleType)
    assert callable(drg.validation.shift) and drg.validation.shift is module.shift
    with pytest.raises(ImportError):
        importlib.import_module("drg.validation.shift")


def test_frame_dtypes_do_not_depend_on_the_rows() -> None:
    good = {"id": "a", "version": 431, "age": 70, "sex": "M", "discharge_status": 1,
            "hospital_status": "NON_EXEMPT", "pdx": {"code": "I5021", "poa": "Y"}, "sdx": [], "procedures": []}
    only_good = shift_rows([good], "43.1", "44.0")
    with_bad = shift_rows([good, "not a claim"], "43.1", "44.0")
    assert only_good.dtypes.to_dict() == with_bad.dtypes.to_dict()
    assert str(with_bad["from_drg"].dtype) == "Int64" and pd.isna(with_bad["from_drg"].iloc[1])
    assert {c: str(t) for c, t in with_bad.dtypes.items()} == {c: str(pd.Series([], dtype=t).dtype)
                                                               for c, t in SHIFT_DTYPES.items()}


def test_summary_from_the_small_columns_equals_the_full_summary(claims) -> None:
    full = drg.validation.shift(claims, "43.1", "44.0").claims
    assert full["drg_changed"].any()
    parts = [summary_part(full.iloc[:100]), summary_part(full.iloc[100:])]
    small = pd.concat(parts, ignore_index=True)
    assert "reasons" not in small.columns and "claim_id" not in small.columns
    assert summarize_shift(small, "43.1", "44.0").to_dict() == summarize_shift(full, "43.1", "44.0").to_dict()


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl", ".csv.gz"])
def test_cli_streams_chunks_with_the_same_rows(tmp_path, claims, monkeypatch, suffix) -> None:
    """Chunk by chunk (chunks of 64 here): the same rows as the whole-frame API, in order, one
    dtype per column across chunks, and the same summary."""
    import drg.commands.shift as command

    monkeypatch.setattr(command, "CHUNK_SIZE", 64)
    source = tmp_path / "claims.jsonl"
    bad = {"id": "bad", "version": 431, "age": "old", "sex": "M", "pdx": {"code": "I5021", "poa": "Y"}}
    lines = [json.dumps(c) for c in claims[:150]] + [json.dumps(bad)] + [json.dumps(c) for c in claims[150:]]
    source.write_text("\n".join(lines) + "\n")
    out, summary_json = tmp_path / f"shift{suffix}", tmp_path / "summary.json"
    result = CliRunner().invoke(main, ["shift", str(source), "--from", "43.1", "--to", "44.0", "-o", str(out),
                                       "--summary-json", str(summary_json)])
    assert result.exit_code == 0, result.output
    assert not list(tmp_path.glob("*.partial"))

    from drg.io import read_claims
    rows = [r for chunk in read_claims(source, version="43.1") for r in chunk]
    expected = shift_rows(rows, "43.1", "44.0")
    if suffix == ".parquet":
        got = pd.read_parquet(out)
        assert str(got["from_drg"].dtype) == "Int64"          # the bad row's null does not make it float
    elif suffix == ".jsonl":
        got = pd.read_json(out, lines=True, dtype=False)
    else:
        got = pd.read_csv(out, dtype={c: str for c in ("from_version", "to_version")}, keep_default_na=False,
                          na_values=[""])
    assert list(got.columns) == list(SHIFT_COLUMNS) and len(got) == len(claims) + 1
    bad_row = got.iloc[150]
    assert bad_row["claim_id"] == "bad" and bad_row["status"] == "INVALID_AGE_VALUE" and pd.isna(bad_row["from_drg"])
    for column in ("row_number", "claim_id", "status", "from_drg", "to_drg", "from_mdc", "from_severity",
                   "drg_changed", "reason_kinds", "reasons_json"):
        left, right = values(got[column]), values(expected[column])
        if SHIFT_DTYPES[column] == "str":      # CSV reads an empty text as null
            left, right = (["" if v is None else v for v in side] for side in (left, right))
        assert left == right, column
    for column in ("from_weight", "to_weight", "weight_change"):
        assert got[column].fillna(-1).round(6).tolist() == expected[column].fillna(-1).round(6).tolist(), column
    written = json.loads(summary_json.read_text())
    assert written == json.loads(json.dumps(summarize_shift(expected, "43.1", "44.0").to_dict()))
