"""Admin JSON API of a portal's shops: /api/v1/portals/<member_id>/shops (connect, list, rotate the secret,
disconnect, send a test event and read the latest events), the order status -> deal stage mapping against the
pipeline's real stages, and the abandoned-cart settings. Every view needs the admin role."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from marshmallow import EXCLUDE, Schema, fields
from marshmallow.validate import Length, OneOf, Range
from redis.exceptions import RedisError

from webedge import services
from bitrix_app.inbox.dispatch import kick
from bitrix_app.rest.errors import PortalCallError
from bitrix_app.scope import portal_scope
from bitrix_app.inbox import test_event
from bitrix_app.shops import admin, cache, cart_settings, connections, pipeline
from bitrix_app.shops.settings import ensure_settings
from webedge.admin_api import in_portal
from webedge.admin_auth import admin_required
from webedge.api_doc import documented
from webedge.errors import ApiError

bp = Blueprint("api_shops", __name__, url_prefix="/api/v1/portals/<member_id>/shops")


class ShopConnectSchema(Schema):
    """A shop to connect; Shopify's own signing key may be given now or pasted back later (rotate-secret)."""

    name = fields.String(required=True, validate=Length(1, 255))
    platform = fields.String(required=True, validate=OneOf(tuple(admin.PLATFORMS)))
    secret = fields.String(validate=Length(16, 255))


class ShopSecretSchema(Schema):
    """Empty: a new generated secret; `secret`: the platform's own signing key (Shopify's), 16+ characters."""

    secret = fields.String(validate=Length(16, 255))


class ShopEventsQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(load_default=10, validate=Range(1, 100))


class ShopSetupSchema(Schema):
    topics = fields.List(fields.String())
    signature_header = fields.String()
    signing = fields.String(metadata={"description": "hmac_sha256_base64 or sha256_hex (`sha256=<hex>`)"})
    key_from_platform = fields.Boolean()


class ShopAnswerSchema(Schema):
    shop_id = fields.String()
    name = fields.String()
    platform = fields.String()
    connected_at = fields.DateTime()
    events_url = fields.String()
    events_count = fields.Integer()
    last_event_at = fields.DateTime(allow_none=True)
    setup = fields.Nested(ShopSetupSchema)
    secret = fields.String(metadata={"description": "only when connecting or rotating: never readable again"})


class ShopListSchema(Schema):
    shops = fields.List(fields.Nested(ShopAnswerSchema))


class ShopEventSchema(Schema):
    id = fields.Integer()
    type = fields.String()
    status = fields.String(metadata={"description": "pending, done, skipped or failed"})
    received_at = fields.DateTime()
    processed_at = fields.DateTime(allow_none=True)
    error = fields.String(allow_none=True)


class ShopEventListSchema(Schema):
    events = fields.List(fields.Nested(ShopEventSchema))


class ShopStageSchema(Schema):
    id = fields.String()
    name = fields.String()
    semantics = fields.String(metadata={"description": "process, success or failure"})


class ShopStagesSchema(Schema):
    statuses = fields.List(fields.String())
    mapping = fields.Dict(keys=fields.String(), values=fields.String())
    missing = fields.List(fields.String())
    stages = fields.List(fields.Nested(ShopStageSchema))


def _optional_object() -> dict:
    body = request.get_json(silent=True) if request.get_data() else {}
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "send a JSON object (or nothing)")
    return body


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "send a JSON object")
    return body


def _forget_cached_shops() -> None:
    """Every web process drops its cached shops; while Redis is down they are not trusted anyway (cache.py)."""
    try:
        cache.changed(services.redis())
    except RedisError:
        pass


@bp.get("")
@documented(answer=ShopListSchema)
@admin_required
def list_(member_id: str):
    """Connected shops with their events count and last event."""
    base = services.settings().APP_BASE_URL
    return jsonify({"shops": in_portal(member_id, lambda s: admin.listing(s, member_id, base))})


@bp.post("")
@documented(body=ShopConnectSchema, answer=ShopAnswerSchema, status=201)
@admin_required
def connect(member_id: str):
    """Connect a shop: its events URL, setup facts and its secret, shown this once."""
    body, now, base = ShopConnectSchema().load(_body()), services.clock().now(), services.settings().APP_BASE_URL

    def work(s):
        shop, secret = connections.add_shop(s, services.cipher(), member_id, body["name"],
                                            admin.PLATFORMS[body["platform"]], now, body.get("secret"))
        ensure_settings(s, member_id, now)
        return {**admin.shop_json(shop, base), "secret": secret}

    return jsonify(in_portal(member_id, work)), 201


@bp.post("/<shop_id>/rotate-secret")
@documented(body=ShopSecretSchema, answer=ShopAnswerSchema)
@admin_required
def rotate_secret(member_id: str, shop_id: str):
    """Give the shop a new secret (or the platform's own key), shown this once; the old one stops working."""
    body, base = ShopSecretSchema().load(_optional_object()), services.settings().APP_BASE_URL

    def work(s):
        shop, secret = connections.rotate_secret(s, services.cipher(), member_id, shop_id, body.get("secret"))
        return {**admin.shop_json(shop, base), "secret": secret}

    answer = in_portal(member_id, work)
    _forget_cached_shops()
    return jsonify(answer)


@bp.delete("/<shop_id>")
@admin_required
def disconnect(member_id: str, shop_id: str):
    """Disconnect a shop: its events are refused from now on; its orders and deals stay."""
    shop = in_portal(member_id, lambda s: connections.disconnect(s, member_id, shop_id))
    _forget_cached_shops()
    return jsonify({"disconnected": shop.shop_id})


@bp.post("/<shop_id>/test-event")
@documented(answer=ShopEventSchema, status=202)
@admin_required
def send_test_event(member_id: str, shop_id: str):
    """Send a harmless test event signed with the shop's secret through the events' accept path."""
    now = services.clock().now()

    def work(s):
        secret = connections.secret_of(s, services.cipher(), member_id, shop_id)
        event, _ = test_event.send(s, shop_id, member_id, secret, now)
        return admin.latest_events(s, member_id, shop_id, 1)[0] | {"event_id": event["event_id"]}

    stored = in_portal(member_id, work)
    kick(services.redis(), member_id)  # best effort, as for the shop's own deliveries: the sweeper catches up
    return jsonify(stored), 202


@bp.get("/<shop_id>/events")
@documented(query=ShopEventsQuerySchema, answer=ShopEventListSchema)
@admin_required
def latest_events(member_id: str, shop_id: str):
    """The shop's latest received events: type, when, what became of them."""
    limit = ShopEventsQuerySchema().load(request.args.to_dict())["limit"]

    def work(s):
        connections.require_shop(s, member_id, shop_id)
        return admin.latest_events(s, member_id, shop_id, limit)

    return jsonify({"events": in_portal(member_id, work)})


def _pipeline(member_id: str):
    """The portal's shop settings, pipeline and its stages read from the portal now."""
    try:
        current, category = in_portal(member_id, lambda s: pipeline.settings_of(s, member_id))
    except pipeline.PipelineNotReady as err:
        raise ApiError(409, "pipeline_not_ready", str(err)) from err
    try:
        stages = pipeline.read_stages(portal_scope(member_id).client, category)
    except PortalCallError as err:
        raise ApiError(502, "portal_unavailable", "the portal did not give its pipeline's stages; try again") from err
    return current, category, stages


@bp.get("/stages")
@documented(answer=ShopStagesSchema)
@admin_required
def stages(member_id: str):
    """Order statuses, their deal stages and the shop pipeline's stages as the portal names them."""
    current, category, found = _pipeline(member_id)
    return jsonify(pipeline.view(current, category, found))


@bp.put("/stages")
@documented(body=pipeline.MappingSchema, answer=ShopStagesSchema)
@admin_required
def put_stages(member_id: str):
    """Map order statuses to stages of the shop pipeline (checked against the portal's stages)."""
    body, now = _body(), services.clock().now()
    _, category, found = _pipeline(member_id)
    saved = in_portal(member_id, lambda s: pipeline.save(s, member_id, body, category, found, now),
                      "the stage mapping is invalid")
    return jsonify(pipeline.view(saved, category, found))


@bp.get("/cart-settings")
@documented(answer=cart_settings.CartSettingsSchema)
@admin_required
def get_cart_settings(member_id: str):
    """Abandoned-cart settings: on/off, delay, reminders, quiet hours."""
    return jsonify(in_portal(member_id, lambda s: cart_settings.read(s, member_id)))


@bp.put("/cart-settings")
@documented(body=cart_settings.CartSettingsSchema, answer=cart_settings.CartSettingsSchema)
@admin_required
def put_cart_settings(member_id: str):
    """Change the abandoned-cart settings (only the keys given)."""
    body, now = _body(), services.clock().now()
    return jsonify(in_portal(member_id, lambda s: cart_settings.update(s, member_id, body, now),
                             "the cart settings are invalid"))
