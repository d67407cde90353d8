"""Admin JSON API of customer segments: /api/v1/portals/<member_id>/segments (definitions with counts, members
as JSON/JSON Lines/CSV pages, explanations, rebuild, stored definitions, thresholds, snapshot and trend).
Every view needs the admin bearer token (admin_auth)."""
from __future__ import annotations

import io

from flask import Blueprint, Response, jsonify, request
from marshmallow import EXCLUDE, Schema, fields
from marshmallow.validate import OneOf, Range

from webedge import services
from bitrix_app import segments
from webedge.admin_api import in_portal, json_object
from webedge.admin_auth import admin_required, staff_allowed
from webedge.errors import ApiError

bp = Blueprint("api_segments", __name__, url_prefix="/api/v1/portals/<member_id>/segments")


class PageSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    format = fields.String(load_default="json", validate=OneOf(("json", "jsonl", "csv")))
    after = fields.Integer(load_default=0, validate=Range(0))
    limit = fields.Integer(load_default=500, validate=Range(1, 5000))


@bp.get("")
@admin_required
def list_(member_id: str):
    """Segment definitions with their member counts."""
    return jsonify({"segments": in_portal(member_id, lambda s: segments.listing_with_counts(s, member_id))})


@bp.get("/<code>/members")
@admin_required
def members(member_id: str, code: str):
    """A page of a segment's members (JSON, JSON Lines or CSV)."""
    page = PageSchema().load(request.args.to_dict())

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
@staff_allowed  # why a customer is in a segment: what a manager working the deal may read
def explain(member_id: str, customer_id: int):
    """Why a customer is (or is not) in each segment."""
    from bitrix_app.segments import explain_in

    everything = request.args.get("all") in ("1", "true", "yes")
    now = services.clock().now()
    return jsonify(in_portal(member_id, lambda s: explain_in(s, member_id, customer_id, now, everything)))


@bp.post("/rebuild")
@admin_required
def rebuild(member_id: str):
    """Queue a rebuild of every segment."""
    from bitrix_app.segments import enqueue_rebuild

    in_portal(member_id, lambda s: None)
    job = enqueue_rebuild(services.redis(), member_id)
    return jsonify({"job_id": job.id, "status": job.get_status()}), 202


@bp.post("/definitions")
@admin_required
def create(member_id: str):
    """Store a custom segment definition."""
    body, now = json_object(), services.clock().now()
    return jsonify(in_portal(member_id, lambda s: segments.create_definition(s, member_id, body, now))), 201


@bp.put("/definitions/<code>")
@admin_required
def update(member_id: str, code: str):
    """Change a stored segment definition."""
    body, now = json_object(), services.clock().now()
    view = in_portal(member_id, lambda s: segments.update_definition(s, member_id, code.upper(), body, now))
    if view is None:
        raise ApiError(404, "not_found", f"the portal has no stored segment {code.upper()}")
    return jsonify(view)


@bp.delete("/definitions/<code>")
@admin_required
def delete(member_id: str, code: str):
    """Delete a stored segment definition."""
    if not in_portal(member_id, lambda s: segments.delete_definition(s, member_id, code.upper())):
        raise ApiError(404, "not_found", f"the portal has no stored segment {code.upper()}")
    return jsonify({"deleted": code.upper()})


@bp.get("/settings")
@admin_required
def get_settings(member_id: str):
    """Lifecycle thresholds and segment settings."""
    return jsonify(in_portal(member_id, lambda s: segments.get_settings(s, member_id)))


@bp.put("/settings")
@admin_required
def put_settings(member_id: str):
    """Change the lifecycle thresholds and segment settings."""
    body, now = json_object(), services.clock().now()
    return jsonify(in_portal(member_id, lambda s: segments.update_settings(s, member_id, body, now)))


@bp.get("/snapshot")
@admin_required
def latest_snapshot(member_id: str):
    """The newest segment snapshot: counts and the active share."""
    found = in_portal(member_id, lambda s: segments.latest_snapshot(s.connection(), member_id))
    if found is None:
        raise ApiError(404, "not_found", "no rebuild yet: run POST .../segments/rebuild")
    return jsonify(found)


@bp.get("/trend")
@admin_required
def trend(member_id: str):
    """The active share over the latest snapshots, against its target."""
    limit = request.args.get("limit", "30")
    if not limit.isdigit() or not 1 <= int(limit) <= 365:
        raise ApiError(422, "validation_error", "limit must be a whole number from 1 to 365")
    return jsonify(in_portal(member_id, lambda s: segments.trend(s, member_id, int(limit))))
