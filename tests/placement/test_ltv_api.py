"""The lifetime value screen's admin API on a hand-built history: the formula's figures with the currency, cohorts
at 6/12/24 months (null while too young), new vs repeat, acquisition channels in words with their own 6/12/24-month
split; an empty portal answers empty figures; staff get a 403."""
from __future__ import annotations

from datetime import datetime, timezone
from statistics import mean

import pytest
import requests

from bitrix_app.store.shop_models import Customer, OrderRecord
from tests.fixtures.shell_page import bootstrap_of
from tests.placement.placement_env import NOW, placement_env

UTC = timezone.utc
# customer -> (utm_source of the first order, [(moment, total, currency)]); NOW is 2026-11-12 10:00 UTC
HISTORY = {
    "P": ("google", [(datetime(2024, 3, 5, tzinfo=UTC), 100, "RUB"), (datetime(2024, 6, 1, tzinfo=UTC), 50, "RUB"),
                     (datetime(2025, 1, 10, tzinfo=UTC), 70, "RUB"), (datetime(2026, 2, 1, tzinfo=UTC), 30, "RUB")]),
    "Q": ("Google", [(datetime(2024, 3, 20, tzinfo=UTC), 200, "RUB"), (datetime(2024, 12, 20, tzinfo=UTC), 100, "RUB")]),
    "R": (None, [(datetime(2025, 10, 15, tzinfo=UTC), 300, "RUB")]),
    "S": ("my-blog", [(datetime(2026, 9, 1, tzinfo=UTC), 40, "EUR")]),
}


def _add_history(pe) -> None:
    with pe.session() as s:
        for name, (utm, orders) in HISTORY.items():
            customer = Customer(member_id=pe.member_id, profile={"first_name": name})
            s.add(customer)
            s.flush()
            for n, (at, total, currency) in enumerate(orders):
                s.add(OrderRecord(shop_id=pe.shop.shop_id, member_id=pe.member_id, order_id=f"{name}{n}",
                                  status="completed", total=f"{total:.2f}", currency=currency, customer_id=customer.id,
                                  items=[], ordered_at=at, version=at, utm_source=utm if n == 0 else "other"))


def _portal(portal_env):
    return placement_env(portal_env)


@pytest.fixture
def pe(shared_portal):
    return shared_portal(_portal)


def _token(pe, user_id: int = 1) -> str:
    ans = pe.env.control("placements/open", {"placement": "DEFAULT", "user_id": user_id, "lang": "en"})
    return bootstrap_of(ans["body"])["token"]


def _get(pe, token: str | None = None, **query) -> requests.Response:
    return requests.get(f"{pe.env.live.url}/api/v1/portals/{pe.member_id}/ltv", params=query,
                        headers={"Authorization": f"Bearer {token or _token(pe)}"}, timeout=10)


def _ltv(pe, lang: str = "en") -> dict:
    res = _get(pe, lang=lang)
    assert res.status_code == 200, res.text
    return res.json()


def test_the_formula_figures_with_their_currency(pe):
    _add_history(pe)
    report = _ltv(pe)
    overall = report["overall"]
    assert (report["currency"], report["currencies"]) == ("RUB", ["RUB", "EUR"])  # most purchases first
    assert (overall["customers"], overall["purchases"], overall["revenue"]) == (4, 8, 890.0)
    assert overall["average_order"] == 111.25 and overall["purchase_frequency"] == 2.0
    assert overall["average_lifespan_days"] == (698 + 275) / 2  # P and Q bought more than once
    per_year = mean(len(orders) / max(1.0, (NOW - orders[0][0]).total_seconds() / 86400 / 365.25)
                    for _, orders in HISTORY.values())
    factor = (698 + 275) / 2 / 365.25
    assert overall["orders_per_year"] == pytest.approx(per_year, abs=1e-4)
    assert overall["lifespan_factor"] == pytest.approx(factor, abs=1e-4)
    assert overall["ltv"] == pytest.approx(111.25 * per_year * factor, abs=0.01)
    assert report["as_of"].startswith("2026-11-12T10:00")


def test_cohorts_by_first_purchase_month_at_6_12_and_24_months(pe):
    _add_history(pe)
    cohorts = {c["cohort"]: c for c in _ltv(pe)["cohorts"]}
    assert list(cohorts) == ["2024-03", "2025-10", "2026-09"]
    march = cohorts["2024-03"]  # P: 100+50 within 6 months, +70 within 12, +30 within 24; Q: 200, +100 within 12
    assert (march["customers"], march["revenue"], march["revenue_per_customer"]) == (2, 550.0, 275.0)
    assert (march["value_6m"], march["value_12m"], march["value_24m"]) == (175.0, 260.0, 275.0)
    october = cohorts["2025-10"]  # ends 2025-11-01: 12 months passed on 2026-11-01, 24 not yet
    assert (october["value_6m"], october["value_12m"], october["value_24m"]) == (300.0, 300.0, None)
    september = cohorts["2026-09"]
    assert (september["value_6m"], september["value_12m"], september["value_24m"]) == (None, None, None)


def test_new_and_repeat_customers_and_their_revenue(pe):
    _add_history(pe)
    split = _ltv(pe)["new_vs_repeat"]
    assert (split["new"]["customers"], split["new"]["revenue"]) == (2, 340.0)  # R, S
    assert (split["repeat"]["customers"], split["repeat"]["revenue"]) == (2, 550.0)  # P, Q
    assert (split["new"]["customer_share"], split["repeat"]["revenue_share"]) == (0.5, round(550 / 890, 4))


def test_channels_in_words_with_their_own_6_12_24_month_split(pe):
    _add_history(pe)
    channels = {c["channel"]: c for c in _ltv(pe)["channels"]}
    # the first order's source counts (later orders came through "other"); "google" and "Google" are one only in
    # words, so the tagged text is kept as it is
    assert set(channels) == {"google", "Google", None, "my-blog"}
    google = channels["google"]
    assert (google["channel_name"], google["channel_known"], google["customers"], google["revenue"]) == (
        "Google", True, 1, 250.0)
    assert (google["value_6m"], google["value_12m"], google["value_24m"]) == (150.0, 220.0, 250.0)
    assert (google["customers_6m"], google["customers_24m"]) == (1, 1)
    untagged = channels[None]  # R's first order is 393 days old: 6 and 12 months, not 24
    assert (untagged["channel_name"], untagged["channel_known"]) == ("Not tagged", True)
    assert (untagged["value_6m"], untagged["value_12m"], untagged["value_24m"]) == (300.0, 300.0, None)
    assert (untagged["customers_12m"], untagged["customers_24m"]) == (1, 0)
    blog = channels["my-blog"]
    assert (blog["channel_name"], blog["channel_known"], blog["value_6m"]) == ("my-blog", False, None)
    ru = {c["channel"]: c["channel_name"] for c in _ltv(pe, "ru")["channels"]}
    assert (ru[None], ru["google"], ru["my-blog"]) == ("Без метки", "Google", "my-blog")


def test_channel_split_counts_each_customer_once_its_first_purchase_is_old_enough(pe):
    _add_history(pe)
    with pe.session() as s:  # a second untagged customer, 200 days old: in the 6-month figure only
        customer = Customer(member_id=pe.member_id, profile={})
        s.add(customer)
        s.flush()
        at = datetime(2026, 4, 26, tzinfo=UTC)
        s.add(OrderRecord(shop_id=pe.shop.shop_id, member_id=pe.member_id, order_id="T0", status="paid",
                          total="100.00", currency="RUB", customer_id=customer.id, items=[], ordered_at=at,
                          version=at))
    untagged = {c["channel"]: c for c in _ltv(pe)["channels"]}[None]
    assert (untagged["customers_6m"], untagged["value_6m"]) == (2, 200.0)
    assert (untagged["customers_12m"], untagged["value_12m"]) == (1, 300.0)


def test_a_portal_without_orders_answers_empty_figures(pe):
    report = _ltv(pe, "ru")
    assert report["overall"]["customers"] == 0 and report["overall"]["ltv"] is None
    assert report["overall"]["average_order"] is None and report["overall"]["average_lifespan_days"] is None
    assert (report["cohorts"], report["channels"], report["currency"], report["currencies"]) == ([], [], None, [])
    assert report["new_vs_repeat"]["repeat"]["customers"] == 0


def test_staff_get_a_403_bad_language_a_422(pe):
    staff = _get(pe, token=_token(pe, user_id=2))
    assert staff.status_code == 403 and staff.json()["error"] == "forbidden"
    assert requests.get(f"{pe.env.live.url}/api/v1/portals/{pe.member_id}/ltv", timeout=10).status_code == 401
    bad = _get(pe, lang="de")
    assert bad.status_code == 422 and "lang" in bad.json()["details"]["fields"]
