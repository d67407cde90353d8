"""Marshmallow schemas of the messages admin API (handlers/api_messages.py, api_message_channels.py)."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields
from marshmallow.validate import Length, OneOf, Range

from bitrix_app.messaging import config as messaging_config
from bitrix_app.messaging.journal import STATUSES
from bitrix_app.messaging.template_defaults import LANGUAGES
from bitrix_app.messaging.templates import CHANNELS

TEXT = Length(max=20000)


class LangQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    lang = fields.String(load_default="ru", validate=OneOf(("ru", "en")))


class TemplateQuery(LangQuery):
    language = fields.String(load_default=None, validate=OneOf(LANGUAGES),
                             metadata={"description": "the template's language; default: the page's"})


class CustomerQuery(LangQuery):
    q = fields.String(load_default="", validate=Length(max=100))


class TemplateBody(Schema):
    """A template's wording in one language; name, channel and marketing belong to the admin's own templates."""

    language = fields.String(required=True, validate=OneOf(LANGUAGES))
    name = fields.String(validate=Length(1, 255))
    channel = fields.String(validate=OneOf(CHANNELS))
    marketing = fields.Boolean()
    subject = fields.String(validate=Length(max=255))
    text = fields.String(validate=Length(1, 20000))
    sms = fields.String(validate=TEXT)


class NewTemplateBody(TemplateBody):
    name = fields.String(required=True, validate=Length(1, 255))
    text = fields.String(required=True, validate=Length(1, 20000))


class TemplateDraftBody(Schema):
    """A template to render: a stored one by code, or the editor's unsaved draft (its parts override the stored)."""

    code = fields.String(validate=Length(1, 64))
    language = fields.String(required=True, validate=OneOf(LANGUAGES))
    channel = fields.String(validate=OneOf(CHANNELS))
    marketing = fields.Boolean()
    subject = fields.String(validate=Length(max=255))
    text = fields.String(validate=TEXT)
    sms = fields.String(validate=TEXT)
    customer_id = fields.Integer(validate=Range(1), allow_none=True,
                                 metadata={"description": "a customer of the portal; none: sample values"})


class TemplateAnswer(Schema):
    code = fields.String()
    name = fields.String()
    builtin = fields.Boolean()
    marketing = fields.Boolean()
    channel = fields.Dict(metadata={"description": "{code, name}"})
    languages = fields.List(fields.String())
    customised = fields.List(fields.String())
    language = fields.String()
    subject = fields.String()
    text = fields.String()
    sms = fields.String()
    custom = fields.Boolean()


class TemplateList(Schema):
    templates = fields.List(fields.Nested(TemplateAnswer))


class PlaceholderGroups(Schema):
    groups = fields.List(fields.Dict(), metadata={"description": "{group, name, placeholders: [{name, token, "
                                                                 "title}]}"})


class CustomerList(Schema):
    customers = fields.List(fields.Dict(), metadata={"description": "{id, name, email, phone}"})


class TemplatePreviewAnswer(Schema):
    subject = fields.String()
    text = fields.String()
    sms = fields.String()
    missing = fields.List(fields.String())
    sample = fields.List(fields.String(), metadata={"description": "placeholders filled with sample values"})
    customer = fields.Dict(allow_none=True)


class TestSendAnswer(Schema):
    outcome = fields.String(metadata={"description": "sent | failed"})
    channel = fields.Dict()
    address = fields.String(allow_none=True)
    text = fields.String()


class SmtpBody(messaging_config.SmtpSchema):
    """The shop's SMTP server; the password left out keeps the stored one."""


class SmsBody(messaging_config.SmsSchema):
    """An SMS gateway (SMS.ru or a URL template); the API key left out keeps the stored one."""


class ChannelsAnswer(Schema):
    crm_email = fields.Dict()
    smtp = fields.Dict(allow_none=True, metadata={"description": "settings; password_set instead of the password"})
    sms = fields.Dict(allow_none=True, metadata={"description": "settings; api_key_set instead of the key"})
    email_via = fields.Dict()


class SmsTestBody(Schema):
    phone = fields.String(required=True, validate=Length(5, 20))


class CheckAnswer(Schema):
    ok = fields.Boolean()
    text = fields.String()
    detail = fields.String(allow_none=True)


class PolicyQuietHours(Schema):
    start = fields.String(required=True, validate=Length(5, 5))
    end = fields.String(required=True, validate=Length(5, 5))


class PolicyBody(Schema):
    quiet_hours = fields.Nested(PolicyQuietHours, allow_none=True)
    timezone = fields.String(validate=Length(1, 64))
    customer_timezone = fields.String(validate=OneOf(("auto", "phone", "shop")))
    caps_hours = fields.Dict(keys=fields.String(validate=OneOf(("email", "sms"))),
                             values=fields.Integer(validate=Range(0, 24 * 90)))
    duplicate_hours = fields.Integer(validate=Range(0, 24 * 365))
    consent_for = fields.String(validate=OneOf(messaging_config.CONSENT_RULES))


class PolicyAnswer(PolicyBody):
    rules = fields.List(fields.String(), metadata={"description": "the policy in words, in the page's language"})


class LogQuery(LangQuery):
    page = fields.Integer(load_default=1, validate=Range(1, 100000))
    per_page = fields.Integer(load_default=25, validate=Range(1, 200))
    customer_id = fields.Integer(load_default=None, validate=Range(1))
    campaign_id = fields.Integer(load_default=None, validate=Range(1))
    template = fields.String(load_default=None, validate=Length(1, 64))
    outcome = fields.String(load_default=None, validate=OneOf(STATUSES))


class LogAnswer(Schema):
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    messages = fields.List(fields.Dict())
    filters = fields.Dict(metadata={"description": "templates, campaigns and outcomes to filter by, named"})
