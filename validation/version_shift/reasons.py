"""Why one claim's DRG differs between two MS-DRG versions, derived from the two versions' tables.

Nothing here is a hand-written list of CMS changes: each reason comes from comparing what the
two table sets say about the claim's own codes and DRGs (drg.tables.diff) and from the two
groupings. Reasons are structured records (`kind`, `code`, `before`, `after`) with a
plain-words `text`. Per-code comparisons are cached, so a batch pays for each code once.

Reason kinds:
  CODE_INVALID   a code on the claim is not valid in one of the versions
  DRG_DELETED    the claim's from-DRG does not exist in the to-version
  DRG_CREATED    the claim's to-DRG does not exist in the from-version
  DRG_SPLIT      the from-DRG still exists but claims like this one moved to a new DRG
  PDX_MDC        the principal diagnosis moved to another MDC
  PDX_FAMILY     the principal diagnosis now leads to (or no longer leads to) the claim's DRG
  SDX_SEVERITY   a secondary diagnosis changed CC/MCC level
  SDX_EXCLUSION  a CC/MCC secondary diagnosis became (or stopped being) excluded by the principal
  PR_OR_STATUS   a procedure changed O.R. status
  PR_DRG         a procedure now leads to (or no longer leads to) the claim's DRG
  DRG_FORMULA    none of the claim's codes changed, but the formulas of its DRGs did
  DRG_ORDER      the formulas are the same but the MDC now tests the to-DRG's formula first
  UNEXPLAINED    the DRG changed and no table difference on the claim's codes or DRGs explains it
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any, Mapping

from drg.claim import Claim
from drg.grouper.explain import describe_list
from drg.tables.diff import dx_change, pr_change
from drg.tables.loader import TableSet
from drg.tables.titles import CodeKind, described

__all__ = ["ShiftReason", "ShiftReasonFinder", "ShiftReasonKind", "REASON_KINDS", "CODE_REASON_KINDS"]


class ShiftReasonKind(StrEnum):
    """What kind of table difference moved a claim's DRG (the list above; values are the output spellings)."""

    CODE_INVALID = "CODE_INVALID"
    DRG_DELETED = "DRG_DELETED"
    DRG_CREATED = "DRG_CREATED"
    DRG_SPLIT = "DRG_SPLIT"
    PDX_MDC = "PDX_MDC"
    PDX_FAMILY = "PDX_FAMILY"
    SDX_SEVERITY = "SDX_SEVERITY"
    SDX_EXCLUSION = "SDX_EXCLUSION"
    PR_OR_STATUS = "PR_OR_STATUS"
    PR_DRG = "PR_DRG"
    DRG_FORMULA = "DRG_FORMULA"
    DRG_ORDER = "DRG_ORDER"
    UNEXPLAINED = "UNEXPLAINED"


REASON_KINDS = tuple(ShiftReasonKind)
# the kinds whose `code` is a code on the claim (the summary's "codes behind most shifts")
CODE_REASON_KINDS = (ShiftReasonKind.CODE_INVALID, ShiftReasonKind.PDX_MDC, ShiftReasonKind.PDX_FAMILY,
                     ShiftReasonKind.SDX_SEVERITY, ShiftReasonKind.SDX_EXCLUSION, ShiftReasonKind.PR_OR_STATUS,
                     ShiftReasonKind.PR_DRG)


@dataclass(frozen=True, slots=True)
class ShiftReason:
    """One structured reason; `code` is the ICD-10 code or DRG ("" when none), `text` plain words."""

    kind: ShiftReasonKind
    code: str
    before: str
    after: str
    text: str

    def to_dict(self) -> dict:
        return asdict(self)


def _drg(n: int | None) -> str:
    return "none" if n is None else f"{n:03d}"


class ShiftReasonFinder:
    """Reasons for one ordered pair of versions (a = from, b = to), with per-code caches."""

    def __init__(self, a: TableSet, b: TableSet) -> None:
        self.a, self.b = a, b
        self.fl, self.tl = a.version.label, b.version.label
        self.drgs_a, self.drgs_b = frozenset(a.drgs), frozenset(b.drgs)
        forward = a.version.id <= b.version.id     # backwards, "deleted" and "new" would mislead
        self._deleted = f"was deleted in {self.tl}" if forward else f"does not exist in {self.tl}"
        self._new = f"new in {self.tl}" if forward else f"only in {self.tl}"
        self._dx: dict = {}
        self._pr: dict = {}
        self._formulas_a = _formula_text(a)
        self._formulas_b = _formula_text(b)

    def _spelled(self, code: str, kind: CodeKind = CodeKind.DIAGNOSIS) -> str:
        """A code as a coder reads it, with its title of the to-version's fiscal year (the nearest
        year's for a code that version no longer has)."""
        return described(code, kind, self.b.version.fiscal_year, in_sentence=True)

    # -- cached per-code comparisons -------------------------------------------------------
    def _dx_change(self, code: str):
        if code not in self._dx:
            self._dx[code] = dx_change(self.a, self.b, code)
        return self._dx[code]

    def _pr_change(self, code: str):
        if code not in self._pr:
            self._pr[code] = pr_change(self.a, self.b, code)
        return self._pr[code]

    # -- reasons ---------------------------------------------------------------------------
    def invalid_codes(self, claim: Claim) -> tuple[list[str], list[str], list[ShiftReason]]:
        """Codes invalid in the from- and to-version, and a CODE_INVALID reason for each
        code valid in one version only (a code invalid in both is said once, as such)."""
        bad_a: list[str] = []
        bad_b: list[str] = []
        reasons: list[ShiftReason] = []
        items = []
        if claim.pdx is not None and claim.pdx.code:
            items.append(("principal diagnosis", claim.pdx.code, True))
        items += [("secondary diagnosis", d.code, True) for d in claim.sdx if d.code]
        items += [("procedure", p, False) for p in claim.procedures if p]
        seen = set()
        for role, code, is_dx in items:
            if (role, code) in seen:
                continue
            seen.add((role, code))
            spelled = self._spelled(code, CodeKind.DIAGNOSIS if is_dx else CodeKind.PROCEDURE)
            table_a = self.a.diagnoses if is_dx else self.a.procedures
            table_b = self.b.diagnoses if is_dx else self.b.procedures
            in_a, in_b = code in table_a, code in table_b
            if not in_a:
                bad_a.append(code)
            if not in_b:
                bad_b.append(code)
            if in_a and not in_b:
                reasons.append(ShiftReason(ShiftReasonKind.CODE_INVALID, code, "valid", "invalid",
                                      f"{role} {spelled} is not valid in {self.tl} (valid in {self.fl})"))
            elif in_b and not in_a:
                reasons.append(ShiftReason(ShiftReasonKind.CODE_INVALID, code, "invalid", "valid",
                                      f"{role} {spelled} is not valid in {self.fl} (valid in {self.tl})"))
            elif not in_a and not in_b:
                reasons.append(ShiftReason(ShiftReasonKind.CODE_INVALID, code, "invalid", "invalid",
                                      f"{role} {spelled} is valid in neither {self.fl} nor {self.tl}"))
        return bad_a, bad_b, reasons

    def drg_reasons(self, from_drg: int | None, to_drg: int | None) -> list[ShiftReason]:
        """Deleted, created or split DRGs (from the two versions' formula tables)."""
        out = []
        if from_drg and from_drg not in self.drgs_b:
            out.append(ShiftReason(ShiftReasonKind.DRG_DELETED, _drg(from_drg), _drg(from_drg), _drg(to_drg),
                              f"DRG {_drg(from_drg)} ({self.a.drg_titles.get(from_drg, '')}) "
                              f"{self._deleted}"))
        if to_drg and to_drg not in self.drgs_a:
            kind = ShiftReasonKind.DRG_SPLIT if from_drg and from_drg in self.drgs_b else ShiftReasonKind.DRG_CREATED
            title = self.b.drg_titles.get(to_drg, "")
            if kind == ShiftReasonKind.DRG_SPLIT:
                text = (f"DRG {_drg(from_drg)} was split: claims like this one now go to DRG "
                        f"{_drg(to_drg)} ({title}), {self._new}")
            else:
                text = f"DRG {_drg(to_drg)} ({title}) is {self._new}"
            out.append(ShiftReason(kind, _drg(to_drg), _drg(from_drg), _drg(to_drg), text))
        return out

    def code_reasons(self, claim: Claim, from_drg: int | None, to_drg: int | None) -> list[ShiftReason]:
        """Changes in the claim's own codes that bear on its DRG."""
        out: list[ShiftReason] = []
        touched = {d for d in (from_drg, to_drg) if d}
        pdx = claim.pdx.code if claim.pdx is not None and claim.pdx.code else None
        if pdx:
            c = self._dx_change(pdx)
            if c is not None and c.change == "CHANGED":
                if c.mdc_changed:
                    out.append(ShiftReason(ShiftReasonKind.PDX_MDC, pdx, f"MDC {c.from_mdc}", f"MDC {c.to_mdc}",
                                      f"principal diagnosis {self._spelled(pdx)} moved from MDC {c.from_mdc} "
                                      f"({self.a.mdc_titles.get(c.from_mdc, '')}) to MDC {c.to_mdc} "
                                      f"({self.b.mdc_titles.get(c.to_mdc, '')})"))
                hits = touched & (set(c.pdx_drgs_gained) | set(c.pdx_drgs_lost))
                if hits:
                    out.append(ShiftReason(ShiftReasonKind.PDX_FAMILY, pdx, _drg(from_drg), _drg(to_drg),
                                      f"principal diagnosis {self._spelled(pdx)} "
                                      + _leads(c.pdx_drgs_gained, c.pdx_drgs_lost, touched, self.tl)))
        # secondary diagnoses: CC/MCC level and exclusion by this principal
        excluded_a = self.a.excluded_by(pdx) if pdx else frozenset()
        excluded_b = self.b.excluded_by(pdx) if pdx else frozenset()
        seen = set()
        for d in claim.sdx:
            code = d.code
            if not code or code in seen or code == pdx:
                continue
            seen.add(code)
            info_a, info_b = self.a.diagnoses.get(code), self.b.diagnoses.get(code)
            if info_a is None or info_b is None:
                continue
            if info_a.severity != info_b.severity:
                out.append(ShiftReason(ShiftReasonKind.SDX_SEVERITY, code, info_a.severity, info_b.severity,
                                  f"secondary diagnosis {self._spelled(code)} changed from "
                                  f"{_level(info_a.severity)} "
                                  f"to {_level(info_b.severity)}"))
            if pdx and (info_a.severity != "NON_CC" or info_b.severity != "NON_CC"):
                was, now = code in excluded_a, code in excluded_b
                if was != now:
                    state = {True: "excluded", False: "not excluded"}
                    out.append(ShiftReason(
                        ShiftReasonKind.SDX_EXCLUSION, code, state[was], state[now],
                        f"secondary diagnosis {self._spelled(code)} is {'now' if now else 'no longer'} "
                        f"excluded as CC/MCC with principal diagnosis {self._spelled(pdx)}"))
        seen = set()
        for code in claim.procedures:
            if not code or code in seen:
                continue
            seen.add(code)
            c = self._pr_change(code)
            if c is None or c.change != "CHANGED":
                continue
            if c.or_changed:
                out.append(ShiftReason(ShiftReasonKind.PR_OR_STATUS, code, c.from_or_status or "", c.to_or_status or "",
                                  f"procedure {self._spelled(code, CodeKind.PROCEDURE)} changed from "
                                  f"{c.from_or_status} to {c.to_or_status}"))
            hits = touched & (set(c.drgs_gained) | set(c.drgs_lost))
            if hits:
                out.append(ShiftReason(ShiftReasonKind.PR_DRG, code, _drg(from_drg), _drg(to_drg),
                                  f"procedure {self._spelled(code, CodeKind.PROCEDURE)} "
                                  + _leads(c.drgs_gained, c.drgs_lost, touched, self.tl)))
        return out

    def attribute_reasons(self, claim: Claim) -> list[ShiftReason]:
        """Weaker reasons, used only when nothing above explains a shift: a code on the claim
        whose grouping attributes changed although not towards the claim's two DRGs."""
        out = []
        items: list[tuple[str, str, Mapping[str, Any], Mapping[str, Any], ShiftReasonKind]] = [
            ("principal diagnosis", claim.pdx.code, self.a.diagnoses, self.b.diagnoses, ShiftReasonKind.PDX_FAMILY)] \
            if claim.pdx is not None and claim.pdx.code else []
        items += [("procedure", p, self.a.procedures, self.b.procedures, ShiftReasonKind.PR_DRG)
                  for p in dict.fromkeys(claim.procedures) if p]
        for role, code, table_a, table_b, kind in items:
            code_kind = CodeKind.PROCEDURE if role == "procedure" else CodeKind.DIAGNOSIS
            old, new = table_a.get(code), table_b.get(code)
            if old is None or new is None:
                continue
            old_attrs = old.attributes if hasattr(old, "attributes") else old
            new_attrs = new.attributes if hasattr(new, "attributes") else new
            if old_attrs == new_attrs:
                continue
            # only the lists the DRG logic of the version tests: another list cannot move a DRG
            gained, lost = sorted(new_attrs - old_attrs), sorted(old_attrs - new_attrs)
            added = [w for w in (describe_list(name, self.b) for name in gained) if w]
            removed = [w for w in (describe_list(name, self.a) for name in lost) if w]
            if not (added or removed):
                continue
            words = []
            if added:
                words.append(f"now on {' and on '.join(added)}")
            if removed:
                words.append(f"no longer on {' and on '.join(removed)} in {self.fl}")
            out.append(ShiftReason(kind, code, " ".join(lost), " ".join(gained),
                                   f"the grouping attributes of {role} {self._spelled(code, code_kind)} changed in "
                                   f"{self.tl} ({'; '.join(words)})"))
        return out

    def fallback(self, from_drg: int | None, to_drg: int | None) -> ShiftReason:
        """When no code change explains a shift: did the DRGs' own formulas change?"""
        changed = [d for d in (from_drg, to_drg) if d and d in self.drgs_a and d in self.drgs_b
                   and self._formulas_a.get(d) != self._formulas_b.get(d)]
        if changed:
            names = " and ".join(f"DRG {_drg(d)}" for d in changed)
            return ShiftReason(ShiftReasonKind.DRG_FORMULA, _drg(changed[0]), self.fl, self.tl,
                          f"the grouping formula of {names} changed in {self.tl}")
        for mdc in sorted(set(self.a.formulas) & set(self.b.formulas)):
            pos_a, pos_b = _positions(self.a.formulas[mdc]), _positions(self.b.formulas[mdc])
            if from_drg in pos_a and to_drg in pos_a and from_drg in pos_b and to_drg in pos_b:
                if (pos_a[from_drg] < pos_a[to_drg]) != (pos_b[from_drg] < pos_b[to_drg]):
                    return ShiftReason(ShiftReasonKind.DRG_ORDER, f"MDC {mdc}", _drg(from_drg), _drg(to_drg),
                                  f"the order of MDC {mdc}'s formulas changed in {self.tl}: DRG "
                                  f"{_drg(to_drg)} is now tested before DRG {_drg(from_drg)}")
        return ShiftReason(ShiftReasonKind.UNEXPLAINED, "", _drg(from_drg), _drg(to_drg),
                      "no difference in this claim's codes or in its DRGs' formulas explains the change "
                      "(the MDC's formula order or a pre-MDC rule may have changed)")

    def reasons(self, claim: Claim, from_drg: int | None, to_drg: int | None,
                drg_changed: bool) -> tuple[list[str], list[str], list[ShiftReason]]:
        """(codes invalid in from, codes invalid in to, reasons) for one claim."""
        bad_a, bad_b, out = self.invalid_codes(claim)
        if drg_changed:
            out += self.drg_reasons(from_drg, to_drg)
            out += self.code_reasons(claim, from_drg, to_drg)
            if not out:
                out += self.attribute_reasons(claim)
            if not out:
                out.append(self.fallback(from_drg, to_drg))
        return bad_a, bad_b, out


def _level(severity: str) -> str:
    return {"NON_CC": "neither CC nor MCC"}.get(severity, severity)


def _leads(gained, lost, touched: set[int], to_label: str) -> str:
    parts = []
    g = [d for d in gained if d in touched]
    lo = [d for d in lost if d in touched]
    if g:
        parts.append("now leads to DRG " + ", ".join(_drg(d) for d in g))
    if lo:
        parts.append("no longer leads to DRG " + ", ".join(_drg(d) for d in lo))
    return " and ".join(parts) + f" in {to_label}"


def _positions(rows) -> dict[int, int]:
    """DRG -> the position of its first formula in one MDC's evaluation order."""
    out: dict[int, int] = {}
    for i, f in enumerate(rows):
        if f.drg and f.drg not in out:
            out[f.drg] = i
    return out


def _formula_text(ts: TableSet) -> dict[int, tuple[str, ...]]:
    """DRG -> the formulas (with their MDC lists) that assign it, for comparing versions."""
    out: dict[int, list[str]] = {}
    for mdc in sorted(ts.formulas):
        for f in ts.formulas[mdc]:
            if f.drg:
                out.setdefault(f.drg, []).append(f"{mdc}:{f.formula}:{sorted(f.suppression)}")
    return {d: tuple(v) for d, v in out.items()}

