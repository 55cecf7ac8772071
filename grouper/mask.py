"""The attribute mask a claim's formulas are evaluated against (GROUPER_LOGIC.md section 6)."""
from __future__ import annotations

from drg.grouper.state import SEX_CONFLICT, DxRecord, PrRecord

DIED = 20
LEFT_AMA = 7
TRANSFER_TO_ACUTE = frozenset({2, 5, 66, 82, 85, 94})
KNOWN_DISCHARGE_STATUSES = frozenset(
    list(range(1, 8)) + [20, 21, 30, 43, 50, 51, 61, 62, 63, 64, 65, 66, 69, 70] + list(range(81, 96)))

# name -> tuple of (entry prefix, suppression MDCs or None)
Mask = dict


def discharge_status_value(status: int | None) -> int | None:
    """The grouper's status: the UB-04 code when it knows it, else None (its `NONE`)."""
    return status if status in KNOWN_DISCHARGE_STATUSES else None


def build_mask(pdx: DxRecord, sdx: list[DxRecord], procedures: list[PrRecord],
               clusters: list[PrRecord], status: int | None, sex: str) -> Mask:
    """Entries for every code attribute plus the claim-level entries of section 6."""
    entries: dict[str, set] = {}

    def add(prefix: str, name: str, suppression: frozenset | None = None) -> None:
        entries.setdefault(name, set()).add((prefix, suppression))

    sdx_entry = ("SDX", None)
    for d in sdx:
        info = d.info
        if info is not None:
            for names in (info.attributes, info.categories, info.hac_attributes):
                for name in names:
                    bucket = entries.get(name)
                    if bucket is None:
                        entries[name] = {sdx_entry}
                    else:
                        bucket.add(sdx_entry)
    for p in procedures:
        suppression = frozenset(p.suppression) if p.suppression else None
        for name in p.attributes:
            add("NONE", name, suppression)
    for c in clusters:
        for name in c.attributes:
            add("NONE", name)
    if pdx.info is not None:
        for name in (*pdx.info.attributes, *pdx.info.hac_attributes, *pdx.info.categories):
            add("PDX", name)
    else:
        add("PDX", "invalid_pdx")
    if pdx.code[:1].upper() in ("V", "W", "X", "Y"):
        add("PDX", "pdx_ecode")
    if status != DIED:
        add("NONE", "ALIVE")
    if status is None:
        add("NONE", "invalid_dstat")
    elif status == LEFT_AMA:
        add("NONE", "AMA")
    elif status == DIED:
        add("NONE", "DIED")
    if status in TRANSFER_TO_ACUTE:
        add("NONE", "XFRNBA")
    add("NONE", "ANYDX")
    if pdx.has("incident") and all(d.has("incident") for d in sdx if d.recognized):
        add("ONLY", "incident")
    if sex == "U" and SEX_CONFLICT in pdx.marks:
        add("NONE", "invalid_sex")
    return {name: tuple(values) for name, values in entries.items()}
