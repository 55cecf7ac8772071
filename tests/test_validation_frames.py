"""drg.validate on DataFrames in the batch (wide) layout, and the billed_drg column's dtype."""
from __future__ import annotations


import pandas as pd
import pytest

import drg.validation
from drg.validating import validate, write_validations
from drg.io import wide_record  # noqa: E402

from golden_samples import golden_claims  # noqa: E402


def values(column: pd.Series) -> list:
    return [v if isinstance(v, (list, dict)) else None if pd.isna(v) else v for v in column.tolist()]


@pytest.fixture(scope="module")
def claims() -> list[dict]:
    return golden_claims(120)


BILLED = [291, "292", 193, "29I", None, 871]       # ints, text, not a number, missing


def test_wide_frame_gives_the_golden_form_results(claims) -> None:
    billed = [BILLED[n % len(BILLED)] for n in range(len(claims))]
    wide = pd.DataFrame([dict(wide_record(c), billed_drg=b, provider_id=f"P{n % 3}")
                         for n, (c, b) in enumerate(zip(claims, billed))])
    got = validate(wide, drivers=False)
    expected = validate([dict(c, billed_drg=b, provider_id=f"P{n % 3}")
                         for n, (c, b) in enumerate(zip(claims, billed))],
                        drivers=False)
    assert len(got) == len(claims) and got["id"].tolist() == [c["id"] for c in claims]
    assert not set(got["status"]) & {"MISSING_VERSION", "INVALID_RECORD"}
    assert got["finding"].value_counts().get("BILLED_DRG_INVALID", 0) >= len(claims) // len(BILLED)
    for column in ("finding", "expected_drg", "billed_drg", "weight_delta", "rule_hits", "provider_id", "explanation"):
        assert values(got[column]) == values(expected[column]), column
    assert str(got["billed_drg"].dtype) == "Int64"
    assert got["billed_drg"].tolist()[:6] == [291, 292, 193, pd.NA, pd.NA, 871]
    assert got["billed_drg_text"].tolist()[:6] == ["291", "292", "193", "29I", "", "871"]


def test_billed_column_found_by_header_matching_and_the_run_version(claims) -> None:
    rows = [dict(wide_record(c, include_version=False), **{"Billed DRG": 291}) for c in claims[:10]]
    got = validate(pd.DataFrame(rows), version="43.1", drivers=False)
    assert (got["status"] != "MISSING_VERSION").all() and (got["version"] == "43.1").all()
    assert (got["billed_drg"] == 291).all() and got["finding"].ne("").all()


def test_billed_drg_dtype_does_not_depend_on_the_rows(claims) -> None:
    clean = pd.DataFrame([dict(wide_record(c), billed_drg=291) for c in claims[:4]])
    mixed = clean.astype({"billed_drg": object})
    mixed.loc[1, "billed_drg"], mixed.loc[2, "billed_drg"] = "29I", None
    a, b = validate(clean, drivers=False), validate(mixed, drivers=False)
    assert a["billed_drg"].dtype == b["billed_drg"].dtype == "Int64"
    assert a["billed_drg_text"].dtype == b["billed_drg_text"].dtype
    assert values(b["billed_drg"]) == [291, None, None, 291]
    assert b["finding"].iloc[1] == "BILLED_DRG_INVALID" and b["billed_drg_text"].iloc[1] == "29I"


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_written_billed_drg_stays_an_integer(tmp_path, claims, suffix) -> None:
    data = [dict(c, billed_drg=b) for c, b in zip(claims[:6], BILLED)]
    rows = list(drg.validation.validate_items(drg.validation.billed_claims_from_records(data), drivers=False))
    path = tmp_path / f"out{suffix}"
    write_validations(rows, path)
    frame = pd.read_csv(path) if suffix == ".csv" else pd.read_parquet(path)
    assert values(frame["billed_drg"]) == [291, 292, 193, None, None, 871]
    if suffix == ".csv":     # written as whole numbers ("291", never "291.0"), empty when missing
        text = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert text["billed_drg"].tolist() == ["291", "292", "193", "", "", "871"]
    else:
        assert pd.api.types.is_integer_dtype(frame["billed_drg"].dtype)
    assert str(frame["billed_drg_text"].iloc[3]) == "29I"
