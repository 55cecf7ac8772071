"""The `drg` command line. Each command family lives in its own module under drg/commands/."""
from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import click

from drg import __version__

# every command and its module under drg/commands/ (each module exposes COMMANDS, a list of click
# commands). A module is imported only when one of its commands runs (or help lists them all), so
# a one-claim `drg group` does not pay for the code editor, the validation reports or the server.
COMMAND_MODULES = {"tables": "tables", "group": "grouping", "explain": "grouping", "validate": "validate",
                   "shift": "shift", "edit": "edit", "serve": "serve"}

# `drg tables verify` and `drg tables build` judge or replace the tables themselves, so they
# run on damaged tables; every other command refuses them first.
UNCHECKED_TABLE_COMMANDS = frozenset({"verify", "build"})
HELP_FLAGS = frozenset({"-h", "--help"})
_ARGS_KEY = "drg.arguments"
INTERRUPTED_EXIT_CODE = 130


def needs_table_check(arguments: list[str], commands: Mapping[str, Any]) -> bool:
    """Whether a command line (the words after `drg`) uses the installed tables.

    Help (`-h`/`--help` anywhere), an unknown command, a bare `drg tables` and
    `drg tables verify|build` do not; every other command does.
    """
    if HELP_FLAGS.intersection(arguments):
        return False
    words = [word for word in arguments if not word.startswith("-")]
    if not words or words[0] not in commands:
        return False
    if words[0] == "tables":
        return len(words) > 1 and words[1] not in UNCHECKED_TABLE_COMMANDS
    return True


def refuse_damaged_tables() -> None:
    """Stop with a plain error (exit 1, no traceback) when an installed table file is damaged."""
    from drg.tables.manifest import TableIntegrityError, check_installed

    try:
        check_installed()
    except TableIntegrityError as exc:
        raise click.ClickException(str(exc)) from None


class DrgGroup(click.Group):
    """The top-level group: checks the installed tables once before a command that uses them,
    turns a TableIntegrityError met later (e.g. a file damaged during the run) into a plain
    error instead of a traceback, ends on Ctrl-C with one line and exit status 130, and on
    SIGTERM removes its temporary output files and exits 143."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[_ARGS_KEY] = list(args)
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMAND_MODULES) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            register_commands(COMMAND_MODULES[cmd_name])
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        from drg.io.atomic import exit_cleanly_on_sigterm
        from drg.tables.manifest import TableIntegrityError

        if needs_table_check(ctx.meta.get(_ARGS_KEY, []), COMMAND_MODULES):
            refuse_damaged_tables()
        exit_cleanly_on_sigterm()       # SIGTERM ends a run like an error: no temporary file left behind
        try:
            return super().invoke(ctx)
        except TableIntegrityError as exc:
            raise click.ClickException(damaged_tables_message(str(exc))) from None
        except KeyboardInterrupt:
            # Ctrl-C: one line and the shell's status for SIGINT (128 + 2), not click's "Aborted!" / 1
            click.echo("\ndrg: interrupted (Ctrl-C); stopped", err=True)
            raise click.exceptions.Exit(INTERRUPTED_EXIT_CODE) from None


def damaged_tables_message(text: str) -> str:
    """A TableIntegrityError's text, with what to do next when it does not say so already."""
    if "drg tables verify" not in text:
        text += "; run `drg tables verify`"
    if "reinstall" not in text:
        text += "; reinstall drg-engine if the installed tables are damaged"
    return text


@click.group(cls=DrgGroup, context_settings={"help_option_names": ["-h", "--help"]})
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


def register_commands(module_name: str) -> None:
    """Add the COMMANDS of one module under drg/commands/ to `drg` (nothing when that command
    family is not built yet)."""
    qualified = f"drg.commands.{module_name}"
    try:
        module = importlib.import_module(qualified)
    except ModuleNotFoundError as exc:
        if exc.name == qualified:
            return
        raise
    for command in getattr(module, "COMMANDS", ()):
        main.add_command(command)


if __name__ == "__main__":
    main(prog_name="drg")
