"""The customer card of the deal and contact tabs, from local tables only (no portal round trip).

Whose card: a deal's shop order (shop_orders.deal_id -> customer_id); a contact's shop customer
(shop_customers.contact_id). A deal without a shop order has no card: matching its contact would need the portal.
Figures come from customer_stats; a customer the segment engine has not computed yet gets them from
`bitrix_app.segments.customer_stats` over their orders (marked "estimated", no memberships).

The card answers raw values for the front end to format: amounts with their currency code ({amount, currency}),
ISO moments, and every code with its name in the page's language ({code, name}).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bitrix_app.segments import (NOT_PURCHASES, OrderFact, Thresholds, codes_of, customer_stats, get_settings, group_of,
                                  portal_definitions)
from bitrix_app.store.models import utc
from bitrix_app.store.segment_models import CustomerFigures
from bitrix_app.store.shop_models import Customer, OrderRecord

from . import card_extras, labels, offers
from .card_extras import decimal as _decimal
from .card_extras import iso as _iso
from .card_extras import money
from .card_words import no_card_reason
from .next_action import Signals, actions, suggestion

ORDER_LIMIT = 20  # orders listed, newest first
MAX_CRM_ID = 2**31 - 1
KINDS = ("deal", "contact")


def crm_id(raw) -> int | None:
    """A CRM entity id from PLACEMENT_OPTIONS (digits only), else None."""
    text = str(raw or "").strip()
    return int(text) if text.isdigit() and len(text) <= 10 and 0 < int(text) <= MAX_CRM_ID else None


def customer_of_deal(session: Session, member_id: str, deal_id: int) -> int | None:
    return session.scalar(select(OrderRecord.customer_id).where(
        OrderRecord.member_id == member_id, OrderRecord.deal_id == deal_id, OrderRecord.customer_id.is_not(None))
        .order_by(OrderRecord.id).limit(1))


def customer_of_contact(session: Session, member_id: str, contact_id: int) -> int | None:
    return session.scalar(select(Customer.id).where(Customer.member_id == member_id, Customer.contact_id == contact_id)
                          .order_by(Customer.id).limit(1))


def customer_of(session: Session, member_id: str, kind: str, entity_id) -> int | None:
    entity = crm_id(entity_id)
    if entity is None:
        return None
    find = customer_of_deal if kind == "deal" else customer_of_contact
    return find(session, member_id, entity)


def tab_card(session: Session, member_id: str, kind: str, entity_id, now: datetime, lang: str) -> dict | None:
    """The card of the deal's or contact's customer; None without shop history."""
    customer_id = customer_of(session, member_id, kind, entity_id)
    if customer_id is None:
        return None
    return card(session, member_id, customer_id, now, lang, deal_id=crm_id(entity_id) if kind == "deal" else None)


def card_answer(session: Session, member_id: str, kind: str, entity_id: int, now: datetime, lang: str) -> dict:
    """What GET /cards/<kind>/<id> answers: the card, or `customer: null` with the reason in words."""
    found = tab_card(session, member_id, kind, entity_id, now, lang)
    return {"kind": kind, "entity_id": entity_id, "lang": "ru" if labels.is_ru(lang) else "en",
            "customer": found, "reason": None if found else no_card_reason(kind, lang),
            "templates": card_extras.templates(lang), "channels": card_extras.channels(lang)}


def card(session: Session, member_id: str, customer_id: int, now: datetime, lang: str,
         deal_id: int | None = None) -> dict | None:
    customer = session.get(Customer, customer_id)
    if customer is None or customer.member_id != member_id:
        return None
    recent = list(session.scalars(select(OrderRecord).where(
        OrderRecord.member_id == member_id, OrderRecord.customer_id == customer_id)
        .order_by(OrderRecord.ordered_at.desc(), OrderRecord.id.desc()).limit(ORDER_LIMIT)))
    row = session.get(CustomerFigures, customer_id)
    if row is not None and row.member_id != member_id:
        row = None
    if row is None and not recent:
        return None
    profile = _profile(customer)
    currency = recent[0].currency if recent else ""
    defs = {d.code: d for d in portal_definitions(session, member_id)}
    if row is not None:
        figures = _stored_figures(row, now, currency, lang)
        codes = codes_of(row.segments)
        birth_month = row.birth_month
    else:
        figures = _estimated_figures(session, member_id, customer_id, now, currency, lang)
        codes = set()
        birth_month = _profile_birth_month(profile)
    member_defs = [d for c, d in defs.items() if c in codes]  # in the portal's definition order
    bought = _names_bought(recent)
    found_offers = offers.offers_of(member_defs, bought)
    awaiting = _awaiting_payment(recent, now)
    signals = Signals(
        lifecycle=(figures["lifecycle"] or {}).get("code"), rfm_group=(figures["rfm_group"] or {}).get("code"),
        offers=found_offers, awaiting_order=awaiting[0], awaiting_days=awaiting[1],
        birthday_this_month=birth_month == now.month or any(
            defs[c].kind == "birthday" for c in codes if c in defs))
    found = [_action(a, lang) for a in actions(signals)]
    return {
        "customer_id": customer_id, "contact_id": customer.contact_id, "name": _display_name(profile),
        "phone": profile.get("phone") or None, "email": profile.get("email") or None,
        "figures": figures, "orders": [_order_view(o, deal_id, lang) for o in recent],
        "segments": _memberships(codes, defs, lang),
        "deal_products": card_extras.deal_products(session, member_id, deal_id),
        "open_cart": card_extras.open_cart(session, member_id, customer_id, lang),
        "messages": card_extras.messages(session, member_id, customer.contact_id, profile, lang),
        "promo_codes": card_extras.promo_codes(session, member_id, customer_id, customer.contact_id, now, lang),
        "recommendations": card_extras.recommendations(member_defs, bought, lang),
        "next_action": found[0] if found else None, "also": found[1:],
    }


def _action(action, lang: str) -> dict:
    return {"key": action.key, "text": action.text(lang), "suggests": suggestion(action.key)}


def _awaiting_payment(recent: list[OrderRecord], now: datetime) -> tuple[str | None, int]:
    """The customer's oldest order still awaiting payment: (its number, whole days since it was placed)."""
    waiting = [o for o in recent if o.status == "pending_payment"]
    if not waiting:
        return None, 0
    oldest = min(waiting, key=lambda o: utc(o.ordered_at))
    return str(oldest.number or oldest.order_id), max(0, (now - utc(oldest.ordered_at)).days)


def _profile(customer: Customer) -> dict:
    return customer.profile if isinstance(customer.profile, dict) else {}


def _display_name(profile: dict) -> str:
    name = " ".join(str(profile[k]) for k in ("first_name", "last_name") if profile.get(k))
    return name or str(profile.get("email") or profile.get("phone") or "")


def _profile_birth_month(profile: dict) -> int | None:
    text = str(profile.get("birthday") or "")
    parts = text.split("-")
    return int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else None


def _days_since(last: datetime | None, now: datetime, stored: int | None) -> int | None:
    return max(0, (now - last).days) if last else stored


def _stored_figures(row: CustomerFigures, now: datetime, currency: str, lang: str) -> dict:
    first, last = utc(row.first_order_at), utc(row.last_order_at)
    average = row.revenue / row.orders if row.orders else 0
    rfm_text = f"{row.r}-{row.f}-{row.m}" if None not in (row.r, row.f, row.m) else None
    return _figures(row.orders, row.revenue, average, first, last, _days_since(last, now, row.days_since),
                    row.lifecycle, rfm_text, row.rfm_group, row.ltv, "predicted", False, currency, lang)


def _estimated_figures(session: Session, member_id: str, customer_id: int, now: datetime, currency: str,
                       lang: str) -> dict:
    facts = [OrderFact(status, _decimal(total), utc(at), cur) for status, total, at, cur in session.execute(
        select(OrderRecord.status, OrderRecord.total, OrderRecord.ordered_at, OrderRecord.currency).where(
            OrderRecord.member_id == member_id, OrderRecord.customer_id == customer_id))]
    cycle = get_settings(session, member_id)["lifecycle"]
    stats = customer_stats(facts, now, Thresholds(**{k: cycle[k] for k in (
        "promising_from", "loyal_from", "active_days", "sleeping_days")}))
    bought = [f.ordered_at for f in facts if f.status not in NOT_PURCHASES]
    first, last = (min(bought), max(bought)) if bought else (None, None)
    r, f, m = (int(ch) for ch in stats.rfm) if stats.rfm else (None, None, None)
    return _figures(stats.orders, stats.total_spent, stats.average_order, first, last, stats.days_since_last_order,
                    stats.segment, f"{r}-{f}-{m}" if stats.rfm else None, group_of(r, f, m),
                    stats.lifetime_value, "paid", True, stats.currency or currency, lang)


def _figures(orders, revenue, average, first, last, days, cell, rfm_text, group, ltv, ltv_kind, estimated,
             currency, lang) -> dict:
    return {
        "orders": orders, "revenue": money(revenue, currency), "average": money(average, currency),
        "first_order": _iso(first), "last_order": _iso(last), "days_since": days,
        "lifecycle": {"code": cell, "name": labels.named(labels.CELL_NAMES, cell, lang)} if cell else None,
        "rfm": rfm_text,
        "rfm_group": {"code": group, "name": labels.rfm_group_name(group, lang)} if group else None,
        "ltv": money(ltv, currency), "ltv_kind": ltv_kind, "estimated": estimated,
    }


def _memberships(codes: set[str], defs: dict, lang: str) -> list[dict]:
    """Named in the portal's definition order; codes without a definition (since removed) last, as codes."""
    known = [{"code": c, "name": labels.pick((d.name.get("en", c), d.name.get("ru", c)), lang)}
             for c, d in defs.items() if c in codes]
    return known + [{"code": c, "name": c} for c in sorted(codes - set(defs))]


def _items(order: OrderRecord) -> list:
    items = order.items
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _names_bought(orders: list[OrderRecord]) -> dict[str, str]:
    """sku -> product name, from the listed orders (newest name wins)."""
    names: dict[str, str] = {}
    for order in orders:
        for item in _items(order):
            if item.get("sku") and item.get("name"):
                names.setdefault(str(item["sku"]), str(item["name"]))
    return names


def _quantity(items: list) -> int | float:
    total = sum(float(_decimal(i.get("quantity", 1))) for i in items)
    return int(total) if total == int(total) else round(total, 3)


def _order_view(order: OrderRecord, deal_id: int | None, lang: str) -> dict:
    items = _items(order)
    return {"number": str(order.number or order.order_id), "ordered_at": _iso(utc(order.ordered_at)),
            "status": {"code": order.status, "name": labels.named(labels.STATUS, order.status, lang)},
            "total": money(order.total, order.currency), "item_count": _quantity(items),
            "this_deal": deal_id is not None and order.deal_id == deal_id}
