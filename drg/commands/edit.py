"""`drg edit`: the CMS Medicare Code Editor on a claims file or on one claim from flags.

    drg edit claims.jsonl -o edits.jsonl          # JSON Lines in the golden MCE form, one row per claim
    drg edit --pdx Z51.89 --age 70 --sex F --discharge-status 1 --discharge-date 2026-11-02 --los 3

A JSON Lines file is read in the claim form of golden/mce/README.md (`discharge_date`, `los`,
codes exactly as written); CSV and Parquet files through drg.io (wide or long layout, with
`los` / `length_of_stay` or `admit_date` columns). Every input claim gives exactly one output
row: the golden expected form in JSON Lines, flat columns in CSV.
"""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterator

import click

from drg.claim import Claim, Diagnosis
from drg.commands.grouping import MultiValueCommand
from drg.io.x12 import hospital_status_for_x12
from drg.mce import EditResult, EditType, advice_for, edit_claim, load_mce, parse_discharge_date

# ---------------------------------------------------------------- the golden claim form


def _diagnosis(value: Any) -> Diagnosis | None:
    if value is None:
        return None
    if isinstance(value, dict):
        code, poa = value.get("code"), value.get("poa")
    else:
        code, poa = value, ""
    return Diagnosis("" if code is None else str(code), "" if poa is None else str(poa))


def _real_date(value: Any) -> Any:
    """A `YYYY-MM-DD` text as a date (None otherwise): what the Claim may hold."""
    if isinstance(value, str) and len(value.strip()) == 10:
        return parse_discharge_date(value)
    return None


def claim_from_record(record: dict) -> tuple[Any, Any, Any]:
    """A golden MCE claim record -> (Claim, discharge date as given, length of stay as given).

    Codes stay exactly as written (the MCE's own rule). The discharge date is handed to the
    editor as written, so that an unreadable one becomes INVALID_DISCHARGE_DATE and a date
    like 2024-09-31 is read the CMS way; the Claim holds it only when it is a real date.
    """
    raw_date = record.get("discharge_date")
    date = _real_date(raw_date)
    sdx = record.get("sdx") or []
    procedures = record.get("procedures") or []
    fields = dict(
        id=str(record.get("id", "") or ""),
        version=record.get("version"),
        discharge_date=date,
        age=record.get("age"),
        sex=str(record["sex"]) if record.get("sex") is not None else "U",
        discharge_status=record.get("discharge_status"),
        hospital_status=record.get("hospital_status") or "NON_EXEMPT",
        pdx=_diagnosis(record.get("pdx")),
        admit_dx=_diagnosis(record.get("admit_dx")),
        sdx=tuple(_diagnosis(d) or Diagnosis("") for d in (sdx if isinstance(sdx, list) else [])),
        procedures=tuple("" if p is None else str(p.get("code") if isinstance(p, dict) else p)
                         for p in (procedures if isinstance(procedures, list) else [])),
        admit_date=_real_date(record.get("admit_date")),
        length_of_stay=None,        # handed to the editor as given (below), read the MCE's way
    )
    try:
        claim: Any = Claim(**fields)
    except (TypeError, ValueError):
        # a claim model that refuses a value (an invalid sex, say) must not stop the MCE, whose
        # answer to such a value is its own edit: the editor reads the same attributes
        claim = SimpleNamespace(**fields)
    los = record.get("los", record.get("length_of_stay"))
    return claim, raw_date, los


def edit_record(record: dict) -> EditResult:
    """Edit one claim of the golden JSON form."""
    claim, raw_date, los = claim_from_record(record)
    return edit_claim(claim, discharge_date=raw_date if raw_date is not None else "",
                      admit_date=record.get("admit_date"), length_of_stay=los)


# ---------------------------------------------------------------- one claim, for a coder

_KIND = {EditType.PREPAYMENT: "prepayment", EditType.POSTPAYMENT: "postpayment"}
_VERDICT = {EditType.NONE: "no edit that stops payment", EditType.PREPAYMENT: "prepayment edits: "
            "the claim is returned before payment", EditType.POSTPAYMENT: "postpayment edits: "
            "the claim is reviewed after payment", EditType.BOTH: "prepayment and postpayment edits"}


def hit_records(result: EditResult) -> list[dict]:
    """Every edit of the result for people and tools: the edit, its CMS title and number, its type
    (prepayment / postpayment / informational), where it hit, the code (dotted), what to do."""
    tables = load_mce()
    out = []
    for hit in result.hits():
        info = tables.edits[hit.edit]
        out.append({"edit": hit.edit.value, "title": info.title, "edit_number": info.manual_number or None,
                    "type": _KIND.get(info.edit_type, "informational"), "where": hit.where,
                    "code": _dotted(hit.code, hit.where) if hit.code else None, "counted": hit.counted,
                    "advice": advice_for(hit.edit)})
    return out


def verdict_text(result: EditResult) -> str:
    """One line: the edit type in a coder's words ("prepayment edits: the claim is returned ...")."""
    return edit_type_words(result.edit_type)


def edit_type_words(edit_type: EditType) -> str:
    """An MCE edit type in a coder's words."""
    if edit_type == EditType.INVALID_DISCHARGE_DATE:
        return ("invalid discharge date: the MCE edits discharges from 1985-10-01 to "
                f"{load_mce().termination_date.isoformat()}; give the discharge date as YYYY-MM-DD. "
                "No other edit was run.")
    return _VERDICT[edit_type]


def hit_lines(result: EditResult, indent: str = "") -> list[str]:
    """Two lines per edit: title (number), type: where code; then what to do."""
    lines = []
    for hit in hit_records(result):
        number = f" (edit {hit['edit_number']})" if hit["edit_number"] else ""
        place = hit["where"] + (f" {hit['code']}" if hit["code"] else "")
        note = "" if hit["counted"] else " [not counted on the admitting diagnosis]"
        lines.append(f"{indent}- {hit['title']}{number}, {hit['type']}: {place}{note}")
        lines.append(f"{indent}    {hit['advice']}")
    if result.needs_length_of_stay:
        lines.append(f"{indent}- The length of stay was not given: the ventilation-length edit could not be "
                     "judged (give --los or --admit-date).")
    return lines


def coder_text(result: EditResult) -> str:
    """The result in a coder's words: each edit with its CMS title, type, the code it hit, what to do."""
    if result.edit_type == EditType.INVALID_DISCHARGE_DATE:
        text = verdict_text(result)
        return text[0].upper() + text[1:]
    date = result.discharge_date.isoformat() if result.discharge_date else "?"
    lines = [f"Claim {result.claim_id}, discharged {date}: {verdict_text(result)}."]
    if not result.edits:
        lines.append("The Medicare Code Editor raised no edit.")
    return "\n".join(lines + hit_lines(result))


NOT_RUN = ("not run: the MCE selects its tables by discharge date; give --discharge-date "
           "(and --los or --admit-date for the length-of-stay edit)")


def edits_section(result: EditResult | None) -> str:
    """The MCE part of a one-claim `drg group --edits` / `drg explain` printout."""
    if result is None:
        return f"MCE edits: {NOT_RUN}"
    head = f"MCE edits (Medicare Code Editor, discharge {result.discharge_date or '?'}): {verdict_text(result)}"
    if result.edit_type == EditType.INVALID_DISCHARGE_DATE:
        return f"MCE edits: {verdict_text(result)}"
    if not result.edits:
        return head.rstrip(".") + "; no edit raised."
    return "\n".join([head] + hit_lines(result, "  "))


def edits_json(result: EditResult | None) -> dict | None:
    """The golden MCE form with `hits` (hit_records) added; None when the MCE was not run."""
    if result is None:
        return None
    return {**result.to_dict(), "hits": hit_records(result)}


def _dotted(code: str, where: str) -> str:
    """A code as a coder writes it (I5021 -> I50.21; procedures as they are): drg.tables.titles."""
    from drg.tables.titles import coder_spelling

    return coder_spelling(code, "pr" if where.startswith("procedure") else "dx")


# ---------------------------------------------------------------- the command



def _code(text: str) -> str:
    """A code typed by a person: blanks and dots removed, upper case (I50.21 -> I5021)."""
    return text.strip().replace(".", "").upper()


DATE_STATUSES = ("INVALID_DISCHARGE_DATE", "MISSING_VERSION")
FLAT_COLUMNS = ("id", "status", "message", "mce_edit_type", "mce_edits", "mce_prepayment", "mce_pdx_edits",
                "mce_sdx_edits", "mce_procedure_edits")


def _golden_results(input_path: Path) -> Iterator[tuple[dict, EditResult | None]]:
    """(status fields, result) per claim of a JSON Lines file in the golden MCE form."""
    from drg.io.formats import text_reader

    with text_reader(input_path) as stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise click.ClickException(f"{input_path}, line {number}, character {exc.colno}: "
                                           f"not valid JSON ({exc.msg})") from None
            if not isinstance(record, dict):
                raise click.ClickException(f"{input_path}, line {number}: each line must be one JSON "
                                           "object (a claim)")
            yield {}, edit_record(record)


def _table_results(input_path: Path, input_format: str | None) -> Iterator[tuple[dict, EditResult | None]]:
    """(status fields, result) per claim of a CSV or Parquet file read by drg.io.

    Codes are normalised as drg.io does for every table format (blanks and dots removed, upper
    case); `los` / `length_of_stay` and `admit_date` columns (drg.claim.STAY_COLUMNS, any
    case and separators) give the length of stay. A row the
    reader could not turn into a claim gives its status and message and no MCE result.
    """
    from drg.io.readers import read_claims

    for chunk in read_claims(input_path, input_format):
        for row in chunk:
            status = {} if row.status == "OK" else {"status": row.status, "message": row.message}
            if row.claim is None:
                fields = {"id": row.claim_id, **status}
                if row.status in DATE_STATUSES:       # no usable discharge date: the MCE's own answer
                    fields["edit_type"] = EditType.INVALID_DISCHARGE_DATE.value
                yield fields, None
                continue
            yield status, edit_claim(row.claim)     # the claim carries its admission date and stay


def _edit_file(input_path: Path, output_path: str | None, input_format: str | None,
               output_format: str | None) -> None:
    from drg.io.atomic import os_error_message
    from drg.io.formats import FileFormat, UnknownFormatError, file_kind
    from drg.io.records import MalformedFileError
    from drg.io.writers import OutputTarget

    try:
        source = file_kind(input_path, input_format)
        if output_path:
            if file_kind(output_path, output_format).format is FileFormat.PARQUET:
                raise click.UsageError("drg edit writes JSON Lines or CSV; Parquet output is not there yet")
            target = OutputTarget(output_path, output_format, inputs=[input_path])
        else:
            target = OutputTarget("-", output_format or "jsonl", stream=sys.stdout.buffer)
    except (UnknownFormatError, ValueError) as exc:
        raise click.UsageError(str(exc)) from None
    results = (_golden_results(input_path) if source.format is FileFormat.JSONL
               else _table_results(input_path, source.format.value))
    counts: dict[str, int] = {}
    try:
        out = target.text(newline="" if target.kind.format is FileFormat.CSV else "\n")
        writer = None
        if target.kind.format is FileFormat.CSV:
            writer = csv.writer(out, delimiter=target.kind.delimiter, lineterminator="\n")
            writer.writerow(FLAT_COLUMNS)
        for status, result in results:
            kind = result.edit_type.value if result is not None else status.get("edit_type") or status["status"]
            counts[kind] = counts.get(kind, 0) + 1
            if writer is not None:
                flat = {"id": result.claim_id if result else status.get("id", ""), "status": "OK", "message": "",
                        "mce_edit_type": status.get("edit_type"), **status, **(result.flat() if result else {})}
                writer.writerow(["" if flat.get(c) is None else flat.get(c, "") for c in FLAT_COLUMNS])
            else:
                if result is not None:
                    row = result.to_dict()
                else:
                    row = {"id": status.get("id", "")}
                    if "edit_type" in status:
                        row.update({"edit_type": status["edit_type"], "edits": []})
                row.update({k: v for k, v in status.items() if k not in row})
                out.write(json.dumps(row, separators=(",", ":")) + "\n")
        out.detach()
        target.finish()
    except MalformedFileError as exc:
        target.abandon()
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        target.abandon()
        raise click.ClickException(os_error_message(exc, output_path or "-")) from None
    except BaseException:
        target.abandon()
        raise
    if output_path:
        summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        click.echo(f"{sum(counts.values())} claims edited ({summary}) -> {output_path}", err=True)


@click.command("edit", cls=MultiValueCommand)
@click.argument("input_path", required=False, metavar="[INPUT]",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "output_path", default=None, help="Output file: .jsonl (golden form) or .csv "
              "(flat columns), .gz to compress; default: JSON Lines on standard output.")
@click.option("--input-format", type=click.Choice(["jsonl", "csv", "tsv", "parquet", "x12"]), default=None,
              help="Input format (default: from the file name; .837/.x12/.edi are X12 837I).")
@click.option("--hospital-status", type=click.Choice(["NON_EXEMPT", "EXEMPT", "UNKNOWN"], case_sensitive=False),
              default="NON_EXEMPT", show_default=True,
              help="X12 837I input: the hospital's POA reporting status (the 837I does not carry it).")
@click.option("--output-format", type=click.Choice(["jsonl", "csv", "tsv"]), default=None,
              help="Output format (default: from the output name).")
@click.option("--pdx", default=None, help="Principal diagnosis (dots allowed, e.g. I50.21).")
@click.option("--admit-dx", default=None, help="Admitting diagnosis.")
@click.option("--sdx", multiple=True, help="Secondary diagnoses, space separated after one flag or repeated.")
@click.option("--proc", "procedures", multiple=True, help="ICD-10-PCS procedures.")
@click.option("--age", type=int, default=None, help="Age in years.")
@click.option("--sex", type=click.Choice(["M", "F", "U"], case_sensitive=False), default="U", show_default=True)
@click.option("--discharge-status", type=int, default=1, show_default=True,
              help="UB-04 patient discharge status (1 home, 20 died, ...).")
@click.option("--discharge-date", default=None, help="YYYY-MM-DD: selects the MCE tables (required).")
@click.option("--admit-date", default=None, help="YYYY-MM-DD: gives the length of stay when --los is not given.")
@click.option("--los", type=int, default=None, help="Length of stay in days.")
@click.option("--id", "claim_id", default="claim", show_default=True, help="Claim id shown in the output.")
@click.option("--json", "as_json", is_flag=True, help="Print the golden JSON output form.")
def edit(input_path: Path | None, output_path: str | None, input_format: str | None, hospital_status: str,
         output_format: str | None, pdx: str | None, admit_dx: str | None,
         sdx: tuple[str, ...], procedures: tuple[str, ...], age: int | None, sex: str, discharge_status: int,
         discharge_date: str | None, admit_date: str | None, los: int | None, claim_id: str,
         as_json: bool) -> None:
    """Run the CMS Medicare Code Editor (MCE) on a claims file or on one claim.

    \b
    Examples:
      drg edit claims.jsonl -o edits.jsonl
      drg edit --pdx Z51.89 --age 70 --sex F --discharge-date 2026-11-02 --los 3
      drg edit --pdx O80 --proc 10E0XZZ --age 30 --sex F --discharge-date 2026-11-02 --los 2
    """
    if input_path is not None:
        with hospital_status_for_x12(hospital_status):
            _edit_file(input_path, output_path, input_format, output_format)
        return
    if pdx is None and not sdx and not procedures:
        raise click.UsageError("give a claims file, or a claim with --pdx (and --sdx, --proc, ...)")
    claim = Claim(id=claim_id, age=age, sex=sex.upper(), discharge_status=discharge_status,
                  pdx=Diagnosis(_code(pdx)) if pdx is not None else None,
                  admit_dx=Diagnosis(_code(admit_dx)) if admit_dx else None,
                  sdx=tuple(Diagnosis(_code(c)) for c in sdx), procedures=tuple(_code(c) for c in procedures))
    result = edit_claim(claim, discharge_date=discharge_date or "", admit_date=admit_date, length_of_stay=los)
    click.echo(json.dumps(result.to_dict(), indent=2) if as_json else coder_text(result))


COMMANDS = [edit]
