"""`drg shift INPUT --from 43.1 --to 44.0 -o OUTPUT [--report PATH]`: version shift analysis.

Reads claims in any batch format (drg.io.read_claims), groups each under both versions, writes
one row per claim (any output format of drg.io.formats, chosen by the extension) and optionally
the report (HTML, or Markdown when PATH ends in .md). Every output is created before any work and
completed atomically (drg.io.atomic). The work is in drg.validation (the function drg.validation.shift).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import click

from drg.io.records import MalformedFileError
from drg.commands.scheduler import scheduler_option
from drg.io.atomic import AtomicFile, abandon_all, os_error_message
from drg.io.frame_writer import FrameWriter
from drg.io.x12 import hospital_status_for_x12


CHUNK_SIZE = 10_000      # claims held at once: memory is bounded by this, not by the file


def _chunks(path: Path, input_format: str | None, from_version: str) -> Iterator[list[Any]]:
    """Chunks of ClaimRows of the input, one per input row (bad rows included).

    The claims' own version is ignored: the run's from-version is given so that every row
    becomes a claim; both versions are applied to it explicitly."""
    from drg.io import read_claims
    return read_claims(path, input_format, CHUNK_SIZE, version=from_version)


def _shift_here(input_path: Path, writer: Any, input_format: str | None, a: Any, b: Any) -> Any:
    """Stream INPUT chunk by chunk: write each chunk's rows, keep only what the summary needs."""
    import pandas as pd

    from drg.validation.version_shift import ShiftRowMaker, shift_frame, summary_part

    maker = ShiftRowMaker(a, b)
    parts = []           # per chunk, only the small columns the summary needs
    try:
        for chunk in _chunks(input_path, input_format, a.label):
            frame = shift_frame(list(maker.rows(chunk)))
            writer.write_frame(frame)
            parts.append(summary_part(frame))
        if not parts:                       # an empty input still gets its (empty) output
            writer.write_frame(shift_frame([]))
    except Exception as exc:  # a malformed file: its reader names file, line and column
        if type(exc).__name__ == "MalformedFileError" or isinstance(exc, (UnicodeDecodeError, ValueError)):
            # MalformedFileError, JSONDecodeError, an unknown input format: plain words, no traceback
            raise click.ClickException(str(exc)) from exc
        raise
    return pd.concat(parts, ignore_index=True) if parts else summary_part(shift_frame([]))


def _shift_on_dask(input_path: Path, output: Path, scheduler: str, a: Any, b: Any) -> Any:
    """The same job on Dask (drg.dask.run_on_dask); the summary columns are read back from the parts."""
    import pandas as pd

    from drg.validation.version_shift import SUMMARY_COLUMNS

    if output.suffix:
        raise click.UsageError("--scheduler writes a directory of Parquet files: give -o a directory name")
    try:
        from drg.dask import run_on_dask
        counts = run_on_dask(input_path, output, "shift", scheduler, from_version=a.id, to_version=b.id)
    except (ImportError, ValueError, FileNotFoundError, OSError, MalformedFileError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("by status: " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())), err=True)
    parts = sorted(output.glob("part.*.parquet"))
    frames = [pd.read_parquet(p, columns=list(SUMMARY_COLUMNS)) for p in parts]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(SUMMARY_COLUMNS))


@click.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(exists=True, path_type=Path))
@click.option("--from", "from_version", required=True, help="MS-DRG version the claims are grouped under first.")
@click.option("--to", "to_version", required=True, help="MS-DRG version to compare with (either direction).")
@click.option("-o", "--output", "output", required=True, type=click.Path(path_type=Path),
              help="Per-claim output: .csv, .tsv, .jsonl or .parquet, .gz accepted (with --scheduler: a directory).")
@click.option("--report", "report", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the report: .html (with charts) or .md.")
@click.option("--summary-json", "summary_json", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the summary as JSON.")
@click.option("--input-format", default=None, help="Input format when the extension does not say (csv, jsonl, "
              "parquet, x12).")
@click.option("--hospital-status", type=click.Choice(["NON_EXEMPT", "EXEMPT", "UNKNOWN"], case_sensitive=False),
              default="NON_EXEMPT", show_default=True,
              help="X12 837I input: the hospital's POA reporting status (the 837I does not carry it).")
@scheduler_option()
def shift(input_path: Path, from_version: str, to_version: str, output: Path, report: Path | None,
          summary_json: Path | None, input_format: str | None, hospital_status: str, scheduler: str | None) -> None:
    """Group the same claims under two MS-DRG versions and explain every DRG shift.

    The claims' own version field is ignored. Each input row gives one output row with the
    DRG, MDC, severity and relative weight under each version, whether the DRG changed and
    why (plain words and JSON). The summary gives the shift matrix, the case-mix index under
    each version (own and same weights), DRGs gaining and losing most, codes behind shifts.

    \b
    Examples:
      drg shift claims.jsonl --from 43.1 --to 44.0 -o shift.csv --report shift.html
      drg shift claims.parquet --from 44.0 --to 43.1 -o back.parquet --report back.md
    """
    from drg.tables.versions import UnknownVersionError, parse_version
    from drg.validation.reports.shift_report import (render_shift_html as render_html,
                                                     render_shift_markdown as render_markdown)
    from drg.validation.version_shift.summary import summarize_shift as summarize

    try:
        a, b = parse_version(from_version), parse_version(to_version)
    except UnknownVersionError as exc:
        raise click.ClickException(str(exc)) from exc
    outputs: list[Any] = []            # every output is created (and so checked) before any work
    try:
        writer = None if scheduler else FrameWriter(output, inputs=[input_path])
        outputs += [writer] if writer else []
        report_file = AtomicFile(report, inputs=[input_path]) if report is not None else None
        summary_file = AtomicFile(summary_json, inputs=[input_path]) if summary_json is not None else None
        outputs += [f for f in (report_file, summary_file) if f is not None]
        if writer is None:
            claims = _shift_on_dask(input_path, output, str(scheduler), a, b)
        else:
            with hospital_status_for_x12(hospital_status):
                claims = _shift_here(input_path, writer, input_format, a, b)
            writer.close()
        summary = summarize(claims, a, b)
        if report_file is not None:
            is_markdown = report_file.target.suffix.lower() in (".md", ".markdown")
            text = render_markdown(summary) if is_markdown else render_html(summary)
            report_file.stream.write(text.encode("utf-8"))
            report_file.commit()
        if summary_file is not None:
            summary_file.stream.write(json.dumps(summary.to_dict(), indent=2).encode("utf-8"))
            summary_file.commit()
    except ValueError as exc:          # an output that cannot be written, an unknown format
        abandon_all(outputs)
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:             # a full disk, a folder gone mid-run
        abandon_all(outputs)
        raise click.ClickException(os_error_message(exc, output)) from exc
    except BaseException:
        abandon_all(outputs)
        raise
    share = summary.changed / summary.grouped if summary.grouped else 0.0
    click.echo(f"{summary.claims} claims: {summary.changed} changed DRG ({share:.1%}) from {a.label} to "
               f"{b.label}; {summary.not_grouped} not grouped; CMI change "
               + (f"{summary.total_cmi_change:+.4f}" if summary.total_cmi_change is not None else "n/a"))
    click.echo(f"wrote {output}" + (f" and {report}" if report else ""))


COMMANDS = [shift]
