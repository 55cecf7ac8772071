"""Explanations speak a coder's language: codes spelled as coders write them with their titles,
and no CMS attribute name (d468, exp12, chestcl, ORPROC ...) in the text a person reads."""
from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import drg
from drg.claim import Claim
from drg.conformance import read_jsonl
from drg.grouper.explain import explain_claim
from drg.tables import available_versions, load
from drg.tables.formula import atoms, parse
from drg.grouper.vocabulary import ReturnCode
from drg.tables.loader import dx_pattern_lists, pr_pattern_sets, read_table

FIXTURES = Path(__file__).parent / "fixtures"
# names the tables use that are also ordinary words of our sentences, and the grouper's return
# codes (golden output words, kept in parentheses after the plain-words reason)
ENGLISH = {"bilateral", "incident", "alive", "died", "mcc", "cc", "ama", "anydx"} | {c.lower() for c in ReturnCode}
WORD = re.compile(r"[A-Za-z0-9_@]+")


def title_words() -> set[str]:
    """Every word of a code, DRG, MDC or HAC title: many list names (spinal, fusion, ami, hiv) are
    words of the titles, and a title naming them is no CMS internal."""
    words: set[str] = set()
    for name in ("dx_titles", "pr_titles"):
        for text in read_table(name).column("title").to_pylist():
            words.update(w.lower() for w in WORD.findall(text))
    for version in available_versions():
        tables = load(version)
        for titles in (tables.drg_titles, tables.base_drg_titles, tables.mdc_titles, tables.hac_titles):
            for text in titles.values():
                words.update(w.lower() for w in WORD.findall(text))
    return words


@functools.lru_cache(maxsize=1)
def attribute_names() -> frozenset[str]:
    """Every list / attribute / operand name in the tables (lower case) that is not a word of a title."""
    names = {a for lists in dx_pattern_lists().values() for a in lists}
    names |= {a for attrs in pr_pattern_sets().values() for a in attrs}
    for version in available_versions():
        tables = load(version)
        for rows in tables.formulas.values():
            for f in rows:
                names |= {atom.name for atom in atoms(parse(f.formula, version.id))}
    return frozenset({n.lower() for n in names if n and not n.isdigit()} - ENGLISH - title_words())


def test_the_attribute_name_collection_is_not_empty():
    names = attribute_names()
    assert {"d468", "orproc", "exp12", "chestcl", "oth03", "nonor"} <= names and len(names) > 400


def test_fixture_explanations_name_no_cms_attribute():
    names = attribute_names()
    word = WORD
    found: dict[str, str] = {}
    count = 0
    for claim_json in read_jsonl(FIXTURES / "conformance_claims.jsonl.gz"):
        claim = Claim.from_dict(claim_json)
        explanation = explain_claim(claim, load(claim.version))
        text = explanation.text()
        count += 1
        for token in word.findall(text):
            if token.lower() in names and token.lower() not in found:
                found[token.lower()] = f"{claim.id}: {text[:200]}"
    assert count > 4000
    assert found == {}, f"{len(found)} attribute names reach the text, e.g. {list(found.items())[:3]}"


CLAIM = {"id": "c1", "version": 431, "age": 70, "sex": "M", "discharge_status": 1,
         "hospital_status": "NON_EXEMPT", "pdx": {"code": "J189", "poa": "Y"},
         "sdx": [{"code": "J9601", "poa": "Y"}, {"code": "I10", "poa": "Y"}],
         "procedures": ["0DTJ4ZZ"]}


def test_explain_text_spells_codes_as_coders_do_with_titles():
    text = drg.explain(CLAIM).text()
    assert "J96.01 Acute respiratory failure with hypoxia: an MCC" in text
    assert "J18.9 Pneumonia, unspecified organism" in text
    assert "0DTJ4ZZ Resection of Appendix, Percutaneous Endoscopic Approach" in text
    assert "J9601" not in text
    # the data keeps the golden spelling
    lines = drg.explain(CLAIM).to_dict()["lines"]
    assert [line["code"] for line in lines if line["topic"] == "SDX"] == ["J9601", "I10"]


def test_explain_names_the_unrelated_or_list_and_the_mdc_by_title():
    text = drg.explain(CLAIM).text()
    assert "an extensive O.R. procedure" in text
    assert "DRGs 981-983 (Extensive O.R. Procedures Unrelated To Principal Diagnosis)" in text
    assert "MDC 4 (Diseases and Disorders of the Respiratory System)" in text


def test_a_procedure_list_is_named_by_the_drgs_that_use_it():
    # a chest procedure on a respiratory claim: the list is the one DRGs 163-165 require
    claim = {**CLAIM, "sdx": [], "procedures": ["0BTC0ZZ"]}
    e = drg.explain(claim)
    assert e.result.final_drg in (163, 164, 165)
    drg_line = next(line.message for line in e.lines if line.topic == "DRG")
    assert "DRGs 163-165 (Major Chest Procedures)" in drg_line and "this DRG family requires" in drg_line


def test_an_ungroupable_claim_says_why_in_terms_of_the_code():
    # a code that exists only from a later version
    later = next(c for c in load("44.0").diagnoses if c not in load("40.0").diagnoses)
    e = drg.explain({**CLAIM, "version": 400, "pdx": {"code": later, "poa": "Y"}})
    line = next(line.message for line in e.lines if line.topic == "RETURN_CODE")
    assert f"principal diagnosis {later[:3]}.{later[3:]} is not a valid ICD-10-CM code in version 40.0" in line
    assert "it is valid in version" in line
    e = drg.explain({**CLAIM, "pdx": {"code": "Q", "poa": "Y"}})
    assert "not a valid code in any version" in next(x.message for x in e.lines if x.topic == "RETURN_CODE")


def test_one_claim_group_text_shows_titles():
    from click.testing import CliRunner
    from drg.cli import main

    out = CliRunner().invoke(main, ["group", "--pdx", "I5021", "--sdx", "J9601", "--proc", "02703DZ",
                                    "--age", "67", "--sex", "M", "--version", "43.1"])
    assert out.exit_code == 0, out.output
    assert "I50.21" in out.output and "Acute respiratory failure with hypoxia" in out.output
    assert "Dilation of Coronary Artery, One Artery with Intraluminal Device" in out.output


def test_every_code_line_of_the_fixture_explanations_carries_its_title():
    from drg.tables.titles import coder_spelling, title

    missing = []
    for number, claim_json in enumerate(read_jsonl(FIXTURES / "conformance_claims.jsonl.gz")):
        if number % 4:
            continue                                    # a quarter of the fixture: every version, fast
        claim = Claim.from_dict(claim_json)
        tables = load(claim.version)
        explanation = explain_claim(claim, tables)
        text_lines = explanation.text().splitlines()
        for line, text in zip(explanation.lines, text_lines):
            if not line.code:
                continue
            kind = "pr" if line.topic == "PROCEDURE" else "dx"
            known = title(kind, line.code, tables.version.fiscal_year)
            if known and f"{coder_spelling(line.code, kind)} {known}: " not in text:
                missing.append((claim.id, line.code))
    assert missing == []


def test_validation_reasons_name_no_cms_attribute():
    """The billed-DRG check speaks a coder's words too: every reason and explanation of the
    validation cases (tests/fixtures/validation_cases.jsonl, real fixture claims with billed DRGs of
    every kind) names lists by the DRGs that use them, never by their CMS attribute names."""
    from drg.validation import validate_claim

    names = attribute_names()
    found: dict[str, str] = {}
    count = 0
    for case in read_jsonl(FIXTURES / "validation_cases.jsonl"):
        validation = validate_claim(Claim.from_dict(case["claim"]), case.get("billed_drg"), drivers=False)
        count += 1
        for text in [validation.explanation] + [reason.message for reason in validation.reasons]:
            for token in WORD.findall(text):
                if token.lower() in names:
                    found.setdefault(token.lower(), f"{case['claim']['id']}: {text[:200]}")
    assert count > 150
    assert found == {}, f"{len(found)} attribute names reach the reasons, e.g. {list(found.items())[:3]}"


# ---- every code a person reads: dotted as coders write it, followed by its title -------------

# a code-shaped word: an ICD-10-CM code with or without its dot, or a seven-character ICD-10-PCS
# code; a bound of a range ("E40-E43") or a category still to be completed ("J96.0-") is no code
CM_WORD = re.compile(r"(?<![\w.\-])[A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?(?![\w\-]|\.\w)")
PCS_WORD = re.compile(r"(?<![\w.\-])(?=[0-9A-Z]*[0-9])[0-9A-HJ-NP-Z]{7}(?![\w\-])")


def code_problems(text: str, fiscal_years: "int | tuple[int, ...]") -> list[str]:
    """The codes of a text a person reads that are not written as coders write them followed by
    their title ("J96.01 Acute respiratory failure with hypoxia" or "J96.01 (Acute ...)") of one
    of the fiscal years: each problem quoted with its surroundings. A title cut short by the text
    ("…", a report's shortened column) passes up to the cut; a word that is no code (no title)
    passes."""
    from drg.tables.titles import coder_spelling, title

    years = (fiscal_years,) if isinstance(fiscal_years, int) else fiscal_years
    problems = []
    for kind, pattern in (("dx", CM_WORD), ("pr", PCS_WORD)):
        for match in pattern.finditer(text):
            word = match.group()
            known = {title(kind, word.replace(".", ""), year) for year in years} - {""}
            if not known:
                continue
            after = text[match.end():]
            spelled = word == coder_spelling(word, kind)
            if not (spelled and any(_titled(after, t) for t in known)):
                problems.append(text[max(0, match.start() - 40):match.end() + 60])
    return problems


def _titled(after: str, known: str) -> bool:
    shown = after.split("…", 1)[0] if "…" in after else None
    return any(after.startswith(form) or (shown is not None and len(shown) > 1 and form.startswith(shown))
               for form in (f" {known}", f" ({known})"))


def test_the_code_scanner_finds_what_a_coder_would_not_write():
    fy = 2026
    assert code_problems("J96.01 Acute respiratory failure with hypoxia counts", fy) == []
    assert code_problems("J96.01 (Acute respiratory failure with hypoxia) counts", fy) == []
    assert code_problems("procedure 0DTJ4ZZ (Resection of Appendix, Percutaneous Endoscopic Approach)", fy) == []
    assert code_problems("severe malnutrition (E40-E43), acute respiratory failure (J96.0-), DRG 291, 43.1", fy) == []
    assert len(code_problems("without J9601 the claim", fy)) == 1               # not dotted
    assert len(code_problems("without J96.01 the claim", fy)) == 1              # no title
    assert len(code_problems("J96.01 Acute respiratory failure counts", fy)) == 1   # another title
    assert len(code_problems("procedure 0DTJ4ZZ leads to", fy)) == 1
    assert len(code_problems("the claim has only CCs (E1165, I10)", fy)) == 2
    assert code_problems("why: J96.01 (Acute respiratory fail…", fy) == []       # a shortened column
    assert len(code_problems("why: J96.01 (Acute cardiac fail…", fy)) == 1
    assert code_problems("G20 Parkinson's disease", (2023, 2026)) == []          # a title of one of the years


def _validations():
    from drg.validation import validate_claim

    for number, case in enumerate(read_jsonl(FIXTURES / "validation_cases.jsonl"), 1):
        claim = Claim.from_dict(case["claim"])
        yield validate_claim(claim, case["billed_drg"], billed_version=case.get("billed_version"),
                             length_of_stay=case.get("length_of_stay"), row_number=number)


def _report_text(html_text: str) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(style|svg)[\s\S]*?</\1>", " ", html_text)))


def test_validation_reasons_verdicts_and_reports_write_codes_with_titles():
    """Every code in the text a person reads of the validation cases (every finding, every rule):
    the reasons, the plain-words explanation, the one-claim `drg validate` verdict, the audit rule
    descriptions, and the validation report (HTML and Markdown) - dotted, with its title."""
    from drg.commands.validate import render_verdict
    from drg.validation import RULES, ValidationTally
    from drg.validation.reports.validation_report import render_validation_html, render_validation_markdown

    problems: dict[str, list[str]] = {}
    validations = list(_validations())
    for v in validations:
        fy = load(v.version).version.fiscal_year
        texts = [v.explanation, *(r.message for r in v.reasons), render_verdict(v)]
        for text in texts:
            if found := code_problems(text, fy):
                problems.setdefault(v.claim_id, []).extend(found)
    for rule in RULES:
        for fy in range(2023, 2028):
            if found := code_problems(rule.description, fy):
                problems.setdefault(rule.id, []).extend(found)
    tally = ValidationTally(top_n=len(validations)).add(validations)
    years = tuple(sorted({load(v).version.fiscal_year for v in available_versions()}))
    for name, text in (("html", _report_text(render_validation_html(tally))),
                       ("md", render_validation_markdown(tally))):
        # the report's claims are of every version: a title of one of their fiscal years
        if found := code_problems(text, years):
            problems.setdefault(f"report.{name}", []).extend(found)
    assert len(validations) > 150
    assert problems == {}, f"{len(problems)} texts write codes without dots or titles, e.g. " \
                           f"{list(problems.items())[:3]}"


def test_shift_reasons_and_report_write_codes_with_titles():
    """The version-shift cases' reasons (tests/fixtures/shift_cases.jsonl) and a shift report:
    every code dotted, with its title of the to-version's fiscal year."""
    from drg.validation.reports.shift_report import render_shift_html, render_shift_markdown
    from drg.validation.version_shift import ShiftRowMaker, shift_rows
    from drg.validation.version_shift.summary import summarize_shift

    problems = []
    count = 0
    for case in read_jsonl(FIXTURES / "shift_cases.jsonl"):
        claim = Claim.from_dict(case["claim"])
        row = ShiftRowMaker(case["from"], case["to"]).row(1, claim.id, claim)
        fy = load(case["to"]).version.fiscal_year
        for reason in json.loads(row["reasons_json"]):
            count += 1
            problems += code_problems(reason["text"], fy)
        problems += code_problems(row["reasons"], fy)
    assert count > 40
    claims = list(read_jsonl(FIXTURES / "conformance_claims.jsonl.gz"))[::7]
    summary = summarize_shift(shift_rows(claims, "43.1", "44.0"), "43.1", "44.0")
    assert len(summary.top_codes) > 5
    fy = load("44.0").version.fiscal_year
    problems += code_problems(_report_text(render_shift_html(summary)), fy)
    problems += code_problems(render_shift_markdown(summary), fy)
    assert problems == [], f"{len(problems)} codes without dots or titles, e.g. {problems[:3]}"


def test_shift_reasons_name_no_cms_attribute():
    """Why a claim's DRG moved between versions, in a coder's words: the shift cases and the
    conformance fixture's claims shifted 43.1 -> 44.0 and 40.0 -> 41.0 name lists by the DRGs
    that use them (the raw names stay in the reasons' before/after fields)."""
    from drg.validation.version_shift import ShiftRowMaker

    names = attribute_names()
    found: dict[str, str] = {}
    rows = []
    for case in read_jsonl(FIXTURES / "shift_cases.jsonl"):
        claim = Claim.from_dict(case["claim"])
        rows.append(ShiftRowMaker(case["from"], case["to"]).row(1, claim.id, claim))
    claims = [Claim.from_dict(c) for c in list(read_jsonl(FIXTURES / "conformance_claims.jsonl.gz"))[::3]]
    for from_version, to_version in (("43.1", "44.0"), ("40.0", "41.0")):
        maker = ShiftRowMaker(from_version, to_version)
        rows += [maker.row(number, claim.id, claim) for number, claim in enumerate(claims, 1)]
    kinds = set()
    for row in rows:
        reasons = json.loads(row["reasons_json"])
        kinds |= {reason["kind"] for reason in reasons}
        for text in [row["reasons"]] + [reason["text"] for reason in reasons]:
            for token in WORD.findall(text):
                if token.lower() in names:
                    found.setdefault(token.lower(), f"{row['claim_id']}: {text[:200]}")
    from drg.validation.reports.shift_report import render_shift_html, render_shift_markdown
    from drg.validation.version_shift import shift_rows
    from drg.validation.version_shift.summary import summarize_shift

    summary = summarize_shift(shift_rows(list(read_jsonl(FIXTURES / "conformance_claims.jsonl.gz"))[::7],
                                         "43.1", "44.0"), "43.1", "44.0")
    for text in (_report_text(render_shift_html(summary)), render_shift_markdown(summary)):
        for token in WORD.findall(text):
            if token.lower() in names:
                found.setdefault(token.lower(), f"report: {text[:100]}")
    assert len(rows) > 2000 and {"PDX_FAMILY", "PR_DRG", "SDX_SEVERITY"} <= kinds
    assert found == {}, f"{len(found)} attribute names reach the shift reasons, e.g. {list(found.items())[:3]}"


def test_a_marked_mcc_that_another_mcc_backs_up_is_not_said_to_move_the_drg():
    """'without it the DRG would be N' only when N is another DRG: on the fixture, and on a claim
    with two MCCs where the grouper marks the last one as setting the severity."""
    claim = {**CLAIM, "pdx": {"code": "I5021", "poa": "Y"},
             "sdx": [{"code": "J9601", "poa": "Y"}, {"code": "N179", "poa": "Y"}, {"code": "E43", "poa": "Y"}],
             "procedures": []}
    e = drg.explain(claim)
    assert e.result.final_drg == 291
    marked = [line.message for line in e.lines if line.topic == "SDX" and "marked as setting" in line.message]
    assert marked and "the DRG stays 291 (Heart Failure and Shock with MCC): another MCC holds it" in marked[0]
    wrong = []
    for number, claim_json in enumerate(read_jsonl(FIXTURES / "conformance_claims.jsonl.gz")):
        if number % 3:
            continue
        explanation = explain_claim(Claim.from_dict(claim_json), load(claim_json["version"]))
        for line in explanation.lines:
            found = re.search(r"without it the DRG would be (\d+)", line.message)
            if found and int(found.group(1)) == explanation.result.final_drg:
                wrong.append((claim_json["id"], line.code))
    assert wrong == []


def test_a_list_is_described_by_its_meaning_or_by_the_drgs_that_test_it():
    from drg.grouper.explain import describe_list
    from drg.tables.cms import EXTENSIVE_OR

    tables = load("44.0")
    assert describe_list("nonor", tables) == "the non-O.R. procedure list"
    assert describe_list(EXTENSIVE_OR.upper(), tables) == "the extensive O.R. procedure list"
    assert describe_list("bilateral", tables) == \
        "the list for the same procedure on both sides of the body (bilateral)"
    assert describe_list("infhipknee", tables).startswith("the list that DRGs 403-404 (Hip or Knee Procedures")
    assert describe_list("dvtpdx", tables) == ""             # on the code table, tested by no formula


def test_a_shift_reason_names_the_lists_a_code_joined_and_left():
    from drg.claim import Diagnosis
    from drg.validation.version_shift.reasons import ShiftReasonFinder, ShiftReasonKind

    finder = ShiftReasonFinder(load("43.1"), load("44.0"))
    claim = Claim(id="s1", version=431, age=60, sex="F", discharge_status=1, pdx=Diagnosis("C510", "Y"),
                  procedures=("0SPC09Z", "0SPC09Z"))
    pdx, procedure = finder.attribute_reasons(claim)      # the repeated procedure gives one reason
    assert (pdx.kind, pdx.code, pdx.before, pdx.after) == (ShiftReasonKind.PDX_FAMILY, "C510", "uaothmal", "uamal")
    assert pdx.text == (
        "the grouping attributes of principal diagnosis C51.0 (Malignant neoplasm of labium majus) changed in "
        "44.0 (now on the list that DRGs 731-733 (Uterine and Adnexa Procedures for Malignancy with MCC) use; "
        "no longer on the list that DRGs 739-741 (Uterine and Adnexa Procedures for Non-Ovarian and "
        "Non-Adnexal Malignancy) use in 43.1)")
    assert (procedure.kind, procedure.code, procedure.before, procedure.after) == (
        ShiftReasonKind.PR_DRG, "0SPC09Z", "", "infhipknee")
    # a principal diagnosis whose only change is a list no formula tests gives no reason
    older = ShiftReasonFinder(load("42.0"), load("43.1"))
    assert older.attribute_reasons(Claim(id="s2", version=420, age=60, sex="F", discharge_status=1,
                                         pdx=Diagnosis("I82492", "Y"))) == []


COUNTED = ("MCC", "CC")
NOT_HAC_USAGES = ("MCC", "CC", "MCC_EXCLUDED", "CC_EXCLUDED", "MCC_EXCLUDED_BY_DRG_LOGIC", "CC_EXCLUDED_BY_DRG_LOGIC")


def test_secondary_lines_name_the_hac_by_title_and_say_why_a_code_does_not_count():
    """The fixture's secondary diagnoses whose HAC criteria were met name each HAC by number and
    title; an invalid code is ignored under topic SDX; a claim that could not be grouped says so."""
    hac_lines = invalid_lines = ungroupable_lines = 0
    for number, claim_json in enumerate(read_jsonl(FIXTURES / "conformance_claims.jsonl.gz")):
        claim = Claim.from_dict(claim_json)
        tables = load(claim.version)
        explanation = explain_claim(claim, tables)
        result = explanation.result
        sdx_lines = [line for line in explanation.lines if line.topic == "SDX"]
        assert len(sdx_lines) == len(result.sdx), claim.id
        for d, line in zip(result.sdx, sdx_lines):
            met = [h.hac_number for h in d.hacs if h.hac_usage == "HAC_CRITERIA_MET"]
            if not d.recognized:
                invalid_lines += 1
                assert line.message.endswith(": ignored") and line.code == d.code
            elif met and d.initial_severity_usage in COUNTED and d.final_severity_usage not in NOT_HAC_USAGES:
                hac_lines += 1
                named = ", ".join(f"HAC {n:02d} ({tables.hac_titles[n]})" for n in met)
                assert line.message.endswith(f"not present on admission ({named})"), (claim.id, line.message)
            elif d.severity in ("MCC", "CC") and d.final_severity_usage == "NEITHER" and result.final_drg == 999:
                ungroupable_lines += 1
                assert "could not be grouped" in line.message, (claim.id, line.message)
    assert hac_lines > 0 and invalid_lines > 0 and ungroupable_lines > 0, (hac_lines, invalid_lines, ungroupable_lines)
