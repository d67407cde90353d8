"""Ready-made campaigns for the seed strategies, in Russian and English; installing never overwrites a campaign.

A preset follows a segment the portal must have: the built-in ones always exist; the cross-sell segment is the
portal's own definition (which products lead to which), so it has to be defined first. A preset asked for by
code whose segment is missing is refused (nothing is installed); installing all skips it, saying why.

Deal titles, to-dos and notifications without a text of their own are worded from the campaign's name in the
portal's language (see actions.py); messages use the portal's templates in its language."""
from __future__ import annotations

import copy
from datetime import datetime
from types import MappingProxyType

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bitrix_app.store.campaign_models import Campaign

from . import definitions

CROSS_SELL_SEGMENT = "CROSS_SELL"  # the conventional code of a portal's cross-sell segment definition

PRESETS = MappingProxyType({
    "WELCOME_NEW": {
        "name_en": "Welcome the new active", "name_ru": "Приветствие новых активных",
        "segment": "NEW_ACTIVE", "trigger": "enter", "cooldown_days": 365,
        "actions": [{"type": "message", "template": "welcome", "channel": "email"}]},
    "WIN_BACK_PROMISING": {
        "name_en": "Win back the promising sleeping", "name_ru": "Возврат перспективных спящих",
        "segment": "PROMISING_SLEEPING", "trigger": "enter", "cooldown_days": 60,
        "actions": [{"type": "promo_code", "discount_percent": 15, "valid_days": 30, "prefix": "BACK"},
                    {"type": "message", "template": "we_miss_you", "channel": "auto"},
                    {"type": "deal"}]},
    "REACTIVATE_LOYAL": {
        "name_en": "Reactivate the loyal lost", "name_ru": "Реактивация лояльных потерянных",
        "segment": "LOYAL_LOST", "trigger": "enter", "cooldown_days": 90,
        "actions": [{"type": "deal"}, {"type": "todo", "days": 1}, {"type": "notify"}]},
    "BIRTHDAY_GREETING": {
        "name_en": "Birthday greeting with a promo code", "name_ru": "Поздравление с днём рождения и промокод",
        "segment": "BIRTHDAY_MONTH", "trigger": "monthly", "day_of_month": 1, "hour": 10, "cooldown_days": 300,
        "actions": [{"type": "promo_code", "discount_percent": 10, "valid_days": 45, "prefix": "BDAY"},
                    {"type": "message", "template": "birthday_greeting", "channel": "auto"}]},
    "CROSS_SELL": {
        "name_en": "Cross-sell after a purchase", "name_ru": "Допродажа после покупки",
        "segment": CROSS_SELL_SEGMENT, "trigger": "enter", "cooldown_days": 30,
        "actions": [{"type": "promo_code", "discount_percent": 10, "valid_days": 21, "prefix": "MORE"},
                    {"type": "message", "template": "cross_sell", "channel": "auto"}]},
})


def definition(code: str, cross_sell_segment: str | None = None) -> dict:
    """A preset as a full campaign definition (checked by the schema)."""
    data = {"code": code, **copy.deepcopy(dict(PRESETS[code]))}
    if code == "CROSS_SELL" and cross_sell_segment:
        data["segment"] = cross_sell_segment
    return definitions.validate(data)


def _missing_segment(code: str, segment: str) -> str:
    if code == "CROSS_SELL":
        return (f"needs the cross-sell segment {segment}: define a cross_sell segment with code {segment} first "
                f"(which purchases lead to which offer), or name an existing one as the cross-sell segment")
    return f"needs the segment {segment}, which the portal does not have"


def install(session: Session, member_id: str, now: datetime, codes: list[str] | None = None,
            cross_sell_segment: str | None = None) -> dict:
    """Add the presets the portal does not have; answers {"installed": [...], "kept": [...], "skipped": {code:
    why}}. A preset named in `codes` whose segment is missing is a ValidationError and nothing is installed."""
    unknown = sorted(set(codes or ()) - set(PRESETS))
    if unknown:
        raise KeyError(f"no preset {', '.join(unknown)}; presets: {', '.join(PRESETS)}")
    have = set(session.scalars(select(Campaign.code).where(Campaign.member_id == member_id)))
    segments = set(definitions.segment_codes(session, member_id))
    out: dict = {"installed": [], "kept": [], "skipped": {}}
    wanted = [(code, definition(code, cross_sell_segment)) for code in codes or list(PRESETS)]
    for code, data in wanted:
        if code in have:
            out["kept"].append(code)
        elif data["segment"] not in segments:
            out["skipped"][code] = _missing_segment(code, data["segment"])
    if codes and out["skipped"]:
        raise ValidationError({code: [why] for code, why in out["skipped"].items()})
    for code, data in wanted:
        if code not in have and code not in out["skipped"]:
            definitions.create(session, member_id, data, now, known_segments=segments)
            out["installed"].append(code)
    return out
