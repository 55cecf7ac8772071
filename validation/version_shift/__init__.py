"""Version shift: the same claims grouped under two MS-DRG versions, why each DRG moved
(reasons.py), and the summary of a run (summary.py). The function is drg.validation.shift."""
from drg.validation.version_shift.analysis import (SHIFT_COLUMNS, SHIFT_DTYPES, SUMMARY_COLUMNS, ShiftResult,
                                                   ShiftRowMaker, shift, shift_frame, shift_rows, summary_part)

__all__ = ["shift", "shift_rows", "shift_frame", "summary_part", "ShiftResult", "ShiftRowMaker",
           "SHIFT_COLUMNS", "SHIFT_DTYPES", "SUMMARY_COLUMNS"]
