"""The presets as the admin sees and changes them: each with its aim, its segment, whether the portal runs it, its
offer (the discount of its promo code) and its text (the portal's wording of its template, in the language the
portal's messages are sent in); enabling one installs it (bringing its segment when needed) or switches it back
on; the offer and the text can be adjusted at any time."""
from __future__ import annotations

from datetime import datetime

from marshmallow import RAISE, Schema, ValidationError, fields
from marshmallow.validate import Length, Range
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bitrix_app.messaging import templates
from bitrix_app.store.segment_models import OrderLine

from . import definitions, presets
from .preset_catalog import PRESETS


class PresetChangeSchema(Schema):
    """Enable or disable a preset, adjust its offer and its text; every field optional."""

    class Meta:
        unknown = RAISE

    enabled = fields.Boolean()
    discount_percent = fields.Float(validate=Range(min=0, max=100, min_inclusive=False),
                                    metadata={"description": "the promo code's discount"})
    subject = fields.String(validate=Length(1, 255))
    text = fields.String(validate=Length(1, 5000), metadata={"description": "the e-mail text, with placeholders"})
    sms = fields.String(validate=Length(1, 500))
    segment_params = fields.Dict(metadata={"description": "the products a brought segment follows (see choose)"})


def _offer(actions: list[dict]) -> float | None:
    return next((float(a["discount_percent"]) for a in actions if a["type"] == "promo_code"), None)


def _segment_names(session: Session, member_id: str) -> dict[str, dict]:
    from bitrix_app.segments import definitions_listing

    return {v["code"]: {"en": v["name_en"], "ru": v["name_ru"]} for v in definitions_listing(session, member_id)}


def state(session: Session, member_id: str, code: str, language: str, names: dict | None = None) -> dict:
    """One preset: aim, cell, segment (its name, whether the portal has it), campaign (None: not installed),
    offer and text."""
    spec, names = PRESETS[code], names if names is not None else _segment_names(session, member_id)
    try:
        row = definitions.get(session, member_id, code)
    except definitions.CampaignNotFound:
        row = None
    segment = row.segment if row is not None else spec["segment"]
    actions = definitions.actions_of(row) if row is not None else presets.definition(code)["actions"]
    template, sent_in = presets.template_of(code), templates.language_of(session, member_id)
    wording = templates.get(session, member_id, template, sent_in) if template else None
    brings = spec.get("brings") or {}
    return {"code": code, "cell": spec["cell"], "aim": {"en": spec["aim_en"], "ru": spec["aim_ru"]},
            "name": {"en": spec["name_en"], "ru": spec["name_ru"]}, "segment": segment,
            "segment_name": names.get(segment) or {"en": brings.get("name_en", segment),
                                                   "ru": brings.get("name_ru", segment)},
            "segment_exists": segment in names, "choose": list(brings.get("choose", ())),
            "installed": row is not None, "enabled": bool(row is not None and row.enabled),
            "trigger": row.trigger if row is not None else spec["trigger"],
            "actions": [a["type"] for a in actions], "discount_percent": _offer(actions),
            "template": template, "text_language": sent_in,
            "subject": wording.subject if wording else None, "text": wording.text if wording else None,
            "sms": wording.sms if wording else None, "custom_text": bool(wording and wording.custom)}


def states(session: Session, member_id: str, language: str) -> list[dict]:
    """Every preset, the 9 cells' first in the matrix's order."""
    names = _segment_names(session, member_id)
    return [state(session, member_id, code, language, names) for code in PRESETS]


def change(session: Session, member_id: str, code: str, body: dict, language: str, now: datetime) -> dict:
    """Enable/disable, adjust offer and text; answers the preset's state, with `segment_created` when enabling
    brought its segment (the caller queues its computation). Bad input: ValidationError per field, nothing
    changed (the caller's transaction rolls back)."""
    presets.preset(code)  # UnknownPreset (a LookupError: 404)
    code = code.upper()
    clean = PresetChangeSchema().load(body if isinstance(body, dict) else {})
    try:
        row = definitions.get(session, member_id, code)
    except definitions.CampaignNotFound:
        row = None
    brought = False
    if row is None and clean.get("enabled") is True:
        row, brought = _install(session, member_id, code, clean, now)
    elif row is not None and "enabled" in clean:
        definitions.set_enabled(session, member_id, code, clean["enabled"], now)
    if row is not None and "discount_percent" in clean:
        _set_offer(session, member_id, row, clean["discount_percent"], now)
    _set_text(session, member_id, code, clean, language, now)
    session.flush()
    return {**state(session, member_id, code, language), "segment_created": brought}


def _install(session: Session, member_id: str, code: str, clean: dict, now: datetime):
    data = presets.definition(code)
    known, brought = set(definitions.segment_codes(session, member_id)), False
    if data["segment"] not in known:
        spec = PRESETS[code].get("brings")
        if spec is None:
            raise ValidationError({"segment": [presets.missing(code, data["segment"])]})
        chosen = clean.get("segment_params") or {}
        if spec.get("choose") and not chosen:
            raise ValidationError({"segment_params": [f"Choose {' and '.join(spec['choose'])} for the segment "
                                                      f"this campaign follows."]})
        known.add(presets.bring_segment(session, member_id, code, now, chosen))
        brought = True
    row = definitions.create(session, member_id, {**data, "enabled": True}, now, known_segments=known)
    return row, brought


def _set_offer(session: Session, member_id: str, row, percent: float, now: datetime) -> None:
    actions = definitions.actions_of(row)
    promos = [a for a in actions if a["type"] == "promo_code"]
    if not promos:
        raise ValidationError({"discount_percent": ["This campaign gives no promo code."]})
    for action in promos:
        action["discount_percent"] = percent
    definitions.update(session, member_id, row.code, {"actions": actions}, now)


def _set_text(session: Session, member_id: str, code: str, clean: dict, language: str, now: datetime) -> None:
    parts = {k: clean[k] for k in ("subject", "text", "sms") if k in clean}
    if not parts:
        return
    template = presets.template_of(code)
    if template is None:
        raise ValidationError({k: ["This campaign sends no message."] for k in parts})
    try:
        templates.save(session, member_id, template, templates.language_of(session, member_id), now, **parts)
    except templates.TemplateError as err:
        raise ValidationError({"text": [str(err)]}) from err


def categories(session: Session, member_id: str, limit: int = 100) -> list[str]:
    """The categories of the shop's purchased lines, the most bought first (what a brought segment can follow)."""
    rows = session.execute(select(OrderLine.category, func.count()).where(
        OrderLine.member_id == member_id, OrderLine.counted.is_(True), OrderLine.category.is_not(None),
        OrderLine.category != "").group_by(OrderLine.category).order_by(func.count().desc(), OrderLine.category)
        .limit(limit))
    return [category for category, _n in rows]
