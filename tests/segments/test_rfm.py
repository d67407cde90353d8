"""RFM: quintile cut points within the portal (ties share a score), the group grid, predicted LTV."""
from __future__ import annotations

import random

import pytest
from sqlalchemy import literal, select

from bitrix_app.segments.figures import rfm
from bitrix_app.segments.engine.quintiles import tile_ends, values_at


def test_five_distinct_buyers_score_one_to_five(hist):
    ids = [hist.buyer(n, 10 * n, total=f"{100 * n}.00") for n in range(1, 6)]  # n orders, last n*10 days ago
    hist.rebuild()
    state = hist.state()
    assert state["recency"] == [10, 20, 30, 40] and state["frequency"] == [1, 2, 3, 4]
    assert state["monetary"] == [100.0, 400.0, 900.0, 1600.0]
    scores = [(hist.row(cid)["r"], hist.row(cid)["f"], hist.row(cid)["m"]) for cid in ids]
    assert scores == [(5, 1, 1), (4, 2, 2), (3, 3, 3), (2, 4, 4), (1, 5, 5)]
    groups = [hist.row(cid)["rfm_group"] for cid in ids]
    assert groups == ["new", "potential_loyalist", "need_attention", "at_risk", "cant_lose"]
    assert "RFM_NEW" in hist.segments(ids[0]) and "RFM_CANT_LOSE" in hist.segments(ids[4])


def test_ties_share_the_lowest_quintile_their_value_reaches(hist):
    once = [hist.buyer(1, 5, total="50.00") for _ in range(6)]
    twice = [hist.buyer(2, 5, total="50.00") for _ in range(2)]
    thrice = [hist.buyer(3, 5, total="50.00") for _ in range(2)]
    hist.rebuild()
    assert hist.state()["frequency"] == [1, 1, 1, 2]  # NTILE(5) over 1,1,1,1,1,1,2,2,3,3
    assert {hist.row(c)["f"] for c in once} == {1}
    assert {hist.row(c)["f"] for c in twice} == {4}  # above 60 % of the buyers
    assert {hist.row(c)["f"] for c in thrice} == {5}
    # every last purchase is 5 days ago: one value, one recency score for all, the most recent one
    assert {hist.row(c)["r"] for c in once + twice + thrice} == {5}


def test_fewer_than_five_buyers_and_none(hist):
    lone = hist.buyer(1, 3)
    nobody = hist.customer()
    hist.rebuild()
    assert (hist.row(lone)["r"], hist.row(lone)["f"], hist.row(lone)["m"]) == (5, 1, 1)
    assert hist.row(nobody)["r"] is None and hist.row(nobody)["rfm_group"] is None


def test_no_scores_before_the_first_full_rebuild(hist):
    cid = hist.buyer(2, 3)
    hist.refresh(cid)
    row = hist.row(cid)
    assert row["lifecycle"] == "PROMISING_ACTIVE" and (row["r"], row["f"], row["m"], row["rfm_group"]) == (
        None, None, None, None)


def test_the_sql_grid_is_the_python_grid(hist):
    triples = [(r, f, m) for r in range(1, 6) for f in range(1, 6) for m in range(1, 6)]
    query = select(*[rfm.group_expr(literal(r), literal(f), literal(m)) for r, f, m in triples])
    with hist.app.extensions["bitrix_app"]["engine"].connect() as conn:
        found = list(conn.execute(query).one())
    assert found == [rfm.group_of(r, f, m) for r, f, m in triples]


def test_every_group_has_a_cell_of_the_grid():
    assert set(rfm.GRID.values()) == set(rfm.GROUPS)
    assert rfm.group_of(5, 5, 4) == "champions" and rfm.group_of(1, 1, 2) == "lost"
    assert rfm.group_of(1, 5, 5) == "cant_lose" and rfm.group_of(4, 1, 1) == "promising"


def test_predicted_ltv(hist):
    # a repeat buyer spanning two years makes the lifespan factor L = 2 years
    veteran = hist.customer()
    hist.order(veteran, 730 + 30, total="100.00")
    hist.order(veteran, 30, total="100.00")
    newcomer = hist.buyer(1, 10, total="300.00")
    hist.rebuild()
    assert hist.state()["lifespan_years"] == pytest.approx(730 / 365.25)
    # newcomer: tenure under a year -> 1 order a year x 300.00 x L
    assert hist.row(newcomer)["ltv"] == pytest.approx(round(300 * 730 / 365.25, 2))
    # veteran: 2 orders over 760 days (2.08 years): 0.96 a year x 100 x 2.0 = 192 < revenue 200 -> revenue
    assert hist.row(veteran)["ltv"] == 200.0


def _ntile_maxima(values: list) -> list:
    """The reference: NTILE(5) over the sorted values, the largest value of quintiles 1-4 (padded when n < 5)."""
    ordered, n = sorted(values), len(values)
    tiles = [[] for _ in range(5)]
    size, extra = divmod(n, 5)
    start = 0
    for k in range(5):
        count = size + (1 if k < extra else 0)
        tiles[k], start = ordered[start:start + count], start + count
    maxima = [t[-1] for t in tiles if t]
    return (maxima + [maxima[-1]] * 5)[:4]


@pytest.mark.parametrize("n", [1, 2, 4, 5, 6, 13, 37])
def test_quintile_positions_match_ntile(n):
    rng = random.Random(n)
    values = [rng.choice([1, 2, 2, 3, 5, 8, 8, 8]) for _ in range(n)]
    histogram = sorted((v, values.count(v)) for v in set(values))
    assert values_at(histogram, tile_ends(n)) == _ntile_maxima(values)


def test_a_rebuild_cuts_like_ntile_over_the_buyers(hist):
    rng = random.Random(7)
    for _ in range(37):
        cid = hist.customer()
        for _ in range(rng.randint(1, 4)):
            hist.order(cid, rng.choice([3, 3, 10, 45, 45, 200, 400]), total=rng.choice(["10.00", "25.50", "99.99"]))
    hist.customer()  # no purchases: not a buyer
    hist.rebuild()
    buyers = [r for r in hist.rows().values() if r["orders"]]
    state = hist.state()
    assert state["recency"] == _ntile_maxima([r["days_since"] for r in buyers])
    assert state["frequency"] == _ntile_maxima([r["orders"] for r in buyers])
    assert state["monetary"] == _ntile_maxima([r["revenue"] for r in buyers])
