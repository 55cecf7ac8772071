"""The row statuses validation and the version shift give a row, one constant each.

A row status says whether a row could be validated (OK) or why not. These are the spellings of
the batch path (drg/batch.py, README's status table): a grouper failure is GROUPER_ERROR
everywhere. Kept as plain strings, one place for all of validation, so that they can point at
the claim model's row-status enum (drg.status.RowStatus) in a single edit once it exists.
"""
from __future__ import annotations

OK = "OK"
INVALID_RECORD = "INVALID_RECORD"              # the row could not be read as a claim
UNKNOWN_VERSION = "UNKNOWN_VERSION"            # no MS-DRG version for the claim
GROUPER_ERROR = "GROUPER_ERROR"                # the engine failed on the claim (a bug: please report it)
INVALID_BILLED_VERSION = "INVALID_BILLED_VERSION"   # billed_version is no available MS-DRG version
MISSING_BILLED_DRG = "MISSING_BILLED_DRG"      # grouped, but no billed DRG to compare with

__all__ = ["OK", "INVALID_RECORD", "UNKNOWN_VERSION", "GROUPER_ERROR", "INVALID_BILLED_VERSION",
           "MISSING_BILLED_DRG"]
