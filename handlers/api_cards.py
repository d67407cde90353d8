"""Admin JSON API of the deal and contact tabs (staff): the customer card and what staff do from it.

GET  /api/v1/portals/<member_id>/cards/<deal|contact>/<id>?lang=ru|en   the card (customer null + reason when the
                                                                       app has no shop history for the record)
POST .../cards/<kind>/<id>/promo-code   {discount_percent?, valid_days?}   issue (or show the valid) promo code
POST .../cards/<kind>/<id>/call         {when, note?}                      a call to-do on the record
POST .../cards/<kind>/<id>/message      {template, channel?}               a templated message through the policy
An action's retry (the same `Idempotency-Key` header, else the same request) answers the first outcome again."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, g, jsonify, request
from marshmallow import Schema, ValidationError, fields
from marshmallow.validate import Length, OneOf, Range, Regexp

from webedge import services
from bitrix_app.placement.card_extras import STAFF_CHANNELS, STAFF_TEMPLATES
from bitrix_app.placement.card_message import send_template
from bitrix_app.placement.customer import KINDS, card_answer
from bitrix_app.placement.staff_actions import issue_promo, once, schedule_call, target_of
from bitrix_app.scope import portal_scope
from webedge.admin_api import in_portal
from webedge.admin_auth import staff_allowed
from webedge.api_doc import documented
from webedge.errors import ApiError

bp = Blueprint("api_cards", __name__, url_prefix="/api/v1/portals/<member_id>/cards")
KIND = "<kind>/<int:entity_id>"  # kind: deal or contact (else a 404)
MAX_CALL_AHEAD = timedelta(days=366)


class CardQuery(Schema):
    lang = fields.String(load_default="ru", validate=OneOf(("ru", "en")))


class PromoBody(Schema):
    discount_percent = fields.Decimal(load_default="10", places=2, validate=Range(0, 100, min_inclusive=False),
                                      as_string=True)
    valid_days = fields.Integer(load_default=30, validate=Range(1, 365))


class CallBody(Schema):
    when = fields.AwareDateTime(required=True, metadata={"description": "the call's moment, in the future"})
    note = fields.String(load_default="", validate=Length(max=1000))


class MessageBody(Schema):
    template = fields.String(required=True, validate=OneOf(STAFF_TEMPLATES))
    channel = fields.String(load_default="auto", validate=OneOf(STAFF_CHANNELS))


class CardAnswer(Schema):
    kind = fields.String()
    entity_id = fields.Integer()
    customer = fields.Dict(allow_none=True, metadata={"description": "figures, orders, segments, deal products, "
                                                      "open cart, messages, promo codes, recommendations, next action"})
    reason = fields.String(allow_none=True)
    templates = fields.List(fields.Dict())
    channels = fields.List(fields.Dict())


class ActionAnswer(Schema):
    outcome = fields.String(metadata={"description": "issued|reused|scheduled|sent|deferred|skipped|failed"})
    text = fields.String()
    repeated = fields.Boolean()


_KEY = Regexp(r"^[A-Za-z0-9_.:-]{1,100}$")


def _idempotency_key() -> str | None:
    raw = request.headers.get("Idempotency-Key")
    if raw is None:
        return None
    try:
        _KEY(raw)
    except ValidationError as err:
        raise ValidationError({"Idempotency-Key": err.messages}) from err
    return raw


def _known(kind: str) -> None:
    if kind not in KINDS:
        raise ApiError(404, "not_found", "the card is for a deal or a contact")


def _body(schema: type[Schema]) -> dict:
    loaded = request.get_json(silent=True)
    return schema().load(loaded if isinstance(loaded, dict) else {} if loaded is None else {"_": loaded})


@bp.get(f"/{KIND}")
@documented(query=CardQuery, answer=CardAnswer)
@staff_allowed
def get_card(member_id: str, kind: str, entity_id: int):
    """The customer behind a deal or contact: figures, orders, products, cart, messages, codes, next action."""
    _known(kind)
    lang, now = CardQuery().load(request.args.to_dict())["lang"], services.clock().now()
    return jsonify(in_portal(member_id, lambda s: card_answer(s, member_id, kind, entity_id, now, lang)))


def _act(member_id: str, kind: str, entity_id: int, action: str, schema: type[Schema], do, keep=lambda a: True):
    _known(kind)
    lang, body, key = CardQuery().load(request.args.to_dict())["lang"], _body(schema), _idempotency_key()
    scope = portal_scope(member_id)
    target = in_portal(member_id, lambda s: target_of(scope, kind, entity_id))
    return jsonify(once(scope, action, target, key, body, lambda: do(scope, target, body, lang), keep))


@bp.post(f"/{KIND}/promo-code")
@documented(query=CardQuery, body=PromoBody, answer=ActionAnswer)
@staff_allowed
def promo_code(member_id: str, kind: str, entity_id: int):
    """Issue a promo code to the customer of a deal or contact (a still-valid one is shown again)."""
    now = services.clock().now()
    return _act(member_id, kind, entity_id, "promo", PromoBody,
                lambda scope, target, body, lang: issue_promo(scope, target, body, now, lang))


@bp.post(f"/{KIND}/call")
@documented(query=CardQuery, body=CallBody, answer=ActionAnswer)
@staff_allowed
def call(member_id: str, kind: str, entity_id: int):
    """Schedule a call with the customer: a to-do on the deal or contact for the user who asks."""
    now, user = services.clock().now(), g.api_grant.user_id
    _known(kind)
    when = _body(CallBody)["when"]
    if not now < when <= now + MAX_CALL_AHEAD:
        raise ValidationError({"when": ["must be in the future, within a year"]})
    return _act(member_id, kind, entity_id, "call", CallBody,
                lambda scope, target, body, lang: schedule_call(scope, target, body, user, lang))


@bp.post(f"/{KIND}/message")
@documented(query=CardQuery, body=MessageBody, answer=ActionAnswer)
@staff_allowed
def message(member_id: str, kind: str, entity_id: int):
    """Send the customer a templated message through the messaging policy; answers sent, deferred or not sent."""
    now, user = services.clock().now(), g.api_grant.user_id
    key = _idempotency_key()

    def do(scope, target, body, lang):
        basis = key or f"{now:%Y%m%dT%H%M}:{body['template']}:{body['channel']}"
        return send_template(scope, target, body, f"{kind}{entity_id}:{basis}", user, now, lang)

    return _act(member_id, kind, entity_id, "message", MessageBody, do, keep=lambda a: a["outcome"] != "failed")
