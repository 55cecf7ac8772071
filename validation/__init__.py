"""drg.validation: compare the billed DRG with the DRG the codes support.

    import drg
    v = drg.validate({"id": "1", "version": 431, "age": 70, "sex": "M", "discharge_status": 1,
                      "pdx": {"code": "I5021", "poa": "Y"}, "sdx": [{"code": "N179", "poa": "Y"}],
                      "procedures": [], "billed_drg": 291})
    v.finding, v.dollar_impact, v.explanation

`validate` takes one claim (a `Claim` or a dict) or many: a list of dicts in the golden JSON
form, or a pandas DataFrame either in that form or in the batch layout `drg group` reads (wide:
claim_id, pdx, sdx1.., proc1..; or long), each row with `billed_drg`, optional `billed_version`,
`length_of_stay`, `provider_id`. In the result frame `billed_drg` is the billed DRG as a
nullable integer (Int64) and `billed_drg_text` the billed value as given. The rule set is `RULES`; the report is `write_report`.
"""
from __future__ import annotations

from typing import Any, Mapping

from drg.claim import Claim
from drg.validation.billed.batch import (frame_rows, read_rows, rows_from_records, validate_rows, validations_frame,
                                  write_validations)
from drg.validation.billed.core import validate_claim
from drg.validation.billed.records import FINDINGS, Driver, Reason, Validation
from drg.validation.billed.rules import RULES
from drg.validation.version_shift import shift   # version shift analysis (the function; the module is version_shift)

__all__ = ["validate", "validate_claim", "validate_rows", "read_rows", "rows_from_records", "frame_rows",
           "write_validations",
           "validations_frame", "Validation", "Reason", "Driver", "RULES", "FINDINGS", "write_report", "summarize",
           "shift"]


def validate(claim_or_frame: Any, billed_drg: Any = None, *, billed_version: Any = None, version: Any = None,
             base_rate: float | None = None, length_of_stay: Any = None, drivers: bool = True) -> Any:
    """Validate one claim (returns a `Validation`) or a DataFrame / list of dicts (returns a DataFrame).

    For one claim, `billed_drg` (and billed_version, length_of_stay) come from the arguments or,
    for a dict, from its own keys. For a frame, each row carries them as columns.
    """
    options = dict(version=version, base_rate=base_rate, drivers=drivers)
    if isinstance(claim_or_frame, Claim):
        return validate_claim(claim_or_frame, billed_drg, billed_version=billed_version,
                              length_of_stay=length_of_stay, **options)
    if isinstance(claim_or_frame, Mapping):
        data = claim_or_frame
        return validate_claim(Claim.from_dict(data), billed_drg if billed_drg is not None else data.get("billed_drg"),
                              billed_version=billed_version if billed_version is not None else data.get("billed_version"),
                              length_of_stay=length_of_stay if length_of_stay is not None else data.get("length_of_stay"),
                              provider_id=data.get("provider_id", ""), **options)
    if hasattr(claim_or_frame, "to_dict") and hasattr(claim_or_frame, "columns"):
        # golden-form columns, or the batch (wide / long) layout matched as drg.io matches a CSV
        return validations_frame(validate_rows(frame_rows(claim_or_frame, version), **options))
    records = [{k: _none_if_nan(v) for k, v in r.items()} for r in claim_or_frame]
    return validations_frame(validate_rows(rows_from_records(records), **options))


def _none_if_nan(value: Any) -> Any:
    """Frames fill missing cells with NaN; claims want None."""
    return None if isinstance(value, float) and value != value else value


def __getattr__(name: str) -> Any:
    if name in ("write_report", "summarize"):
        from drg.validation.reports import validation_report as report
        return getattr(report, name)
    raise AttributeError(f"module 'drg.validation' has no attribute {name!r}")
