"""Which input column is which claim field: names, aliases and numbering, for the wide and long layouts.

Headers are compared after lower-casing and turning every run of other characters into
"_" ("Diag 1" -> "diag_1", "PDX-POA" -> "pdx_poa"). `ColumnMap.describe()` says what was
matched, so a user can see how a file was read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

CLAIM_FIELDS = {
    "id": ("id", "claim_id", "claimid", "claim", "claim_no", "claim_number", "clm_id", "encounter_id"),
    "version": ("version", "drg_version", "msdrg_version", "ms_drg_version", "grouper_version"),
    "discharge_date": ("discharge_date", "dischargedate", "disch_date", "dis_date", "discharge_dt",
                       "through_date", "thru_date"),
    "age": ("age", "patient_age", "age_years", "age_in_years"),
    "sex": ("sex", "gender", "patient_sex", "sex_code"),
    "discharge_status": ("discharge_status", "disch_status", "patient_status", "dischargestatus",
                         "discharge_disposition", "disposition", "ptnt_dschrg_stus_cd"),
    "hospital_status": ("hospital_status", "poa_status", "hospital_poa_status", "poa_reporting_status"),
    "pdx": ("pdx", "principal_dx", "principal_diagnosis", "principal_diag", "prin_dx", "prncpal_dgns_cd"),
    "pdx_poa": ("pdx_poa", "principal_dx_poa", "principal_diagnosis_poa", "prin_dx_poa", "poa_pdx"),
    "admit_dx": ("admit_dx", "admitting_dx", "admit_diagnosis", "admitting_diagnosis", "adm_dx",
                 "admtg_dgns_cd"),
    "admit_dx_poa": ("admit_dx_poa", "admitting_dx_poa", "poa_admit_dx"),
}
# numbered families: "generic" diagnoses (dx1 is the principal when there is no pdx column),
# secondary-only diagnoses (sdx1 is the first secondary), and procedures
DX_FAMILIES = ("dx", "diag", "diagnosis", "diagnosis_code", "dx_code", "icd_dx", "icd10_dx", "i10_dx",
               "dgns", "dgns_cd", "icd_dgns_cd")
SDX_FAMILIES = ("sdx", "secondary_dx", "secondary_diagnosis", "other_dx", "odx", "sec_dx")
PROC_FAMILIES = ("proc", "procedure", "procedure_code", "pr", "px", "pcs", "icd_proc", "icd10_proc", "i10_pr",
                 "prcdr", "prcdr_cd", "icd_prcdr_cd", "proc_code")
# numbers up to 999: sdx100 and beyond are codes too (TOO_MANY_CODES past the claim limit), not extra columns
_NUMBERED = re.compile(r"^(?P<poa1>poa_?)?(?P<family>[a-z][a-z0-9_]*?)_?(?P<n>\d{1,3})(?P<poa2>_?poa)?$")
_POA_ONLY = re.compile(r"^poa_?(?P<n>\d{1,3})$")

LONG_FIELDS = {
    "id": CLAIM_FIELDS["id"],
    "code_type": ("code_type", "type", "codetype", "kind", "code_kind"),
    "sequence": ("sequence", "seq", "position", "line", "line_number", "sequence_number", "n"),
    "code": ("code", "icd_code", "icd10_code", "value"),
    "poa": ("poa", "poa_indicator", "present_on_admission"),
}
# code_type values of the long layout
CODE_TYPES = {
    "pdx": "pdx", "principal": "pdx", "principal_dx": "pdx", "p": "pdx",
    "admit": "admit_dx", "admit_dx": "admit_dx", "admitting": "admit_dx", "a": "admit_dx",
    "sdx": "sdx", "secondary": "sdx", "secondary_dx": "sdx", "dx": "sdx", "diagnosis": "sdx", "s": "sdx",
    "proc": "proc", "procedure": "proc", "pr": "proc", "px": "proc", "pcs": "proc",
}


def canonical(header: str) -> str:
    """ "Diag 1" -> "diag_1"; "PDX-POA" -> "pdx_poa"."""
    return re.sub(r"[^a-z0-9]+", "_", str(header).strip().lower()).strip("_")


def _lookup(names: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {alias: name for name, aliases in names.items() for alias in aliases}


_CLAIM_ALIASES = _lookup(CLAIM_FIELDS)
_LONG_ALIASES = _lookup(LONG_FIELDS)


@dataclass
class ColumnMap:
    """Where each claim field comes from: header -> field, plus numbered code columns."""

    fields: dict[str, str] = field(default_factory=dict)          # field -> header
    sdx: dict[int, str] = field(default_factory=dict)             # 1-based secondary position -> header
    sdx_poa: dict[int, str] = field(default_factory=dict)
    procedures: dict[int, str] = field(default_factory=dict)
    extra: list[str] = field(default_factory=list)                # kept as given
    notes: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)            # two columns for one field (fatal)

    def take(self, target: dict, key: "str | int", header: str, what: str) -> None:
        """Map `header` to `target[key]`; a second column for the same place is a conflict, never
        a silent loss (sdx1 and secondary_dx_1, two pdx columns)."""
        if key in target and target[key] != header:
            self.conflicts.append(f"columns {target[key]!r} and {header!r} both give the {what}; keep one")
        elif key not in target:
            target[key] = header

    def describe(self) -> str:
        """Plain words: which header became which field (what --help promises to tell)."""
        parts = [f"{name} <- {header}" for name, header in self.fields.items()]

        def span(label: str, columns: dict[int, str]) -> None:
            if columns:
                first, last = min(columns), max(columns)
                if first == last:
                    parts.append(f"{label.format(first)} <- {columns[first]}")
                else:
                    parts.append(f"{label.format(first)}..{label.format(last)} <- {columns[first]}..{columns[last]}")
        span("sdx{}", self.sdx)
        span("sdx{}_poa", self.sdx_poa)
        span("proc{}", self.procedures)
        if self.extra:
            parts.append("kept as given: " + ", ".join(self.extra))
        return "; ".join(parts + self.notes)


_WORDS = {"id": "claim id", "pdx": "principal diagnosis", "pdx_poa": "principal diagnosis POA",
          "admit_dx": "admit diagnosis", "admit_dx_poa": "admit diagnosis POA", "code_type": "code type"}


def _field_words(name: str) -> str:
    return _WORDS.get(name, name.replace("_", " "))


def map_wide(headers: list[str]) -> ColumnMap:
    """Match the headers of a wide file (one row per claim); two columns for one field are
    listed in `conflicts` (the reader refuses such a file)."""
    mapping = ColumnMap()
    generic: dict[int, str] = {}
    generic_poa: dict[int, str] = {}
    poa_only: dict[int, str] = {}
    _duplicates(headers, mapping)
    for header in headers:
        key = canonical(header)
        name = _CLAIM_ALIASES.get(key)
        if name is not None:
            mapping.take(mapping.fields, name, header, _field_words(name))
            continue
        match = _NUMBERED.match(key)
        family = match.group("family").rstrip("_") if match else None
        is_poa = bool(match and (match.group("poa1") or match.group("poa2")))
        n = int(match.group("n")) if match else 0
        if match and family in DX_FAMILIES:
            mapping.take(generic_poa if is_poa else generic, n, header,
                         f"diagnosis {n}" + (" POA" if is_poa else ""))
            continue
        if match and family in SDX_FAMILIES:
            mapping.take(mapping.sdx_poa if is_poa else mapping.sdx, n, header,
                         f"secondary diagnosis {n}" + (" POA" if is_poa else ""))
            continue
        if match and family in PROC_FAMILIES and not is_poa:
            mapping.take(mapping.procedures, n, header, f"procedure {n}")
            continue
        only = _POA_ONLY.match(key)
        if only:
            mapping.take(poa_only, int(only.group("n")), header, f"POA {int(only.group('n'))}")
            continue
        mapping.extra.append(header)

    # generic numbering: dx1 is the principal unless a pdx column exists
    shift = 0
    if generic:
        if "pdx" not in mapping.fields and 1 in generic:
            mapping.fields["pdx"] = generic.pop(1)
            if 1 in generic_poa:
                mapping.take(mapping.fields, "pdx_poa", generic_poa.pop(1), "principal diagnosis POA")
            shift = 1
            mapping.notes.append(f"{mapping.fields['pdx']} taken as the principal diagnosis "
                                 f"(no separate principal column)")
        for n, header in generic.items():
            mapping.take(mapping.sdx, n - shift, header, f"secondary diagnosis {n - shift}")
    for n, header in generic_poa.items():
        mapping.take(mapping.sdx_poa, n - shift, header, f"secondary diagnosis {n - shift} POA")
    # poa1, poa2 ... follow the diagnosis numbering of the file
    for n, header in poa_only.items():
        if shift and n == 1:
            mapping.take(mapping.fields, "pdx_poa", header, "principal diagnosis POA")
        else:
            mapping.take(mapping.sdx_poa, n - shift, header, f"secondary diagnosis {n - shift} POA")
    mapping.sdx = {n: mapping.sdx[n] for n in sorted(mapping.sdx) if n >= 1}
    mapping.sdx_poa = {n: mapping.sdx_poa[n] for n in sorted(mapping.sdx_poa) if n >= 1}
    mapping.procedures = dict(sorted(mapping.procedures.items()))
    return mapping


def _duplicates(headers: list[str], mapping: ColumnMap) -> None:
    """The same header twice: one of the two columns would be lost. Named when it is a known
    column name; else only its positions (a "header" row may be a claim's values)."""
    first: dict[str, int] = {}
    for position, header in enumerate(headers, 1):
        if header in first:
            name = f"{header!r} " if _known_name(header) else ""
            mapping.conflicts.append(f"columns {first[header]} and {position} have the same name {name}"
                                     f"(one would be lost); keep one")
        else:
            first[header] = position


def _known_name(header: str) -> bool:
    key = canonical(header)
    match = _NUMBERED.match(key)
    return (key in _CLAIM_ALIASES or key in _LONG_ALIASES or bool(_POA_ONLY.match(key))
            or bool(match and match.group("family").rstrip("_") in DX_FAMILIES + SDX_FAMILIES + PROC_FAMILIES))


def map_long(headers: list[str]) -> tuple[dict[str, str], ColumnMap]:
    """Match the headers of a long file (one row per code): the code columns and any claim-level columns."""
    code_columns: dict[str, str] = {}
    rest = []
    conflicts: list[str] = []
    for header in headers:
        name = _LONG_ALIASES.get(canonical(header))
        if name is not None and name not in code_columns:
            code_columns[name] = header
        elif name is not None and code_columns[name] != header:
            conflicts.append(f"columns {code_columns[name]!r} and {header!r} both give the {_field_words(name)}; "
                             f"keep one")
        elif name is None:
            rest.append(header)
    claim_columns = map_wide(rest)
    first: dict[str, int] = {}
    for position, header in enumerate(headers, 1):
        if header in first and _LONG_ALIASES.get(canonical(header)) is not None:
            conflicts.append(f"columns {first[header]} and {position} have the same name {header!r}; keep one")
        first.setdefault(header, position)
    claim_columns.conflicts[:0] = conflicts
    return code_columns, claim_columns


def is_long(headers: list[str]) -> bool:
    """A long file has a code-type column and a code column."""
    names = {_LONG_ALIASES.get(canonical(h)) for h in headers}
    return {"code_type", "code"} <= names

