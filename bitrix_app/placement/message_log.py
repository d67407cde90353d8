"""The message log the messages screen pages through: every message sent, deferred, skipped or failed, with its
channel, template, campaign, customer and the reason in words; filterable by customer, campaign, template and
outcome. Codes go out with their names in the page's language; moments as ISO, formatted by the front end."""
from __future__ import annotations

from sqlalchemy import String, cast, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from bitrix_app.store.campaign_models import Campaign, CampaignEntry
from bitrix_app.store.message_models import MessageRecord
from bitrix_app.store.models import utc
from bitrix_app.store.shop_models import Customer

from . import card_words as words
from .labels import pick
from .message_templates import template_names

SOURCES = {"campaigns": ("Campaign", "Кампания"), "test": ("Test send", "Тестовая отправка"),
           "app": ("The app", "Приложение")}
SHOP_SOURCE = ("Shop", "Магазин")


def _iso(moment) -> str | None:
    return utc(moment).isoformat() if moment else None


def _campaign_key():
    return literal("campaign:") + cast(CampaignEntry.id, String) + literal(":%")


def page(session: Session, member_id: str, lang: str, *, page_no: int = 1, per_page: int = 50,
         customer_id: int | None = None, campaign_id: int | None = None, template: str | None = None,
         outcome: str | None = None) -> dict:
    q = select(MessageRecord).where(MessageRecord.member_id == member_id)
    if outcome:
        q = q.where(MessageRecord.status == outcome)
    if template:
        q = q.where(MessageRecord.template == template)
    if customer_id is not None:
        customer = session.get(Customer, customer_id)
        if customer is None or customer.member_id != member_id:
            raise LookupError("no such customer in this portal")
        p = customer.profile or {}
        who = [MessageRecord.address.in_([a for a in (p.get("email"), p.get("phone")) if a] or [""])]
        if customer.contact_id:
            who.append(MessageRecord.contact_id == customer.contact_id)
        q = q.where(or_(*who))
    if campaign_id is not None:
        q = q.where(MessageRecord.source == "campaigns", exists().where(
            CampaignEntry.campaign_id == campaign_id, MessageRecord.key.like(_campaign_key())))
    total = session.scalar(select(func.count()).select_from(q.subquery()))
    rows = list(session.scalars(q.order_by(MessageRecord.id.desc()).offset((page_no - 1) * per_page)
                                .limit(per_page)))
    context = _lookups(session, member_id, rows)
    names = template_names(session, member_id, lang)
    return {"page": page_no, "per_page": per_page, "total": total,
            "messages": [_row(r, lang, names, context) for r in rows]}


def _lookups(session: Session, member_id: str, rows: list[MessageRecord]) -> dict:
    entries = {int(r.key.split(":")[1]) for r in rows
               if r.source == "campaigns" and r.key.count(":") >= 2 and r.key.split(":")[1].isdigit()}
    campaigns = {}
    if entries:
        campaigns = {eid: (cid, en, ru) for eid, cid, en, ru in session.execute(
            select(CampaignEntry.id, Campaign.id, Campaign.name_en, Campaign.name_ru)
            .join(Campaign, Campaign.id == CampaignEntry.campaign_id)
            .where(CampaignEntry.id.in_(entries), Campaign.member_id == member_id))}
    contacts = {r.contact_id for r in rows if r.contact_id}
    people = {}
    if contacts:
        for cid, contact_id, profile in session.execute(select(Customer.id, Customer.contact_id, Customer.profile)
                                                        .where(Customer.member_id == member_id,
                                                               Customer.contact_id.in_(contacts))):
            p = profile or {}
            name = " ".join(x for x in (p.get("first_name"), p.get("last_name")) if x) or p.get("email") or None
            people[contact_id] = {"id": cid, "name": name}
    return {"campaigns": campaigns, "people": people}


def _row(r: MessageRecord, lang: str, names: dict, context: dict) -> dict:
    campaign = None
    if r.source == "campaigns" and r.key.count(":") >= 2 and r.key.split(":")[1].isdigit():
        found = context["campaigns"].get(int(r.key.split(":")[1]))
        if found:
            campaign = {"id": found[0], "name": found[2] if lang == "ru" else found[1]}
    source = SOURCES.get(r.source) or SHOP_SOURCE
    reason = None
    if r.status in ("skipped", "deferred"):
        reason = words.reason_words(r.reason_code, lang)
    elif r.status == "failed":
        reason = pick(("The channel refused or failed.", "Канал отказал или не ответил."), lang)
    return {"id": r.id, "status": words.coded(words.MESSAGE_STATUS, r.status, lang),
            "channel": words.coded(words.CHANNELS, r.channel, lang),
            "template": {"code": r.template, "name": names.get(r.template) or r.subject or ""} if r.template else None,
            "source": pick(source, lang), "campaign": campaign,
            "customer": context["people"].get(r.contact_id), "address": r.address, "subject": r.subject,
            "reason": reason, "created_at": _iso(r.created_at), "sent_at": _iso(r.sent_at), "until": _iso(r.until)}
