"""`drg shift INPUT -o DIR --scheduler ...` runs the shift on Dask (drg.dask.run_on_dask), with its summary."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")

import pandas as pd  # noqa: E402
from click.testing import CliRunner  # noqa: E402

import drg.validating  # noqa: E402
from drg.cli import main  # noqa: E402

from golden_samples import golden_claims  # noqa: E402
from drg.io import wide_record  # noqa: E402


def test_cli_shift_with_scheduler(tmp_path: Path) -> None:
    claims = golden_claims(60)
    frame = pd.DataFrame([wide_record(c, include_version=False) for c in claims])
    source = tmp_path / "claims.parquet"
    frame.to_parquet(source, index=False)
    out, summary_json = tmp_path / "shifted", tmp_path / "summary.json"
    result = CliRunner().invoke(main, ["shift", str(source), "--from", "43.1", "--to", "44.0", "-o", str(out),
                                       "--summary-json", str(summary_json), "--scheduler", "local:1"])
    assert result.exit_code == 0, result.output
    written = pd.concat([pd.read_parquet(p) for p in sorted(out.glob("part.*.parquet"))], ignore_index=True)
    expected = drg.validating.shift(frame, "43.1", "44.0")
    assert written["claim_id"].tolist() == [c["id"] for c in claims]
    assert (written["status"] != "MISSING_VERSION").all()
    assert written["to_drg"].tolist() == expected.claims["to_drg"].tolist()
    summary = json.loads(summary_json.read_text())
    assert summary["claims"] == len(claims)
    assert summary == json.loads(json.dumps(expected.summary.to_dict()))

    refused = CliRunner().invoke(main, ["shift", str(source), "--from", "43.1", "--to", "44.0",
                                        "-o", str(tmp_path / "x.csv"), "--scheduler", "local:1"])
    assert refused.exit_code != 0 and "directory" in refused.output
