"""Templates per portal: the built-in defaults, a portal's own wording, placeholders and a preview.

Placeholders are `{name}` from `PLACEHOLDERS`, filled from the order, the cart and the customer
(`context_from`); only plain names are substituted, so a template cannot reach anything else."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bitrix_app.store.message_models import MessageTemplate
from bitrix_app.store.models import PortalRecord

from .template_defaults import DEFAULTS, LANGUAGES, PLACEHOLDERS

_NAME = re.compile(r"\{(\w+)\}")
_GAP = re.compile(r"[ \t]+(?=[,.!?;:])")


class TemplateError(ValueError):
    pass


@dataclass(frozen=True)
class Template:
    code: str
    language: str
    marketing: bool
    subject: str
    text: str
    sms: str
    custom: bool = False


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    sms: str
    missing: tuple[str, ...]  # placeholders without a value (rendered empty)
    unknown: tuple[str, ...]  # names that are not placeholders (left as written)


def language_of(session: Session, member_id: str, preferred: str | None = None) -> str:
    lang = preferred or session.scalar(select(PortalRecord.language).where(PortalRecord.member_id == member_id))
    return "ru" if str(lang or "").lower().startswith(("ru", "ua", "by", "kz")) else "en"


def default(code: str, language: str) -> Template:
    if code not in DEFAULTS:
        raise TemplateError(f"no template {code!r}; known: {', '.join(DEFAULTS)}")
    entry = DEFAULTS[code]
    subject, text, sms = entry[language if language in LANGUAGES else "en"]
    return Template(code, language, entry["marketing"], subject, text, sms)


def get(session: Session, member_id: str, code: str, language: str) -> Template:
    base = default(code, language)
    row = session.scalar(select(MessageTemplate).where(
        MessageTemplate.member_id == member_id, MessageTemplate.code == code, MessageTemplate.language == language))
    if row is None:
        return base
    return Template(code, language, base.marketing, row.subject or base.subject, row.text, row.sms or base.sms,
                    custom=True)


def all_for(session: Session, member_id: str, language: str) -> list[Template]:
    return [get(session, member_id, code, language) for code in DEFAULTS]


def save(session: Session, member_id: str, code: str, language: str, now, subject: str | None = None,
         text: str | None = None, sms: str | None = None) -> Template:
    """Store a portal's wording (parts left out keep the current one); unknown placeholders are refused."""
    if language not in LANGUAGES:
        raise TemplateError(f"language must be one of {', '.join(LANGUAGES)}")
    current = get(session, member_id, code, language)
    parts = {"subject": subject if subject is not None else current.subject,
             "text": text if text is not None else current.text, "sms": sms if sms is not None else current.sms}
    unknown = sorted({n for part in parts.values() for n in _NAME.findall(part) if n not in PLACEHOLDERS})
    if unknown:
        raise TemplateError(f"unknown placeholders: {', '.join(unknown)}; known: {', '.join(PLACEHOLDERS)}")
    if not parts["text"].strip():
        raise TemplateError("the text cannot be empty")
    row = session.scalar(select(MessageTemplate).where(
        MessageTemplate.member_id == member_id, MessageTemplate.code == code, MessageTemplate.language == language))
    if row is None:
        row = MessageTemplate(member_id=member_id, code=code, language=language, text="", updated_at=now)
        session.add(row)
    row.subject, row.text, row.sms, row.updated_at = parts["subject"][:255], parts["text"], parts["sms"], now
    session.flush()
    return get(session, member_id, code, language)


def reset(session: Session, member_id: str, code: str, language: str) -> None:
    for row in session.scalars(select(MessageTemplate).where(
            MessageTemplate.member_id == member_id, MessageTemplate.code == code,
            MessageTemplate.language == language)):
        session.delete(row)


def _fill(part: str, context: dict, missing: set, unknown: set) -> str:
    def one(match: re.Match) -> str:
        name = match.group(1)
        if name not in PLACEHOLDERS:
            unknown.add(name)
            return match.group(0)
        value = context.get(name)
        if value in (None, ""):
            missing.add(name)
            return ""
        return str(value)
    return _NAME.sub(one, part)


def _tidy(text: str) -> str:
    """No space left before punctuation where a placeholder was empty ("Hello ," -> "Hello,")."""
    return _GAP.sub("", text).strip()


def preview(template: Template, context: dict) -> Rendered:
    """The template filled with `context`; says which placeholders had no value."""
    missing, unknown = set(), set()
    subject = _tidy(" ".join(_fill(template.subject, context, missing, unknown).split()))
    text = _tidy(_fill(template.text, context, missing, unknown))
    sms = _tidy(" ".join(_fill(template.sms, context, missing, unknown).split()))
    return Rendered(subject, text, sms, tuple(sorted(missing)), tuple(sorted(unknown)))


def item_lines(items: list[dict], currency: str | None) -> str:
    return "\n".join(f"- {i.get('name')} × {i.get('quantity')}: {i.get('price')} {currency or ''}".rstrip()
                     for i in items or [])


def context_from(customer: dict | None = None, order: dict | None = None, cart: dict | None = None,
                 shop: str | None = None, **extra) -> dict:
    """Placeholder values from a canonical customer profile, order or cart (shop event data) and extras."""
    customer = customer or {}
    source = order or cart or {}
    ctx = {"first_name": customer.get("first_name"), "last_name": customer.get("last_name"), "shop": shop,
           "total": source.get("total"), "currency": source.get("currency"),
           "items": item_lines(source.get("items") or [], source.get("currency"))}
    if order:
        delivery = order.get("delivery") or {}
        ctx.update(order_number=order.get("number") or order.get("order_id"),
                   pickup_point=delivery.get("pickup_point"))
    ctx.update({k: v for k, v in extra.items() if v is not None})
    return ctx


def sample_context(language: str) -> dict:
    """What `messages preview` fills in when no context is given."""
    ru = language == "ru"
    items = [{"name": "Городской велосипед" if ru else "City bike", "quantity": 1, "price": "500.00"},
             {"name": "Фонарь" if ru else "Front lamp", "quantity": 2, "price": "20.00"}]
    return context_from({"first_name": "Анна" if ru else "Ann", "last_name": "Ли" if ru else "Lee"},
                        order={"number": "1001", "total": "540.00", "currency": "EUR", "items": items,
                               "delivery": {"pickup_point": "Main St. 1"}},
                        shop="Bike shop", promo_code="SPRING-7Q2X", discount="10%",
                        link="https://shop.example.com/")


def message_from(template: Template, context: dict, *, key: str, source: str, recipient, owner_type_id: int,
                 owner_id: int, channels: tuple[str, ...] = ("email", "sms"), sender_name: str | None = None):
    """A `Message` rendered from a template: its code (duplicate rule) and kind (marketing) go with it."""
    from .message import Message

    shown = preview(template, context)
    return Message(key=key, source=source, recipient=recipient, subject=shown.subject, text=shown.text,
                   owner_type_id=owner_type_id, owner_id=owner_id, sender_name=sender_name, channels=channels,
                   marketing=template.marketing, template=template.code, sms_text=shown.sms)
