"""Send a templated message to the card's customer through the messaging policy (consent, caps, duplicates, quiet
hours), as the send_message robot does for a rule (the `{products}` block filled with the customer's recommended
products when the template uses it): sent, deferred (a job sends it when quiet hours end) or not
sent, with the reason in words. The message's key comes from the action's key, so a retry never sends twice."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bitrix_app import messaging
from bitrix_app.clock import FrozenClock
from bitrix_app.messaging import journal, products
from bitrix_app.messaging import templates as tpl
from bitrix_app.messaging.message import ERROR, LATER, SENT
from bitrix_app.messaging.order_facts import order_facts, shop_of
from bitrix_app.robots import message_later
from bitrix_app.shops.settings import get_settings
from bitrix_app.scope import PortalScope
from bitrix_app.store.models import utc
from bitrix_app.store.shop_models import OrderRecord
from bitrix_app.store.statuses import ReasonCode

from . import card_words as words
from .card_extras import CHANNEL_ORDER
from .labels import pick
from .staff_actions import Target

OPTIONAL = {"first_name", "last_name", "link", "items", "currency", "promo_code", "discount"}  # may render empty


def send_template(scope: PortalScope, target: Target, body: dict, key: str, user_id: int | None, now: datetime,
                  lang: str) -> dict:
    code, channel = body["template"], body.get("channel") or "auto"
    owner_type, owner_id = target.owner
    with scope.transaction() as s:
        order = _order(s, scope.member_id, target)
        shop_id, shop = shop_of(s, scope.member_id, order, ("app", ""))
        template = tpl.get(s, scope.member_id, code, tpl.language_of(s, scope.member_id))
        settings = get_settings(s, scope.member_id)
        picks = products.block_for(s, scope.member_id, template, target.customer_id)
    p = target.profile
    context = tpl.context_from(p, order=order_facts(order), shop=shop, products=picks)
    to = messaging.Recipient(contact_id=target.contact_id, name=p.get("first_name"), email=p.get("email") or None,
                             phone=p.get("phone") or None, consent_email=bool(p.get("consent_email")),
                             consent_sms=bool(p.get("consent_sms")))
    message = tpl.message_from(template, context, key=f"card:{key}", source=shop_id, recipient=to,
                               owner_type_id=owner_type, owner_id=owner_id, channels=CHANNEL_ORDER[channel],
                               sender_name=shop)
    missing = sorted(set(tpl.preview(template, context).missing) - OPTIONAL)
    if missing:
        with scope.transaction() as s:
            journal.write(s, scope.member_id, message, journal.SKIPPED, now,
                          reason=f"no value for {', '.join(missing)}", reason_code=ReasonCode.MISSING_DATA)
        return _answer("skipped", ReasonCode.MISSING_DATA, None, None, lang)
    send_ctx = messaging.PortalMessaging(scope, settings, user_id, FrozenClock(now))
    delivery = messaging.send(send_ctx, message)
    if delivery.status == SENT:
        return _answer("sent", None, delivery.channel, None, lang)
    if delivery.status == LATER:
        until = utc(delivery.until)
        message_later.schedule(scope.redis, scope.member_id, message, until, target.customer_id, user_id)
        return _answer("deferred", delivery.reason_code or ReasonCode.QUIET_HOURS, delivery.channel, until, lang)
    if delivery.status == ERROR:
        return _answer("failed", None, delivery.channel, None, lang)
    return _answer("skipped", delivery.reason_code or ReasonCode.POLICY, delivery.channel, None, lang)


OUTCOME_TEXT = {"sent": ("The message was sent.", "Сообщение отправлено."),
                "deferred": ("The message is deferred.", "Сообщение отложено."),
                "skipped": ("The message was not sent.", "Сообщение не отправлено."),
                "failed": ("The channel failed; try again later.", "Канал не ответил; попробуйте позже.")}


def _answer(outcome: str, reason_code: str | None, channel: str | None, until: datetime | None, lang: str) -> dict:
    return {"outcome": outcome, "status": words.coded(words.MESSAGE_STATUS, _status(outcome), lang),
            "channel": words.coded(words.CHANNELS, channel, lang),
            "reason": words.reason_words(reason_code, lang) if reason_code else None,
            "until": until.isoformat() if until else None, "text": pick(OUTCOME_TEXT[outcome], lang)}


def _status(outcome: str) -> str:
    return {"sent": "sent", "deferred": "deferred", "skipped": "skipped"}.get(outcome, "failed")


def _order(session, member_id: str, target: Target) -> OrderRecord | None:
    """The deal's order on a deal tab; the customer's newest order on a contact tab."""
    q = select(OrderRecord).where(OrderRecord.member_id == member_id)
    q = q.where(OrderRecord.deal_id == target.deal_id) if target.deal_id is not None else q.where(
        OrderRecord.customer_id == target.customer_id)
    order = session.scalar(q.order_by(OrderRecord.ordered_at.desc(), OrderRecord.version.desc()).limit(1))
    if order is not None:
        session.expunge(order)
    return order


