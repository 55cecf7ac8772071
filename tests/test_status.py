"""One RowStatus vocabulary: every status the readers, the batch and validation write is a member,
knows its meaning and whether the row is grouped, and README's table is its rendering."""
from __future__ import annotations

import re
from pathlib import Path

import drg
from drg.status import RowStatus, status_table

ROOT = Path(__file__).parent.parent


def readme_status_table() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index("| status | when | grouped? |")
    return text[start:text.index("\n\n", start) + 1]


def test_readme_status_table_is_the_enum_rendering():
    assert readme_status_table() == status_table()


def test_every_status_in_the_readme_table_is_a_member_and_back():
    listed = re.findall(r"^\| `([A-Z_]+)` \|", readme_status_table(), flags=re.MULTILINE)
    assert listed == [s.value for s in RowStatus]


def test_each_status_knows_its_meaning_and_whether_grouped():
    for status in RowStatus:
        assert status.meaning and status.how_grouped
        assert status.how_grouped.startswith("yes") == status.grouped, status
    assert RowStatus.OK.grouped and RowStatus.INVALID_AGE.grouped and RowStatus.TOO_MANY_CODES.grouped
    assert not RowStatus.INVALID_HOSPITAL_STATUS.grouped and not RowStatus.INVALID_RECORD.grouped
    assert not RowStatus.GROUPER_ERROR.grouped and not RowStatus.UNKNOWN_VERSION.grouped


def test_values_are_the_output_spellings():
    for status in RowStatus:
        assert status.value == status.name and str(status) == status.name and status == status.name
    assert drg.RowStatus is RowStatus


def _status_literals(folder: Path) -> set[str]:
    """Status spellings written in the product: status="X", status or "X", add(RowStatus.X / "X", ...)."""
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        text = path.read_text()
        found |= set(re.findall(r'status\s*=\s*"([A-Z][A-Z_]+)"', text))
        found |= set(re.findall(r'status or "([A-Z][A-Z_]+)"', text))
        found |= set(re.findall(r'RowStatus\.([A-Z][A-Z_]+)', text))
        found |= set(re.findall(r'result_record\(row, None, "([A-Z][A-Z_]+)"', text))
    return found


def test_every_status_the_product_writes_is_a_member():
    written = _status_literals(ROOT / "drg") | _status_literals(ROOT / "validation")
    written.discard("GROUPING_ERROR")        # validation's old spelling, renamed GROUPER_ERROR on another branch
    assert written, "the scan found nothing: the patterns are stale"
    assert written <= {s.value for s in RowStatus}, written - {s.value for s in RowStatus}


def test_the_reader_statuses_are_members(tmp_path):
    from drg.io import read_claims
    path = tmp_path / "c.jsonl"
    path.write_text('{"id": "1", "version": 431, "sex": "Q", "pdx": {"code": "I5021", "poa": "Y"}}\n'
                    '{"id": "2", "version": 431, "hospital_status": "MAYBE", "pdx": "I5021"}\n')
    rows = [row for chunk in read_claims(path) for row in chunk]
    assert [row.status for row in rows] == [RowStatus.INVALID_SEX, RowStatus.INVALID_HOSPITAL_STATUS]
    assert all(isinstance(row.status, RowStatus) for row in rows)
    assert [row.claim is not None for row in rows] == [row.status.grouped for row in rows]
