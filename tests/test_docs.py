"""The specification the code cites is in the repository, and every citation points at it.

Code comments and docstrings cite the grouper's specification as `docs/GROUPER_LOGIC.md
section N` (or `sections N-M`, `sections N, M and K`); each cited section must be a heading
of the document.
"""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "docs" / "GROUPER_LOGIC.md"
FOLDERS = ("tables", "grouper", "validation", "drg", "bench", "tests")
CITATION = re.compile(r"(?:docs/)?GROUPER_LOGIC(?:\.md)?(?:,?\s+(?:sections?\s+)?([0-9][0-9.,\s\-and]*))?")

# Citations in files other helpers own that still lack the docs/ path; must shrink to empty.
NOT_YET_POINTED: frozenset[str] = frozenset()   # files whose citations are not yet pointed at docs/


def _headings() -> set[str]:
    numbers = set()
    for line in SPEC.read_text(encoding="utf-8").splitlines():
        match = re.match(r"#{2,3} (\d+(?:\.\d+)?)\.? ", line)
        if match:
            numbers.add(match.group(1))
    return numbers


def _cited_sections(tail: str | None) -> list[str]:
    """'7.3-7.5' -> 7.3, 7.5; '8, 9 and 10' -> 8, 9, 10; '6-8' -> 6, 8."""
    return re.findall(r"\d+(?:\.\d+)?", (tail or "").rstrip(".,- "))


def _citations():
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            for match in CITATION.finditer(text):
                yield path.relative_to(ROOT).as_posix(), match


def test_the_specification_is_in_the_repository():
    assert SPEC.exists()
    assert {"4", "5.3", "7", "7.5", "10.4", "14", "16.3", "19"} <= _headings()


def test_every_citation_names_docs_and_an_existing_section():
    headings = _headings()
    wrong = []
    for where, match in _citations():
        if where == "tests/test_docs.py" or where in NOT_YET_POINTED:
            continue
        if not match.group(0).startswith("docs/GROUPER_LOGIC.md"):
            wrong.append(f"{where}: {match.group(0)!r} does not say docs/GROUPER_LOGIC.md")
        wrong += [f"{where}: section {n} is not in docs/GROUPER_LOGIC.md"
                  for n in _cited_sections(match.group(1)) if n not in headings]
    assert not wrong, "\n".join(wrong)


def test_not_yet_pointed_files_still_need_it():
    """Drop a file from NOT_YET_POINTED once its citations say docs/GROUPER_LOGIC.md."""
    bare = {where for where, match in _citations() if not match.group(0).startswith("docs/")}
    assert NOT_YET_POINTED <= bare
