"""The attribute mask a claim's formulas are evaluated against (docs/GROUPER_LOGIC.md section 6)."""
from __future__ import annotations

from dataclasses import dataclass, field

from drg.grouper.state import SEX_CONFLICT, DxRecord, PrRecord
from drg.tables.cms import DIED, LEFT_AMA, TRANSFER_TO_ACUTE


@dataclass(slots=True)
class Mask:
    """The entries of one claim, indexed for the atom test of section 7.3.

    `tokens` holds (prefix, name) for every entry visible in every MDC, with the principal and
    secondary diagnosis entries also under ANY (the ANY prefix matches both). `suppressed` holds
    the attributes of procedures that belong to a formed cluster: name -> the MDC sets in which
    each such entry is hidden (their prefix is always NONE). `names` is every entry's name.
    """

    tokens: set = field(default_factory=set)
    suppressed: dict = field(default_factory=dict)
    names: set = field(default_factory=set)


def visible_in(suppressed: dict, name: str, mdc: int | None) -> bool:
    """Some suppressed-capable entry `name` is visible in `mdc` (None: no suppression check)."""
    sets = suppressed.get(name)
    if not sets:
        return False
    return any(mdc is None or mdc not in hidden for hidden in sets)


def diagnosis_tokens(info, prefix: str, cache: dict) -> tuple[frozenset, frozenset]:
    """(tokens, names) of a diagnosis's attribute, category and HAC lists under PDX or SDX (and ANY)."""
    key = (id(info), prefix)
    found = cache.get(key)
    if found is None:
        names = frozenset((*info.attributes, *info.categories, *info.hac_attributes))
        tokens = frozenset([(prefix, n) for n in names] + [("ANY", n) for n in names])
        found = cache[key] = (tokens, names, info)   # the info reference keeps id() unique
    return found[0], found[1]


def procedure_tokens(attributes: frozenset, cache: dict) -> frozenset:
    """The NONE-prefixed tokens of a procedure's attributes; keyed by the set itself, so the cache
    holds one entry per distinct attribute set of the version (about a thousand)."""
    found = cache.get(attributes)
    if found is None:
        found = cache[attributes] = frozenset(("NONE", n) for n in attributes)
    return found


def build_mask(pdx: DxRecord, sdx: list[DxRecord], procedures: list[PrRecord],
               clusters: list[PrRecord], status: int | None, sex: str, cache: dict) -> Mask:
    """Entries for every code attribute plus the claim-level entries of section 6.
    `cache` (per version) remembers each code's tokens."""
    mask = Mask()
    tokens, names = mask.tokens, mask.names
    for d in sdx:
        if d.info is not None:
            found, found_names = diagnosis_tokens(d.info, "SDX", cache)
            tokens |= found
            names |= found_names
    for p in (*procedures, *clusters):
        if p.suppression:
            hidden = frozenset(p.suppression)
            for name in p.attributes:
                mask.suppressed.setdefault(name, []).append(hidden)
        else:
            tokens |= procedure_tokens(p.attributes, cache)
        names |= p.attributes
    if pdx.info is not None:
        found, found_names = diagnosis_tokens(pdx.info, "PDX", cache)
        tokens |= found
        names |= found_names
    claim_level = []
    if pdx.info is None:
        claim_level.append(("PDX", "invalid_pdx"))
    if pdx.code[:1].upper() in ("V", "W", "X", "Y"):
        claim_level.append(("PDX", "pdx_ecode"))
    if status != DIED:
        claim_level.append(("NONE", "ALIVE"))
    if status is None:
        claim_level.append(("NONE", "invalid_dstat"))
    elif status == LEFT_AMA:
        claim_level.append(("NONE", "AMA"))
    elif status == DIED:
        claim_level.append(("NONE", "DIED"))
    if status in TRANSFER_TO_ACUTE:
        claim_level.append(("NONE", "XFRNBA"))
    claim_level.append(("NONE", "ANYDX"))
    if pdx.has("incident") and all(d.has("incident") for d in sdx if d.recognized):
        claim_level.append(("ONLY", "incident"))
    if sex == "U" and SEX_CONFLICT in pdx.marks:
        claim_level.append(("NONE", "invalid_sex"))
    tokens.update(claim_level)
    names.update(name for _, name in claim_level)
    return mask
