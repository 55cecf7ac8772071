"""The validation run's tally: folded chunk by chunk (or merged from parts) it gives the same
report as all rows at once, and it holds counts, exact sums and a bounded list only."""
from __future__ import annotations

import dataclasses
import json
import random
from collections import Counter
from pathlib import Path

import pytest

from drg.conformance import read_jsonl
from drg.validating import read_chunks, read_rows, validate_rows, write_report
from drg.validation import ValidationTally, billed_claims_from_records, summarize_validations, validate_items
from drg.validation.reports.validation_report import (ExactSum, render_validation_html, render_validation_markdown,
                                                      summary_line)

FIXTURES = Path(__file__).parent / "fixtures"


def _billed(record: dict, n: int, expected: dict) -> dict:
    """A billed DRG for every kind of finding: right, off by one, not a number, missing, no DRG."""
    drg = expected.get(record["id"], 100)
    billed = [drg, drg + 1, drg - 1, "29I", None, 1234, drg][n % 7]
    out = dict(record, billed_drg=billed, provider_id=f"P{n % 3}")
    if n % 7 == 6:
        out.update(billed_version="42.0", length_of_stay=n % 9)
    if n % 23 == 5:
        out["pdx"] = 42       # unreadable claim: a row with a status and no grouping
    return out


@pytest.fixture(scope="module")
def validations() -> list:
    expected = {r["id"]: r["final_drg"] for r in read_jsonl(FIXTURES / "conformance_expected.jsonl.gz")}
    records = list(read_jsonl(FIXTURES / "conformance_claims.jsonl.gz"))[::29]
    rows = [_billed(r, n, expected) for n, r in enumerate(records)]
    return list(validate_items(billed_claims_from_records(rows)))


def _chunks(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _pages(tally: ValidationTally) -> tuple[str, str, str]:
    return (render_validation_html(tally, subtitle="s"), render_validation_markdown(tally, subtitle="s"),
            summary_line(tally, 1.25))


def test_the_sample_has_every_kind_of_row(validations) -> None:
    tally = summarize_validations(validations)
    assert len(tally.findings) >= 5 and tally.statuses["OK"] < tally.rows
    assert {"MISSING_BILLED_DRG", "INVALID_RECORD"} <= set(tally.statuses)
    assert tally.rule_hits and tally.pairs and tally.matrix and tally.rows_without_dollars >= 0


@pytest.mark.parametrize("size", [1, 7, 40])
def test_folding_chunk_by_chunk_gives_the_report_of_all_rows(validations, size) -> None:
    whole = summarize_validations(validations)
    folded = ValidationTally()
    for chunk in _chunks(validations, size):
        folded.add(chunk)
    assert _pages(folded) == _pages(whole)
    merged = ValidationTally()
    for chunk in _chunks(validations, size):
        merged.merge(ValidationTally().add(chunk))
    assert _pages(merged) == _pages(whole)


def test_merging_in_any_order_gives_the_same_figures(validations) -> None:
    whole = summarize_validations(validations)
    parts = [ValidationTally().add(c) for c in _chunks(validations, 11)]
    random.Random(3).shuffle(parts)
    merged = ValidationTally()
    for part in parts:
        merged.merge(part)
    assert merged.dollars_up == whole.dollars_up and merged.dollars_down == whole.dollars_down
    assert merged.dollars_by_finding == whole.dollars_by_finding and merged.pair_dollars == whole.pair_dollars
    assert (merged.cmi_billed, merged.cmi_expected) == (whole.cmi_billed, whole.cmi_expected)
    assert merged.top == whole.top and merged.findings == whole.findings and merged.matrix == whole.matrix


def test_the_tally_holds_the_top_claims_only(validations) -> None:
    tally = ValidationTally(top_n=5)
    for chunk in _chunks(validations, 3):
        tally.add(chunk)
        assert len(tally.top) <= 5
    best = sorted((v for v in validations if v.finding),
                  key=lambda v: (-v.risk_score, -abs(v.dollar_impact or 0), v.row_number))[:5]
    assert [c.row_number for c in tally.top] == [v.row_number for v in best]
    assert [c.claim_id for c in tally.top] == [v.claim_id for v in best]


def test_figures_are_the_rows_own(validations) -> None:
    tally = summarize_validations(validations)
    dollars = [v.dollar_impact for v in validations if v.dollar_impact is not None]
    assert tally.dollars_up == pytest.approx(sum(d for d in dollars if d > 0))
    assert tally.dollars_down == pytest.approx(sum(d for d in dollars if d <= 0))
    weighed = [v for v in validations if v.billed_weight is not None and v.expected_weight is not None]
    assert tally.cmi_rows == len(weighed)
    assert tally.cmi_billed == pytest.approx(sum(v.billed_weight for v in weighed) / len(weighed))
    assert tally.rows == len(validations) == sum(tally.statuses.values()) == sum(tally.outcomes.values())
    assert tally.outcomes == Counter(v.finding or v.status for v in validations)
    assert tally.findings == Counter(v.finding for v in validations if v.finding)
    assert tally.rule_hits == Counter(r for v in validations for r in v.rule_hits)


def test_summary_line_counts_findings_then_statuses_most_first(validations) -> None:
    tally = summarize_validations(validations[:20])
    line = summary_line(tally, 2.04)
    assert line.startswith(f"validated {tally.rows:,} rows in 2.0 s: ")
    counts = [int(part.rsplit(" ", 1)[1]) for part in line.split(": ", 1)[1].split(", ")]
    assert counts == sorted(counts, reverse=True) and sum(counts) == 20


def test_exact_sums_do_not_depend_on_the_order() -> None:
    values = [1e16, 1.0, -1e16, 0.1, 0.2, -0.3, 3.5]
    totals = set()
    for seed in range(6):
        random.Random(seed).shuffle(values)
        s = ExactSum()
        for x in values:
            s.add(x)
        totals.add(s.value)
    assert totals == {4.5}
    a, b = ExactSum(), ExactSum()
    a.add(1e16)
    b.add(1.0)
    b.add(-1e16)
    a.merge(b)
    assert a.value == 1.0


def test_write_report_takes_a_tally_or_the_rows(tmp_path, validations) -> None:
    tally = ValidationTally()
    for chunk in _chunks(validations, 9):
        tally.add(chunk)
    write_report(tally, tmp_path / "a.html", subtitle="x")
    write_report(validations, tmp_path / "b.html", subtitle="x")
    write_report(tally, tmp_path / "a.md")
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()
    assert (tmp_path / "a.md").read_text().startswith("# DRG validation summary")
    with pytest.raises(ValueError, match="use .html or .md"):
        write_report(tally, tmp_path / "a.txt")


def test_top_claims_keep_no_grouping(validations) -> None:
    tally = summarize_validations(validations)
    assert all(not hasattr(c, "grouping") for c in tally.top)
    assert json.dumps([dataclasses.asdict(c) for c in tally.top])   # plain values only


def test_a_file_streamed_chunk_by_chunk_gives_the_report_of_all_rows(tmp_path) -> None:
    source = Path(__file__).resolve().parents[1] / "examples" / "claims_wide.csv"
    tally = ValidationTally()
    sizes = []
    for chunk in read_chunks(source, chunk_size=5):
        sizes.append(len(chunk))
        tally.add(validate_rows(chunk))
    write_report(tally, tmp_path / "streamed.md", subtitle="x")
    write_report(list(validate_rows(read_rows(source))), tmp_path / "whole.md", subtitle="x")
    assert sizes == [5, 5, 2] and tally.rows == 12
    assert (tmp_path / "streamed.md").read_bytes() == (tmp_path / "whole.md").read_bytes()
    with pytest.raises(ValueError, match="39.0"):
        read_chunks(source, version="39.0")
