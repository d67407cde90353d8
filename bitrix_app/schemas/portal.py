"""What a portal posts to us: install callback, install page, events, placements (PHP forms, nested)."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

# What real values look like; anything else is refused before it reaches storage or a job id.
MEMBER_ID = validate.Regexp(r"^[A-Za-z0-9_-]{1,64}$", error="not a member_id")
TOKEN = validate.Regexp(r"^[A-Za-z0-9._-]{1,256}$", error="not a token")
HOST = validate.Regexp(r"^[A-Za-z0-9.-]{1,200}(:[0-9]{1,5})?$", error="not a portal domain")
URL = validate.Regexp(r"^https?://[^\s\x00]{1,240}$", error="not a URL")
LANG = validate.Regexp(r"^[A-Za-z]{2,8}$", error="not a language code")
SCOPE = validate.Regexp(r"^[A-Za-z0-9_, ]{0,500}$", error="not a scope list")
EXPIRES = validate.Range(min=0, max=10_000_000)


class _Base(Schema):
    class Meta:
        unknown = EXCLUDE


class EventAuthSchema(_Base):
    member_id = fields.String(required=True, validate=MEMBER_ID)
    application_token = fields.String(required=True, validate=TOKEN)
    domain = fields.String(load_default=None, validate=HOST)
    client_endpoint = fields.String(load_default=None, validate=URL)
    server_endpoint = fields.String(load_default=None, validate=URL)
    access_token = fields.String(load_default=None, validate=TOKEN)
    refresh_token = fields.String(load_default=None, validate=TOKEN)
    expires_in = fields.Integer(load_default=3600, validate=EXPIRES)
    scope = fields.String(load_default="", validate=SCOPE)
    user_id = fields.Integer(load_default=None, validate=validate.Range(min=0, max=2**31 - 1))
    status = fields.String(load_default=None, validate=validate.Length(max=4))


class InstallAuthSchema(EventAuthSchema):
    domain = fields.String(required=True)
    client_endpoint = fields.String(required=True)
    access_token = fields.String(required=True)
    refresh_token = fields.String(required=True)


class InstallDataSchema(_Base):
    VERSION = fields.String(load_default="1", validate=validate.Regexp(r"^[0-9]{1,6}(\.[0-9]{1,6}){0,3}$"))
    LANGUAGE_ID = fields.String(load_default="en", validate=LANG)


class InstallCallbackSchema(_Base):
    """ONAPPINSTALL posted by the portal to an app that uses the API only."""

    event = fields.String(required=True, validate=validate.Length(max=64))
    data = fields.Nested(InstallDataSchema, load_default=dict)
    ts = fields.String(load_default=None, validate=validate.Length(max=20))
    auth = fields.Nested(InstallAuthSchema, required=True)

    @validates_schema
    def _is_install(self, data, **_):
        if data["event"].upper() != "ONAPPINSTALL":
            raise ValidationError("expected ONAPPINSTALL", "event")


class PageSchema(_Base):
    """An app page or widget opened in the portal: tokens in the body, DOMAIN/LANG in the query."""

    AUTH_ID = fields.String(required=True, validate=TOKEN)
    REFRESH_ID = fields.String(required=True, validate=TOKEN)
    AUTH_EXPIRES = fields.Integer(load_default=3600, validate=EXPIRES)
    member_id = fields.String(required=True, validate=MEMBER_ID)
    APPLICATION_TOKEN = fields.String(required=True, validate=TOKEN)
    APPLICATION_SCOPE = fields.String(load_default="", validate=SCOPE)
    SERVER_ENDPOINT = fields.String(load_default=None, validate=URL)
    PLACEMENT = fields.String(load_default="DEFAULT", validate=validate.Regexp(r"^[A-Z0-9_]{1,64}$"))
    PLACEMENT_OPTIONS = fields.String(load_default="", validate=validate.Length(max=4000))
    status = fields.String(load_default=None, validate=validate.Length(max=4))
    DOMAIN = fields.String(required=True, validate=HOST)
    LANG = fields.String(load_default="en", validate=LANG)
    PROTOCOL = fields.String(load_default="1", validate=validate.OneOf(["0", "1"]))


class EventFieldsSchema(_Base):
    ID = fields.String(load_default="", validate=validate.Regexp(r"^[0-9]{0,20}$"))


class EventDataSchema(_Base):
    FIELDS = fields.Nested(EventFieldsSchema, load_default=dict)
    CLEAN = fields.String(load_default="0", validate=validate.Length(max=5))
    LANGUAGE_ID = fields.String(load_default=None, validate=LANG)


class EventSchema(_Base):
    """An event delivered to a handler bound with event.bind."""

    event = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_]{1,64}$"))
    event_handler_id = fields.String(load_default=None, validate=validate.Length(max=20))
    data = fields.Nested(EventDataSchema, load_default=dict)
    ts = fields.String(load_default=None, validate=validate.Regexp(r"^[0-9]{0,12}$"))
    auth = fields.Nested(EventAuthSchema, required=True)
