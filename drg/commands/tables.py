"""`drg tables ...`: build, verify, list and inspect the compiled MS-DRG tables.

Thin wrappers: the work is in drg.tables (build, manifest, show, render). Heavy imports
happen inside the commands so that `drg --help` stays fast.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click


def _data_dir_option(func):
    return click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                        help="Compiled tables directory (default: the package's own).")(func)


@click.group()
def tables() -> None:
    """Build, verify, list and inspect the versioned MS-DRG tables."""


@tables.command()
@click.option("--source", "source", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="CMS MS-DRG source directory (cms-msdrg, with versions.csv and *.csv.gz).")
@click.option("--weights", "weights", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="CMS weights directory (default: a cms-weights folder beside --source, if present).")
@_data_dir_option
def build(source: Path, weights: Path | None, data_dir: Path | None) -> None:
    """Compile the CMS source into the runtime tables and write the manifest.

    The output is deterministic: building twice from the same source gives byte-identical files.
    """
    from drg.tables.build import build as build_tables
    from drg.tables.paths import DATA_DIR
    from drg.tables.source import SourceError

    if weights is None:
        sibling = source.resolve().parent / "cms-weights"
        weights = sibling if sibling.is_dir() else None
    out = data_dir or DATA_DIR
    click.echo(f"source:  {source}")
    click.echo(f"weights: {weights or 'none (no cms-weights folder beside the source; weights not built)'}")
    click.echo(f"output:  {out}")
    try:
        manifest = build_tables(source, weights, out, progress=lambda line: click.echo(f"  wrote {line}"))
    except SourceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"built {len(manifest['files'])} tables for versions "
               f"{', '.join(v['label'] for v in manifest['versions'])}; manifest.json written")


@tables.command()
@_data_dir_option
def verify(data_dir: Path | None) -> None:
    """Check every compiled file against the manifest (size and SHA-256); exit 1 on any problem."""
    from drg.tables.manifest import TableIntegrityError, read_manifest
    from drg.tables.manifest import verify as verify_tables
    from drg.tables.paths import DATA_DIR

    directory = data_dir or DATA_DIR
    try:
        problems = verify_tables(directory)
        count = len(read_manifest.__wrapped__(directory)["files"])
    except TableIntegrityError as exc:
        raise click.ClickException(str(exc)) from exc
    for problem in problems:
        click.echo(f"BAD  {problem}", err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} of {count} files do not match the manifest in {directory}")
    click.echo(f"ok: all {count} files match the manifest ({directory})")


@tables.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def list_(as_json: bool) -> None:
    """Versions with fiscal year, effective dates, and which weights and base rates exist."""
    from drg.tables.render import render_list
    from drg.tables.show import list_versions

    rows = list_versions()
    click.echo(json.dumps(rows, indent=2) if as_json else render_list(rows))


@tables.command()
@click.argument("version")
@click.argument("kind", type=click.Choice(["dx", "pr", "drg"], case_sensitive=False))
@click.argument("code")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def show(version: str, kind: str, code: str, as_json: bool) -> None:
    """What the tables of VERSION say about a diagnosis (dx), procedure (pr) or DRG.

    \b
    Examples:
      drg tables show 43.1 dx I21.4
      drg tables show 43.1 pr 02703DZ
      drg tables show 43.1 drg 281 --json
    """
    from drg.tables import render
    from drg.tables import show as queries
    from drg.tables.versions import UnknownVersionError

    kind = kind.lower()
    query: Any = {"dx": queries.show_dx, "pr": queries.show_pr, "drg": queries.show_drg}[kind]
    text: Any = {"dx": render.render_dx, "pr": render.render_pr, "drg": render.render_drg}[kind]
    try:
        report = query(version, code)
    except (UnknownVersionError, queries.NotInTables) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(queries.as_json(report), indent=2) if as_json else text(report))


@tables.command()
@click.argument("from_version")
@click.argument("to_version")
@click.argument("kind", required=False, type=click.Choice(["dx", "pr", "drg"], case_sensitive=False))
@click.option("--format", "output_format", type=click.Choice(["text", "csv", "json"]), default="text",
              show_default=True, help="Readable text, one CSV row per change, or JSON.")
def diff(from_version: str, to_version: str, kind: str | None, output_format: str) -> None:
    """What changed in the tables from FROM_VERSION to TO_VERSION (any pair, either direction).

    Codes added/removed, CC/MCC level and MDC changes, O.R. status changes, codes whose
    attributes now lead to other DRGs, DRGs added/removed/retitled. KIND limits it to
    diagnoses (dx), procedures (pr) or DRGs (drg).

    \b
    Examples:
      drg tables diff 43.1 44.0
      drg tables diff 43.1 44.0 drg
      drg tables diff 43.1 44.0 dx --format csv > dx_changes.csv
    """
    import csv
    import sys

    from drg.tables.diff import diff_rows, diff_versions, render_diff
    from drg.tables.versions import UnknownVersionError

    kinds = (kind.lower(),) if kind else ("dx", "pr", "drg")
    try:
        result = diff_versions(from_version, to_version, kinds)
    except UnknownVersionError as exc:
        raise click.ClickException(str(exc)) from exc
    if output_format == "json":
        data = {k: v for k, v in result.to_dict().items() if k not in ("dx", "pr", "drg") or k in kinds}
        click.echo(json.dumps(data, indent=2))
    elif output_format == "csv":
        fields = ["kind", "key", "change", "what", "from", "to", "words"]
        writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(diff_rows(result))
    else:
        click.echo(render_diff(result, kinds))


COMMANDS = [tables]
