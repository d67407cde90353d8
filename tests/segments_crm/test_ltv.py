"""Lifetime value report on a hand-built history: the numbers add up, cohorts show values only when old enough."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from statistics import mean

import pytest

from bitrix_app.segments.ltv import ltv_report
from bitrix_app.store.segment_models import CustomerFigures
from bitrix_app.store.shop_models import Customer, OrderRecord
from tests.fixtures.shop_env import connect_shop
from tests.segments_crm.crm_env import in_scope

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)
T_A = datetime(2023, 1, 10, tzinfo=timezone.utc)
# customer -> [(moment, total, status, utm_source)]
HISTORY = {
    "A": [(T_A, 100, "completed", "newsletter"), (T_A + timedelta(days=182), 50, "paid", "ads"),
          (T_A + timedelta(days=183), 30, "delivered", None), (T_A + timedelta(days=400), 20, "completed", None),
          (T_A + timedelta(days=1000), 100, "new", None), (T_A + timedelta(days=5), 1000, "cancelled", None)],
    "B": [(datetime(2023, 1, 31, 23, 0, tzinfo=timezone.utc), 200, "completed", "ads")],
    "C": [(datetime(2026, 4, 15, tzinfo=timezone.utc), 80, "completed", None),
          (datetime(2026, 5, 15, tzinfo=timezone.utc), 40, "refunded", None),
          (datetime(2026, 5, 15, tzinfo=timezone.utc), 40, "shipped", None)],
    "D": [(datetime(2026, 5, 20, tzinfo=timezone.utc), 60, "completed", "newsletter")],
}


def _portal(portal_env):
    shop = connect_shop(portal_env(ADMIN_API_TOKEN="operator-token"))
    ids = {}
    with shop.session() as s:
        for name, orders in HISTORY.items():
            customer = Customer(member_id=shop.member_id, profile={})
            s.add(customer)
            s.flush()
            ids[name] = customer.id
            for n, (at, total, status, utm) in enumerate(orders):
                s.add(OrderRecord(shop_id=shop.shop_id, member_id=shop.member_id, order_id=f"{name}{n}", status=status,
                                  total=f"{total:.2f}", currency="EUR", customer_id=customer.id, items=[],
                                  ordered_at=at, version=at, utm_source=utm))
        # the engine's view of D: acquired through a partner; its predicted LTV
        s.add(CustomerFigures(customer_id=ids["D"], member_id=shop.member_id, orders=1, revenue=60.0,
                              paid_revenue=60.0, ltv=150.0, segments="|", dirty=False, channel="partner"))
        s.add(OrderRecord(shop_id=shop.shop_id, member_id="another-portal", order_id="X1", status="completed",
                          total="9999.00", currency="EUR", customer_id=ids["A"], items=[], ordered_at=T_A,
                          version=T_A))
    shop.ids = ids
    return shop


@pytest.fixture
def shop(shared_portal):
    return shared_portal(_portal)


def _expected_overall() -> dict:
    """The documented formulas, computed here from HISTORY by hand."""
    bought = {c: [o for o in orders if o[2] not in ("cancelled", "refunded")] for c, orders in HISTORY.items()}
    revenue = sum(o[1] for orders in bought.values() for o in orders)
    purchases = sum(len(orders) for orders in bought.values())
    per_year = []
    for orders in bought.values():
        tenure = (NOW - min(o[0] for o in orders)).total_seconds() / 86400 / 365.25
        per_year.append(len(orders) / max(tenure, 1.0))
    lifespans = [(max(o[0] for o in orders) - min(o[0] for o in orders)).days for orders in bought.values()
                 if len(orders) >= 2]
    factor = max(1.0, mean(lifespans) / 365.25)
    return {"revenue": revenue, "purchases": purchases, "per_year": mean(per_year), "factor": factor,
            "lifespan": mean(lifespans)}


def test_overall_figures_follow_the_formula(shop):
    report = in_scope(shop, ltv_report, shop.member_id, NOW)
    overall, want = report["overall"], _expected_overall()
    assert (overall["customers"], overall["purchases"], overall["revenue"]) == (4, 9, 680.0)
    assert want["revenue"] == 680 and want["purchases"] == 9
    assert overall["average_order"] == round(680 / 9, 2) and overall["purchase_frequency"] == 2.25
    assert overall["average_lifespan_days"] == 515.0 == want["lifespan"]  # A: 1000 days, C: 30 days
    assert overall["lifespan_factor"] == pytest.approx(515 / 365.25, abs=1e-4)
    assert overall["orders_per_year"] == pytest.approx(want["per_year"], abs=1e-4)
    assert overall["ltv"] == pytest.approx(680 / 9 * want["per_year"] * want["factor"], abs=0.01)
    assert (overall["repeat_customers"], overall["repeat_share"]) == (2, 0.5)
    assert overall["predicted_ltv_average"] == 150.0


def test_cohorts_show_values_at_6_12_24_months_only_when_old_enough(shop):
    cohorts = {c["cohort"]: c for c in in_scope(shop, ltv_report, shop.member_id, NOW)["cohorts"]}
    assert list(cohorts) == ["2023-01", "2026-04", "2026-05"]
    jan = cohorts["2023-01"]  # A and B (B's first purchase on the month's last evening, UTC)
    assert (jan["customers"], jan["revenue"], jan["revenue_per_customer"]) == (2, 500.0, 250.0)
    # A: day 182 is inside the first 6 months (182.625 days), day 183 outside; day 400 inside 24 months
    assert (jan["value_6m"], jan["value_12m"], jan["value_24m"]) == ((150 + 200) / 2, (180 + 200) / 2,
                                                                        (200 + 200) / 2)
    april = cohorts["2026-04"]  # ends 2026-05-01: 6 months passed on 2026-10-30 15:00, 12 not yet
    assert (april["customers"], april["value_6m"], april["value_12m"], april["value_24m"]) == (1, 120.0, None, None)
    may = cohorts["2026-05"]  # ends 2026-06-01: 6 months pass on 2026-11-30
    assert (may["value_6m"], may["value_12m"]) == (None, None)
    assert sum(c["customers"] for c in cohorts.values()) == 4
    assert sum(c["revenue"] for c in cohorts.values()) == 680.0
    edge = in_scope(shop, ltv_report, shop.member_id, datetime(2026, 10, 30, 14, 59, tzinfo=timezone.utc))
    assert {c["cohort"]: c["value_6m"] for c in edge["cohorts"]}["2026-04"] is None


def test_new_and_repeat_customers_and_channels_add_up(shop):
    report = in_scope(shop, ltv_report, shop.member_id, NOW)
    split = report["new_vs_repeat"]
    assert (split["new"]["customers"], split["new"]["revenue"]) == (2, 260.0)  # B, D
    assert (split["repeat"]["customers"], split["repeat"]["revenue"]) == (2, 420.0)  # A (300), C (120)
    assert split["repeat"]["purchases"] == 7 and split["repeat"]["average_order"] == 60.0
    assert split["new"]["customer_share"] + split["repeat"]["customer_share"] == 1.0
    assert split["new"]["revenue_share"] == round(260 / 680, 4)
    channels = {c["channel"]: c for c in report["channels"]}
    # first purchase's utm_source (A: newsletter although it later came through ads), the engine's channel first (D)
    assert {k: (v["customers"], v["revenue"]) for k, v in channels.items()} == {
        "newsletter": (1, 300.0), "ads": (1, 200.0), None: (1, 120.0), "partner": (1, 60.0)}
    assert [c["channel"] for c in report["channels"]] == ["newsletter", "ads", None, "partner"]  # by revenue
    assert sum(c["revenue"] for c in report["channels"]) == report["overall"]["revenue"]
    factor = report["overall"]["lifespan_factor"]
    ads = channels["ads"]
    assert ads["ltv"] == pytest.approx(200 * ads["orders_per_year"] * factor, abs=0.01)


def test_the_report_through_the_cli_and_the_admin_api(shop):
    res = shop.env.app.test_cli_runner().invoke(args=["history", "ltv", "--member-id", shop.member_id])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["overall"]["customers"] == 4
    http = shop.env.app.test_client()
    url = f"/api/v1/portals/{shop.member_id}/ltv"
    assert http.get(url).status_code == 401
    assert http.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = http.get(url, headers={"Authorization": "Bearer operator-token"})
    assert ok.status_code == 200 and ok.get_json()["overall"]["revenue"] == 680.0
    missing = http.get("/api/v1/portals/nope/ltv", headers={"Authorization": "Bearer operator-token"})
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"


def test_a_portal_without_purchases_gets_an_empty_report(shop):
    report = in_scope(shop, ltv_report, "empty-portal", NOW)
    assert report["overall"]["customers"] == 0 and report["overall"]["ltv"] is None
    assert report["cohorts"] == [] and report["channels"] == []
    assert report["new_vs_repeat"]["new"]["customers"] == 0
