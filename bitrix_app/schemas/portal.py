"""What a portal posts to us: install callback, install page, events, placements (PHP forms, nested)."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validates_schema


class _Base(Schema):
    class Meta:
        unknown = EXCLUDE


class EventAuthSchema(_Base):
    member_id = fields.String(required=True)
    application_token = fields.String(required=True)
    domain = fields.String(load_default=None)
    client_endpoint = fields.String(load_default=None)
    server_endpoint = fields.String(load_default=None)
    access_token = fields.String(load_default=None)
    refresh_token = fields.String(load_default=None)
    expires_in = fields.Integer(load_default=3600)
    scope = fields.String(load_default="")
    user_id = fields.Integer(load_default=None)
    status = fields.String(load_default=None)


class InstallAuthSchema(EventAuthSchema):
    domain = fields.String(required=True)
    client_endpoint = fields.String(required=True)
    access_token = fields.String(required=True)
    refresh_token = fields.String(required=True)


class InstallDataSchema(_Base):
    VERSION = fields.String(load_default="1")
    LANGUAGE_ID = fields.String(load_default="en")


class InstallCallbackSchema(_Base):
    """ONAPPINSTALL posted by the portal to an app that uses the API only."""

    event = fields.String(required=True)
    data = fields.Nested(InstallDataSchema, load_default=dict)
    ts = fields.String(load_default=None)
    auth = fields.Nested(InstallAuthSchema, required=True)

    @validates_schema
    def _is_install(self, data, **_):
        if data["event"].upper() != "ONAPPINSTALL":
            raise ValidationError("expected ONAPPINSTALL", "event")


class PageSchema(_Base):
    """An app page or widget opened in the portal: tokens in the body, DOMAIN/LANG in the query."""

    AUTH_ID = fields.String(required=True)
    REFRESH_ID = fields.String(required=True)
    AUTH_EXPIRES = fields.Integer(load_default=3600)
    member_id = fields.String(required=True)
    APPLICATION_TOKEN = fields.String(required=True)
    APPLICATION_SCOPE = fields.String(load_default="")
    SERVER_ENDPOINT = fields.String(load_default=None)
    PLACEMENT = fields.String(load_default="DEFAULT")
    PLACEMENT_OPTIONS = fields.String(load_default="")
    status = fields.String(load_default=None)
    DOMAIN = fields.String(required=True)
    LANG = fields.String(load_default="en")
    PROTOCOL = fields.String(load_default="1")


class EventSchema(_Base):
    """An event delivered to a handler bound with event.bind."""

    event = fields.String(required=True)
    event_handler_id = fields.String(load_default=None)
    data = fields.Raw(load_default=dict)
    ts = fields.String(load_default=None)
    auth = fields.Nested(EventAuthSchema, required=True)
