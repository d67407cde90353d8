"""The customer card's lists beside the figures: the deal's own products, the open cart, messages sent or not (with
why, in words), promo codes issued and used, recommended products; and what the card's message form offers."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bitrix_app.store.message_models import MessageRecord
from bitrix_app.store.models import utc
from bitrix_app.store.promo_models import PromoCode
from bitrix_app.store.shop_models import Cart, OrderRecord

from . import card_words as words
from .labels import named, pick
from .offers import offer_of

LIST_LIMIT = 20  # messages and promo codes listed, newest first
OPEN_CARTS = ("open", "abandoned")
STAFF_TEMPLATES = ("payment_reminder", "pickup_reminder", "review_request", "birthday_greeting", "we_miss_you")
STAFF_CHANNELS = ("auto", "email", "sms")
CHANNEL_ORDER = {"auto": ("email", "sms"), "email": ("email",), "sms": ("sms",)}  # tried in order


def decimal(text) -> Decimal:
    try:
        value = Decimal(str(text))
    except (InvalidOperation, ValueError):
        return Decimal(0)
    return value if value.is_finite() else Decimal(0)


def money(value, currency: str | None) -> dict:
    """{amount: "1653.00", currency: "EUR"}: the amount as text, so no float rounding reaches the screen."""
    return {"amount": f"{decimal(value if value is not None else 0):.2f}", "currency": currency or ""}


def iso(moment: datetime | None) -> str | None:
    return utc(moment).isoformat() if moment else None


def _lines(items, currency: str | None) -> list[dict]:
    out = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        price, quantity = decimal(item.get("price")), decimal(item.get("quantity", 1))
        count = int(quantity) if quantity == int(quantity) else float(quantity)
        out.append({"sku": str(item.get("sku") or "") or None, "name": str(item.get("name") or item.get("sku") or ""),
                    "quantity": count, "price": money(price, currency), "sum": money(price * quantity, currency)})
    return out


def deal_products(session: Session, member_id: str, deal_id: int | None) -> list[dict]:
    """The items of the deal's shop order (its newest version); none on a contact tab."""
    if deal_id is None:
        return []
    order = session.scalar(select(OrderRecord).where(OrderRecord.member_id == member_id, OrderRecord.deal_id == deal_id)
                           .order_by(OrderRecord.version.desc(), OrderRecord.id.desc()).limit(1))
    return _lines(order.items, order.currency) if order is not None else []


def open_cart(session: Session, member_id: str, customer_id: int, lang: str) -> dict | None:
    """The customer's newest cart that is still open or abandoned (not ordered, not cleared)."""
    cart = session.scalar(select(Cart).where(Cart.member_id == member_id, Cart.customer_id == customer_id,
                                             Cart.state.in_(OPEN_CARTS))
                          .order_by(Cart.version.desc(), Cart.id.desc()).limit(1))
    if cart is None:
        return None
    data = cart.data if isinstance(cart.data, dict) else {}
    currency = data.get("currency")
    return {"state": words.coded(words.CART_STATE, cart.state, lang), "items": _lines(data.get("items"), currency),
            "total": money(data.get("total"), currency), "updated_at": iso(cart.version),
            "reminders_sent": cart.reminders_sent or 0}


def messages(session: Session, member_id: str, contact_id: int | None, profile: dict, lang: str) -> list[dict]:
    """Messages to the customer (their CRM contact, or their e-mail or phone), newest first."""
    who = [MessageRecord.contact_id == contact_id] if contact_id else []
    addresses = [a for a in (profile.get("email"), profile.get("phone"), profile.get("phone_e164")) if a]
    if addresses:
        who.append(MessageRecord.address.in_(addresses))
    if not who:
        return []
    rows = session.scalars(select(MessageRecord).where(MessageRecord.member_id == member_id, or_(*who))
                           .order_by(MessageRecord.id.desc()).limit(LIST_LIMIT))
    return [message_view(r, lang) for r in rows]


def message_view(row: MessageRecord, lang: str) -> dict:
    stopped = row.status in ("skipped", "deferred", "failed")
    return {"template": words.coded(words.TEMPLATES, row.template, lang),
            "channel": words.coded(words.CHANNELS, row.channel, lang),
            "status": words.coded(words.MESSAGE_STATUS, row.status, lang), "subject": row.subject or None,
            "reason": words.reason_words(row.reason_code, lang) if stopped else None,
            "at": iso(row.sent_at or row.updated_at or row.created_at), "until": iso(row.until)}


def customer_keys(customer_id: int, contact_id: int | None) -> list[str]:
    """The keys promo codes name this customer by (promo.codes.PromoRequest.customer_key)."""
    return [f"customer:{customer_id}"] + ([f"contact:{contact_id}"] if contact_id else [])


def promo_codes(session: Session, member_id: str, customer_id: int, contact_id: int | None, now: datetime,
                lang: str) -> list[dict]:
    rows = session.scalars(select(PromoCode).where(
        PromoCode.member_id == member_id, PromoCode.customer_key.in_(customer_keys(customer_id, contact_id)))
        .order_by(PromoCode.created_at.desc(), PromoCode.id.desc()).limit(LIST_LIMIT))
    return [promo_view(r, now, lang) for r in rows]


def promo_view(row: PromoCode, now: datetime, lang: str) -> dict:
    state = "used" if row.used_at else "expired" if utc(row.expires_at) <= now else "active"
    return {"code": row.code, "discount_percent": str(decimal(row.discount_percent)), "issued_at": iso(row.created_at),
            "expires_at": iso(row.expires_at), "used_at": iso(row.used_at),
            "state": words.coded(words.PROMO_STATE, state, lang)}


def recommendations(member_defs: list, bought: dict[str, str], lang: str) -> list[dict]:
    """Products the customer's cross-sell and replenishment segments suggest, with the segment's name."""
    out = []
    for defn in member_defs:
        offer = offer_of(defn, bought)
        if offer is not None and offer.items:
            out.append({"kind": words.coded(words.OFFER_KIND, offer.kind, lang), "products": list(offer.items),
                        "segment": pick((defn.name.get("en", defn.code), defn.name.get("ru", defn.code)), lang)})
    return out


def templates(lang: str) -> list[dict]:
    return [{"code": c, "name": named(words.TEMPLATES, c, lang)} for c in STAFF_TEMPLATES]


def channels(lang: str) -> list[dict]:
    return [{"code": c, "name": named(words.CHANNELS, c, lang)} for c in STAFF_CHANNELS]
