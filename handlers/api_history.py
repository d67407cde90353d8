"""Admin JSON API: GET /api/v1/portals/<member_id>/ltv, the portal's lifetime value report (admins only).

Raw values: amounts with the report's currency, cohorts as "YYYY-MM", ISO moments; acquisition channels as tagged
with their name in the page's language (`?lang=ru|en`). The CLI (`history ltv`) prints the same report."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from marshmallow import EXCLUDE, Schema, fields
from marshmallow.validate import OneOf

from webedge import services
from bitrix_app.placement.ltv_words import named
from bitrix_app.scope import portal_scope
from bitrix_app.segments import ltv_report
from webedge.admin_api import in_portal
from webedge.admin_auth import admin_required
from webedge.api_doc import documented

bp = Blueprint("api_history", __name__, url_prefix="/api/v1/portals")


class LangSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    lang = fields.String(load_default="ru", validate=OneOf(("ru", "en")))


class FiguresSchema(Schema):
    customers = fields.Integer()
    purchases = fields.Integer()
    revenue = fields.Float()
    average_order = fields.Float(allow_none=True)
    purchase_frequency = fields.Float(allow_none=True, metadata={"description": "purchases per customer"})
    orders_per_year = fields.Float(allow_none=True, metadata={"description": "mean of orders / max(tenure, 1 year)"})
    revenue_per_customer = fields.Float(allow_none=True)
    repeat_customers = fields.Integer()
    repeat_share = fields.Float(allow_none=True)
    ltv = fields.Float(allow_none=True, metadata={"description": "average order x orders per year x lifespan"})


class OverallSchema(FiguresSchema):
    average_lifespan_days = fields.Float(allow_none=True, metadata={"description": "of customers with 2+ purchases"})
    lifespan_factor = fields.Float(metadata={"description": "lifespan in years, at least 1"})
    predicted_ltv_average = fields.Float(allow_none=True, metadata={"description": "the engine's per-customer mean"})


class HorizonsSchema(Schema):
    value_6m = fields.Float(allow_none=True, metadata={"description": "revenue per customer within 6 months"})
    value_12m = fields.Float(allow_none=True)
    value_24m = fields.Float(allow_none=True)


class CohortSchema(HorizonsSchema):
    cohort = fields.String(metadata={"description": "first-purchase month, YYYY-MM (UTC)"})
    customers = fields.Integer()
    revenue = fields.Float()
    revenue_per_customer = fields.Float()


class SplitSchema(Schema):
    customers = fields.Integer()
    purchases = fields.Integer()
    revenue = fields.Float()
    average_order = fields.Float(allow_none=True)
    revenue_per_customer = fields.Float(allow_none=True)
    purchase_frequency = fields.Float(allow_none=True)
    customer_share = fields.Float(allow_none=True)
    revenue_share = fields.Float(allow_none=True)


class NewVsRepeatSchema(Schema):
    new = fields.Nested(SplitSchema, metadata={"description": "one purchase"})
    repeat = fields.Nested(SplitSchema, metadata={"description": "two or more purchases"})


class ChannelSchema(FiguresSchema, HorizonsSchema):
    channel = fields.String(allow_none=True, metadata={"description": "first purchase's source as tagged"})
    channel_name = fields.String()
    channel_known = fields.Boolean(metadata={"description": "the name is a known source's, in words"})
    customers_6m = fields.Integer(metadata={"description": "customers whose first purchase is 6+ months old"})
    customers_12m = fields.Integer()
    customers_24m = fields.Integer()


class LtvSchema(Schema):
    member_id = fields.String()
    as_of = fields.DateTime()
    currency = fields.String(allow_none=True, metadata={"description": "the currency most purchases are in"})
    currencies = fields.List(fields.String())
    overall = fields.Nested(OverallSchema)
    cohorts = fields.List(fields.Nested(CohortSchema))
    new_vs_repeat = fields.Nested(NewVsRepeatSchema)
    channels = fields.List(fields.Nested(ChannelSchema))


@bp.get("/<member_id>/ltv")
@documented(query=LangSchema, answer=LtvSchema)
@admin_required
def ltv(member_id: str):
    """Lifetime value: the formula's figures, cohorts, new vs repeat and acquisition channels."""
    lang = LangSchema().load(request.args.to_dict())["lang"]
    in_portal(member_id, lambda s: None)  # 404 for a portal that is not installed; the report reads on its own
    return jsonify(named(ltv_report(portal_scope(member_id), services.clock().now()), lang))
