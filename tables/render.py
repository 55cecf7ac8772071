"""Plain-text rendering of the `drg tables show` / `list` reports, for a coder at a terminal."""
from __future__ import annotations

from typing import Any

from drg.tables.show import EXAMPLES, NO_DESCRIPTION, DrgReport, DxReport, MdcRef, PrReport
from drg.tables.titles import coder_spelling


def _title_line(title: str) -> str:
    """The title of a code that is not valid in the version asked, when another year has one."""
    return "" if title == NO_DESCRIPTION else f"\ntitle (another fiscal year)  {title}"


def _mdc(ref: MdcRef | None) -> str:
    return f"{ref.mdc} {ref.title}" if ref else "-"


def _more(items: list[str], total: int) -> str:
    text = ", ".join(items) if items else "-"
    return text + (f" ... and {total - len(items)} more" if total > len(items) else "")


def _num(value: float | None, digits: int = 4) -> str:
    return "not in the weights source" if value is None else f"{value:.{digits}f}".rstrip("0").rstrip(".")


def _flag(value: bool | None) -> str:
    return "not in the weights source" if value is None else ("yes" if value else "no")


def _lines(pairs: list[tuple[str, str]]) -> str:
    width = max(len(k) for k, _ in pairs)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in pairs)


def render_mce(entries: list[dict]) -> list[str]:
    """The MCE part of a code report: per range of discharge dates, the edits the code can raise and when."""
    if not entries:
        return ["MCE edits: the Medicare Code Editor does not know this code: INVALID_CODE (edit 1) on every "
                "discharge date"]
    out = ["MCE edits (Medicare Code Editor; by discharge date):"]
    for entry in entries:
        mark = "  <- this version's dates" if entry["in_version"] else ""
        span = f"{entry['date_from']} .. {entry['date_through']}"
        if not entry["edits"]:
            out.append(f"  {span}: valid, raises no edit of its own{mark}")
            continue
        out.append(f"  {span}:{mark}")
        for e in entry["edits"]:
            number = f" (edit {e['edit_number']})" if e["edit_number"] else ""
            when = f" - when: {e['when']}" if e["when"] else ""
            out.append(f"    {e['title']}{number}, {e['type']}{when}")
    return out


def render_dx(r: DxReport) -> str:
    """A diagnosis report as aligned `label  value` lines."""
    head = f"ICD-10-CM {coder_spelling(r.code, 'dx')} in MS-DRG {r.version}"
    if not r.valid:
        where = ", ".join(r.valid_in_versions) or "no version of the tables"
        return "\n".join([f"{head}: NOT a valid diagnosis code in this version (valid in: {where})"
                          + _title_line(r.description)] + render_mce(r.mce_edits))
    pairs = [("valid", "yes"), ("title", r.description), ("MDC (as principal)", _mdc(r.mdc))]
    if r.sex_mdcs:
        pairs.append(("MDC by sex", f"male: {_mdc(r.sex_mdcs['male'])}; female: {_mdc(r.sex_mdcs['female'])}"))
    pairs += [
        ("as secondary dx", {"MCC": "MCC", "CC": "CC", "NON_CC": "not a CC/MCC"}.get(r.severity or "", "-")),
        ("CC exclusion", f"excluded as CC/MCC by {r.excluded_by_count} principal diagnoses "
                         f"(groups {', '.join(map(str, r.excluded_in_groups)) or '-'})"),
        ("  e.g.", _more(r.excluded_by_examples, r.excluded_by_count)),
        ("as principal dx", f"exclusion group {r.own_exclusion_group}: excludes {r.excludes_count} secondary codes"
                            if r.own_exclusion_group is not None else "excludes no secondary codes"),
        ("HAC", "; ".join(f"HAC {h['hac']:02d} {h['title']}" for h in r.hac_categories)
                or (", ".join(r.hac_attributes) if r.hac_attributes else "none")),
        ("HAC attributes", ", ".join(r.hac_attributes) or "-"),
        ("attributes", ", ".join(r.attributes) or "-"),
        ("categories", ", ".join(r.categories) or "-"),
        ("valid in", ", ".join(r.valid_in_versions)),
    ]
    return "\n".join([head, _lines(pairs)] + render_mce(r.mce_edits))


def render_pr(r: PrReport) -> str:
    """A procedure report: O.R. status, attributes, where it matters, clusters."""
    head = f"ICD-10-PCS {r.code} in MS-DRG {r.version}"
    if not r.valid:
        where = ", ".join(r.valid_in_versions) or "no version of the tables"
        return "\n".join([f"{head}: NOT a valid procedure code in this version (valid in: {where})"
                          + _title_line(r.description)] + render_mce(r.mce_edits))
    drgs = [f"{d:03d}" for d in r.drgs]
    pairs = [
        ("valid", "yes"), ("title", r.description),
        ("O.R. status", r.or_status),
        ("attributes", ", ".join(r.attributes) or "-"),
        ("matters in MDCs", ("; ".join(_mdc(m) for m in r.mdcs) if len(r.mdcs) <= 3
                             else ", ".join(str(m.mdc) for m in r.mdcs)) or "no formula mentions its attributes"),
        ("matters for DRGs", _more(drgs[:40], len(drgs))),
        ("clusters", ", ".join(c["cluster_id"] for c in r.clusters) or "none"),
        ("HAC operands", ", ".join(r.hac_operands) or "none"),
        ("valid in", ", ".join(r.valid_in_versions)),
    ]
    out = [head, _lines(pairs)]
    if r.formulas:
        out.append(f"formulas mentioning its attributes ({len(r.formulas)}):")
        for u in r.formulas[:EXAMPLES * 2]:
            target = (f"DRG {u.drg:03d}" if u.drg else f"reroute to MDC {u.reroute_mdc}" if u.reroute_mdc
                      else "control row")
            out.append(f"  MDC {u.mdc:>2}  {target:<22} via {', '.join(u.attributes)}:  {u.formula}")
        if len(r.formulas) > EXAMPLES * 2:
            out.append(f"  ... and {len(r.formulas) - EXAMPLES * 2} more (use --json for all)")
    for c in r.clusters[:EXAMPLES]:
        choices = " + ".join("(" + _more(ch[:3], len(ch)) + ")" for ch in c["choices"])
        out.append(f"  cluster {c['cluster_id']}: {choices}; attributes {', '.join(c['attributes']) or '-'}")
    return "\n".join(out + render_mce(r.mce_edits))


def render_drg(r: DrgReport) -> str:
    """A DRG report: title, MDC, type, weights of the fiscal year, and its formulas."""
    pairs = [
        ("title", r.title),
        ("MDC", "; ".join(_mdc(m) for m in r.mdcs)),
        ("type", {"SURGICAL": "surgical", "MEDICAL": "medical"}.get(r.surgical, "neither (NA)")),
        ("base DRG", f"{r.base_drg:03d} {r.base_drg_title or ''}".rstrip()),
        (f"relative weight FY{r.fiscal_year}", _num(r.relative_weight)),
        ("GMLOS", _num(r.gmlos, 1)), ("AMLOS", _num(r.amlos, 1)),
        ("post-acute transfer", _flag(r.post_acute_transfer)), ("special pay", _flag(r.special_pay)),
        ("weights from", r.weights_source or f"no FY{r.fiscal_year} weights in the cms-weights source"),
    ]
    out = [f"MS-DRG {r.drg:03d} in version {r.version}", _lines(pairs), "selected by:"]
    for f in r.formulas:
        supp = f"   (not counted as CC/MCC: {', '.join(f.severity_suppression)})" if f.severity_suppression else ""
        out.append(f"  MDC {f.mdc} rank {f.rank}:  {f.formula}{supp}")
    return "\n".join(out)


def render_list(rows: list[dict[str, Any]]) -> str:
    """The version listing as a table."""
    header = ("version", "id", "FY", "effective from", "through", "source", "weights", "base rates")
    body = [(r["version"], str(r["id"]), str(r["fiscal_year"]), r["effective_from"], r["effective_through"],
             r["source"], ", ".join(r["weights"]) or "none", "yes" if r["base_rates"] else "none")
            for r in rows]
    widths = [max(len(x) for x in col) for col in zip(header, *body)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in (header, *body))
