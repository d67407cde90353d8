"""Per-portal segment settings (thresholds), stored under the "segments" key of the portal settings JSON.

Every key is optional in an update; nested `lifecycle` values merge into the stored ones. The merged result is
checked as a whole (e.g. loyal_from above promising_from, sleeping_days above active_days).
"""
from __future__ import annotations

import copy
from datetime import datetime
from types import MappingProxyType

from marshmallow import ValidationError, fields, validates_schema
from marshmallow.validate import Length, Range
from sqlalchemy import select
from sqlalchemy.orm import Session

from bitrix_app.schemas.settings import StrictSettings
from bitrix_app.store.shop_models import PortalSettings

KEY = "segments"
DEFAULTS = MappingProxyType({
    "lifecycle": MappingProxyType({"promising_from": 2, "loyal_from": 4, "active_days": 60, "sleeping_days": 180}),
    "lapsed_days": (90, 180, 360),
    "birthday_days": 7,
    "age_bands": (18, 25, 35, 45, 55),
    "active_target_share": 0.30,
})


class LifecycleSchema(StrictSettings):
    active_days = fields.Integer(validate=Range(1, 3650))
    sleeping_days = fields.Integer(validate=Range(2, 3650))
    promising_from = fields.Integer(validate=Range(2, 1000))
    loyal_from = fields.Integer(validate=Range(3, 1000))


class SegmentSettingsSchema(StrictSettings):
    """What an admin may change; any other key is refused."""

    lifecycle = fields.Nested(LifecycleSchema)
    lapsed_days = fields.List(fields.Integer(validate=Range(1, 3650)), validate=Length(0, 6))
    birthday_days = fields.Integer(validate=Range(1, 90))
    age_bands = fields.List(fields.Integer(validate=Range(1, 120)), validate=Length(1, 8))
    active_target_share = fields.Float(validate=Range(0, 1))


class MergedSchema(SegmentSettingsSchema):
    """The settings after merging: the relations between values hold."""

    @validates_schema
    def _relations(self, data, **_):
        cycle = data["lifecycle"]
        if cycle["loyal_from"] <= cycle["promising_from"]:
            raise ValidationError("loyal_from must be above promising_from.", "lifecycle")
        if cycle["sleeping_days"] <= cycle["active_days"]:
            raise ValidationError("sleeping_days must be above active_days.", "lifecycle")
        for key in ("lapsed_days", "age_bands"):
            values = data[key]
            if sorted(set(values)) != list(values):
                raise ValidationError("Use distinct values in ascending order.", key)


def defaults() -> dict:
    """A fresh, mutable copy of the defaults."""
    return {"lifecycle": dict(DEFAULTS["lifecycle"]), "lapsed_days": list(DEFAULTS["lapsed_days"]),
            "birthday_days": DEFAULTS["birthday_days"], "age_bands": list(DEFAULTS["age_bands"]),
            "active_target_share": DEFAULTS["active_target_share"]}


def _merge(base: dict, changes: dict) -> dict:
    merged = copy.deepcopy(base)
    for key, value in changes.items():
        if key == "lifecycle":
            merged["lifecycle"] = {**merged["lifecycle"], **value}
        else:
            merged[key] = value
    return merged


def _stored(session: Session, member_id: str) -> dict:
    """What the portal stored, without keys this version does not know (an older version may have written them)."""
    table = PortalSettings.__table__
    raw = session.connection().execute(select(table.c.data).where(table.c.member_id == member_id)).scalar()
    stored = {k: v for k, v in ((raw or {}).get(KEY) or {}).items() if k in DEFAULTS}
    if isinstance(stored.get("lifecycle"), dict):
        stored["lifecycle"] = {k: v for k, v in stored["lifecycle"].items() if k in DEFAULTS["lifecycle"]}
    return stored


def get_settings(session: Session, member_id: str) -> dict:
    """The portal's segment settings with defaults filled in."""
    return _merge(defaults(), _stored(session, member_id))


def merged_settings(session: Session, member_id: str, changes) -> tuple[dict, dict]:
    """The changes validated and the settings they would make (nothing stored); ValidationError per field."""
    if not isinstance(changes, dict):
        raise ValidationError({"_schema": ["Send a JSON object of settings."]})
    loaded = SegmentSettingsSchema().load(changes)
    merged = _merge(get_settings(session, member_id), loaded)
    MergedSchema().load(merged)
    return loaded, merged


def update_settings(session: Session, member_id: str, changes: dict, now: datetime) -> dict:
    """Validate and merge `changes` (raises marshmallow.ValidationError with per-field messages)."""
    loaded, merged = merged_settings(session, member_id, changes)
    row = session.get(PortalSettings, member_id)
    if row is None:
        from bitrix_app.shops.settings import ensure_settings  # the shop settings' first save stamps their row

        ensure_settings(session, member_id, now)
        row = session.get(PortalSettings, member_id)
    data = dict(row.data or {})  # a new object: the JSON column does not see changes made in place
    data[KEY] = {**data.get(KEY, {}), **loaded,
                 **({"lifecycle": merged["lifecycle"]} if "lifecycle" in loaded else {})}
    row.data, row.updated_at = data, now
    session.flush()
    return merged
