"""`drg validate INPUT -o DIR --scheduler ...` runs the validation on Dask (drg.dask.run_on_dask)."""
from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")

import pandas as pd  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from drg.cli import main  # noqa: E402
from drg.validating import validate  # noqa: E402

from golden_samples import golden_claims  # noqa: E402
from drg.io import wide_record  # noqa: E402


def test_cli_validate_with_scheduler(tmp_path: Path) -> None:
    claims = golden_claims(40)
    frame = pd.DataFrame([dict(wide_record(c, include_version=False), billed_drg=str(291 + n % 3))
                          for n, c in enumerate(claims)])
    source = tmp_path / "claims.parquet"
    frame.to_parquet(source, index=False)
    out = tmp_path / "validated"
    result = CliRunner().invoke(main, ["validate", str(source), "-o", str(out), "--version", "43.1",
                                       "--no-drivers", "--scheduler", "local:1"])
    assert result.exit_code == 0, result.output
    written = pd.concat([pd.read_parquet(p) for p in sorted(out.glob("part.*.parquet"))], ignore_index=True)
    expected = validate(frame, version="43.1", drivers=False)
    assert written["id"].tolist() == [c["id"] for c in claims]
    assert written["row_number"].tolist() == list(range(1, len(claims) + 1))
    assert (written["status"] != "MISSING_VERSION").all()
    assert written["finding"].tolist() == expected["finding"].tolist()
    assert written["billed_drg"].tolist() == expected["billed_drg"].tolist()

    refused = CliRunner().invoke(main, ["validate", str(source), "-o", str(out), "--report", str(tmp_path / "r.html"),
                                        "--scheduler", "local:1"])
    assert refused.exit_code != 0 and "--report" in refused.output
