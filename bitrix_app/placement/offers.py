"""Which products a customer's cross-sell and replenishment segments suggest, named for the manager.

- replenishment {"skus", "categories"}: the listed skus the customer bought (by their product names); when they
  bought none of them (the segment matched a category), the segment's categories and skus as listed;
- cross_sell {"not_bought": {"skus", "categories"}}: what the customer has not bought yet (names when known).
"""
from __future__ import annotations

from bitrix_app.segments import SegmentDef

from .next_action import Offer


def _listed(params: dict) -> tuple[list[str], list[str]]:
    params = params if isinstance(params, dict) else {}
    skus = [str(s) for s in params.get("skus") or () if s]
    categories = [str(c) for c in params.get("categories") or () if c]
    return skus, categories


def offer_of(defn: SegmentDef, bought: dict[str, str]) -> Offer | None:
    """bought: sku -> product name of what the customer has ordered."""
    if defn.kind == "replenishment":
        skus, categories = _listed(defn.params)
        theirs = [bought[s] for s in skus if s in bought]
        return Offer("replenishment", tuple(theirs or categories + skus))
    if defn.kind == "cross_sell":
        skus, categories = _listed(defn.params.get("not_bought") if isinstance(defn.params, dict) else {})
        return Offer("cross_sell", tuple([bought.get(s, s) for s in skus] + categories))
    return None


def offers_of(defs: list[SegmentDef], bought: dict[str, str]) -> tuple[Offer, ...]:
    found = (offer_of(d, bought) for d in defs)
    return tuple(o for o in found if o is not None)
