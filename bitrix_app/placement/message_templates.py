"""Templates as the messages screen shows them: every built-in and the admin's own, named in the page's language,
with their channel, whether they are marketing, and which languages the portal rewrote; one template in full."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bitrix_app.messaging import templates as tpl
from bitrix_app.messaging.template_defaults import DEFAULTS, LANGUAGES
from bitrix_app.store.message_models import MessageTemplate

from . import card_words as words
from .labels import pick

CHANNEL_NAMES = {"email": ("E-mail", "E-mail"), "sms": ("SMS", "SMS"), "any": ("E-mail, else SMS", "E-mail, иначе SMS")}


def _builtin_name(code: str, lang: str) -> str:
    if code in words.TEMPLATES:
        return pick(words.TEMPLATES[code], lang)
    shown = tpl.preview(tpl.default(code, lang), {"shop": ""})  # a preset's subject, its placeholders left out
    return shown.subject.strip(" ,.!?:—-") or shown.text.split("\n")[0][:80]


def template_names(session: Session, member_id: str, lang: str) -> dict[str, str]:
    names = {code: _builtin_name(code, lang) for code in DEFAULTS}
    for code, name in session.execute(select(MessageTemplate.code, MessageTemplate.name).where(
            MessageTemplate.member_id == member_id)):
        if code not in DEFAULTS and name:
            names[code] = name
    return names


def _summary(session: Session, member_id: str, t: tpl.Template, lang: str, names: dict) -> dict:
    return {"code": t.code, "name": names.get(t.code) or t.code, "builtin": t.builtin, "marketing": t.marketing,
            "channel": {"code": t.channel, "name": pick(CHANNEL_NAMES[t.channel], lang)},
            "languages": list(LANGUAGES) if t.builtin else tpl.languages_of(session, member_id, t.code),
            "customised": tpl.languages_of(session, member_id, t.code) if t.builtin else []}


def listing(session: Session, member_id: str, lang: str) -> list[dict]:
    names = template_names(session, member_id, lang)
    return [_summary(session, member_id, t, lang, names) for t in tpl.all_for(session, member_id, lang)]


def one(session: Session, member_id: str, code: str, language: str, lang: str) -> dict:
    """The template in `language` (the portal's wording, else the built-in's); LookupError when there is none."""
    try:
        t = tpl.get(session, member_id, code, language)
    except tpl.TemplateError as err:
        raise LookupError(str(err)) from err
    names = template_names(session, member_id, lang)
    return {**_summary(session, member_id, t, lang, names), "language": t.language, "subject": t.subject,
            "text": t.text, "sms": t.sms, "custom": t.custom}
