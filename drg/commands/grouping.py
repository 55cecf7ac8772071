"""`drg group` and `drg explain`: one claim from flags, or a claims file."""
from __future__ import annotations

import dataclasses
import json
import sys

import click

from drg.io.records import MalformedFileError
from drg.io.formats import INPUT_FORMAT_NAMES, OUTPUT_FORMAT_NAMES
from drg.io.x12 import hospital_status_for_x12

from drg.commands.scheduler import scheduler_option

from drg.claim import Claim
from drg.tables.cms import discharge_status_value

CLAIM_FLAGS = [
    click.option("--pdx", help="Principal diagnosis (ICD-10-CM, dots allowed, e.g. I50.21)."),
    click.option("--pdx-poa", default="Y", show_default=True, help="POA indicator of the principal diagnosis."),
    click.option("--sdx", multiple=True,
                 help="Secondary diagnoses, space separated after one flag or repeated; CODE:POA sets a POA "
                      "(default Y), e.g. --sdx E1165 J9601:N."),
    click.option("--proc", "procedures", multiple=True, help="ICD-10-PCS procedures, first = principal procedure."),
    click.option("--age", type=int, default=None, help="Age in years."),
    click.option("--sex", type=click.Choice(["M", "F", "U"], case_sensitive=False), default="U", show_default=True),
    click.option("--discharge-status", type=int, default=1, show_default=True,
                 help="UB-04 patient discharge status (1 home, 20 died, 2 transfer to acute care, ...)."),
    click.option("--hospital-status", type=click.Choice(["NON_EXEMPT", "EXEMPT", "UNKNOWN"], case_sensitive=False),
                 default="NON_EXEMPT", show_default=True,
                 help="The hospital's POA reporting status (HAC logic); with an "
                 "X12 837I file, every claim's (the 837I does not carry it)."),
    click.option("--version", "version", default=None,
                 help="MS-DRG version (43.1, 431 or v43.1). Default: from --discharge-date, else the newest."),
    click.option("--discharge-date", default=None, help="YYYY-MM-DD; picks the version by CMS effective dates."),
    click.option("--id", "claim_id", default="claim", show_default=True, help="Claim id shown in the output."),
]


MULTI_VALUE_FLAGS = ("--sdx", "--proc")


class MultiValueCommand(click.Command):
    """Lets `--sdx A B C` mean `--sdx A --sdx B --sdx C` (and the same for --proc)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        expanded: list[str] = []
        current = None
        for arg in args:
            if arg in MULTI_VALUE_FLAGS:
                current = arg
                continue
            if current is not None and not arg.startswith("-"):
                expanded.extend([current, arg])
                continue
            current = None
            expanded.append(arg)
        return super().parse_args(ctx, expanded)


def claim_options(function):
    for option in reversed(CLAIM_FLAGS):
        function = option(function)
    return function


def _split_codes(values: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for value in values:
        out.extend(part for part in value.replace(",", " ").split() if part)
    return out


UNKNOWN_DISCHARGE_STATUS = ("INVALID_DISCHARGE_STATUS",
                            "discharge status is not a UB-04 code the grouper knows; grouped as no status")


def claim_from_flags(pdx, pdx_poa, sdx, procedures, age, sex, discharge_status, hospital_status,
                     version, discharge_date, claim_id, extra_args: tuple[str, ...] = (),
                     takes_input: bool = True) -> Claim:
    """A Claim from command-line flags, checked by the same rules as a row of a claims file.

    The fields go through the batch path's row check (drg.io.normalize.build_row), so a flag
    value that a file row would flag (an age outside 0-124, a POA indicator that is not
    Y/N/U/W/1/E/X/blank, ...) is flagged here too: a warning on standard error, the claim
    grouped as the file path groups it (an invalid POA as X). A problem that stops a file row
    from being grouped stops the command. The version is left as given (or the newest, when
    neither --version nor --discharge-date is given) for the command to resolve.
    `takes_input`: whether the command also takes an INPUT file (explain does not).
    """
    from drg.io.normalize import build_row as check_claim_fields
    from drg.tables import available_versions

    if not pdx:
        raise click.UsageError("give a principal diagnosis with --pdx"
                               + (" (or an INPUT file)" if takes_input else ""))
    secondary = []
    for item in _split_codes(sdx):
        code, _, poa = item.partition(":")
        secondary.append((code, poa or "Y"))
    newest = available_versions()[-1]
    fields = {"id": claim_id, "age": age, "sex": sex, "discharge_status": discharge_status,
              "hospital_status": hospital_status, "pdx": (pdx, pdx_poa), "admit_dx": None,
              "sdx": secondary, "procedures": _split_codes(procedures)}
    # the version is resolved by the command (its messages list the versions); any known one
    # lets the row check judge the other fields
    row = check_claim_fields(1, fields, version=newest)
    problems = [(row.status, row.message)] if row.message else []
    if discharge_status is not None and discharge_status_value(discharge_status) is None \
            and "discharge status" not in row.message:
        problems.append(UNKNOWN_DISCHARGE_STATUS)
    if row.claim is None:
        raise click.UsageError(f"{row.status}: {row.message}")
    for status, message in problems:
        click.echo(f"warning: {status}: {message}", err=True)
    if version is None and discharge_date is None:
        version = newest.id
    return dataclasses.replace(row.claim, version=version, discharge_date=None)


def _prepare(params: dict, takes_input: bool = True) -> Claim:
    """The one claim of a command's flags (group, explain, validate), warnings printed."""
    import datetime as dt
    claim = claim_from_flags(**params, takes_input=takes_input)
    if params["discharge_date"]:
        # the date picks the version when --version is not given, and is the MCE's discharge date
        try:
            claim = Claim(**{**{f: getattr(claim, f) for f in claim.__slots__},
                             "version": params["version"],
                             "discharge_date": dt.date.fromisoformat(params["discharge_date"])})
        except ValueError as exc:
            raise click.BadParameter(f"{params['discharge_date']!r} is not a date (YYYY-MM-DD)",
                                     param_hint="--discharge-date") from exc
    return claim


STAY_FLAGS = [
    click.option("--los", "los", type=int, default=None,
                 help="Length of stay in days (for the MCE's length-of-stay edit)."),
    click.option("--admit-date", default=None,
                 help="YYYY-MM-DD: the length of stay is the discharge date minus it, when --los is not given."),
]


def stay_options(function):
    for option in reversed(STAY_FLAGS):
        function = option(function)
    return function


def claim_edits(claim: Claim, discharge_date: str | None, los: int | None, admit_date: str | None):
    """The MCE result of a one-claim command's claim (drg.mce), or None without a discharge date:
    the MCE selects its tables by discharge date, not by MS-DRG version."""
    if not discharge_date:
        return None
    from drg.mce import edit_claim
    return edit_claim(claim, discharge_date=discharge_date, admit_date=admit_date, length_of_stay=los)


def _fail(exc: Exception) -> None:
    raise click.ClickException(str(exc)) from exc


def render_result(result, tables) -> str:
    """The readable one-claim result."""
    drg = result.final_drg
    weight = tables.weights.get(drg)
    lines = [f"Claim {result.id}  (MS-DRG version {tables.version.label})",
             f"  DRG        {drg}  {tables.drg_titles.get(drg, '')}",
             f"  MDC        {result.final_mdc}  {tables.mdc_titles.get(result.final_mdc, '')}",
             f"  Type       {result.final_med_surg.lower()}    Severity {result.final_severity}",
             f"  Return     {result.final_return_code}"]
    if weight is not None and weight.relative_weight is not None:
        lines.append(f"  Weight     {weight.relative_weight:.4f}  "
                     f"(FY{weight.fiscal_year}; GMLOS {weight.gmlos}, AMLOS {weight.amlos})")
    else:
        lines.append("  Weight     not known for this DRG and fiscal year")
    if result.initial_drg != result.final_drg:
        lines.append(f"  Initial    DRG {result.initial_drg} "
                     f"(before hospital-acquired-condition logic; HAC status {result.hac_status})")
    from drg.tables.titles import coder_spelling, title
    fy = tables.version.fiscal_year
    if result.pdx.code:
        lines.append(f"  pdx  {coder_spelling(result.pdx.code, 'dx'):9s} {title('dx', result.pdx.code, fy)}")
    for d in result.sdx:
        if d.affects_drg != "NONE" or d.final_severity_usage != "NEITHER":
            lines.append(f"  sdx  {coder_spelling(d.code, 'dx'):9s} {d.final_severity_usage:26s} "
                         f"affects DRG: {d.affects_drg}"
                         f"  {title('dx', d.code, fy)}")
    for p in result.procedures:
        lines.append(f"  proc {p.code:9s} {'O.R.' if p.is_or else 'non-O.R.':9s} affects DRG: {p.affects_drg}"
                     + ("  (not a valid code in this version)" if not p.recognized else f"  {title('pr', p.code, fy)}"))
    return "\n".join(lines)


def group_file(input_path: str, output_path: str | None, *, input_format: str | None = None,
               output_format: str | None = None, workers: int = 1, chunk_size: int = 10_000,
               quiet: bool = False, version: str | None = None, claims_table: str | None = None,
               edits: bool = False) -> None:
    """File mode: any claims file (JSONL, CSV, Parquet; wide or long) -> one result row per claim.

    Fatal errors (a malformed file, an unknown format) exit non-zero with file, line and column;
    bad rows never do. The progress bar and summary go to standard error."""
    from drg.batch import run_batch
    from drg.io import MalformedFileError
    from drg.io.atomic import os_error_message
    try:
        summary = run_batch(input_path, output_path or "-", input_format=input_format,
                            output_format=output_format, workers=workers, chunk_size=chunk_size,
                            version=version, claims_table=claims_table,
                            progress=None if quiet else sys.stderr, edits=edits)
    except (MalformedFileError, ValueError, FileNotFoundError) as exc:
        _fail(exc)
    except OSError as exc:             # a full disk, a folder gone mid-run: the output is left untouched
        raise click.ClickException(os_error_message(exc, output_path or "-")) from exc
    if not quiet:
        click.echo(f"read: {summary.matched}", err=True)
        click.echo(summary.text(), err=True)


def _group_on_dask(input_path: str, output_path: str | None, scheduler: str, version: str | None,
                   quiet: bool) -> None:
    """`drg group INPUT -o OUTPUT --scheduler ...`: the same job on Dask (drg.dask.run_on_dask)."""
    if not output_path or output_path == "-":
        raise click.UsageError("--scheduler needs -o OUTPUT (a directory, or a .parquet/.jsonl/.csv file)")
    try:
        from drg.dask import run_on_dask
        counts = run_on_dask(input_path, output_path, "group", scheduler, version=version)
    except (ImportError, ValueError, FileNotFoundError, OSError, MalformedFileError) as exc:
        _fail(exc)
    if not quiet:
        click.echo("by status: " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())), err=True)


@click.command("group", cls=MultiValueCommand)
@click.argument("input_path", required=False, metavar="[INPUT]")
@click.option("-o", "--output", "output_path", default=None,
              help="Output file for INPUT: .jsonl, .parquet or .csv (.gz accepted); default: JSON Lines on "
                   "standard output.")
@click.option("--input-format", type=click.Choice(INPUT_FORMAT_NAMES), default=None,
              help="Format of INPUT (default: from its extension; .837/.x12/.edi are X12 837I).")
@click.option("--output-format", type=click.Choice(OUTPUT_FORMAT_NAMES), default=None,
              help="Format of the output (default: from its extension).")
@click.option("--workers", type=click.IntRange(1, 256), default=1, show_default=True,
              help="Processes grouping in parallel; results keep the input order.")
@click.option("--chunk-size", type=click.IntRange(1, 1_000_000), default=10_000, show_default=True,
              help="Claims per chunk (memory is bounded by this, not by the file size).")
@click.option("--claims-table", default=None,
              help="Long layout only: a CSV/Parquet file with one row per claim (claim_id, version, age, ...).")
@click.option("--quiet", is_flag=True, help="No progress bar and no summary.")
@click.option("--edits", is_flag=True,
              help="Run the Medicare Code Editor (MCE) too: each row gets its edits (JSON Lines: an `mce` "
                   "object in the golden MCE form; CSV: mce_* columns; Parquet: an `mce` struct); the summary "
                   "counts claims per edit type and per edit. The MCE selects its tables by discharge date.")
@scheduler_option()
@claim_options
@stay_options
@click.option("--json", "as_json", is_flag=True, help="Print the golden JSON output form.")
def group_command(input_path, output_path, input_format, output_format, workers, chunk_size, claims_table,
                  quiet, edits, as_json, los=None, admit_date=None, scheduler=None, **params):
    """Group one claim given by flags, or every claim of INPUT.

    \b
    One claim:
      drg group --pdx I5021 --sdx E1165 J9601 --proc 02703DZ --age 67 --sex M --discharge-status 1 --version 43.1
    A file of claims (JSON Lines in the golden claim form, CSV or Parquet; .gz accepted):
      drg group claims.csv.gz -o results.parquet --workers 2

    Every input row gives one output row with `status` and `message`. With a file, --version
    overrides the claims' own versions. The run prints which column became which field.

    \b
    Columns of wide CSV/Parquet files (one row per claim), any case, "_" " " "-" alike:
      claim_id (id, claim), version (43.1/431) or discharge_date, age, sex (M/F/U),
      discharge_status (patient_status), hospital_status (NON_EXEMPT/EXEMPT/UNKNOWN),
      pdx + pdx_poa (principal_dx), admit_dx, sdx1..sdx24 + sdx1_poa.., proc1..proc25;
      numbered aliases dx1.. / diag_1.. (dx1 is the principal when there is no pdx column),
      poa1.., px1 / pr1 / procedure_1. Codes may carry dots or lower case (i50.21);
      JSON Lines claims in the golden form are taken exactly as given, as CMS takes them.
    Long files (one row per code): claim_id, code_type (pdx/admit/sdx/proc), sequence,
      code, poa, plus claim-level columns on the rows or in --claims-table.
    Other columns are copied to the output as given.

    
    --edits adds the Medicare Code Editor: a file's discharge_date, and los / length_of_stay or
      admit_date columns, feed it; one claim needs --discharge-date (and --los or --admit-date).
    """
    if input_path and scheduler:
        if edits:
            raise click.UsageError("--edits does not run on --scheduler yet; run without --scheduler")
        _group_on_dask(input_path, output_path, scheduler, params.get("version"), quiet)
        return
    if input_path:
        with hospital_status_for_x12(params.get("hospital_status")):
            group_file(input_path, output_path, input_format=input_format, output_format=output_format,
                       workers=workers, chunk_size=chunk_size, quiet=quiet, version=params.get("version"),
                       claims_table=claims_table, edits=edits)
        return
    from drg.grouper import group_claim
    from drg.claim import resolve_version
    from drg.tables import load
    try:
        claim = _prepare(params)
        tables = load(resolve_version(claim))
        result = group_claim(claim, tables)
    except ValueError as exc:
        _fail(exc)
    if not edits:
        click.echo(json.dumps(result.to_dict(), indent=2) if as_json else render_result(result, tables))
        return
    from drg.commands.edit import edits_section
    mce = claim_edits(claim, params.get("discharge_date"), los, admit_date)
    if as_json:
        click.echo(json.dumps({**result.to_dict(), "mce": mce.to_dict() if mce else None}, indent=2))
    else:
        click.echo(render_result(result, tables) + "\n" + edits_section(mce))


@click.command("explain", cls=MultiValueCommand)
@claim_options
@stay_options
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as structured data.")
def explain_command(as_json, los=None, admit_date=None, **params):
    """Explain how one claim groups: the MDC and why, the formula that chose the DRG, the role
    of every secondary diagnosis and procedure, and the claim's Medicare Code Editor (MCE) edits.

    The MCE selects its tables by discharge date: give --discharge-date for the edits (and
    --los or --admit-date for the length-of-stay edit).

    \b
    Example:
      drg explain --pdx J189 --sdx J9601 I10 S14136A:N --version 43.1 --discharge-date 2026-05-04
    """
    from drg.claim import resolve_version
    from drg.commands.edit import edits_json, edits_section
    from drg.grouper.explain import explain_claim
    from drg.tables import load
    try:
        claim = _prepare(params, takes_input=False)
        explanation = explain_claim(claim, load(resolve_version(claim)))
    except ValueError as exc:
        _fail(exc)
    mce = claim_edits(claim, params.get("discharge_date"), los, admit_date)
    if as_json:
        click.echo(json.dumps({**explanation.to_dict(), "mce": edits_json(mce)}, indent=2))
    else:
        click.echo(explanation.text() + "\n" + edits_section(mce))


COMMANDS = [group_command, explain_command]
