"""The --scheduler option shared by `drg group`, `drg validate` and `drg shift` (Dask scale-out)."""
from __future__ import annotations

import click


def scheduler_option(extra_help: str = ""):
    """--scheduler ADDRESS|local:N: run the file job on Dask (drg.dask.run_on_dask)."""
    return click.option(
        "--scheduler", default=None, metavar="ADDRESS|local:N",
        help="Run INPUT (Parquet file or directory, or CSV; wide layout) on Dask: a scheduler address "
             "(tcp://host:8786) or local:N for N local worker processes. -o DIR writes one Parquet file "
             "per partition. " + (extra_help + " " if extra_help else "") + "Needs drg-engine[dask].")
