"""Admin JSON API of client campaigns: /api/v1/portals/<member_id>/campaigns (list, create, update, delete,
run now, report, install presets). Every view needs the admin bearer token (admin_auth)."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from webedge import services
from bitrix_app.campaigns import definitions, presets
from bitrix_app.campaigns.jobs import queue_run
from bitrix_app.campaigns.report import report as campaign_report
from webedge.admin_api import in_portal, json_object
from webedge.admin_auth import admin_required
from webedge.errors import ApiError

bp = Blueprint("api_campaigns", __name__, url_prefix="/api/v1/portals/<member_id>/campaigns")


def _in_portal(member_id: str, work, invalid: str = "the campaign definition has invalid fields"):
    """in_portal, with the campaign definition's own errors as 404/409/422 (an unknown segment: 422 on "segment")."""
    try:
        return in_portal(member_id, work, invalid)
    except definitions.CampaignNotFound as err:
        raise ApiError(404, "not_found", str(err)) from err
    except definitions.CampaignExists as err:
        raise ApiError(409, "conflict", str(err)) from err
    except KeyError as err:  # an unknown preset
        raise ApiError(422, "validation_error", str(err.args[0])) from err


@bp.get("")
@admin_required
def list_(member_id: str):
    """Campaigns of the portal."""
    rows = _in_portal(member_id, lambda s: [definitions.as_json(r) for r in definitions.list_campaigns(s, member_id)])
    return jsonify({"campaigns": rows})


@bp.post("")
@admin_required
def create(member_id: str):
    """Create a campaign."""
    body, now = json_object("the campaign as a JSON object"), services.clock().now()
    return jsonify(_in_portal(member_id, lambda s: definitions.as_json(definitions.create(s, member_id, body, now)))), 201


@bp.get("/<code>")
@admin_required
def get(member_id: str, code: str):
    """One campaign."""
    return jsonify(_in_portal(member_id, lambda s: definitions.as_json(definitions.get(s, member_id, code))))


@bp.route("/<code>", methods=["PATCH", "PUT"])
@admin_required
def update(member_id: str, code: str):
    """Change a campaign."""
    body, now = json_object("the campaign as a JSON object"), services.clock().now()
    return jsonify(_in_portal(member_id, lambda s: definitions.as_json(
        definitions.update(s, member_id, code, body, now))))


@bp.delete("/<code>")
@admin_required
def delete(member_id: str, code: str):
    """Delete a campaign."""
    entries = _in_portal(member_id, lambda s: definitions.remove(s, member_id, code))
    return jsonify({"deleted": code.upper(), "entries": entries})


@bp.post("/<code>/run")
@admin_required
def run_one(member_id: str, code: str):
    """Run one campaign now."""
    found = _in_portal(member_id, lambda s: definitions.get(s, member_id, code).code)
    job = queue_run(services.redis(), member_id, found)
    return jsonify({"status": "queued", "job_id": job.id}), 202


@bp.post("/run")
@admin_required
def run_all(member_id: str):
    """Run every enabled campaign now."""
    _in_portal(member_id, lambda s: None)
    job = queue_run(services.redis(), member_id)
    return jsonify({"status": "queued", "job_id": job.id}), 202


@bp.get("/report")
@admin_required
def report_all(member_id: str):
    """Every campaign's results."""
    now = services.clock().now()
    return jsonify({"campaigns": _in_portal(member_id, lambda s: campaign_report(s, member_id, now))})


@bp.get("/<code>/report")
@admin_required
def report_one(member_id: str, code: str):
    """One campaign's results: entered, reached, converted, revenue, uplift."""
    now = services.clock().now()
    return jsonify(_in_portal(member_id, lambda s: campaign_report(s, member_id, now, code)[0]))


@bp.post("/presets")
@admin_required
def install_presets(member_id: str):
    """Install the ready-made campaigns."""
    body, now = request.get_json(silent=True) or {}, services.clock().now()
    codes, segment = body.get("codes") or None, body.get("cross_sell_segment")
    return jsonify(_in_portal(member_id, lambda s: presets.install(s, member_id, now, codes, segment),
                              "a preset needs a segment the portal does not have; nothing was installed"))
