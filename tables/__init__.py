"""Versioned MS-DRG definition tables: build them from CMS source, verify them, load them.

The tables package never knows about claims; the grouper asks it for one version's
`TableSet` through `load`.
"""
from drg.tables.versions import Version, available_versions, parse_version, version_for
from drg.tables.manifest import TableIntegrityError, verify
from drg.tables.loader import TableSet, load
from drg.tables.cache import TableSetCache

__all__ = [
    "TableSet",
    "TableSetCache",
    "TableIntegrityError",
    "Version",
    "available_versions",
    "load",
    "parse_version",
    "verify",
    "version_for",
]
