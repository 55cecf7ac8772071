"""`drg tables diff`: table changes between two versions, found in the compiled tables."""
from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from drg.cli import main
from drg.tables.diff import (diff_drg, diff_dx, diff_pr, diff_versions, dx_change, or_status,
                             pr_change)
from drg.tables import load


def test_dx_severity_change_both_directions() -> None:
    a, b = load("43.1"), load("44.0")
    change = dx_change(a, b, "Z5900")
    assert change is not None and change.severity_changed
    assert (change.from_severity, change.to_severity) == ("CC", "NON_CC")
    back = dx_change(b, a, "Z5900")
    assert (back.from_severity, back.to_severity) == ("NON_CC", "CC")
    assert "CC -> NON_CC" in change.words("43.1", "44.0")


def test_unchanged_code_gives_no_change() -> None:
    a = load("43.1")
    assert dx_change(a, a, "I5021") is None
    assert pr_change(a, a, "02703DZ") is None
    assert diff_dx("43.1", "43.1") == [] and diff_drg("43.1", "43.1") == []


def test_drg_deleted_added_retitled() -> None:
    changes = {c.drg: c for c in diff_drg("43.1", "44.0")}
    assert changes[466].change == "REMOVED" and "Revision of Hip or Knee" in changes[466].from_title
    assert changes[449].change == "ADDED"
    assert changes[8].change == "RETITLED"
    reverse = {c.drg: c.change for c in diff_drg("44.0", "43.1")}
    assert reverse[466] == "ADDED" and reverse[449] == "REMOVED"


def test_added_and_removed_codes_match_the_code_sets() -> None:
    a, b = load("43.1"), load("44.0")
    dx = diff_dx(a, b)
    assert {c.code for c in dx if c.change == "ADDED"} == set(b.diagnoses) - set(a.diagnoses)
    assert {c.code for c in dx if c.change == "REMOVED"} == set(a.diagnoses) - set(b.diagnoses)
    pr = diff_pr(a, b)
    assert {c.code for c in pr if c.change == "REMOVED"} == set(a.procedures) - set(b.procedures)


def test_procedure_drg_assignment_change() -> None:
    change = pr_change(load("43.1"), load("44.0"), "02H40JZ")
    assert change is not None
    assert 211 in change.drgs_gained and 261 in change.drgs_lost


def test_or_status_change_42_1_to_43_0() -> None:
    changed = [c for c in diff_pr("42.1", "43.0") if c.or_changed]
    assert changed, "42.1 -> 43.0 changed O.R. designations"
    c = changed[0]
    assert c.from_or_status != c.to_or_status
    assert or_status(load("43.0").procedures[c.code]) == c.to_or_status
    assert or_status(None) is None


def test_cli_text_csv_json() -> None:
    runner = CliRunner()
    text = runner.invoke(main, ["tables", "diff", "43.1", "44.0", "drg"])
    assert text.exit_code == 0, text.output
    assert "DRG 466 was deleted in 44.0" in text.output
    out = runner.invoke(main, ["tables", "diff", "43.1", "44.0", "dx", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(out.output)))
    z = [r for r in rows if r["key"] == "Z5900"]
    assert z and z[0]["what"] == "CC/MCC level" and z[0]["to"] == "MDC 23 NON_CC"
    assert all(r["kind"] == "dx" for r in rows)
    js = runner.invoke(main, ["tables", "diff", "44.0", "43.1", "drg", "--format", "json"])
    data = json.loads(js.output)
    assert data["from_version"] == "44.0" and "dx" not in data
    bad = runner.invoke(main, ["tables", "diff", "43.1", "99.9"])
    assert bad.exit_code != 0 and "not available" in bad.output


def test_diff_versions_kinds() -> None:
    d = diff_versions("43.1", "44.0", ("drg",))
    assert d.dx == [] and d.pr == [] and d.drg
