"""Campaign definitions: the marshmallow schema (clear errors per field and per action) and their storage."""
from __future__ import annotations

import copy
from collections.abc import Collection
from datetime import datetime

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validates_schema
from marshmallow.validate import Length, OneOf, Range, Regexp
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bitrix_app.messaging.template_defaults import DEFAULTS
from bitrix_app.store.campaign_models import Campaign, CampaignEntry
from bitrix_app.store.models import utc

TRIGGERS = ("enter", "weekly", "monthly")
CHANNELS = ("auto", "email", "sms")
# marketing templates a campaign may send (abandoned-cart reminders need a cart)
TEMPLATES = tuple(code for code, t in DEFAULTS.items() if t["marketing"] and not code.startswith("abandoned_cart"))
PROMO_TEMPLATES = tuple(code for code in TEMPLATES if "{promo_code}" in DEFAULTS[code]["en"][1])
ACTION_FIELDS = {  # type -> (fields it takes, with their defaults; None: optional without a default)
    "deal": {"title": None, "responsible_id": None},
    "todo": {"title": None, "description": "", "days": 1, "responsible_id": None},
    "message": {"template": None, "channel": "auto", "link": None},
    "notify": {"text": None, "user_id": None},
    "promo_code": {"discount_percent": 10.0, "valid_days": 30, "prefix": ""},
}
REQUIRED = {"message": ("template",)}
_CODE = Regexp(r"^[A-Za-z][A-Za-z0-9_]{0,63}$",
               error="Use a letter, then letters, digits or underscores (at most 64), e.g. WIN_BACK.")
EDITABLE = ("code", "name_en", "name_ru", "segment", "trigger", "weekday", "day_of_month", "hour", "actions",
            "cooldown_days", "holdout_percent", "attribution_days", "enabled")


class CampaignExists(ValueError):
    """A campaign with this code exists in the portal."""


class CampaignNotFound(LookupError):
    """No campaign with this code in the portal."""


class ActionSchema(Schema):
    """One action; each type takes its own fields (see ACTION_FIELDS), anything else is refused."""

    class Meta:
        unknown = RAISE

    type = fields.String(required=True, validate=OneOf(tuple(ACTION_FIELDS)))
    title = fields.String(validate=Length(1, 255))
    description = fields.String(validate=Length(0, 2000))
    days = fields.Integer(validate=Range(0, 60))
    responsible_id = fields.Integer(allow_none=True, validate=Range(min=1))
    template = fields.String(validate=Length(1, 64))  # a built-in marketing one or the portal's own: see below
    channel = fields.String(validate=OneOf(CHANNELS))
    link = fields.String(allow_none=True, validate=Length(1, 500))
    text = fields.String(allow_none=True, validate=Length(1, 1000))
    user_id = fields.Integer(allow_none=True, validate=Range(min=1))
    discount_percent = fields.Float(validate=Range(min=0, max=100, min_inclusive=False))
    valid_days = fields.Integer(validate=Range(1, 3650))
    prefix = fields.String(validate=Regexp(r"^[A-Z0-9]{0,12}$", error="Up to 12 capital latin letters and digits."))

    @validates_schema
    def _fits_type(self, data, **_):
        kind = data.get("type")
        if kind not in ACTION_FIELDS:
            return
        errors = {name: [f"Not used by a {kind} action (it takes: {', '.join(ACTION_FIELDS[kind]) or 'nothing'})."]
                  for name in data if name != "type" and name not in ACTION_FIELDS[kind]}
        errors.update({name: [f"Required for a {kind} action."] for name in REQUIRED.get(kind, ())
                       if name not in data})
        if errors:
            raise ValidationError(errors)

    @post_load
    def _defaults(self, data, **_):
        """Stored with its defaults; optional fields without one only when given."""
        kind = data["type"]
        return {"type": kind, **{name: data.get(name, default) for name, default in ACTION_FIELDS[kind].items()
                                 if data.get(name, default) is not None}}


class CampaignSchema(Schema):
    class Meta:
        unknown = RAISE

    code = fields.String(required=True, validate=_CODE)
    name_en = fields.String(required=True, validate=Length(1, 255))
    name_ru = fields.String(required=True, validate=Length(1, 255))
    segment = fields.String(required=True, validate=_CODE)
    trigger = fields.String(required=True, validate=OneOf(TRIGGERS))
    weekday = fields.Integer(allow_none=True, load_default=None, validate=Range(0, 6))
    day_of_month = fields.Integer(allow_none=True, load_default=None, validate=Range(1, 28))
    hour = fields.Integer(load_default=10, validate=Range(0, 23))
    actions = fields.List(fields.Nested(ActionSchema), required=True, validate=Length(1, 10))
    cooldown_days = fields.Integer(load_default=30, validate=Range(0, 3650))
    holdout_percent = fields.Integer(load_default=5, validate=Range(0, 50))
    attribution_days = fields.Integer(load_default=14, validate=Range(1, 365))
    enabled = fields.Boolean(load_default=True)

    @validates_schema
    def _consistent(self, data, **_):
        trigger = data.get("trigger")
        if trigger == "weekly" and data.get("weekday") is None:
            raise ValidationError({"weekday": ["Required when trigger is weekly: 0 Monday .. 6 Sunday."]})
        if trigger == "monthly" and data.get("day_of_month") is None:
            raise ValidationError({"day_of_month": ["Required when trigger is monthly: 1 .. 28."]})
        promo_seen, errors = False, {}
        for n, action in enumerate(data.get("actions") or []):
            promo_seen = promo_seen or action["type"] == "promo_code"
            if action["type"] == "message" and action["template"] in PROMO_TEMPLATES and not promo_seen:
                errors[n] = {"template": [f"{action['template']} shows a promo code: put a promo_code action "
                                         f"before this message."]}
        if errors:
            raise ValidationError({"actions": errors})

    @post_load
    def _normalise(self, data, **_):
        data["code"], data["segment"] = data["code"].upper(), data["segment"].upper()
        if data["trigger"] != "weekly":
            data["weekday"] = None
        if data["trigger"] != "monthly":
            data["day_of_month"] = None
        return data


def validate(data) -> dict:
    """A full definition, checked and with defaults; raises ValidationError with messages per field."""
    if not isinstance(data, dict):
        raise ValidationError({"_schema": ["A campaign definition is a JSON object."]})
    return CampaignSchema().load(data)


def list_campaigns(session: Session, member_id: str) -> list[Campaign]:
    return list(session.scalars(select(Campaign).where(Campaign.member_id == member_id).order_by(Campaign.code)))


def get(session: Session, member_id: str, code: str) -> Campaign:
    row = session.scalar(select(Campaign).where(Campaign.member_id == member_id, Campaign.code == code.upper()))
    if row is None:
        raise CampaignNotFound(f"no campaign {code!r} in this portal")
    return row


def segment_codes(session: Session, member_id: str) -> list[str]:
    """The portal's segment codes: the built-ins its settings give and its stored definitions."""
    from bitrix_app.segments import definitions_listing

    return [view["code"] for view in definitions_listing(session, member_id)]


def require_segment(session: Session, member_id: str, code: str, known: Collection[str] | None = None) -> None:
    """A campaign can only follow a segment the portal has (ValidationError on "segment" otherwise); `known`:
    the portal's segment codes when the caller has read them already."""
    from bitrix_app.segments import UnknownSegment, require_code

    try:
        if known is None:
            require_code(session, member_id, code)
        elif code not in known:
            raise UnknownSegment(code)
    except UnknownSegment:
        codes = segment_codes(session, member_id) if known is None else sorted(known)
        raise ValidationError({"segment": [f"The portal has no segment {code}: define it first "
                                           f"(segments define) or use one of: {', '.join(codes)}."]}) from None


def require_templates(session: Session, member_id: str, clean: dict) -> None:
    """Each message sends a built-in marketing template or one the portal's admin wrote; an own template that shows
    a promo code needs a promo_code action before it, as the built-ins do."""
    from bitrix_app.messaging import templates

    promo_seen, errors = False, {}
    for n, action in enumerate(clean["actions"]):
        promo_seen = promo_seen or action["type"] == "promo_code"
        code = action.get("template") if action["type"] == "message" else None
        if code is None or code in TEMPLATES:
            continue
        own = None if code in DEFAULTS else next(
            (t for t in templates.all_for(session, member_id, "en") if t.code == code and not t.builtin), None)
        if own is None:
            errors[n] = {"template": [f"No template {code}: use one of {', '.join(TEMPLATES)} or one the portal's "
                                      f"admin wrote."]}
        elif "{promo_code}" in f"{own.subject} {own.text} {own.sms}" and not promo_seen:
            errors[n] = {"template": [f"{code} shows a promo code: put a promo_code action before this message."]}
    if errors:
        raise ValidationError({"actions": errors})


def create(session: Session, member_id: str, data: dict, now: datetime,
           known_segments: Collection[str] | None = None) -> Campaign:
    """A new campaign; `known_segments`: the portal's segment codes, when the caller has read them already."""
    clean = validate(data)
    require_segment(session, member_id, clean["segment"], known_segments)
    require_templates(session, member_id, clean)
    if session.scalar(select(Campaign.id).where(Campaign.member_id == member_id, Campaign.code == clean["code"])):
        raise CampaignExists(f"campaign {clean['code']} exists; update it instead")
    row = Campaign(member_id=member_id, created_at=now)
    _apply(row, clean, now)
    session.add(row)
    session.flush()
    return row


def update(session: Session, member_id: str, code: str, changes: dict, now: datetime) -> Campaign:
    """Merge `changes` into the stored definition and check the whole again; the code cannot change."""
    row = get(session, member_id, code)
    if not isinstance(changes, dict):
        raise ValidationError({"_schema": ["Changes are a JSON object."]})
    if "code" in changes and str(changes["code"]).upper() != row.code:
        raise ValidationError({"code": ["The code cannot change; create a new campaign instead."]})
    clean = validate({**definition_of(row), **changes})
    if clean["segment"] != row.segment:  # one whose segment was deleted since can still be edited or disabled
        require_segment(session, member_id, clean["segment"])
    require_templates(session, member_id, clean)
    _apply(row, clean, now)
    session.flush()
    return row


def set_enabled(session: Session, member_id: str, code: str, enabled: bool, now: datetime) -> Campaign:
    row = get(session, member_id, code)
    row.enabled, row.updated_at = enabled, now
    return row


def remove(session: Session, member_id: str, code: str) -> int:
    """Delete the campaign and its entries (its report goes with them); answers the entries removed."""
    row = get(session, member_id, code)
    gone = session.execute(delete(CampaignEntry).where(CampaignEntry.campaign_id == row.id)).rowcount
    session.delete(row)
    return gone


def _apply(row: Campaign, clean: dict, now: datetime) -> None:
    for name in EDITABLE:
        value = clean[name]
        setattr(row, name, value)
    row.updated_at = now


def actions_of(row: Campaign) -> list[dict]:
    return copy.deepcopy(row.actions or [])  # the caller's own: the column is not changed in place


def definition_of(row: Campaign) -> dict:
    """What an admin defines (the input of create/update)."""
    return {name: actions_of(row) if name == "actions" else getattr(row, name) for name in EDITABLE}


def as_json(row: Campaign) -> dict:
    moment = (lambda v: utc(v).isoformat() if v else None)  # noqa: E731
    return {"id": row.id, "member_id": row.member_id, **definition_of(row), "last_run_key": row.last_run_key,
            "last_run_at": moment(row.last_run_at), "created_at": moment(row.created_at),
            "updated_at": moment(row.updated_at)}
