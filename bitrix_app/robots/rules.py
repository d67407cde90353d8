"""Per-portal recommendation rules ("bought a bike -> offer tyres"), kept in the portal's settings JSON."""
from __future__ import annotations

from datetime import datetime

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy.orm import Session

from bitrix_app.store.shop_models import PortalSettings

KEY = "recommendation_rules"
_TEXT = validate.Length(min=1, max=100)


class RuleSchema(Schema):
    """One rule: when the customer bought SKU `if_sku` (or anything of `if_category`), offer `offer` SKUs."""

    class Meta:
        unknown = EXCLUDE

    if_sku = fields.String(validate=_TEXT)
    if_category = fields.String(validate=_TEXT)
    offer = fields.List(fields.String(validate=_TEXT), required=True, validate=validate.Length(min=1, max=20))

    @validates_schema
    def _one_condition(self, data, **_):
        if ("if_sku" in data) == ("if_category" in data):
            raise ValidationError("give exactly one of if_sku and if_category")


def get_rules(session: Session, member_id: str) -> list[dict]:
    row = session.get(PortalSettings, member_id)
    return list((row.data or {}).get(KEY) or []) if row else []


def set_rules(session: Session, member_id: str, rules: list, now: datetime) -> list[dict]:
    """Validate and replace the portal's rules (other settings stay as they are)."""
    if not isinstance(rules, list) or len(rules) > 200:
        raise ValidationError("rules must be a list of at most 200 rules")
    loaded = RuleSchema(many=True).load(rules)
    row = session.get(PortalSettings, member_id)
    if row is None:
        row = PortalSettings(member_id=member_id, data={}, updated_at=now)
        session.add(row)
    row.data, row.updated_at = {**(row.data or {}), KEY: loaded}, now  # a new object: see store.db.JsonDoc
    session.flush()
    return loaded
