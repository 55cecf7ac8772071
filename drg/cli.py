"""The `drg` command line. Each command family lives in its own module under drg/commands/."""
from __future__ import annotations

import importlib

import click

from drg import __version__

# command modules, each exposing COMMANDS (a list of click commands)
COMMAND_MODULES = ("tables", "grouping", "validate", "shift", "edit")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="drg")
def main() -> None:
    """drg - MS-DRG grouping and DRG validation, exactly as the CMS grouper groups.

    \b
    Examples:
      drg group --pdx I5021 --sdx E1165 J9601 --proc 02703DZ --age 67 --sex M --discharge-status 1 --version 43.1
      drg explain --pdx J189 --sdx J9601 I10 --version 43.1
      drg group claims.jsonl -o results.jsonl
      drg tables list
      drg tables show 43.1 dx I214
    """


def _register() -> None:
    for name in COMMAND_MODULES:
        qualified = f"drg.commands.{name}"
        try:
            module = importlib.import_module(qualified)
        except ModuleNotFoundError as exc:
            if exc.name == qualified:   # that command family is not built yet
                continue
            raise
        for command in getattr(module, "COMMANDS", ()):
            main.add_command(command)


_register()

if __name__ == "__main__":
    main()
