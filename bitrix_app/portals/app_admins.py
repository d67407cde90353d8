"""Users a portal administrator allows to administer the app without being portal administrators themselves
(a marketing manager, say). Stored with the portal's settings."""
from __future__ import annotations

from datetime import datetime

from marshmallow import RAISE, Schema, ValidationError, fields, validate
from sqlalchemy.orm import Session

from bitrix_app.store.shop_models import PortalSettings

KEY = "app_admins"
MAX_USERS = 50


class AppAdminsSchema(Schema):
    class Meta:
        unknown = RAISE

    user_ids = fields.List(fields.Integer(strict=True, validate=validate.Range(1, 2**31 - 1)), required=True,
                           validate=validate.Length(max=MAX_USERS))


def get(session: Session, member_id: str) -> tuple[int, ...]:
    row = session.get(PortalSettings, member_id)
    data = row.data if row and row.data else {}
    return tuple(int(u) for u in data.get(KEY) or ())


def set_users(session: Session, member_id: str, body: dict, now: datetime) -> tuple[int, ...]:
    """Replace the list with `{"user_ids": [...]}`; a ValidationError names what is wrong and stores nothing."""
    if not isinstance(body, dict):
        raise ValidationError({"_schema": ["Send a JSON object such as {\"user_ids\": [5, 7]}."]})
    users = sorted(set(AppAdminsSchema().load(body)["user_ids"]))
    row = session.get(PortalSettings, member_id)
    if row is None:
        from bitrix_app.shops.settings import ensure_settings  # the first save of a portal's settings stamps it

        ensure_settings(session, member_id, now)
        row = session.get(PortalSettings, member_id)
    row.data, row.updated_at = {**(row.data or {}), KEY: users}, now  # a new object: see store.db.JsonDoc
    session.flush()
    return tuple(users)
