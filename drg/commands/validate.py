"""`drg validate`: compare billed DRGs with the DRGs the codes support (a file, or one claim from flags)."""
from __future__ import annotations

import time

import click

from drg.io.records import MalformedFileError
from drg.commands.scheduler import scheduler_option

from drg.commands.grouping import MultiValueCommand, _prepare, claim_options
from drg.io.x12 import hospital_status_for_x12


def render_verdict(v) -> str:
    """The readable one-claim verdict: DRGs with their titles, codes as coders write them with
    their titles of the claim's fiscal year, the audit rules in words."""
    from drg.tables import load
    from drg.tables.titles import CodeKind, described
    from drg.validation.billed.rules import RULES_BY_ID

    tables = load(v.version) if v.version else None
    billed_tables = load(v.billed_version) if v.billed_version else tables
    fy = tables.version.fiscal_year if tables is not None else 0

    def drg(number, where=tables) -> str:
        name = where.drg_titles.get(number, "") if where is not None and number is not None else ""
        return f"DRG {number}" + (f" {name}" if name else "")

    def code(text: str, kind: CodeKind = CodeKind.DIAGNOSIS) -> str:
        return described(text, kind, fy) if tables is not None else text

    money = "n/a" if v.dollar_impact is None else f"{v.dollar_impact:+,.2f} USD"
    lines = [f"Claim {v.claim_id}  (MS-DRG version {v.version})"]
    if v.status != "OK":
        lines.append(f"  Status     {v.status}: {v.message}")
    g = v.grouping
    billed = drg(v.billed_drg, billed_tables) if v.billed_drg is not None else f"DRG {v.billed_drg_text or '-'}"
    lines += [f"  Finding    {v.finding or '-'}",
              f"  Billed     {billed}"
              + (f"  weight {v.billed_weight:.4f}" if v.billed_weight is not None else "")
              + (f"  (level {v.billed_level})" if v.billed_level else ""),
              f"  Expected   {drg(v.expected_drg)}"
              + (f"  weight {v.expected_weight:.4f}" if v.expected_weight is not None else "")
              + (f"  (level {v.expected_level})" if v.expected_level else "")
              + (f"  return code {g.final_return_code}" if g is not None and g.final_return_code != "OK" else "")]
    if v.weight_delta is not None:
        lines.append(f"  Impact     weight {v.weight_delta:+.4f} x base rate "
                     f"{'n/a' if v.base_rate is None else f'{v.base_rate:,.2f}'}"
                     f" = {money}")
    if v.impact_note:
        lines.append(f"  Note       {v.impact_note}")
    if v.explanation:
        lines.append(f"  Why        {v.explanation}")
    if v.drivers:
        lines.append("  Drivers    (codes whose removal changes the DRG)")
        for d in v.drivers:
            weight = f"weight {d.weight_without:.4f}" if d.weight_without is not None else "weight n/a"
            role, kind = (("procedure", CodeKind.PROCEDURE) if d.element == "procedure"
                          else ("secondary diagnosis", CodeKind.DIAGNOSIS))
            lines.append(f"    - without {role} {code(d.code, kind)}: {drg(d.drg_without)} ({weight})")
    if v.single_code_severity:
        lines.append(f"  Single     the CC/MCC level rests on one code: {code(v.single_code_severity)}")
    if not v.rule_hits:
        lines.append("  Rules      none")
    for number, rule in enumerate(v.rule_hits):
        described_rule = RULES_BY_ID[rule].description if rule in RULES_BY_ID else ""
        lines.append(f"  {'Rules' if number == 0 else '':9s}  {rule}"
                     + (f": {described_rule}" if described_rule else ""))
    if v.mce_edit_type:
        lines.append(f"  MCE        {_mce_words(v)}")
    lines.append(f"  Risk       {v.risk_score}")
    return "\n".join(lines)


def _mce_words(v) -> str:
    """The code editor's verdict in a coder's words: each edit by its CMS title and number."""
    from drg.commands.edit import edit_type_words
    from drg.mce import EditType
    from drg.tables.mce import Edit, load_mce

    if v.mce_edit_type == EditType.INVALID_DISCHARGE_DATE.value:
        return ("not run: the Medicare Code Editor picks its tables by discharge date; give "
                "--discharge-date YYYY-MM-DD")
    infos = load_mce().edits
    edits = []
    for name, count in v.mce_edits:
        info = infos.get(Edit(name))
        number = f" (edit {info.manual_number})" if info is not None and info.manual_number else ""
        edits.append((info.title if info is not None else name) + number + (f" x{count}" if count > 1 else ""))
    verdict = edit_type_words(EditType(v.mce_edit_type))
    return f"{verdict}: {'; '.join(edits)}" if edits else f"{verdict}; no edit raised"


@click.command("validate", cls=MultiValueCommand)
@click.argument("input_path", required=False, metavar="[INPUT]")
@click.option("-o", "--output", "output", default=None,
              help="Output file (.jsonl, .csv, .tsv or .parquet): one row per input row.")
@click.option("--report", "report", default=None, help="Batch summary (.html with charts, or .md).")
@click.option("--base-rate", type=float, default=None,
              help="Dollars per unit of relative weight (default: national operating + capital standardized "
                   "amounts of the version's fiscal year).")
@click.option("--billed-drg", default=None, help="One-claim mode: the DRG that was billed.")
@click.option("--billed-version", default=None, help="One-claim mode: the version the billed DRG was assigned under.")
@click.option("--length-of-stay", type=int, default=None, help="One-claim mode: length of stay in days.")
@click.option("--no-drivers", is_flag=True, help="Skip the leave-one-code-out regrouping (faster).")
@click.option("--input-format", default=None, help="Force the input format (csv, jsonl, parquet, x12, ...).")
@scheduler_option("--version applies to every claim.")
@claim_options
def validate(input_path, output, report, base_rate, billed_drg, billed_version, length_of_stay, no_drivers,
             input_format, scheduler=None, **claim_flags) -> None:
    """Compare the billed DRG with the DRG the codes support: finding, dollars, reasons, rules, risk.

    \b
    Examples:
      drg validate claims.csv -o validated.csv --report summary.html
      drg validate --pdx I5021 --sdx N179 --age 70 --sex M --version 43.1 --billed-drg 291
    """
    from drg.validating import validate_claim
    if input_path is None:
        if billed_drg is None:
            raise click.UsageError("give an INPUT file, or one claim with --pdx ... and --billed-drg")
        claim = _prepare(claim_flags)
        v = validate_claim(claim, billed_drg, billed_version=billed_version, base_rate=base_rate,
                           length_of_stay=length_of_stay, drivers=not no_drivers)
        click.echo(render_verdict(v))
        return
    if output is None and report is None:
        raise click.UsageError("give -o OUTPUT and/or --report PATH for a claims file")
    if scheduler:
        _validate_on_dask(input_path, output, report, scheduler, claim_flags.get("version"), base_rate, not no_drivers)
        return
    with hospital_status_for_x12(claim_flags.get("hospital_status")):     # X12 files carry no POA status
        _validate_file(input_path, output, report, input_format, claim_flags.get("version"), base_rate,
                       not no_drivers)


def _validate_file(input_path: str, output: str | None, report: str | None, input_format: str | None,
                   version: str | None, base_rate: float | None, drivers: bool) -> None:
    """`drg validate INPUT`: chunk by chunk (memory bounded by the chunk, not the file); each
    chunk's rows are written and folded into the tally the report and summary line come from.
    The output and the report are created before any claim is read, and appear only complete."""
    from drg.io import MalformedFileError
    from drg.io.atomic import AtomicFile, abandon_all, os_error_message
    from drg.validating import (ValidationTally, ValidationWriter, read_chunks, report_renderer, summary_line,
                                validate_rows)

    started = time.perf_counter()
    outputs: list = []
    try:
        render = report_renderer(report) if report else None
        writer = ValidationWriter(output, inputs=[input_path]) if output else None
        outputs += [writer] if writer else []
        report_file = AtomicFile(report, inputs=[input_path]) if report else None
        outputs += [report_file] if report_file else []
        tally = ValidationTally()
        for chunk in read_chunks(input_path, input_format, CHUNK_SIZE, version=version):
            validations = list(validate_rows(chunk, base_rate=base_rate, drivers=drivers))
            if writer is not None:
                writer.write(validations)
            tally.add(validations)
        if writer is not None:
            writer.close()
        if report_file is not None and render is not None:
            text = render(tally, subtitle=f"{input_path}: {tally.rows:,} rows")
            report_file.stream.write(text.encode("utf-8"))
            report_file.commit()
    except (MalformedFileError, ValueError) as exc:   # the reader names file, line and column
        abandon_all(outputs)
        raise click.ClickException(str(exc)) from exc
    except FileNotFoundError as exc:                  # the input is not there
        abandon_all(outputs)
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:                            # a full disk, an unreadable input
        abandon_all(outputs)
        raise click.ClickException(os_error_message(exc, output or report or "-")) from exc
    except BaseException:
        abandon_all(outputs)
        raise
    click.echo(summary_line(tally, time.perf_counter() - started), err=True)


CHUNK_SIZE = 10_000      # claims validated, written and folded at once


def _validate_on_dask(input_path: str, output: str | None, report: str | None, scheduler: str,
                      version: str | None, base_rate: float | None, drivers: bool) -> None:
    """`drg validate INPUT -o DIR --scheduler ...`: the same rows on Dask (drg.dask.run_on_dask)."""
    from pathlib import Path

    if report:
        # the report is built from every row's Validation object, which the workers do not send back
        raise click.UsageError("--report is not available with --scheduler (yet): run the report on the "
                               "output, or run without --scheduler")
    if not output or Path(output).suffix:
        raise click.UsageError("--scheduler writes a directory of Parquet files: give -o a directory name")
    try:
        from drg.dask import run_on_dask
        counts = run_on_dask(input_path, output, "validate", scheduler, version=version, base_rate=base_rate,
                             drivers=drivers)
    except (ImportError, ValueError, FileNotFoundError, OSError, MalformedFileError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"validated {sum(counts.values()):,} rows on Dask into {output}; by status: "
               + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())), err=True)


COMMANDS = [validate]
