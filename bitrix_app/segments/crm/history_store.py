"""Local side of the deal import: which deals are ours, customers by contact and key, orders and their lines."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from bitrix_app.orders.normalise import email_key, phone_e164
from bitrix_app.orders.shapes import LineItem, line_items
from bitrix_app.store.db import transaction
from bitrix_app.store.models import utc
from bitrix_app.store.shop_models import Cart, Customer, CustomerKey, OrderRecord, Shop
from bitrix_app.crm.customers import keys_of

from ..figures.lines import record_lines

SHOP = "crm"  # shop_id of orders imported from deals
_SKU = re.compile(r"\[([^\[\]]{1,100})\]\s*$")  # "City bike [BIKE-1]": how the shop sync names product rows
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


def order_key(member_id: str, deal_id) -> str:
    return f"{member_id}:{int(deal_id)}"


def parse_moment(raw) -> datetime | None:
    """A portal date or datetime (ISO, with or without zone) as aware UTC; None if unreadable."""
    if not raw:
        return None
    text = str(raw).strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def deal_version(deal: dict) -> datetime | None:
    return parse_moment(deal.get("DATE_MODIFY"))


def own_deals(factory, member_id: str) -> tuple[set[str], set[int]]:
    """ORIGINATOR_IDs the app writes (its shops) and the deal IDs it keeps for shop orders and carts."""
    with transaction(factory) as s:
        shops = set(s.scalars(select(Shop.shop_id).where(Shop.member_id == member_id)))
        orders = s.scalars(select(OrderRecord.deal_id).where(
            OrderRecord.member_id == member_id, OrderRecord.shop_id != SHOP, OrderRecord.deal_id.is_not(None)))
        carts = s.scalars(select(Cart.deal_id).where(Cart.member_id == member_id, Cart.deal_id.is_not(None)))
        return shops, {int(d) for d in orders} | {int(d) for d in carts}


def imported_versions(factory, member_id: str) -> dict[str, datetime]:
    """order_id -> DATE_MODIFY of the deal as imported last time."""
    with transaction(factory) as s:
        rows = s.execute(select(OrderRecord.order_id, OrderRecord.version).where(
            OrderRecord.shop_id == SHOP, OrderRecord.member_id == member_id)).all()
    return {order_id: utc(version) for order_id, version in rows}


def contact_keys(contact: dict) -> tuple[dict, list[str]]:
    """The profile a new customer gets from a contact, and every match key of its phones and e-mails."""
    phones = [p for p in (phone_e164(i.get("VALUE")) for i in contact.get("PHONE") or []) if p]
    emails = [e for e in (email_key(i.get("VALUE")) for i in contact.get("EMAIL") or []) if e]
    birth = str(contact.get("BIRTHDATE") or "")
    profile = {"first_name": contact.get("NAME") or None, "last_name": contact.get("LAST_NAME") or None,
               "phone": phones[0] if phones else None, "email": emails[0] if emails else None,
               "birthday": birth[:10] if _DAY.match(birth) else None, "gender": None,
               "consent_email": False, "consent_sms": False}
    keys = list(keys_of(profile)) + [f"phone:{p}" for p in phones[1:]] + [f"email:{e}" for e in emails[1:]]
    return profile, list(dict.fromkeys(keys))


def _customers(s, member_id: str, contacts: dict[int, dict]) -> tuple[dict[int, int], int]:
    """contact ID -> customer id: the customer linked to the contact, else the owner of one of its keys, else new."""
    ids = list(contacts)
    linked: dict[int, int] = {}
    for contact_id, customer_id in s.execute(select(Customer.contact_id, Customer.id).where(
            Customer.member_id == member_id, Customer.contact_id.in_(ids)).order_by(Customer.id.desc())):
        linked[int(contact_id)] = customer_id  # the oldest customer of a contact wins
    parsed = {cid: contact_keys(row) for cid, row in contacts.items()}
    wanted = sorted({k for _, keys in parsed.values() for k in keys})
    owners = dict(s.execute(select(CustomerKey.key, CustomerKey.customer_id).where(
        CustomerKey.member_id == member_id, CustomerKey.key.in_(wanted))).all()) if wanted else {}
    out, created = {}, 0
    for cid, (profile, keys) in parsed.items():
        customer_id = linked.get(cid) or next((owners[k] for k in keys if k in owners), None)
        if customer_id is None:
            row = Customer(member_id=member_id, contact_id=cid, profile=profile)
            s.add(row)
            s.flush()
            customer_id, created = row.id, created + 1
        elif cid not in linked:
            row = s.get(Customer, customer_id)
            if row.contact_id is None:
                row.contact_id = cid
        for key in keys:
            if key not in owners:
                s.add(CustomerKey(member_id=member_id, key=key, customer_id=customer_id))
                owners[key] = customer_id
        out[cid] = customer_id
    return out, created


def item_of(row: dict) -> LineItem:
    """A product row as a canonical order item (the SKU from a "[SKU]" name suffix, else the catalog ID)."""
    name = str(row.get("PRODUCT_NAME") or row.get("ORIGINAL_PRODUCT_NAME") or "")
    match = _SKU.search(name)
    product_id = str(row.get("PRODUCT_ID") or "0")
    sku = match.group(1) if match else product_id if product_id not in ("", "0") else (name or "?")
    return LineItem(sku[:100], name, _decimal(row.get("PRICE")), _decimal(row.get("QUANTITY"), "1"))


def _decimal(raw, default: str = "0") -> Decimal:
    try:
        return Decimal(str(raw if raw not in (None, "") else default))
    except InvalidOperation:
        return Decimal(default)


def save(factory, member_id: str, deals: list[dict], contacts: dict[int, dict], rows: dict[int, list]) -> int:
    """Store the deals as completed orders with their lines; returns how many customers were created."""
    with transaction(factory) as s:
        wanted = {int(d["CONTACT_ID"]): contacts[int(d["CONTACT_ID"])] for d in deals}
        customers, created = _customers(s, member_id, wanted)
        keys = [order_key(member_id, d["ID"]) for d in deals]
        existing = {r.order_id: r for r in s.scalars(select(OrderRecord).where(
            OrderRecord.shop_id == SHOP, OrderRecord.order_id.in_(keys)))}
        for deal in deals:
            key = order_key(member_id, deal["ID"])
            rec = existing.get(key)
            if rec is None:
                rec = OrderRecord(shop_id=SHOP, member_id=member_id, order_id=key)
                s.add(rec)
            items = [item_of(r) for r in rows.get(int(deal["ID"]), [])]
            version = deal_version(deal) or datetime(1970, 1, 1, tzinfo=timezone.utc)
            rec.number, rec.status, rec.deal_id = str(deal["ID"]), "completed", int(deal["ID"])
            rec.total = f"{_decimal(deal.get('OPPORTUNITY')):.2f}"
            rec.currency = str(deal.get("CURRENCY_ID") or "")[:3]
            rec.customer_id = customers[int(deal["CONTACT_ID"])]
            rec.items = [item.stored() for item in items]
            rec.ordered_at = parse_moment(deal.get("CLOSEDATE")) or version
            rec.version = version
            rec.utm_source = (str(deal.get("UTM_SOURCE") or "").strip() or None)
            s.flush()
            record_lines(s, rec, items)
    return created


def mark_unwon(factory, member_id: str, won: set[int]) -> int:
    """Imported orders whose deal is no longer won (moved back, lost, deleted) stop counting as purchases."""
    with transaction(factory) as s:
        gone = [rid for rid, deal_id in s.execute(select(OrderRecord.id, OrderRecord.deal_id).where(
            OrderRecord.shop_id == SHOP, OrderRecord.member_id == member_id, OrderRecord.status != "cancelled"))
            if deal_id not in won]
        for n in range(0, len(gone), 500):
            for rec in s.scalars(select(OrderRecord).where(OrderRecord.id.in_(gone[n:n + 500]))):
                rec.status = "cancelled"
                s.flush()
                record_lines(s, rec, line_items(rec.items))
    return len(gone)
