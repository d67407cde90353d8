"""The template editor's tools: a real customer's placeholder values for a preview, finding customers to preview
against, and a test send to the admin who asks.

A preview fills the template with the customer's profile, newest order (else open cart), the shop's name and
recommended products; what the customer's records cannot give (a promo code is issued at send time, a link comes
from the campaign) is filled with sample values and named as such. A test send goes to the asking user: by the
shop's SMTP server to their e-mail address when one is configured (an SMS template: by the SMS gateway to their
mobile), else as a portal notification; it is recorded in the message log like any message, as a test."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bitrix_app.store.db import transaction
from bitrix_app.store.shop_models import Cart, Customer, CustomerKey, OrderRecord, Shop

from . import config as messaging_config
from . import journal, products, smtp_email, sms, staff, templates
from .message import SENT, Message, Recipient

SOURCE = "test"
SEARCH_WINDOW = 2000  # newest customers searched by name


def _name(profile: dict) -> str | None:
    return " ".join(p for p in (profile.get("first_name"), profile.get("last_name")) if p) or None


def customer_view(c: Customer) -> dict:
    p = c.profile or {}
    return {"id": c.id, "name": _name(p) or p.get("email") or p.get("phone") or "", "email": p.get("email"),
            "phone": p.get("phone")}


def find_customers(session: Session, member_id: str, query: str | None, limit: int = 20) -> list[dict]:
    """Customers whose name, e-mail or phone contains `query` (the newest first); no query: the newest."""
    base = select(Customer).where(Customer.member_id == member_id).order_by(Customer.id.desc())
    q = (query or "").strip().lower()
    if not q:
        return [customer_view(c) for c in session.scalars(base.limit(limit))]
    ids = set(session.scalars(select(CustomerKey.customer_id).where(
        CustomerKey.member_id == member_id, func.lower(CustomerKey.key).contains(q, autoescape=True)).limit(limit)))
    found = [c for c in session.scalars(base.limit(SEARCH_WINDOW))
             if c.id in ids or q in (_name(c.profile or {}) or "").lower()]
    return [customer_view(c) for c in found[:limit]]


def customer_context(session: Session, member_id: str, customer_id: int, lang: str) -> tuple[dict, list[str], dict]:
    """(placeholder values, the names filled with sample values, the customer) for a real customer."""
    c = session.get(Customer, customer_id)
    if c is None or c.member_id != member_id:
        raise LookupError("no such customer in this portal")
    order = session.scalar(select(OrderRecord).where(OrderRecord.member_id == member_id,
                                                     OrderRecord.customer_id == customer_id)
                           .order_by(OrderRecord.ordered_at.desc()).limit(1))
    cart = None if order else session.scalar(select(Cart).where(
        Cart.member_id == member_id, Cart.customer_id == customer_id, Cart.state.in_(("open", "abandoned")))
        .order_by(Cart.version.desc()).limit(1))
    shop = session.scalar(select(Shop.name).where(Shop.member_id == member_id, *(
        [Shop.shop_id == (order or cart).shop_id] if (order or cart) else [])).order_by(Shop.id).limit(1))
    order_data = {"number": order.number or order.order_id, "total": order.total, "currency": order.currency,
                  "items": [i for i in order.items or [] if isinstance(i, dict)]} if order else None
    cart_data = dict(cart.data or {}) if cart else None
    context = templates.context_from(c.profile or {}, order=order_data, cart=cart_data, shop=shop,
                                     products=products.block(products.recommended(session, member_id, customer_id))
                                     or None)
    sample = templates.sample_context(lang)
    filled = [n for n in ("promo_code", "discount", "link") if not context.get(n)]
    context.update({n: sample[n] for n in filled})
    return context, filled, customer_view(c)


def _admin_contact(client, user_id: int) -> tuple[str | None, str | None, str | None]:
    users = client.call("user.get", {"ID": user_id})
    user = users[0] if isinstance(users, list) and users and isinstance(users[0], dict) else {}
    name = " ".join(p for p in (user.get("NAME"), user.get("LAST_NAME")) if p) or None
    return name, user.get("EMAIL") or None, user.get("PERSONAL_MOBILE") or None


def send_test(ctx, user_id: int, template: templates.Template, context: dict, now: datetime, lang: str) -> dict:
    """Send the rendered template to the asking user; {outcome: sent|failed, channel, address, detail}."""
    with transaction(ctx.sessions) as s:
        config = messaging_config.load(s, ctx.member_id, ctx.cipher)
    shown = templates.preview(template, context)
    name, email, phone = _admin_contact(ctx.client, user_id)
    prefix = "[Тест] " if lang == "ru" else "[Test] "
    key = f"test:{uuid.uuid4().hex}"
    if template.channel == "sms" and config.sms and phone:
        channel, address, via = "sms", phone, config.sms["provider"]
    elif template.channel != "sms" and config.smtp and email:
        channel, address, via = "email", email, "smtp"
    else:
        text = f"{prefix}{shown.subject}\n\n{shown.sms if template.channel == 'sms' else shown.text}".strip()
        result = staff.notify(ctx, user_id, text, key, source=SOURCE)
        return {"outcome": "sent" if result.status == SENT else "failed", "channel": "notify",
                "address": str(user_id), "detail": result.detail}
    message = Message(key=key, source=SOURCE, recipient=Recipient(None, name, email, phone, True, True),
                      subject=prefix + shown.subject, text=shown.text, owner_type_id=0, owner_id=0,
                      channels=(channel,), marketing=False, template=template.code, sms_text=prefix + shown.sms)
    with transaction(ctx.sessions) as s:
        journal.write(s, ctx.member_id, message, journal.SENDING, now, channel=channel, transport=via,
                      address=address, attempt=True)
    try:
        delivery = (smtp_email.deliver(config.smtp, [message], now) if channel == "email"
                    else sms.deliver(config.sms, [message]))[key]
    except Exception as exc:  # noqa: BLE001  (a test send reports any failure to the admin)
        delivery = None
        detail = f"{type(exc).__name__}: {exc}"
    else:
        detail = delivery.detail
    ok = delivery is not None and delivery.status == SENT
    with transaction(ctx.sessions) as s:
        journal.write(s, ctx.member_id, message, journal.SENT if ok else journal.FAILED, now, reason=detail,
                      reference=delivery.reference if delivery else None)
    return {"outcome": "sent" if ok else "failed", "channel": channel, "address": address, "detail": detail}
