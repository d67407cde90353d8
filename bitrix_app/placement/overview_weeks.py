"""The overview's weekly figures over the last WEEKS weeks (Monday to Sunday, UTC, the current one last):

- purchases (orders neither cancelled nor refunded) and their revenue per currency, by the order's date;
- buyers: new (their first purchase ever falls in that week) and repeat (bought before);
- abandoned carts (an abandoned-cart deal was made for them) and how many came back (the customer then ordered),
  by the cart's last update.
`currency` is the currency most of the window's purchases are in (None without any).
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bitrix_app.segments import NOT_PURCHASES
from bitrix_app.store.models import utc
from bitrix_app.store.shop_models import Cart, OrderRecord

WEEKS = 12


def first_week(now: datetime, weeks: int = WEEKS) -> date:
    """The Monday that starts the window."""
    today = utc(now).date()
    return today - timedelta(days=today.weekday(), weeks=weeks - 1)


def _index(moment: datetime, start: date) -> int:
    return (utc(moment).date() - start).days // 7


def _amount(text) -> Decimal:
    try:
        return Decimal(str(text))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def _purchases(session: Session, member_id: str, since: datetime):
    return session.execute(select(OrderRecord.ordered_at, OrderRecord.total, OrderRecord.currency,
                                  OrderRecord.customer_id)
                           .where(OrderRecord.member_id == member_id, OrderRecord.ordered_at >= since,
                                  OrderRecord.status.not_in(NOT_PURCHASES))).all()


def _first_purchases(session: Session, member_id: str, since: datetime) -> dict[int, datetime]:
    """customer id -> first purchase ever, for the customers who bought in the window."""
    bought = (select(OrderRecord.customer_id).where(OrderRecord.member_id == member_id,
                                                    OrderRecord.ordered_at >= since,
                                                    OrderRecord.status.not_in(NOT_PURCHASES))
              .distinct().scalar_subquery())
    rows = session.execute(select(OrderRecord.customer_id, func.min(OrderRecord.ordered_at))
                           .where(OrderRecord.member_id == member_id, OrderRecord.customer_id.in_(bought),
                                  OrderRecord.status.not_in(NOT_PURCHASES))
                           .group_by(OrderRecord.customer_id))
    return {customer_id: utc(first) for customer_id, first in rows}


def _carts(session: Session, member_id: str, since: datetime):
    return session.execute(select(Cart.version, Cart.state).where(
        Cart.member_id == member_id, Cart.deal_id.is_not(None), Cart.version >= since)).all()


def weekly(session: Session, member_id: str, now: datetime, weeks: int = WEEKS) -> dict:
    start = first_week(now, weeks)
    since = datetime.combine(start, time(), tzinfo=timezone.utc)
    rows = [{"start": (start + timedelta(weeks=i)).isoformat(), "orders": 0, "revenue": {}, "new_buyers": 0,
             "repeat_buyers": 0, "abandoned_carts": 0, "recovered_carts": 0} for i in range(weeks)]
    revenue: list[dict[str, Decimal]] = [{} for _ in range(weeks)]
    buyers: list[set[int]] = [set() for _ in range(weeks)]
    currencies: Counter = Counter()
    for ordered_at, total, currency, customer_id in _purchases(session, member_id, since):
        i = _index(ordered_at, start)
        if not 0 <= i < weeks:
            continue
        rows[i]["orders"] += 1
        revenue[i][currency] = revenue[i].get(currency, Decimal(0)) + _amount(total)
        currencies[currency] += 1
        if customer_id is not None:
            buyers[i].add(customer_id)
    first = _first_purchases(session, member_id, since)
    for i, row in enumerate(rows):
        row["revenue"] = {cur: float(round(amount, 2)) for cur, amount in sorted(revenue[i].items())}
        new = sum(1 for c in buyers[i] if c in first and _index(first[c], start) == i)
        row["new_buyers"], row["repeat_buyers"] = new, len(buyers[i]) - new
    for version, state in _carts(session, member_id, since):
        i = _index(version, start)
        if 0 <= i < weeks:
            rows[i]["abandoned_carts"] += 1
            rows[i]["recovered_carts"] += state == "ordered"
    abandoned = sum(r["abandoned_carts"] for r in rows)
    recovered = sum(r["recovered_carts"] for r in rows)
    return {"weeks": rows, "currency": currencies.most_common(1)[0][0] if currencies else None,
            "carts": {"abandoned": abandoned, "recovered": recovered,
                      "recovered_share": round(recovered / abandoned, 4) if abandoned else None}}
