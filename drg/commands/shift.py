"""`drg shift INPUT --from 43.1 --to 44.0 -o OUTPUT [--report PATH]`: version shift analysis.

Reads claims in any batch format (drg.io.read_claims; JSON Lines in the golden form when
drg.io is not installed), groups each under both versions, writes one row per claim
(CSV, JSON Lines or Parquet by the output's extension) and optionally the report
(HTML, or Markdown when PATH ends in .md). The work is in drg.validation.shift.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import click


def _read(path: Path, input_format: str | None, from_version: str) -> Iterator[Any]:
    """Claims of the input, one item per input row (bad rows included, as ClaimRows)."""
    try:
        from drg.io import read_claims
    except ImportError:
        read_claims = None
    if read_claims is not None:
        # the claims' own version is ignored: the run's from-version is given so that every
        # row becomes a claim; both versions are applied to it explicitly
        for chunk in read_claims(path, input_format, version=from_version):
            yield from chunk
        return
    import gzip
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _write(frame, path: Path) -> None:
    name = path.name.lower()
    if name.endswith(".parquet"):
        frame.to_parquet(path, index=False)
    elif name.endswith((".jsonl", ".ndjson", ".jsonl.gz")):
        frame.to_json(path, orient="records", lines=True)
    elif name.endswith((".csv", ".csv.gz", ".txt")):
        frame.to_csv(path, index=False)
    else:
        raise click.ClickException(f"{path}: write .csv, .jsonl or .parquet (chosen by the extension)")


@click.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--from", "from_version", required=True, help="MS-DRG version the claims are grouped under first.")
@click.option("--to", "to_version", required=True, help="MS-DRG version to compare with (either direction).")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Per-claim output: .csv, .jsonl or .parquet.")
@click.option("--report", "report", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the report: .html (with charts) or .md.")
@click.option("--summary-json", "summary_json", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the summary as JSON.")
@click.option("--input-format", default=None, help="Input format when the extension does not say.")
def shift(input_path: Path, from_version: str, to_version: str, output: Path, report: Path | None,
          summary_json: Path | None, input_format: str | None) -> None:
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
    from drg.validation.shift import ShiftRowMaker, SHIFT_COLUMNS
    from drg.validation.shift_report import render_html, render_markdown
    from drg.validation.shift_summary import summarize
    import pandas as pd

    try:
        a, b = parse_version(from_version), parse_version(to_version)
    except UnknownVersionError as exc:
        raise click.ClickException(str(exc)) from exc
    maker = ShiftRowMaker(a, b)
    try:
        rows = list(maker.rows(_read(input_path, input_format, a.label)))
    except Exception as exc:  # a malformed file: its reader names file, line and column
        if type(exc).__name__ == "MalformedFileError" or isinstance(exc, (json.JSONDecodeError, UnicodeDecodeError)):
            raise click.ClickException(str(exc)) from exc
        raise
    frame = pd.DataFrame(rows, columns=list(SHIFT_COLUMNS))
    _write(frame, output)
    summary = summarize(frame, a, b)
    if report is not None:
        text = render_markdown(summary) if report.suffix.lower() in (".md", ".markdown") else render_html(summary)
        report.write_text(text, encoding="utf-8")
    if summary_json is not None:
        summary_json.write_text(json.dumps(summary.to_dict(), indent=2), encoding="utf-8")
    share = summary.changed / summary.grouped if summary.grouped else 0.0
    click.echo(f"{summary.claims} claims: {summary.changed} changed DRG ({share:.1%}) from {a.label} to "
               f"{b.label}; {summary.not_grouped} not grouped; CMI change "
               + (f"{summary.total_cmi_change:+.4f}" if summary.total_cmi_change is not None else "n/a"))
    click.echo(f"wrote {output}" + (f" and {report}" if report else ""))


COMMANDS = [shift]
