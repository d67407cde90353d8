"""The campaign report on hand-made entries and orders: attribution window edges, one entry per order, totals."""
from __future__ import annotations

import json
from datetime import timedelta

from bitrix_app.campaigns import definitions
from bitrix_app.campaigns.report import report
from bitrix_app.store.campaign_models import CampaignEntry
from bitrix_app.store.db import transaction
from bitrix_app.store.shop_models import OrderRecord
from tests.campaigns.campaigns_env import CAMPAIGN
from tests.fixtures.shop_env import T0
from tests.fixtures.portal_row import add_portal

MEMBER = "m-campaign-report"
DAY = timedelta(days=1)


def _campaign(s, code: str):
    return definitions.create(s, MEMBER, {**CAMPAIGN, "code": code, "attribution_days": 14}, T0)


def _entry(s, campaign, customer: int, at, holdout: bool = False, reached: bool = False, key: str = "t:1"):
    s.add(CampaignEntry(member_id=MEMBER, campaign_id=campaign.id, customer_id=customer, run_key=key, entered_at=at,
                        window_ends_at=at + timedelta(days=campaign.attribution_days), holdout=holdout,
                        status="holdout" if holdout else "done", reached=reached, results={}, attempts=0,
                        updated_at=at))


def _order(s, customer: int, at, total: str, status: str = "paid", member: str = MEMBER):
    s.add(OrderRecord(shop_id="shp_1", member_id=member, order_id=f"{customer}-{at.isoformat()}-{status}",
                      status=status, total=total, currency="EUR", customer_id=customer, items=[], ordered_at=at,
                      version=at))


def _history(app):
    with transaction(app.extensions["bitrix_app"]["sessions"]) as s:
        main, other = _campaign(s, "MAIN"), _campaign(s, "OTHER")
        _entry(s, main, 1, T0, reached=True)
        _order(s, 1, T0 + 14 * DAY, "100.00")  # the last moment of the window: counts
        _order(s, 1, T0 + 14 * DAY + timedelta(seconds=1), "50.00")  # a second late: does not
        _entry(s, main, 2, T0)
        _order(s, 2, T0, "70.00")  # at the moment of entry: not after it
        _order(s, 2, T0 - DAY, "80.00")
        _order(s, 2, T0 + DAY, "90.00", status="cancelled")  # not a purchase
        _order(s, 2, T0 + DAY, "95.00", member="m-somebody-else")  # another portal's customer 2
        _entry(s, main, 3, T0, reached=True)
        _order(s, 3, T0 + DAY, "20.50")
        _order(s, 3, T0 + 2 * DAY, "30.25")
        _entry(s, main, 4, T0, reached=True)  # entered again 5 days later: each order counts for one entry
        _entry(s, main, 4, T0 + 5 * DAY, key="t:2")
        _order(s, 4, T0 + 3 * DAY, "5.00")
        _order(s, 4, T0 + 6 * DAY, "10.00")
        _entry(s, main, 11, T0, holdout=True)
        _order(s, 11, T0 + 7 * DAY, "40.00")
        for customer in (12, 13, 14):
            _entry(s, main, customer, T0, holdout=True)
        _entry(s, other, 1, T0 + DAY, reached=True)  # another campaign does not take customer 1's order away


def test_the_numbers_add_up_at_the_window_edges(app):
    _history(app)
    with transaction(app.extensions["bitrix_app"]["sessions"]) as s:
        main, other = report(s, MEMBER, T0 + 15 * DAY)
    assert (main["campaign"], other["campaign"]) == ("MAIN", "OTHER")
    treated, holdout = main["treated"], main["holdout"]
    assert treated == {"entered": 5, "reached": 3, "converted": 4, "orders": 5, "revenue": 165.75,
                       "conversion_rate": 0.8}
    assert holdout == {"entered": 4, "converted": 1, "orders": 1, "revenue": 40.0, "conversion_rate": 0.25}
    assert (main["entered"], main["reached"], main["converted"], main["orders"], main["revenue"]) == (
        9, 3, 5, 6, 205.75)
    assert main["entered"] == treated["entered"] + holdout["entered"]
    assert main["converted"] == treated["converted"] + holdout["converted"]
    assert main["revenue"] == treated["revenue"] + holdout["revenue"]
    assert main["uplift"] == {"absolute": 0.55, "relative": 2.2, "incremental_conversions": 2.75,
                              "ci95": [-0.0005, 1.1005]}  # 5 treated, 4 holdout: a wide interval
    assert main["open_windows"] == 1 and main["by_status"] == {"done": 5, "holdout": 4}
    assert (other["converted"], other["orders"], other["revenue"]) == (1, 2, 150.0)  # its window ends a day later
    assert other["uplift"]["absolute"] is None  # no holdout entries to compare with


def test_the_report_cli_and_an_empty_campaign(app):
    with transaction(app.extensions["bitrix_app"]["sessions"]) as s:
        _campaign(s, "EMPTY")
    add_portal(app, MEMBER)
    out = app.test_cli_runner().invoke(args=["campaigns", "report", "--member-id", MEMBER])
    assert out.exit_code == 0, out.output
    [row] = [json.loads(line) for line in out.output.strip().splitlines()]
    assert (row["campaign"], row["entered"], row["converted"], row["revenue"]) == ("EMPTY", 0, 0, 0.0)
    assert row["treated"]["conversion_rate"] is None and row["uplift"]["relative"] is None
    missing = app.test_cli_runner().invoke(args=["campaigns", "report", "--member-id", MEMBER, "--code", "NOPE"])
    assert missing.exit_code == 2 and "no campaign 'NOPE'" in missing.output
