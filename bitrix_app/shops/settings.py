"""Per-portal settings of the shop features, with defaults; stored as JSON, validated with marshmallow."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import ValidationError, fields, validates
from marshmallow.validate import Length, OneOf, Range, Regexp
from sqlalchemy.orm import Session

from bitrix_app.orders.schemas import ORDER_STATUSES
from bitrix_app.portals import STAGES
from bitrix_app.schemas.settings import StrictSettings
from bitrix_app.store.models import utc
from bitrix_app.store.shop_models import PortalSettings

STAGE_CODES = tuple(code for code, *_ in STAGES)
DEFAULT_STAGE_MAP = MappingProxyType({
    "new": "NEW", "pending_payment": "PENDING_PAYMENT", "paid": "PAID", "shipped": "SHIPPED",
    "ready_for_pickup": "PICKUP", "delivered": "DELIVERED", "completed": "WON", "cancelled": "LOSE",
    "refunded": "REFUNDED",
})
SHOWN_ONLY = ("carts_enabled_at",)  # shown with the settings, never set: ignored when printed settings come back
_HHMM = Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="Use HH:MM, 24-hour.")


class QuietHoursSchema(StrictSettings):
    start = fields.String(required=True, validate=_HHMM)
    end = fields.String(required=True, validate=_HHMM)


class SettingsSchema(StrictSettings):
    """What an admin may change; every key is optional in an update; any other key is refused."""

    stage_map = fields.Dict(keys=fields.String(validate=OneOf(ORDER_STATUSES)),
                            values=fields.String(validate=OneOf(STAGE_CODES)))
    cart_delay_minutes = fields.Integer(validate=Range(5, 7 * 24 * 60))
    reminder_minutes = fields.List(fields.Integer(validate=Range(5, 30 * 24 * 60)), validate=Length(0, 2))
    quiet_hours = fields.Nested(QuietHoursSchema, allow_none=True)
    timezone = fields.String(validate=Length(1, 64))
    carts_enabled = fields.Boolean()
    responsible_id = fields.Integer(allow_none=True, validate=Range(1))

    @validates("timezone")
    def _zone(self, value, **_):
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError("Not a known IANA time zone, e.g. Europe/Moscow.") from exc


@dataclass(frozen=True)
class ShopSettings:
    stage_map: dict = field(default_factory=lambda: dict(DEFAULT_STAGE_MAP))
    cart_delay_minutes: int = 60
    reminder_minutes: tuple = (60, 24 * 60)
    quiet_hours: dict | None = field(default_factory=lambda: {"start": "21:00", "end": "09:00"})
    timezone: str = "UTC"
    carts_enabled: bool = True
    carts_enabled_at: datetime | None = None
    responsible_id: int | None = None

    def stage_code(self, status: str) -> str:
        return self.stage_map.get(status) or DEFAULT_STAGE_MAP[status]

    def in_quiet_hours(self, moment: datetime) -> datetime | None:
        """When `moment` falls in quiet hours, the moment they end; else None."""
        if not self.quiet_hours:
            return None
        zone = ZoneInfo(self.timezone)
        local = moment.astimezone(zone)
        start, end = (time.fromisoformat(self.quiet_hours[k]) for k in ("start", "end"))
        now = local.time()
        inside = (start <= now or now < end) if start > end else (start <= now < end)
        if not inside or start == end:
            return None
        ends = datetime.combine(local.date(), end, tzinfo=zone)
        if ends <= local:
            ends = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=zone)
        return ends.astimezone(timezone.utc)


def _load_row(session: Session, member_id: str) -> dict:
    row = session.get(PortalSettings, member_id)
    return dict(row.data or {}) if row else {}  # a copy: callers change it and assign it back


def get_settings(session: Session, member_id: str) -> ShopSettings:
    data = _load_row(session, member_id)
    stage_map = {**DEFAULT_STAGE_MAP, **(data.get("stage_map") or {})}
    enabled_at = data.get("carts_enabled_at")
    kwargs = {k: data[k] for k in ("cart_delay_minutes", "timezone", "carts_enabled", "responsible_id")
              if k in data}
    if "reminder_minutes" in data:
        kwargs["reminder_minutes"] = tuple(data["reminder_minutes"])
    if "quiet_hours" in data:  # only the keys this version knows (older ones are ignored on read)
        hours = data["quiet_hours"]
        kwargs["quiet_hours"] = {k: hours[k] for k in ("start", "end") if k in hours} if hours else None
    return ShopSettings(stage_map=stage_map, carts_enabled_at=utc(datetime.fromisoformat(enabled_at))
                        if enabled_at else None, **kwargs)


def update_settings(session: Session, member_id: str, changes: dict, now: datetime) -> ShopSettings:
    """Validate and merge `changes`; enabling abandoned carts (or the first save) stamps carts_enabled_at."""
    if isinstance(changes, dict):
        changes = {k: v for k, v in changes.items() if k not in SHOWN_ONLY}
    loaded = SettingsSchema().load(changes)
    data = _load_row(session, member_id)
    was_enabled = data.get("carts_enabled", True) and data.get("carts_enabled_at")
    if "stage_map" in loaded:
        loaded["stage_map"] = {**(data.get("stage_map") or {}), **loaded["stage_map"]}
    data.update(loaded)
    if data.get("carts_enabled", True) and not was_enabled:
        data["carts_enabled_at"] = now.isoformat()
    return _store(session, member_id, data, now)


def set_stage_map(session: Session, member_id: str, codes: dict[str, str], now: datetime) -> ShopSettings:
    """Map order statuses onto stage codes of the shop pipeline as the portal has them (its own stages too, not
    only those setup creates); the caller checked the codes against the portal. Other statuses keep theirs."""
    unknown = sorted(set(codes) - set(ORDER_STATUSES))
    if unknown:
        raise ValidationError({"stage_map": {k: ["Not an order status."] for k in unknown}})
    data = _load_row(session, member_id)
    data["stage_map"] = {**(data.get("stage_map") or {}), **codes}
    return _store(session, member_id, data, now)


def _store(session: Session, member_id: str, data: dict, now: datetime) -> ShopSettings:
    row = session.get(PortalSettings, member_id)
    if row is None:
        row = PortalSettings(member_id=member_id, data={}, updated_at=now)
        session.add(row)
    row.data, row.updated_at = data, now
    session.flush()
    return get_settings(session, member_id)


def ensure_settings(session: Session, member_id: str, now: datetime) -> ShopSettings:
    """Create the row with defaults (and the carts start moment) if the portal has none yet."""
    if session.get(PortalSettings, member_id) is None:
        return update_settings(session, member_id, {}, now)
    return get_settings(session, member_id)
