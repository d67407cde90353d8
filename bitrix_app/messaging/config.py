"""Per-portal messaging settings: SMTP server, SMS gateway, policy limits. Secrets are stored encrypted.

Stored in `messaging_settings` (one row a portal): plain settings as JSON, and the SMTP password and the
SMS gateway's API key as one Fernet-encrypted JSON object, so they never appear in listings or logs."""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime

from marshmallow import ValidationError, fields, validates_schema
from marshmallow.validate import Length, OneOf, Range
from sqlalchemy.orm import Session

from bitrix_app.schemas.settings import StrictSettings
from bitrix_app.store.message_models import MessagingSettings

from .zones import MODES

DEFAULT_CAPS = {"email": 16, "sms": 24}  # at most one marketing message per this many hours, per channel
DEFAULT_DUPLICATE_HOURS = 7 * 24
SMS_PROVIDERS = ("smsru", "generic")
SMSRU_URL = "https://sms.ru/sms/send"
SECRET_FIELDS = {("smtp", "password"), ("sms", "api_key")}
CONSENT_RULES = ("marketing", "all")  # whose messages need the customer's consent: marketing only, or every one


class SmtpSchema(StrictSettings):
    host = fields.String(required=True, validate=Length(1, 255))
    port = fields.Integer(load_default=587, validate=Range(1, 65535))
    security = fields.String(load_default="starttls", validate=OneOf(("none", "starttls", "ssl")))
    username = fields.String(allow_none=True, validate=Length(max=255))
    password = fields.String(allow_none=True, validate=Length(max=500))
    from_address = fields.Email(required=True)
    from_name = fields.String(allow_none=True, validate=Length(max=100))
    timeout = fields.Float(load_default=30.0, validate=Range(1, 120))


class SmsSchema(StrictSettings):
    provider = fields.String(required=True, validate=OneOf(SMS_PROVIDERS))
    url = fields.String(validate=Length(1, 2000))  # smsru: the API address; generic: a template with {phone} {text}
    method = fields.String(load_default="POST", validate=OneOf(("GET", "POST")))
    api_key = fields.String(allow_none=True, validate=Length(max=500))
    sender = fields.String(allow_none=True, validate=Length(max=32))
    test = fields.Boolean(load_default=False)
    timeout = fields.Float(load_default=30.0, validate=Range(1, 120))

    @validates_schema
    def _url(self, data, **_):
        if data.get("provider") == "generic" and ("{phone}" not in (data.get("url") or "")
                                                  or "{text}" not in (data.get("url") or "")):
            raise ValidationError("A generic gateway needs a url with {phone} and {text}.", "url")


class MessagingSchema(StrictSettings):
    """What an admin may change; any other key, at any level, is refused."""

    smtp = fields.Nested(SmtpSchema, allow_none=True)
    sms = fields.Nested(SmsSchema, allow_none=True)
    caps_hours = fields.Dict(keys=fields.String(validate=OneOf(tuple(DEFAULT_CAPS))),
                             values=fields.Integer(validate=Range(0, 24 * 90)))
    duplicate_hours = fields.Integer(validate=Range(0, 24 * 365))
    customer_timezone = fields.String(validate=OneOf(MODES))
    consent_for = fields.String(validate=OneOf(CONSENT_RULES))
    language = fields.String(allow_none=True, validate=OneOf(("en", "ru")))


@dataclass(frozen=True)
class MessagingConfig:
    smtp: dict | None = None  # with "password" decrypted
    sms: dict | None = None  # with "api_key" decrypted
    caps_hours: dict = field(default_factory=lambda: dict(DEFAULT_CAPS))
    duplicate_hours: int = DEFAULT_DUPLICATE_HOURS
    customer_timezone: str = "auto"
    language: str | None = None
    consent_for: str = "marketing"

    def public(self) -> dict:
        """What may be shown: secrets replaced by whether they are set."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        for section, name in SECRET_FIELDS:
            if out.get(section):
                out[section] = {**out[section], name: "***" if out[section].get(name) else None}
        return out


def load(session: Session, member_id: str, cipher) -> MessagingConfig:
    row = session.get(MessagingSettings, member_id)
    if row is None:
        return MessagingConfig()
    data = dict(row.data or {})
    secrets = json.loads(cipher.decrypt(row.secrets_enc)) if row.secrets_enc else {}
    for section, name in SECRET_FIELDS:
        if data.get(section) is not None:
            data[section] = {**data[section], name: secrets.get(f"{section}.{name}")}
    caps = {**DEFAULT_CAPS, **(data.pop("caps_hours", None) or {})}
    return replace(MessagingConfig(caps_hours=caps), **{k: v for k, v in data.items()
                                                         if k in MessagingConfig.__dataclass_fields__})


def update(session: Session, member_id: str, cipher, changes: dict, now: datetime) -> MessagingConfig:
    """Validate and merge `changes` (a section set to null removes it; a secret left out keeps its value)."""
    loaded = MessagingSchema().load(changes)
    row = session.get(MessagingSettings, member_id)
    if row is None:
        row = MessagingSettings(member_id=member_id, data={}, updated_at=now)
        session.add(row)
    data = dict(row.data or {})
    secrets = json.loads(cipher.decrypt(row.secrets_enc)) if row.secrets_enc else {}
    for section, name in SECRET_FIELDS:
        if section not in loaded:
            continue
        if loaded[section] is None:
            secrets.pop(f"{section}.{name}", None)
            continue
        value = loaded[section].pop(name, None)
        if value is not None:
            secrets[f"{section}.{name}"] = value
    if "caps_hours" in loaded:
        loaded["caps_hours"] = {**(data.get("caps_hours") or {}), **loaded["caps_hours"]}
    data.update(loaded)
    row.data, row.updated_at = data, now
    row.secrets_enc = cipher.encrypt(json.dumps(secrets, sort_keys=True)) if secrets else None
    session.flush()
    return load(session, member_id, cipher)
