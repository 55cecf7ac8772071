"""The `drg` command line. Each command family lives in its own module under drg/commands/."""
from __future__ import annotations

import click

from drg import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="drg")
def main() -> None:
    """drg - MS-DRG grouping and DRG validation, exactly as the CMS grouper groups.

    \b
    Examples:
      drg tables list
      drg tables show 43.1 dx I214
    """


def _register() -> None:
    from drg.commands import tables as tables_commands
    main.add_command(tables_commands.tables)
    try:
        from drg.commands import grouping
    except ImportError:  # grouping commands arrive with the grouper
        return
    for command in grouping.COMMANDS:
        main.add_command(command)


_register()

if __name__ == "__main__":
    main()
