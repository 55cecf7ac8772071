"""X12 837I claims in (drg.io.x12): round trip of every conformance claim, envelopes, separators,
the HL hierarchy, bad input as rows or as MalformedFileError, and the commands."""
from __future__ import annotations

import csv
import gzip
import json
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from drg.batch import group_rows
from drg.cli import main as cli
from drg.io.readers import ClaimReader
from drg.io.records import MalformedFileError
from drg.status import RowStatus

sys.path.insert(0, str(Path(__file__).parent))
from x12_writer import PROFESSIONAL, Layout, discharge_date_for, write_x12, x12_text  # noqa: E402

FIXTURE = Path(__file__).parent / "fixtures" / "conformance_claims.jsonl.gz"


def _claims() -> list[dict]:
    return [json.loads(line) for line in gzip.open(FIXTURE)]


CLAIMS = _claims()


def _rows(path: Path, **options) -> list:
    return [row for chunk in ClaimReader(path, **options) for row in chunk]


def _json_file(path: Path, claims: list[dict]) -> Path:
    path.write_text("".join(json.dumps(c) + "\n" for c in claims))
    return path


def _compare_groupings(x12_rows: list, json_rows: list) -> None:
    x12_out, json_out = group_rows(x12_rows), group_rows(json_rows)
    assert len(x12_out) == len(json_out)
    for got, want in zip(x12_out, json_out):
        for key, value in want.items():
            if key == "message":     # the 837I adds where the missing piece is
                assert got[key].startswith(value), (want["id"], got[key], value)
            else:
                assert got[key] == value, (want["id"], key, got[key], value)


@pytest.mark.parametrize("hospital_status", ["NON_EXEMPT", "EXEMPT", "UNKNOWN"])
def test_every_conformance_claim_groups_as_its_golden_json_form(tmp_path: Path, hospital_status: str) -> None:
    claims = [c for c in CLAIMS if c["hospital_status"] == hospital_status]
    x12 = write_x12(tmp_path / "claims.837", claims, Layout(claims_per_transaction=40, transactions_per_group=2,
                                                             groups_per_interchange=3))
    rows = _rows(x12, hospital_status=hospital_status)
    assert [r.claim_id for r in rows] == [c["id"] for c in claims]         # one row per CLM, in file order
    _compare_groupings(rows, _rows(_json_file(tmp_path / "claims.jsonl", claims)))


def test_extra_columns_a_user_joins_on(tmp_path: Path) -> None:
    claims = CLAIMS[:3]
    path = write_x12(tmp_path / "c.837", claims, npi="1992999999", payer_id="PAYER7",
                     billed_drgs={claims[1]["id"]: 291})
    rows = _rows(path)
    second = rows[1]
    through = discharge_date_for(claims[1]["version"], 1)
    assert second.extra["billing_provider_npi"] == "1992999999"
    assert second.extra["payer_id"] == "PAYER7"
    assert second.extra["type_of_bill"] == "111"
    assert second.extra["patient_control_number"] == claims[1]["id"]
    assert second.extra["statement_through"] == through.isoformat()
    assert second.extra["statement_from"] == second.extra["admission_date"]
    assert second.extra["length_of_stay"] == 1
    assert second.extra["billed_drg"] == "291" and rows[0].extra["billed_drg"] is None
    assert second.claim.discharge_date == through


def test_patient_loop_gives_the_patient_not_the_subscriber(tmp_path: Path) -> None:
    claim = dict(CLAIMS[0], age=40, sex="F")
    # seq 1 of the writer has an HL 23 patient; the subscriber there is born 1940, sex M
    rows = _rows(write_x12(tmp_path / "c.837", [CLAIMS[1], claim], Layout(patient_loop_every=2)))
    assert rows[1].claim.age == 40 and rows[1].claim.sex == "F"
    only_subscriber = _rows(write_x12(tmp_path / "s.837", [CLAIMS[1], claim], Layout(patient_loop_every=0)))
    assert only_subscriber[1].claim.age == 40


@pytest.mark.parametrize("layout", [
    Layout(element="|", component=">", repetition="!", terminator="\n", line_break=""),
    Layout(element="^", component="\\", repetition="{", terminator="'", line_break="\r\n"),
    Layout(line_break=""),
    Layout(claims_per_transaction=1, transactions_per_group=1, groups_per_interchange=1),
], ids=["pipe-newline", "caret-quote-crlf", "one-line", "one-claim-per-interchange"])
def test_separators_line_breaks_and_envelopes(tmp_path: Path, layout: Layout) -> None:
    claims = CLAIMS[:30]
    rows = _rows(write_x12(tmp_path / "c.x12", claims, layout))
    _compare_groupings(rows, _rows(_json_file(tmp_path / "c.jsonl", claims)))


def test_interchanges_with_different_separators_in_one_file_and_gzip(tmp_path: Path) -> None:
    first = x12_text(CLAIMS[:5])
    second = x12_text(CLAIMS[5:9], Layout(element="|", component="}", terminator="\n", line_break=""))
    (tmp_path / "both.edi.gz").write_bytes(gzip.compress((first + "\r\n" + second).encode()))
    rows = _rows(tmp_path / "both.edi.gz")
    assert [r.claim_id for r in rows] == [c["id"] for c in CLAIMS[:9]]
    _compare_groupings(rows, _rows(_json_file(tmp_path / "c.jsonl", CLAIMS[:9])))


def test_input_format_x12_for_any_name(tmp_path: Path) -> None:
    path = tmp_path / "claims.dat"
    path.write_text(x12_text(CLAIMS[:2]))
    assert [r.claim_id for r in _rows(path, input_format="x12")] == [c["id"] for c in CLAIMS[:2]]


def test_external_cause_codes_are_secondary_diagnoses_after_the_others(tmp_path: Path) -> None:
    path = _edited(tmp_path, lambda t: t.replace("HI*ABF:Z7902:::::::Y",
                                                 "HI*ABN:W1830XA:::::::Y~\nHI*ABF:Z7902:::::::Y"))
    claim = _rows(path)[0].claim
    assert [d.code for d in claim.sdx] == ["Z7902", "F329", "W1830XA"]


def _fix_counts(text: str) -> str:
    """Recount every SE01 (segments from ST to SE) after an edit of the file's text."""
    out, count = [], 0
    for segment in text.split("~\n"):
        if segment.startswith("ST*"):
            count = 0
        count += 1
        if segment.startswith("SE*"):
            segment = re.sub(r"^SE\*\d+\*", f"SE*{count}*", segment)
        out.append(segment)
    return "~\n".join(out)


def _edited(tmp_path: Path, change, claims=None) -> Path:
    """An 837 file of `claims` with `change` applied to its text (SE counts fixed up)."""
    path = tmp_path / "edited.837"
    path.write_text(_fix_counts(change(x12_text(claims or CLAIMS[:1], Layout(claims_per_transaction=100)))))
    return path


@pytest.mark.parametrize("change, status, where", [
    (lambda t: re.sub(r"HI\*ABK:[^~]*~\n", "", t), RowStatus.MISSING_PDX, "segment HI, qualifier ABK"),
    (lambda t: re.sub(r"CL1\*1\*7\*\d+", "CL1*1*7", t), RowStatus.MISSING_ELEMENT, "element CL103"),
    (lambda t: re.sub(r"DTP\*434\*[^~]*~\n", "", t), RowStatus.MISSING_VERSION, "qualifier 434"),
    (lambda t: re.sub(r"DTP\*434\*RD8\*\d+-\d+", "DTP*434*RD8*2022", t), RowStatus.INVALID_DISCHARGE_DATE,
     "element DTP03"),
    (lambda t: re.sub(r"DMG\*D8\*\d+", "DMG*D8*", t), RowStatus.MISSING_ELEMENT, "element DMG02"),
    (lambda t: re.sub(r"DTP\*435\*[^~]*~\n", "", t), RowStatus.MISSING_ELEMENT, "qualifier 435"),
    (lambda t: t.replace("CLM*A400-00001*", "CLM**"), RowStatus.MISSING_CLAIM_ID, "element CLM01"),
], ids=["no-pdx", "no-cl103", "no-statement", "bad-statement", "no-birth-date", "no-admission", "no-id"])
def test_a_missing_piece_is_a_row_status_naming_segment_and_element(tmp_path: Path, change, status, where) -> None:
    rows = _rows(_edited(tmp_path, change))
    assert len(rows) == 1
    assert rows[0].status == status and where in rows[0].message
    for value in ("S25491S", "Z7902", "A400-00001"[1:]):       # no patient data in the message
        assert value not in rows[0].message


def test_age_at_discharge_without_an_admission_date(tmp_path: Path) -> None:
    row = _rows(_edited(tmp_path, lambda t: re.sub(r"DTP\*435\*[^~]*~\n", "", t)))[0]
    assert row.claim is not None and row.claim.age in (71, 72)


def test_outpatient_bill_and_part_b_inpatient(tmp_path: Path) -> None:
    outpatient = _rows(write_x12(tmp_path / "o.837", CLAIMS[:2], Layout(facility_code="13")))
    assert [r.status for r in outpatient] == [RowStatus.NOT_INPATIENT_BILL] * 2
    assert all(r.claim is None and "CLM05-1" in r.message for r in outpatient)
    part_b = _rows(write_x12(tmp_path / "b.837", CLAIMS[:2], Layout(facility_code="12")))
    assert [r.status for r in part_b] == [RowStatus.OK] * 2
    assert part_b[0].extra["type_of_bill"] == "121"


def test_837p_claims_are_rows_with_a_status(tmp_path: Path) -> None:
    rows = _rows(write_x12(tmp_path / "p.837", CLAIMS[:3], Layout(guide=PROFESSIONAL)))
    assert [r.status for r in rows] == [RowStatus.NOT_INSTITUTIONAL] * 3
    assert all(r.claim is None and "837P" in r.message for r in rows)
    records = group_rows(rows)
    assert [r["status"] for r in records] == ["NOT_INSTITUTIONAL"] * 3


def _segment_at(text: str, offset: int) -> str:
    return text.encode()[offset:offset + 3].decode()


@pytest.mark.parametrize("change, problem, tag", [
    (lambda t: t.replace("IEA*1*000000001~\n", ""), "before the IEA", None),
    (lambda t: re.sub(r"SE\*\d+\*0001~\n", "", t), "SE that closes", None),
    (lambda t: re.sub(r"SE\*(\d+)\*0001", lambda m: f"SE*{int(m.group(1)) + 2}*0001", t), "segments", "SE"),
    (lambda t: re.sub(r"GE\*1\*", "GE*7*", t), "transaction sets", "GE"),
    (lambda t: t.replace("IEA*1*000000001", "IEA*1*000000002"), "control number", "IEA"),
    (lambda t: t.replace("SE*", "SE*", 1).replace("*0001~\nGE", "*0009~\nGE"), "control number", "SE"),
    (lambda t: t[:50] + t[60:], "separator", "ISA"),
    (lambda t: "GS" + t[2:], "does not begin with an ISA", None),
    (lambda t: t.replace("CL1*1*7", "cl1*1*7"), "unreadable segment", "cl1"),
    (lambda t: t.replace("REF*EA", "REF*\xe9A"), None, None),
    (lambda t: t[:-60], "ends", None),
    (lambda t: t.replace("BHT*", "GS*HC*X~\nBHT*"), "functional group", "GS"),
], ids=["no-iea", "no-se", "se-count", "ge-count", "iea-control", "se-control", "bad-isa", "no-isa",
        "bad-tag", "latin1", "cut-off", "gs-in-st"])
def test_a_broken_envelope_stops_the_run_naming_segment_and_offset(tmp_path: Path, change, problem, tag) -> None:
    text = change(x12_text(CLAIMS[:2], Layout(claims_per_transaction=100)))
    path = tmp_path / "bad.837"
    path.write_bytes(text.encode("latin-1") if "\xe9" in text else text.encode())
    with pytest.raises(MalformedFileError) as caught:
        _rows(path)
    message = str(caught.value)
    assert str(path) in message and re.search(r"segment \d+ \(byte offset \d+\)", message), message
    if problem:
        assert problem in message
    if tag:
        offset = int(re.search(r"byte offset (\d+)", message).group(1))
        assert path.read_bytes()[offset:offset + len(tag)].decode("latin-1") == tag
    assert "S25491S" not in message and "A400-00001" not in message      # no claim data quoted


def test_segment_number_and_offset_point_at_the_segment(tmp_path: Path) -> None:
    text = x12_text(CLAIMS[:2], Layout(claims_per_transaction=100)).replace("GE*1*", "GE*5*")
    path = tmp_path / "bad.837"
    path.write_text(text)
    with pytest.raises(MalformedFileError) as caught:
        _rows(path)
    number = int(re.search(r"segment (\d+)", str(caught.value)).group(1))
    offset = int(re.search(r"byte offset (\d+)", str(caught.value)).group(1))
    segments = text.split("~\n")
    assert segments[number - 1].startswith("GE*5*")
    assert text.index("GE*5*") == offset


def test_bad_gzip_is_a_malformed_file(tmp_path: Path) -> None:
    path = tmp_path / "c.837.gz"
    path.write_bytes(gzip.compress(x12_text(CLAIMS[:50]).encode())[:-200])
    with pytest.raises(MalformedFileError, match="cut off|damaged"):
        _rows(path)


def test_x12_is_not_an_output_format(tmp_path: Path) -> None:
    claims = _json_file(tmp_path / "c.jsonl", CLAIMS[:2])
    result = CliRunner().invoke(cli, ["group", str(claims), "-o", str(tmp_path / "out.837"), "--quiet"])
    assert result.exit_code != 0 and "read, not written" in result.output
    assert not (tmp_path / "out.837").exists()


# ---------------------------------------------------------------- the commands


def _billed(claims: list[dict]) -> dict[str, int]:
    return {c["id"]: (291 if n % 3 == 0 else 194) for n, c in enumerate(claims)}


def test_drg_validate_on_a_multi_claim_837i(tmp_path: Path) -> None:
    claims = [c for c in CLAIMS if c["hospital_status"] == "NON_EXEMPT"][:400]
    billed = _billed(claims)
    path = write_x12(tmp_path / "claims.837", claims, Layout(claims_per_transaction=25), billed_drgs=billed)
    result = CliRunner().invoke(cli, ["validate", str(path), "-o", str(tmp_path / "out.csv"), "--no-drivers"])
    assert result.exit_code == 0, result.output
    with open(tmp_path / "out.csv", newline="") as handle:
        out = list(csv.DictReader(handle))
    assert [r["id"] for r in out] == [c["id"] for c in claims]
    assert [int(r["billed_drg"]) for r in out] == [billed[c["id"]] for c in claims]
    grouped = {r["id"]: r for r in group_rows(_rows(path))}
    assert [int(r["expected_drg"]) for r in out] == [grouped[c["id"]]["final_drg"] for c in claims]
    assert all(r["finding"] for r in out)                     # every billed DRG is checked
    assert {r["finding"] for r in out} >= {"UPCODING_RISK", "DOWNCODING_RISK"}
    assert [int(r["length_of_stay"]) for r in out] == [n % 9 for n in range(len(claims))]


def test_drg_group_with_hospital_status(tmp_path: Path) -> None:
    claims = [c for c in CLAIMS if c["hospital_status"] == "EXEMPT"][:200]
    path = write_x12(tmp_path / "claims.837", claims)
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["group", str(path), "-o", str(out), "--quiet", "--hospital-status", "EXEMPT"])
    assert result.exit_code == 0, result.output
    got = [json.loads(line) for line in out.read_text().splitlines()]
    want = group_rows(_rows(_json_file(tmp_path / "c.jsonl", claims)))
    assert [g["final_drg"] for g in got] == [w["final_drg"] for w in want]
    assert [g["hac_status"] for g in got] == [w["hac_status"] for w in want]
    assert all(g["billing_provider_npi"] == "1234567893" for g in got)
    default = tmp_path / "default.jsonl"
    CliRunner().invoke(cli, ["group", str(path), "-o", str(default), "--quiet"])
    as_non_exempt = [json.loads(line)["hac_status"] for line in default.read_text().splitlines()]
    assert as_non_exempt != [g["hac_status"] for g in got]     # the option reaches the reader


def test_drg_shift_and_drg_edit_read_837i(tmp_path: Path) -> None:
    claims = [c for c in CLAIMS if c["version"] == 431][:50]
    path = write_x12(tmp_path / "claims.837", claims)
    shift = CliRunner().invoke(cli, ["shift", str(path), "--from", "43.1", "--to", "44.0", "-o",
                                     str(tmp_path / "shift.csv"), "--hospital-status", "NON_EXEMPT"])
    assert shift.exit_code == 0, shift.output
    with open(tmp_path / "shift.csv", newline="") as handle:
        assert [r["claim_id"] for r in csv.DictReader(handle)] == [c["id"] for c in claims]
    edit = CliRunner().invoke(cli, ["edit", str(path), "-o", str(tmp_path / "edits.jsonl")])
    assert edit.exit_code == 0, edit.output
    assert len((tmp_path / "edits.jsonl").read_text().splitlines()) == len(claims)


def test_the_readers_take_the_hospital_status_explicitly(tmp_path: Path) -> None:
    from drg.io import open_claims, read_claims
    from drg.io.x12 import hospital_status_for_x12

    path = write_x12(tmp_path / "claims.837", CLAIMS[:4])

    def statuses(chunks) -> list:
        return [row.claim.hospital_status for chunk in chunks for row in chunk]

    assert set(statuses(read_claims(path))) == {"NON_EXEMPT"}                  # the default
    assert set(statuses(read_claims(path, hospital_status="EXEMPT"))) == {"EXEMPT"}
    assert set(statuses(open_claims(path, hospital_status="UNKNOWN"))) == {"UNKNOWN"}
    with hospital_status_for_x12("EXEMPT"):
        assert set(statuses(read_claims(path))) == {"EXEMPT"}                  # the run's, when not given
        assert set(statuses(read_claims(path, hospital_status="UNKNOWN"))) == {"UNKNOWN"}


@pytest.mark.parametrize("command, extra", [("group", []), ("validate", []),
                                            ("shift", ["--from", "43.1", "--to", "44.0"])])
def test_an_837_with_scheduler_says_x12_is_read_by_one_process(tmp_path: Path, monkeypatch, command, extra) -> None:
    import drg.dask

    started = []
    monkeypatch.setattr(drg.dask, "open_client", lambda scheduler: started.append(scheduler) or (None, None))
    path = write_x12(tmp_path / "claims.837", CLAIMS[:5])
    result = CliRunner().invoke(cli, [command, str(path), *extra, "-o", str(tmp_path / "out"),
                                      "--scheduler", "local:1"])
    assert result.exit_code == 1, result.output
    assert "claims.837: X12 837 input is read by one process" in result.output
    assert "run without --scheduler" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)      # a message, no traceback
    assert started == []                      # refused before any worker starts
    assert not (tmp_path / "out").exists()


def test_run_on_dask_refuses_x12_named_by_input_format(tmp_path: Path, monkeypatch) -> None:
    import drg.dask

    monkeypatch.setattr(drg.dask, "open_client", lambda scheduler: pytest.fail("a cluster was started"))
    path = tmp_path / "claims.csv"
    path.write_text(x12_text(CLAIMS[:2]))
    with pytest.raises(ValueError, match="X12 837 input is read by one process"):
        drg.dask.run_on_dask(path, tmp_path / "out", "group", "local:1", input_format="x12")


# ---------------------------------------------------------------- the implementation guide (pyx12)

# Values the conformance claims carry that the 837I guide does not allow, written as given on
# purpose so that every claim round-trips: POA 1 and X, a blank or missing principal diagnosis.
_OUT_OF_GUIDE = re.compile(r"is not a valid code for Present on Admission Indicator \(HI\d\d-09\) \((1|X)\)"
                           r"|Mandatory data element .*HI01-02|HI01-02.* is required"
                           r"|Mandatory segment \"Principal Diagnosis\" \(HI\) missing|^$")


def test_fixtures_conform_to_the_implementation_guide_per_pyx12(tmp_path: Path) -> None:
    pytest.importorskip("pyx12", reason="pyx12 (dev extra) validates 837I files against the guide")
    import io
    import logging

    import pyx12.params
    import pyx12.x12n_document

    files = [write_x12(tmp_path / "claims.837", CLAIMS[::4], Layout(claims_per_transaction=60),
                       billed_drgs={c["id"]: 291 for c in CLAIMS[::12]}),
             write_x12(tmp_path / "odd.837", CLAIMS[1:200:5], Layout(element="|", component=">", terminator="\n",
                                                                     line_break="", patient_loop_every=3))]
    errors = io.StringIO()
    handler = logging.StreamHandler(errors)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("pyx12")
    logger.addHandler(handler)
    logger.setLevel(logging.ERROR)
    try:
        for path in files:
            pyx12.x12n_document.x12n_document(param=pyx12.params.params(), src_file=str(path),
                                              fd_997=io.StringIO(), fd_html=None, fd_xmldoc=None)
    finally:
        logger.removeHandler(handler)
    problems = [line for line in errors.getvalue().splitlines() if not _OUT_OF_GUIDE.search(line.split(" - ", 1)[-1])]
    assert not problems, problems[:20]
    assert "ELE" in errors.getvalue()            # the deliberate POA 1 / X values were seen: pyx12 checked


def test_readme_mapping_table_is_the_reader_s() -> None:
    from drg.io.x12 import mapping_table

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    start = readme.index("| claim field / output column |")
    assert readme[start:readme.index("\n\n", start) + 1] == mapping_table()
