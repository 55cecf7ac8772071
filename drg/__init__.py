"""drg: MS-DRG grouping and DRG validation, exactly as the CMS grouper groups.

    import drg
    result = drg.group({"id": "1", "version": 431, "sex": "M", "discharge_status": 1,
                        "pdx": {"code": "I5021", "poa": "Y"}, "sdx": [], "procedures": []})
    result.final_drg

A malformed claim dict raises `drg.InvalidClaimError` (a ValueError naming the field, never
its value). The top-level names are loaded on first use so that `import drg` stays cheap.
"""
from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "Claim": "drg.claim",
    "Diagnosis": "drg.claim",
    "group": "drg.api",
    "explain": "drg.api",
    "GroupingResult": "drg.grouper",
    "group_frame": "drg.batch",
    "group_arrow": "drg.batch",
    "validate": "drg.api",
    "shift": "drg.validating",
    "InvalidClaimError": "drg.claim",
    "RowStatus": "drg.status",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'drg' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
