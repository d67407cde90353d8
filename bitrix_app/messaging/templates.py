"""Templates per portal: the built-in defaults, a portal's own wording of them, templates the admin writes, their
placeholders and a preview.

Placeholders are `{name}` from `PLACEHOLDERS`, filled from the order, the cart and the customer
(`context_from`); only plain names are substituted, so a template cannot reach anything else. An unknown name is
refused when the template is saved (`TemplateError` names the part), never found at send time.

A built-in is addressed by its code in any language; a portal's stored row for that code and language wins. The
admin's own templates have a code of their own, a name, a channel (email, sms or any) and say whether they are
marketing; asked for in a language they were not written in, the first stored language answers."""
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
CODE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
CHANNELS = ("email", "sms", "any")
CHANNEL_ORDER = {"email": ("email",), "sms": ("sms",), "any": ("email", "sms")}


class TemplateError(ValueError):
    """A template that cannot be saved or found; `field` names the part at fault (subject, text, sms, code...)."""

    def __init__(self, message: str, field: str = "template"):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Template:
    code: str
    language: str
    marketing: bool
    subject: str
    text: str
    sms: str
    custom: bool = False  # the portal stored this wording (an override of a built-in, or its own template)
    name: str | None = None  # the admin's own templates; built-ins are named by the screens
    channel: str = "any"  # email | sms | any
    builtin: bool = True

    @property
    def channels(self) -> tuple[str, ...]:
        return CHANNEL_ORDER.get(self.channel, CHANNEL_ORDER["any"])


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
        raise TemplateError(f"no template {code!r}; known: {', '.join(DEFAULTS)}", "code")
    entry = DEFAULTS[code]
    subject, text, sms = entry[language if language in LANGUAGES else "en"]
    return Template(code, language, entry["marketing"], subject, text, sms)


def _rows(session: Session, member_id: str, code: str) -> list[MessageTemplate]:
    return list(session.scalars(select(MessageTemplate).where(
        MessageTemplate.member_id == member_id, MessageTemplate.code == code).order_by(MessageTemplate.id)))


def _own(row: MessageTemplate) -> Template:
    text = row.text or ""
    return Template(row.code, row.language, bool(row.marketing), row.subject or "", text,
                    row.sms or (text if row.channel == "sms" else ""), custom=True, name=row.name,
                    channel=row.channel or "any", builtin=False)


def get(session: Session, member_id: str, code: str, language: str) -> Template:
    """The portal's wording for `code` in `language`, else the built-in; the admin's own in any language stored."""
    rows = _rows(session, member_id, code)
    row = next((r for r in rows if r.language == language), None)
    if code not in DEFAULTS:
        if not rows:
            raise TemplateError(f"no template {code!r}", "code")
        return _own(row or rows[0])
    base = default(code, language)
    if row is None:
        return base
    return Template(code, language, base.marketing, row.subject or base.subject, row.text, row.sms or base.sms,
                    custom=True)


def all_for(session: Session, member_id: str, language: str) -> list[Template]:
    """The built-ins in `language` (the portal's wording where stored), then the admin's own templates."""
    own = sorted({r.code for r in session.scalars(select(MessageTemplate).where(
        MessageTemplate.member_id == member_id)) if r.code not in DEFAULTS})
    return [get(session, member_id, code, language) for code in [*DEFAULTS, *own]]


def languages_of(session: Session, member_id: str, code: str) -> list[str]:
    """The languages the portal stored for `code` (a built-in exists in all of them anyway)."""
    return sorted({r.language for r in _rows(session, member_id, code)})


def unknown_names(text: str) -> list[str]:
    return sorted({n for n in _NAME.findall(text or "") if n not in PLACEHOLDERS})


def check_parts(parts: dict[str, str]) -> None:
    """Refuse a part naming a placeholder that does not exist: the first such part, by name."""
    for part, value in parts.items():
        unknown = unknown_names(value)
        if unknown:
            raise TemplateError(f"unknown placeholders: {', '.join(unknown)}; known: {', '.join(PLACEHOLDERS)}",
                                part)


def save(session: Session, member_id: str, code: str, language: str, now, subject: str | None = None,
         text: str | None = None, sms: str | None = None, *, name: str | None = None, channel: str | None = None,
         marketing: bool | None = None) -> Template:
    """Store a portal's wording (parts left out keep the current one); unknown placeholders are refused.

    A code that is not a built-in is the admin's own template: it needs a name the first time, and may set its
    channel and whether it is marketing (default: any channel, marketing)."""
    if language not in LANGUAGES:
        raise TemplateError(f"language must be one of {', '.join(LANGUAGES)}", "language")
    builtin = code in DEFAULTS
    if not builtin and not CODE.match(code or ""):
        raise TemplateError("a code is 2-64 lowercase letters, digits and _, starting with a letter", "code")
    rows = _rows(session, member_id, code)
    current = get(session, member_id, code, language) if builtin or rows else None
    if current is None and not (name or "").strip():
        raise TemplateError("a new template needs a name", "name")
    if channel is not None and channel not in CHANNELS:
        raise TemplateError(f"channel must be one of {', '.join(CHANNELS)}", "channel")
    parts = {"subject": subject if subject is not None else (current.subject if current else ""),
             "text": text if text is not None else (current.text if current else ""),
             "sms": sms if sms is not None else (current.sms if current else "")}
    check_parts(parts)
    if not parts["text"].strip():
        raise TemplateError("the text cannot be empty", "text")
    row = next((r for r in rows if r.language == language), None)
    if row is None:
        row = MessageTemplate(member_id=member_id, code=code, language=language, text="", updated_at=now)
        session.add(row)
    row.subject, row.text, row.sms, row.updated_at = parts["subject"][:255], parts["text"], parts["sms"], now
    if not builtin:  # the template's own facts, the same in every language
        facts = {"name": (name or "").strip()[:255] or (current.name if current else None),
                 "channel": channel or (current.channel if current else "any"),
                 "marketing": marketing if marketing is not None else (current.marketing if current else True)}
        for each in [*rows, row]:
            each.name, each.channel, each.marketing = facts["name"], facts["channel"], facts["marketing"]
    session.flush()
    return get(session, member_id, code, language)


def reset(session: Session, member_id: str, code: str, language: str | None = None) -> None:
    """Drop the portal's wording (one language, or all): a built-in goes back to its default, the admin's own goes."""
    for row in _rows(session, member_id, code):
        if language is None or row.language == language:
            session.delete(row)
    session.flush()


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
