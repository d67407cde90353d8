"""The abandoned-cart settings an admin edits on the Shops screen: the shop settings without the stage map
(it has its own editor) and without the responsible user."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from .settings import SettingsSchema, ShopSettings, get_settings, update_settings

KEYS = ("carts_enabled", "cart_delay_minutes", "reminder_minutes", "quiet_hours", "timezone")


class CartSettingsSchema(SettingsSchema):
    """Abandoned carts: on/off, minutes after the cart's last update before it counts as abandoned, up to two
    reminders (minutes after the last update; an empty list sends none), quiet hours and their time zone."""

    class Meta:
        exclude = ("stage_map", "responsible_id")


def as_json(settings: ShopSettings) -> dict:
    out = {key: getattr(settings, key) for key in KEYS}
    out["reminder_minutes"] = list(settings.reminder_minutes)
    out["carts_enabled_at"] = settings.carts_enabled_at.isoformat() if settings.carts_enabled_at else None
    return out


def read(session: Session, member_id: str) -> dict:
    return as_json(get_settings(session, member_id))


def update(session: Session, member_id: str, body: dict, now: datetime) -> dict:
    """Validate against the cart keys only (any other key is a 422), then merge like every settings change."""
    CartSettingsSchema().load(body)
    return as_json(update_settings(session, member_id, body, now))
