"""Pure pieces: lifecycle cells and RFM at their edges, working-day deadlines, recommendation picking."""
from __future__ import annotations

from datetime import datetime, time, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bitrix_app.portals import LIFECYCLE_CELLS
from bitrix_app.robots.context import user_id, user_ids
from bitrix_app.robots.recommend import pick
from bitrix_app.robots.schedule import call_deadline
from bitrix_app.segments import OrderFact, customer_stats, lifecycle_cell
from bitrix_app.segments import fallback_rfm_code as rfm_code

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)  # a Monday
UTC = ZoneInfo("UTC")


@pytest.mark.parametrize("orders,days,cell", [
    (1, 0, "NEW_ACTIVE"), (1, 60, "NEW_ACTIVE"), (1, 61, "NEW_SLEEPING"), (1, 180, "NEW_SLEEPING"),
    (1, 181, "NEW_LOST"), (2, 5, "PROMISING_ACTIVE"), (3, 100, "PROMISING_SLEEPING"), (3, 400, "PROMISING_LOST"),
    (4, 60, "LOYAL_ACTIVE"), (10, 91, "LOYAL_SLEEPING"), (4, 181, "LOYAL_LOST"), (0, 1, None),
])
def test_lifecycle_cells_at_their_edges(orders, days, cell):
    assert lifecycle_cell(orders, days) == cell
    assert cell is None or cell in {code for code, *_ in LIFECYCLE_CELLS}


def test_rfm_scores():
    assert rfm_code(30, 1, Decimal("99.99")) == "511"
    assert rfm_code(31, 2, Decimal(100)) == "422"
    assert rfm_code(181, 6, Decimal(5000)) == "155"


def test_customer_stats_count_purchases_and_paid_value():
    orders = [OrderFact("completed", Decimal(100), datetime(2026, 10, 1, tzinfo=timezone.utc), "EUR"),
              OrderFact("refunded", Decimal(900), datetime(2026, 10, 20, tzinfo=timezone.utc), "EUR"),
              OrderFact("pending_payment", Decimal(50), datetime(2026, 10, 30, 23, tzinfo=timezone.utc), "EUR")]
    stats = customer_stats(orders, NOW)
    assert (stats.orders, stats.total_spent, stats.lifetime_value, stats.average_order) == (
        2, Decimal(150), Decimal(100), Decimal("75.00"))
    assert (stats.days_since_last_order, stats.segment, stats.repeat_buyer) == (2, "PROMISING_ACTIVE", True)
    assert customer_stats([], NOW).segment is None


@pytest.mark.parametrize("now,days,at,expected", [
    (NOW, 0, time(11), "2026-11-02T11:00:00+00:00"),  # later today
    (NOW, 0, time(9), "2026-11-03T09:00:00+00:00"),  # already past: next working day
    (NOW, 1, time(7), "2026-11-03T09:00:00+00:00"),  # before opening
    (NOW, 5, time(18, 30), "2026-11-09T17:00:00+00:00"),  # a week on, after closing
    (datetime(2026, 11, 7, 12, tzinfo=timezone.utc), 0, time(12), "2026-11-09T12:00:00+00:00"),  # Saturday
    (datetime(2026, 11, 6, 12, tzinfo=timezone.utc), 1, time(12), "2026-11-09T12:00:00+00:00"),  # Friday + 1
])
def test_call_deadlines_fall_on_working_days_and_hours(now, days, at, expected):
    assert call_deadline(now, days, at, UTC).isoformat() == expected


def test_call_deadline_in_the_shops_time_zone():
    # 23:30 UTC on Monday is already Tuesday in Moscow
    moment = datetime(2026, 11, 2, 23, 30, tzinfo=timezone.utc)
    assert call_deadline(moment, 1, time(10), ZoneInfo("Europe/Moscow")).isoformat() == "2026-11-04T10:00:00+03:00"


def test_pick_orders_rule_offers_then_co_purchases_without_what_was_bought():
    bought = [{"sku": "A", "category": "bikes"}]
    rules = [{"if_category": "bikes", "offer": ["T", "A"]}, {"if_sku": "Z", "offer": ["Q"]}]
    baskets = [[{"sku": "A"}, {"sku": "B"}, {"sku": "C"}], [{"sku": "A"}, {"sku": "C"}], [{"sku": "D"}]]
    assert pick(bought, rules, baskets, 10) == ["T", "A", "C", "B"]
    assert pick(bought, [], baskets, 1) == ["C"]


def test_user_values_in_every_spelling():
    assert [user_id(v) for v in ("user_5", "U7", "12", "", "group_1", None)] == [5, 7, 12, None, None, None]
    assert user_ids(["user_2", "x", "3"]) == [2, 3] and user_ids("user_2,user_4") == [2, 4]
