"""Billed-DRG validation: group a claim, compare the billed DRG with the expected one, price the
difference, explain it in a coder's words, find the codes that drive the DRG, apply the audit
rules and score the risk (core.validate_claim; batch.validate_items for many claims)."""
