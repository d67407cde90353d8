"""Admin JSON API of the overview (the app's main page): /api/v1/portals/<member_id>/overview (the lifecycle
matrix, the active share over time, weekly revenue, buyers and carts) and .../overview/cells/<code>/customers
(a cell's customers as JSON pages or CSV). Admins only; names in the page's language (`?lang=ru|en`)."""
from __future__ import annotations

import io

from flask import Blueprint, Response, jsonify, request
from marshmallow import EXCLUDE, Schema, fields
from marshmallow.validate import OneOf, Range

from bitrix_app.placement import overview_cells
from bitrix_app.placement.overview import overview
from webedge import services
from webedge.admin_api import in_portal
from webedge.admin_auth import admin_required
from webedge.api_doc import documented

bp = Blueprint("api_overview", __name__, url_prefix="/api/v1/portals/<member_id>/overview")


class LangSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    lang = fields.String(load_default="ru", validate=OneOf(("ru", "en")))


class CellPageSchema(LangSchema):
    format = fields.String(load_default="json", validate=OneOf(("json", "csv")))
    after = fields.Integer(load_default=0, validate=Range(0))
    limit = fields.Integer(load_default=50, validate=Range(1, 5000))


class CellSchema(Schema):
    code = fields.String()
    name = fields.String()
    count = fields.Integer()
    share = fields.Float(metadata={"description": "of the buyers in the matrix, 0..1"})
    change = fields.Integer(allow_none=True, metadata={"description": "since the previous snapshot"})


class BandSchema(Schema):
    band = fields.String()
    name = fields.String()
    cells = fields.List(fields.Nested(CellSchema))
    total = fields.Integer()


class ColumnSchema(Schema):
    code = fields.String()
    name = fields.String()
    total = fields.Integer()


class MatrixSchema(Schema):
    rows = fields.List(fields.Nested(BandSchema))
    columns = fields.List(fields.Nested(ColumnSchema))
    total = fields.Integer()
    since = fields.DateTime(allow_none=True)


class PointSchema(Schema):
    taken_at = fields.DateTime()
    share = fields.Float(allow_none=True)


class ShareSchema(Schema):
    share = fields.Float(allow_none=True)
    target = fields.Float()
    trend = fields.Float(allow_none=True)
    taken_at = fields.DateTime(allow_none=True)
    snapshots = fields.Integer()
    active = fields.Integer(allow_none=True)
    buyers = fields.Integer(allow_none=True)
    meets_target = fields.Boolean()
    points = fields.List(fields.Nested(PointSchema))


class WeekSchema(Schema):
    start = fields.Date(metadata={"description": "the week's Monday"})
    orders = fields.Integer()
    revenue = fields.Dict(keys=fields.String(), values=fields.Float(), metadata={"description": "per currency"})
    new_buyers = fields.Integer()
    repeat_buyers = fields.Integer()
    abandoned_carts = fields.Integer()
    recovered_carts = fields.Integer()


class CartsSchema(Schema):
    abandoned = fields.Integer()
    recovered = fields.Integer()
    recovered_share = fields.Float(allow_none=True)


class StoredSegmentSchema(Schema):
    code = fields.String()
    name = fields.String()
    state = fields.String()
    state_name = fields.String()
    error = fields.String(allow_none=True)
    failed_at = fields.DateTime(allow_none=True)


class OverviewSchema(Schema):
    matrix = fields.Nested(MatrixSchema)
    share = fields.Nested(ShareSchema)
    weeks = fields.List(fields.Nested(WeekSchema))
    currency = fields.String(allow_none=True)
    carts = fields.Nested(CartsSchema)
    segments = fields.List(fields.Nested(StoredSegmentSchema))
    as_of = fields.DateTime()


class CellCustomerSchema(Schema):
    customer_id = fields.Integer()
    name = fields.String()
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    orders = fields.Integer()
    revenue = fields.Float()
    currency = fields.String(allow_none=True)
    last_order_at = fields.DateTime(allow_none=True)
    contact_id = fields.Integer(allow_none=True)


class CellPageAnswerSchema(Schema):
    customers = fields.List(fields.Nested(CellCustomerSchema))
    next_after = fields.Integer(allow_none=True)
    total = fields.Integer()


@bp.get("")
@documented(query=LangSchema, answer=OverviewSchema)
@admin_required
def get_overview(member_id: str):
    """The lifecycle matrix, the active share over time and the weekly figures."""
    lang = LangSchema().load(request.args.to_dict())["lang"]
    now = services.clock().now()
    return jsonify(in_portal(member_id, lambda s: overview(s, member_id, now, lang)))


@bp.get("/cells/<code>/customers")
@documented(query=CellPageSchema, answer=CellPageAnswerSchema, content_types=("application/json", "text/csv"))
@admin_required
def cell_customers(member_id: str, code: str):
    """A page of a lifecycle cell's customers (JSON or CSV)."""
    query = CellPageSchema().load(request.args.to_dict())

    def work(s):
        cell = overview_cells.require_cell(code)
        return overview_cells.page(s, member_id, cell, query["after"], query["limit"])

    rows, next_after, total = in_portal(member_id, work)
    headers = {"X-Next-After": "" if next_after is None else str(next_after)}
    if query["format"] == "json":
        return jsonify({"customers": rows, "next_after": next_after, "total": total}), 200, headers
    out = io.StringIO()
    overview_cells.write_csv(rows, out, query["lang"])
    headers["Content-Disposition"] = f'attachment; filename="{code.lower()}.csv"'
    return Response(out.getvalue(), 200, headers, mimetype="text/csv")
