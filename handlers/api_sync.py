"""Admin JSON API of sync health: /api/v1/portals/<member_id>/sync/… (admins only).

GET health (the installation, its token, the inbox, the robot calls), GET dead-letters and POST
dead-letters/<id>/retry, GET robot-calls and POST robot-calls/<id>/replay. Raw values: codes, counts, ISO moments;
the screen words and formats them."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from marshmallow import EXCLUDE, Schema, fields
from marshmallow.validate import OneOf, Range

from webedge import services
from bitrix_app.inbox import dead_letters, dispatch
from bitrix_app.inbox.health import inbox_health
from bitrix_app.portals import portal_health
from bitrix_app.robots import audit
from bitrix_app.scope import app_services
from webedge.admin_api import in_portal
from webedge.admin_auth import admin_required
from webedge.api_doc import documented
from webedge.errors import ApiError

bp = Blueprint("api_sync", __name__, url_prefix="/api/v1/portals/<member_id>/sync")


class PageSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    after = fields.Integer(load_default=None, validate=Range(1), metadata={"description": "last id seen"})
    limit = fields.Integer(load_default=50, validate=Range(1, 500))


class RobotPageSchema(PageSchema):
    status = fields.String(load_default=None, validate=OneOf(audit.STATUSES))


class TokenSchema(Schema):
    state = fields.String(metadata={"enum": ["ok", "aging", "blocked"]})
    refreshed_at = fields.String(allow_none=True)
    access_expires_at = fields.String(allow_none=True)
    refresh_expires_at = fields.String(allow_none=True)


class PortalHealthSchema(Schema):
    status = fields.String()
    status_reason = fields.String(allow_none=True)
    installed_at = fields.String(allow_none=True)
    setup = fields.Dict()
    token = fields.Nested(TokenSchema)
    last_portal_event_at = fields.String(allow_none=True)
    pipeline = fields.Dict(allow_none=True)


class InboxHealthSchema(Schema):
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    total = fields.Integer()
    waiting = fields.Integer()
    retrying = fields.Integer()
    oldest_waiting_at = fields.String(allow_none=True)
    lag_seconds = fields.Integer()
    last_processed_at = fields.String(allow_none=True)
    dead_letters = fields.Integer()


class HealthSchema(Schema):
    portal = fields.Nested(PortalHealthSchema)
    inbox = fields.Nested(InboxHealthSchema)
    robot_calls = fields.Dict(keys=fields.String(), values=fields.Integer())


class DeadLetterSchema(Schema):
    id = fields.Integer()
    shop_id = fields.String()
    shop_name = fields.String(allow_none=True)
    type = fields.String()
    subject = fields.Dict()
    status = fields.String()
    error = fields.String(allow_none=True)
    error_kind = fields.String()
    attempts = fields.Integer()
    received_at = fields.String(allow_none=True)
    failed_at = fields.String(allow_none=True)


class DeadLettersSchema(Schema):
    items = fields.List(fields.Nested(DeadLetterSchema))
    next = fields.Integer(allow_none=True)


class RetriedSchema(Schema):
    event = fields.Nested(DeadLetterSchema)
    queued = fields.Boolean(metadata={"description": "a drain was queued now (false: one was already queued)"})


class RobotCallSchema(Schema):
    id = fields.Integer()
    robot = fields.Dict()
    document = fields.Dict(allow_none=True)
    status = fields.String()
    reply_status = fields.String()
    error = fields.String(allow_none=True)
    reply_error = fields.String(allow_none=True)
    runs = fields.Integer()
    received_at = fields.String(allow_none=True)
    finished_at = fields.String(allow_none=True)


class RobotCallsSchema(Schema):
    items = fields.List(fields.Nested(RobotCallSchema))
    next = fields.Integer(allow_none=True)


@bp.get("/health")
@documented(answer=HealthSchema)
@admin_required
def health(member_id: str):
    """The portal's sync health: installation, token, inbox with lag, dead letters, robot calls."""
    scope = app_services().for_portal(member_id)

    def work(s):
        return {"portal": portal_health(scope, s), "inbox": inbox_health(s, member_id, scope.now()),
                "robot_calls": audit.counts(s, member_id)}

    return jsonify(in_portal(member_id, work))


@bp.get("/dead-letters")
@documented(query=PageSchema, answer=DeadLettersSchema)
@admin_required
def list_dead_letters(member_id: str):
    """Shop events the sync gave up on, newest first, with their error."""
    page = PageSchema().load(request.args.to_dict())
    return jsonify(in_portal(member_id, lambda s: dead_letters.page(s, member_id, page["after"], page["limit"])))


@bp.post("/dead-letters/<int:event_id>/retry")
@documented(answer=RetriedSchema)
@admin_required
def retry_dead_letter(member_id: str, event_id: int):
    """Put a dead letter back in the queue with fresh attempts and queue the portal's sync."""
    now = services.clock().now()
    try:
        row = in_portal(member_id, lambda s: dead_letters.retry(s, member_id, event_id, now))
    except dead_letters.NotDeadLetter as err:
        raise ApiError(409, "conflict", str(err), {"status": err.status}) from err
    return jsonify({"event": row, "queued": dispatch.kick(services.redis(), member_id)})


@bp.get("/robot-calls")
@documented(query=RobotPageSchema, answer=RobotCallsSchema)
@admin_required
def list_robot_calls(member_id: str):
    """Robot calls of the portal's workflows, newest first."""
    page = RobotPageSchema().load(request.args.to_dict())
    return jsonify(in_portal(member_id, lambda s: audit.page(s, member_id, page["status"], page["after"],
                                                             page["limit"])))


@bp.post("/robot-calls/<int:call_id>/replay")
@documented(answer=RobotCallSchema)
@admin_required
def replay_robot_call(member_id: str, call_id: int):
    """Run a robot call again now and answer its workflow again if it waits."""
    in_portal(member_id, lambda s: None)  # an installed portal, or 404
    try:
        return jsonify(audit.replay(app_services(), member_id, call_id))
    except LookupError as err:
        raise ApiError(404, "not_found", str(err)) from err
