"""Admin JSON API of customer segments: /api/v1/portals/<member_id>/segments (definitions with counts, kinds and
changes, members as JSON/JSON Lines/CSV pages, sorted pages and the full export, explanations, rebuild, stored
definitions (computed at once by a queued job), the rule builder's schema, a dry run of a definition, the product
and category pickers, thresholds and their matrix preview, snapshot and trend). Admins only, but the explanation,
which staff may read."""
from __future__ import annotations

import io

from flask import Blueprint, Response, jsonify, request, stream_with_context
from marshmallow import EXCLUDE, Schema, fields
from marshmallow.validate import Length, OneOf, Range

from webedge import services
from bitrix_app import segments
from webedge.admin_api import in_portal, json_object
from webedge.admin_auth import admin_required, staff_allowed
from webedge.api_doc import documented
from webedge.errors import ApiError

bp = Blueprint("api_segments", __name__, url_prefix="/api/v1/portals/<member_id>/segments")


class LangSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    lang = fields.String(load_default="ru", validate=OneOf(("ru", "en")))


class ExplainQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    lang = fields.String(load_default="en", validate=OneOf(("ru", "en")),
                         metadata={"description": "the language of the reasons and names"})
    all = fields.Boolean(load_default=False, metadata={"description": "also the segments the customer is not in"})


class PageSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    format = fields.String(load_default="json", validate=OneOf(("json", "jsonl", "csv")))
    after = fields.Integer(load_default=0, validate=Range(0))
    limit = fields.Integer(load_default=500, validate=Range(1, 5000))
    sort = fields.String(validate=OneOf(segments.MEMBER_SORTS),
                         metadata={"description": "a sorted JSON page (with offset and total) instead of the cursor"})
    order = fields.String(load_default="asc", validate=OneOf(("asc", "desc")))
    offset = fields.Integer(load_default=0, validate=Range(0, 10_000_000))


class ExportSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    format = fields.String(load_default="csv", validate=OneOf(("jsonl", "csv")))


class ProductQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    q = fields.String(load_default="", validate=Length(max=100))
    limit = fields.Integer(load_default=20, validate=Range(1, 100))


class DraftBody(Schema):
    kind = fields.String(required=True, metadata={"description": "a segment kind (see rule-schema)"})
    params = fields.Dict(metadata={"description": "the kind's params; a custom rule: {all|any|not|field...}"})
    code = fields.String(allow_none=True, metadata={"description": "the definition being edited, if stored"})


class PreviewAnswer(Schema):
    count = fields.Integer()
    customers = fields.Integer()
    sample_ids = fields.List(fields.Integer())
    as_of = fields.DateTime()


class SegmentRow(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    kind_name = fields.String()
    builtin = fields.Boolean()
    count = fields.Integer()
    change = fields.Integer(allow_none=True, metadata={"description": "since the last snapshot"})
    computed_at = fields.DateTime(allow_none=True)


class ListAnswer(Schema):
    segments = fields.List(fields.Nested(SegmentRow))
    rebuilt_at = fields.DateTime(allow_none=True)
    snapshot_at = fields.DateTime(allow_none=True)


@bp.get("")
@documented(query=LangSchema, answer=ListAnswer)
@admin_required
def list_(member_id: str):
    """Segment definitions with their kind, member count, change since the last snapshot and last computation."""
    lang = LangSchema().load(request.args.to_dict())["lang"]
    return jsonify(in_portal(member_id, lambda s: segments.segment_list(s, member_id, lang)))


@bp.get("/rule-schema")
@documented(query=LangSchema)
@admin_required
def rule_schema(member_id: str):
    """The fields, operators, choices and kinds a segment rule may use, named in the page's language."""
    lang = LangSchema().load(request.args.to_dict())["lang"]
    return jsonify(in_portal(member_id, lambda s: segments.portal_rule_schema(s, member_id, lang)))


@bp.get("/products")
@documented(query=ProductQuery)
@admin_required
def products(member_id: str):
    """Products and categories the portal's customers bought (the pickers of cross-sell and replenishment)."""
    query = ProductQuery().load(request.args.to_dict())
    return jsonify(in_portal(member_id, lambda s: segments.pickable_products(s, member_id, query["q"],
                                                                             query["limit"])))


@bp.post("/preview")
@documented(body=DraftBody, answer=PreviewAnswer)
@admin_required
def preview(member_id: str):
    """A dry run of a definition: how many customers it holds now (nothing is stored)."""
    body, now = json_object(), services.clock().now()
    return jsonify(in_portal(member_id, lambda s: segments.preview_definition(s, member_id, body, now)))


@bp.get("/<code>/export")
@documented(query=ExportSchema, content_types=("text/csv", "application/x-ndjson"))
@admin_required
def export(member_id: str, code: str):
    """Every member of a segment with contact fields and figures (CSV or JSON Lines), as the CLI exports them."""
    from bitrix_app.scope import portal_scope

    fmt = ExportSchema().load(request.args.to_dict())["format"]
    wanted = in_portal(member_id, lambda s: segments.require_code(s, member_id, code))
    body = segments.chunks(segments.export_rows(portal_scope(member_id), wanted), fmt)
    kind = "text/csv" if fmt == "csv" else "application/x-ndjson"
    name = f"{wanted.lower()}.{'csv' if fmt == 'csv' else 'jsonl'}"
    return Response(stream_with_context(body), 200, {"Content-Disposition": f'attachment; filename="{name}"'},
                    mimetype=kind)


@bp.get("/<code>/members")
@documented(query=PageSchema, content_types=("application/json", "text/csv", "application/x-ndjson"))
@admin_required
def members(member_id: str, code: str):
    """A page of a segment's members (JSON, JSON Lines or CSV; sorted JSON pages with `sort`)."""
    page = PageSchema().load(request.args.to_dict())

    if "sort" in page:
        def sorted_page(s):
            wanted = segments.require_code(s, member_id, code)
            return segments.members_page(s, member_id, wanted, page["sort"], page["order"] == "desc",
                                         page["offset"], min(page["limit"], 200))

        return jsonify(in_portal(member_id, sorted_page))

    def work(s):
        wanted = segments.require_code(s, member_id, code)
        return segments.export_page(s, member_id, wanted, page["after"], page["limit"])

    rows, next_after = in_portal(member_id, work)
    headers = {"X-Next-After": "" if next_after is None else str(next_after)}
    if page["format"] == "json":
        return jsonify({"members": rows, "next_after": next_after}), 200, headers
    out = io.StringIO()
    segments.WRITERS[page["format"]](rows, out)
    kind = "text/csv" if page["format"] == "csv" else "application/x-ndjson"
    return Response(out.getvalue(), 200, headers, mimetype=kind)


@bp.get("/customers/<int:customer_id>/explain")
@documented(query=ExplainQuery)
@staff_allowed  # why a customer is in a segment: what a manager working the deal may read
def explain(member_id: str, customer_id: int):
    """Why a customer is (or is not) in each segment, in the reader's words (names, money with its currency)."""
    from bitrix_app.segments import explain_in

    query, now = ExplainQuery().load(request.args.to_dict()), services.clock().now()
    return jsonify(in_portal(member_id, lambda s: explain_in(s, member_id, customer_id, now, query["all"],
                                                             query["lang"])))


@bp.post("/rebuild")
@documented(status=202)
@admin_required
def rebuild(member_id: str):
    """Queue a rebuild of every segment."""
    from bitrix_app.segments import enqueue_rebuild

    in_portal(member_id, lambda s: None)
    job = enqueue_rebuild(services.redis(), member_id)
    return jsonify({"job_id": job.id, "status": job.get_status()}), 202


def _computing(member_id: str, view: dict) -> dict:
    """The stored definition with the job that computes its members now."""
    job = segments.enqueue_definition(services.redis(), member_id, view["code"])
    return {**view, "job_id": job.id}


@bp.post("/definitions")
@documented(status=201)
@admin_required
def create(member_id: str):
    """Store a segment definition; its members are computed at once (a queued job)."""
    body, now = json_object(), services.clock().now()

    def work(s):
        view = segments.create_definition(s, member_id, body, now)
        segments.mark_pending(s, member_id, view["code"])
        return view

    return jsonify(_computing(member_id, in_portal(member_id, work))), 201


@bp.put("/definitions/<code>")
@documented()
@admin_required
def update(member_id: str, code: str):
    """Change a stored segment definition; its members are computed again at once (a queued job)."""
    body, now = json_object(), services.clock().now()

    def work(s):
        view = segments.update_definition(s, member_id, code.upper(), body, now)
        if view is not None:
            segments.mark_pending(s, member_id, view["code"])
        return view

    view = in_portal(member_id, work)
    if view is None:
        raise ApiError(404, "not_found", f"the portal has no stored segment {code.upper()}")
    return jsonify(_computing(member_id, view))


@bp.delete("/definitions/<code>")
@documented()
@admin_required
def delete(member_id: str, code: str):
    """Delete a stored segment definition."""
    if not in_portal(member_id, lambda s: segments.delete_definition(s, member_id, code.upper())):
        raise ApiError(404, "not_found", f"the portal has no stored segment {code.upper()}")
    return jsonify({"deleted": code.upper()})


@bp.get("/settings")
@documented()
@admin_required
def get_settings(member_id: str):
    """Lifecycle thresholds and segment settings."""
    return jsonify(in_portal(member_id, lambda s: segments.get_settings(s, member_id)))


@bp.put("/settings")
@documented()
@admin_required
def put_settings(member_id: str):
    """Change the lifecycle thresholds and segment settings."""
    body, now = json_object(), services.clock().now()
    return jsonify(in_portal(member_id, lambda s: segments.update_settings(s, member_id, body, now)))


@bp.get("/snapshot")
@documented()
@admin_required
def latest_snapshot(member_id: str):
    """The newest segment snapshot: counts and the active share."""
    found = in_portal(member_id, lambda s: segments.latest_snapshot(s.connection(), member_id))
    if found is None:
        raise ApiError(404, "not_found", "no rebuild yet: run POST .../segments/rebuild")
    return jsonify(found)


@bp.get("/trend")
@documented()
@admin_required
def trend(member_id: str):
    """The active share over the latest snapshots, against its target."""
    limit = request.args.get("limit", "30")
    if not limit.isdigit() or not 1 <= int(limit) <= 365:
        raise ApiError(422, "validation_error", "limit must be a whole number from 1 to 365")
    return jsonify(in_portal(member_id, lambda s: segments.trend(s, member_id, int(limit))))


@bp.post("/settings/preview")
@documented(query=LangSchema)
@admin_required
def preview_settings(member_id: str):
    """How the lifecycle matrix would change under these thresholds (nothing is stored)."""
    lang = LangSchema().load(request.args.to_dict())["lang"]
    body, now = json_object(), services.clock().now()
    return jsonify(in_portal(member_id, lambda s: segments.matrix_preview(s, member_id, body, now, lang)))
