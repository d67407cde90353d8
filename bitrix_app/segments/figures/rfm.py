"""RFM scores by quintiles within a portal, the named RFM groups, the lifecycle cell and the predicted LTV.

Cut points: the full rebuild splits the portal's buyers on each measure into quintiles as NTILE(5) does and
keeps the largest value of quintiles 1-4 (quintiles.py; stored in segment_state.cuts); every score, full or
incremental, compares a value with these cuts, so equal values always share a score and an incremental update scores exactly like the rebuild that
made the cuts. A value equal to a cut belongs to the lower quintile: frequency and monetary score 1 (fewest,
least) to 5; recency scores 5 for the most recent quintile (fewest days since the last purchase) down to 1.

Groups come from R and FM = (F + M) // 2 (the usual R x FM grid, first row R=5):

    R\\FM  1               2                   3                   4          5
    5     new             potential_loyalist  potential_loyalist  champions  champions
    4     promising       potential_loyalist  loyal               champions  champions
    3     about_to_sleep  about_to_sleep      need_attention      loyal      loyal
    2     hibernating     hibernating         at_risk             at_risk    cant_lose
    1     lost            lost                at_risk             cant_lose  cant_lose
"""
from __future__ import annotations

from types import MappingProxyType

from sqlalchemy import Float, Integer, case, cast, literal

GROUPS = ("champions", "loyal", "potential_loyalist", "new", "promising", "need_attention", "about_to_sleep",
          "at_risk", "cant_lose", "hibernating", "lost")
_GRID = {
    5: ("new", "potential_loyalist", "potential_loyalist", "champions", "champions"),
    4: ("promising", "potential_loyalist", "loyal", "champions", "champions"),
    3: ("about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"),
    2: ("hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"),
    1: ("lost", "lost", "at_risk", "cant_lose", "cant_lose"),
}
GRID = MappingProxyType({(r, fm): row[fm - 1] for r, row in _GRID.items() for fm in range(1, 6)})
YEAR_SECONDS = 365.25 * 86400


def group_of(r: int | None, f: int | None, m: int | None) -> str | None:
    """The named group of a score triple (the same mapping as the SQL)."""
    if r is None or f is None or m is None:
        return None
    return GRID[(r, (f + m) // 2)]


def _ascending(value, cuts: list) -> object:
    return case(*[(value <= literal(c), k + 1) for k, c in enumerate(cuts)], else_=5)


def score_exprs(cuts: dict | None, days, orders, revenue) -> tuple:
    """(r, f, m) SQL expressions; NULL without purchases or before the first full rebuild."""
    if not cuts or not cuts.get("recency"):
        none = cast(literal(None), Integer)
        return none, none, none
    bought = orders > 0
    r = case((bought, 6 - _ascending(days, cuts["recency"])), else_=None)
    f = case((bought, _ascending(orders, cuts["frequency"])), else_=None)
    m = case((bought, _ascending(revenue, cuts["monetary"])), else_=None)
    return r, f, m


def group_expr(r, f, m):
    """The rfm_group code of score columns (NULL when unscored): CASE r WHEN .. THEN CASE (f+m)/2 WHEN .. END."""
    fm = (f + m) // 2
    rows = {rr: case({k: literal(name) for k, name in enumerate(_GRID[rr], 1)}, value=fm, else_=None)
            for rr in _GRID}
    return case(rows, value=r, else_=None)


def lifecycle_expr(settings: dict, orders, days):
    """The LIFECYCLE_CELLS code from purchases and days since the last one (NULL without purchases)."""
    t = settings["lifecycle"]
    band = case((orders >= t["loyal_from"], literal("LOYAL")), (orders >= t["promising_from"], literal("PROMISING")),
                (orders >= 1, literal("NEW")), else_=None)
    recency = case((days <= t["active_days"], literal("_ACTIVE")), (days <= t["sleeping_days"], literal("_SLEEPING")),
                   else_=literal("_LOST"))
    return band.concat(recency)


def ltv_expr(orders, revenue, tenure_seconds, lifespan_years: float):
    """max(revenue, average order x orders per year x L); orders per year = orders / max(tenure years, 1)."""
    years = cast(tenure_seconds, Float) / YEAR_SECONDS
    per_year = cast(orders, Float) / case((years > 1.0, years), else_=literal(1.0, Float))
    average = cast(revenue, Float) / case((orders > 0, cast(orders, Float)), else_=literal(1.0, Float))
    predicted = average * per_year * literal(float(lifespan_years), Float)
    return case((orders < 1, literal(0.0, Float)), (predicted > revenue, predicted), else_=cast(revenue, Float))


def rfm_code(r, f, m) -> str:
    return f"{r}{f}{m}" if None not in (r, f, m) else ""

