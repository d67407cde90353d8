"""The stable random holdout: the same customer is always in (or out of) a campaign's holdout."""
from __future__ import annotations

import hashlib


def bucket(campaign_code: str, customer_id: int) -> int:
    """0..99 from a hash of the campaign code and the customer id (stable across runs and machines)."""
    digest = hashlib.sha256(f"{campaign_code}\n{customer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100


def in_holdout(campaign_code: str, customer_id: int, holdout_percent: int) -> bool:
    """True for about `holdout_percent` % of customers: they get an entry but no actions."""
    return bucket(campaign_code, customer_id) < holdout_percent
