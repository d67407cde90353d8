"""send_message: an e-mail or SMS to the customer of the deal or lead from one of the portal's templates.

Placeholders come from the deal's shop order (when the deal is an order's) and the customer's profile
(the shop customer, else the CRM contact of the deal or lead, else a lead's own name, phone and e-mail,
whose consent is unknown: marketing templates are then skipped), plus the robot's own values (promo code,
discount, link, pickup point, e.g. from an earlier `issue_promo_code`) and, when the template asks for it, the
`{products}` block of products recommended to the customer. The messaging layer picks the
channel and applies the policy; the robot answers `sent`, `skipped:<reason>`, or `deferred:<moment>` when
quiet hours hold it, in which case an RQ job sends it when they end (see `message_later`).
"""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from bitrix_app import messaging
from bitrix_app.clock import FrozenClock
from bitrix_app.messaging import journal, products, templates
from bitrix_app.messaging.message import ERROR, LATER, SENT
from bitrix_app.messaging.order_facts import order_facts, shop_of
from bitrix_app.orders.normalise import email_key, phone_e164
from bitrix_app.shops.settings import get_settings
from bitrix_app.store.db import transaction
from bitrix_app.store.models import utc
from bitrix_app.store.shop_models import Customer, OrderRecord
from bitrix_app.store.statuses import ReasonCode

from . import message_later
from .context import Outcome, RobotContext, RobotError, user_id
from .documents import first_value

TEMPLATES = ("payment_reminder", "pickup_reminder", "review_request", "birthday_greeting", "we_miss_you")
CHANNELS = {"email": ("email",), "sms": ("sms",), "auto": ("email", "sms")}
KINDS = ("marketing", "transactional")
EXTRAS = ("promo_code", "discount", "link", "pickup_point")
OPTIONAL = {"first_name", "last_name", "link", "items", "currency"}  # may render empty
def send_message(ctx: RobotContext) -> Outcome:
    code = str(ctx.prop("template", "")).strip()
    if code not in TEMPLATES:
        raise RobotError(f"property template must be one of {', '.join(TEMPLATES)}, not {code!r}")
    channel = str(ctx.prop("channel", "auto")).strip().lower()
    if channel not in CHANNELS:
        raise RobotError(f"property channel must be email, sms or auto, not {channel!r}")
    kind = str(ctx.prop("kind", "")).strip().lower()
    if kind and kind not in KINDS:
        raise RobotError(f"property kind must be marketing or transactional, not {kind!r}")
    doc = ctx.document()
    customer_id = ctx.customer_id()
    contact = user_id(doc.get("CONTACT_ID"))
    with transaction(ctx.sessions) as s:
        profile, contact = _profile(s, ctx.member_id, customer_id, contact)
        order = None if ctx.deal_id is None else s.scalar(
            select(OrderRecord).where(OrderRecord.member_id == ctx.member_id, OrderRecord.deal_id == ctx.deal_id)
            .order_by(OrderRecord.version.desc()).limit(1))
        shop_id, shop = shop_of(s, ctx.member_id, order, ("robots", "our shop"))
        order_data = order_facts(order)
        language = templates.language_of(s, ctx.member_id)
        tpl = templates.get(s, ctx.member_id, code, language)
        settings = get_settings(s, ctx.member_id)
        picks = products.block_for(s, ctx.member_id, tpl, customer_id)
    if profile is None:
        profile = _crm_contact(ctx, contact)
    if profile is None and ctx.deal_id is None:
        profile = _lead_itself(doc)
    if profile is None:
        return _skipped(ReasonCode.NO_CONTACT, f"the {ctx.noun} has no customer or contact to write to", channel)
    extras = {name: str(ctx.prop(name)).strip() for name in EXTRAS if ctx.prop(name) is not None}
    context = templates.context_from(profile, order=order_data, shop=shop, products=picks, **extras)
    to = messaging.Recipient(contact_id=contact, name=profile.get("first_name"), email=profile.get("email") or None,
                             phone=profile.get("phone") or None, consent_email=bool(profile.get("consent_email")),
                             consent_sms=bool(profile.get("consent_sms")))
    key = f"robot:{ctx.call_id}" if ctx.call_id else f"robot:{ctx.noun}{ctx.doc_id}:{code}:{ctx.now:%Y%m%dT%H%M%S}"
    message = templates.message_from(tpl, context, key=key, source=shop_id, recipient=to,
                                     owner_type_id=ctx.owner_type_id, owner_id=ctx.doc_id, channels=CHANNELS[channel],
                                     sender_name=shop)
    if kind == "marketing":  # a rule may treat a service template as marketing, never the reverse:
        message = replace(message, marketing=True)  # consent and caps protect customers from every rule
    missing = sorted(set(templates.preview(tpl, context).missing) - OPTIONAL)
    if missing:
        detail = f"no value for {', '.join(missing)} (the {ctx.noun} has no shop order, or set the robot's property)"
        with transaction(ctx.sessions) as s:
            journal.write(s, ctx.member_id, message, journal.SKIPPED, ctx.now, reason=detail,
                          reason_code=ReasonCode.MISSING_DATA)
        return _skipped(ReasonCode.MISSING_DATA, detail, channel)
    responsible = user_id(doc.get("ASSIGNED_BY_ID"))
    send_ctx = messaging.PortalMessaging(ctx.scope, settings, responsible, FrozenClock(ctx.now))
    delivery = messaging.send(send_ctx, message)
    kind_name = "marketing" if message.marketing else "transactional"
    if delivery.status == SENT:
        return Outcome({"result": "sent", "channel": delivery.channel or ""},
                       f"Sent {code} ({kind_name}) by {delivery.channel}")
    if delivery.status == LATER:
        until = utc(delivery.until)
        queued = message_later.schedule(ctx.redis, ctx.member_id, message, until, customer_id, responsible)
        note = "it will be sent then" if queued else "could not be queued, see the messages list"
        return Outcome({"result": f"deferred:{until.isoformat()}", "channel": delivery.channel or ""},
                       f"Deferred {code} to {until.isoformat()} ({delivery.detail}); {note}")
    if delivery.status == ERROR:
        raise RobotError(f"{code} could not be sent: {delivery.detail}")
    return _skipped(delivery.reason_code or ReasonCode.POLICY, delivery.detail or "", delivery.channel or "")


def _skipped(reason: str, detail: str, channel: str) -> Outcome:
    return Outcome({"result": f"skipped:{reason}", "channel": channel if channel in ("email", "sms") else ""},
                   f"Not sent ({reason}): {detail}")


def _profile(session, member_id: str, customer_id: int | None, contact: int | None) -> tuple[dict | None, int | None]:
    """The shop customer's profile and CRM contact, when the deal has a shop customer."""
    row = session.get(Customer, customer_id) if customer_id is not None else None
    if row is None or row.member_id != member_id:
        return None, contact
    return dict(row.profile or {}), row.contact_id or contact


def _crm_contact(ctx: RobotContext, contact: int | None) -> dict | None:
    """A deal or lead without a shop customer: names, first e-mail and phone, consent fields of its CRM contact."""
    if not contact:
        return None
    found = ctx.client.call("crm.contact.get", {"id": contact}) or {}
    first = (lambda kind: next((str(v.get("VALUE")).strip() for v in found.get(kind) or []  # noqa: E731
                                if isinstance(v, dict) and v.get("VALUE")), None))
    return {"first_name": found.get("NAME"), "last_name": found.get("LAST_NAME"), "email": first("EMAIL"),
            "phone": first("PHONE"), "consent_email": found.get("UF_CRM_SHOP_CONSENT_EMAIL") in ("Y", "1", True),
            "consent_sms": found.get("UF_CRM_SHOP_CONSENT_SMS") in ("Y", "1", True)}


def _lead_itself(lead: dict) -> dict | None:
    """A lead nobody knows yet: its own names, phone and e-mail; consent is unknown, so none is assumed."""
    email, phone = first_value(lead, "EMAIL", email_key), first_value(lead, "PHONE", phone_e164)
    if not (email or phone):
        return None
    return {"first_name": lead.get("NAME") or None, "last_name": lead.get("LAST_NAME") or None, "email": email,
            "phone": phone, "consent_email": False, "consent_sms": False}


