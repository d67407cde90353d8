"""Admin JSON API of client campaigns: /api/v1/portals/<member_id>/campaigns (list, create, update, delete,
run now, report with its weeks, the editor's options, install presets, the presets with their state, enable and
adjust one). Every view needs the admin bearer token (admin_auth). Names in the page's language (`?lang=ru|en`)."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from marshmallow import EXCLUDE, Schema, fields
from marshmallow.validate import OneOf

from webedge import services
from bitrix_app.campaigns import definitions, editor, preset_admin, presets
from bitrix_app.campaigns.jobs import queue_run
from bitrix_app.campaigns.report import report as campaign_report
from bitrix_app.segments import enqueue_rebuild
from webedge.admin_api import in_portal, json_object
from webedge.admin_auth import admin_required
from webedge.api_doc import documented
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


class LangSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    lang = fields.String(load_default="ru", validate=OneOf(("ru", "en")))


class PresetSchema(Schema):
    code = fields.String()
    cell = fields.String(allow_none=True, metadata={"description": "the lifecycle cell it serves (null: other)"})
    aim = fields.Dict()
    name = fields.Dict()
    segment = fields.String()
    segment_name = fields.Dict()
    segment_exists = fields.Boolean()
    choose = fields.List(fields.String(), metadata={"description": "params to choose when enabling it"})
    installed = fields.Boolean()
    enabled = fields.Boolean()
    trigger = fields.String()
    actions = fields.List(fields.String())
    discount_percent = fields.Float(allow_none=True)
    template = fields.String(allow_none=True)
    text_language = fields.String(metadata={"description": "the language of the texts (the portal's messages')"})
    subject = fields.String(allow_none=True)
    text = fields.String(allow_none=True)
    sms = fields.String(allow_none=True)
    custom_text = fields.Boolean()


class PresetsSchema(Schema):
    presets = fields.List(fields.Nested(PresetSchema))
    categories = fields.List(fields.String(), metadata={"description": "the shop's purchased categories"})


class ChangedPresetSchema(PresetSchema):
    segment_created = fields.Boolean()


class OptionsSchema(Schema):
    segments = fields.List(fields.Dict())
    templates = fields.List(fields.Dict())
    triggers = fields.List(fields.String())
    channels = fields.List(fields.String())
    actions = fields.Dict()


class ReportSchema(Schema):
    campaign = fields.String()
    name = fields.Dict()
    entered = fields.Integer()
    reached = fields.Integer()
    converted = fields.Integer()
    revenue = fields.Float()
    currency = fields.String(allow_none=True)
    revenue_by_currency = fields.List(fields.Dict())
    treated = fields.Dict()
    holdout = fields.Dict()
    uplift = fields.Dict(metadata={"description": "absolute, relative, incremental_conversions, ci95 [low, high]"})
    weeks = fields.List(fields.Dict())


def _lang() -> str:
    return LangSchema().load(request.args.to_dict())["lang"]


@bp.get("/presets")
@documented(query=LangSchema, answer=PresetsSchema)
@admin_required
def list_presets(member_id: str):
    """The ready-made campaigns (a strategy for each lifecycle cell, and others) with their state."""
    lang = _lang()
    return jsonify(_in_portal(member_id, lambda s: {"presets": preset_admin.states(s, member_id, lang),
                                                    "categories": preset_admin.categories(s, member_id)}))


@bp.patch("/presets/<code>")
@documented(query=LangSchema, body=preset_admin.PresetChangeSchema, answer=ChangedPresetSchema)
@admin_required
def change_preset(member_id: str, code: str):
    """Enable or disable a preset, adjust its offer (discount) and its text."""
    lang, body, now = _lang(), json_object("the preset's changes as a JSON object"), services.clock().now()
    answer = _in_portal(member_id, lambda s: preset_admin.change(s, member_id, code, body, lang, now),
                        "the preset's changes have invalid fields; nothing was changed")
    if answer["segment_created"]:
        enqueue_rebuild(services.redis(), member_id)  # the brought segment's members, computed now
    return jsonify(answer)


@bp.get("/options")
@documented(query=LangSchema, answer=OptionsSchema)
@admin_required
def editor_options(member_id: str):
    """What the campaign editor offers: segments, templates, triggers, channels and action types."""
    lang = _lang()
    return jsonify(_in_portal(member_id, lambda s: editor.options(s, member_id, lang)))


@bp.get("")
@admin_required
def list_(member_id: str):
    """Campaigns of the portal."""
    rows = _in_portal(member_id, lambda s: [definitions.as_json(r) for r in definitions.list_campaigns(s, member_id)])
    return jsonify({"campaigns": rows})


@bp.post("")
@documented(body=definitions.CampaignSchema, status=201)
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
@documented(answer=ReportSchema)
@admin_required
def report_one(member_id: str, code: str):
    """One campaign's results: entered, reached, converted, revenue, uplift with its interval, per week."""
    now = services.clock().now()
    return jsonify(_in_portal(member_id, lambda s: campaign_report(s, member_id, now, code, over_time=True)[0]))


@bp.post("/presets")
@admin_required
def install_presets(member_id: str):
    """Install the ready-made campaigns."""
    body, now = request.get_json(silent=True) or {}, services.clock().now()
    codes, segment = body.get("codes") or None, body.get("cross_sell_segment")
    return jsonify(_in_portal(member_id, lambda s: presets.install(s, member_id, now, codes, segment),
                              "a preset needs a segment the portal does not have; nothing was installed"))
