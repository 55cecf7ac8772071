"""`drg tables ...`: build, verify, list and inspect the compiled MS-DRG tables."""
from __future__ import annotations

import click


@click.group()
def tables() -> None:
    """Build, verify, list and inspect the versioned MS-DRG tables."""
