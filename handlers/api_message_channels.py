"""Admin JSON API of the messages screen's channels, policy and log: /api/v1/portals/<member_id>/messages/...
shows the channels (CRM e-mail, the shop's SMTP server, an SMS gateway; secrets never readable, only whether they
are set), stores or removes the SMTP server and the SMS gateway (secrets encrypted; left out, kept), checks the
SMTP connection and sends a test SMS; reads and edits the policy; pages the message log with its filters. Every
view needs the admin role."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from webedge import services
from bitrix_app.messaging import PortalMessaging, channel_check, policy_settings
from bitrix_app.messaging import config as messaging_config
from bitrix_app.messaging.journal import STATUSES
from bitrix_app.placement import message_log
from bitrix_app.placement.card_words import MESSAGE_STATUS
from bitrix_app.placement.labels import named
from bitrix_app.placement.message_templates import template_names
from bitrix_app.scope import portal_scope
from bitrix_app.shops.settings import get_settings
from bitrix_app.store.campaign_models import Campaign
from webedge.admin_api import in_portal, json_object
from webedge.admin_auth import admin_required
from webedge.api_doc import documented

from .message_schemas import (ChannelsAnswer, CheckAnswer, LangQuery, LogAnswer, LogQuery, PolicyAnswer, PolicyBody,
                              SmsBody, SmsTestBody, SmtpBody)

bp = Blueprint("api_message_channels", __name__, url_prefix="/api/v1/portals/<member_id>/messages")
CHECK_TEXT = {True: ("It works.", "Работает."), False: ("It does not work.", "Не работает.")}


def _lang() -> str:
    return LangQuery().load(request.args.to_dict())["lang"]


def _channels(s, member_id: str, lang: str) -> dict:
    config = messaging_config.load(s, member_id, services.cipher())
    smtp = {**config.smtp, "password": None, "password_set": bool(config.smtp.get("password"))} \
        if config.smtp else None
    sms = {**config.sms, "api_key": None, "api_key_set": bool(config.sms.get("api_key"))} if config.sms else None
    via = "smtp" if smtp else "crm"
    names = {"smtp": ("the shop's SMTP server", "SMTP-сервер магазина"),
             "crm": ("CRM e-mail sent by the portal", "E-mail из CRM, отправляет портал")}
    return {"crm_email": {"available": True}, "smtp": smtp, "sms": sms,
            "email_via": {"code": via, "name": named(names, via, lang)}}


@bp.get("/channels")
@documented(query=LangQuery, answer=ChannelsAnswer)
@admin_required
def channels(member_id: str):
    """The channels: CRM e-mail, the SMTP server and the SMS gateway (secrets only as set or not)."""
    lang = _lang()
    return jsonify(in_portal(member_id, lambda s: _channels(s, member_id, lang)))


def _store(member_id: str, section: str, value: dict | None):
    lang, now = _lang(), services.clock().now()

    def work(s):
        messaging_config.update(s, member_id, services.cipher(), {section: value}, now)
        return _channels(s, member_id, lang)

    return jsonify(in_portal(member_id, work))


@bp.put("/channels/smtp")
@documented(query=LangQuery, body=SmtpBody, answer=ChannelsAnswer)
@admin_required
def save_smtp(member_id: str):
    """Store the shop's SMTP server (the password left out keeps the stored one)."""
    return _store(member_id, "smtp", SmtpBody().load(json_object()))


@bp.delete("/channels/smtp")
@documented(query=LangQuery, answer=ChannelsAnswer)
@admin_required
def remove_smtp(member_id: str):
    """Remove the SMTP server: e-mail goes out as CRM e-mail again."""
    return _store(member_id, "smtp", None)


@bp.put("/channels/sms")
@documented(query=LangQuery, body=SmsBody, answer=ChannelsAnswer)
@admin_required
def save_sms(member_id: str):
    """Store the SMS gateway (the API key left out keeps the stored one)."""
    return _store(member_id, "sms", SmsBody().load(json_object()))


@bp.delete("/channels/sms")
@documented(query=LangQuery, answer=ChannelsAnswer)
@admin_required
def remove_sms(member_id: str):
    """Remove the SMS gateway."""
    return _store(member_id, "sms", None)


def _checked(result: dict, lang: str):
    return jsonify({**result, "text": named(CHECK_TEXT, result["ok"], lang)})


@bp.post("/channels/smtp/test")
@documented(query=LangQuery, answer=CheckAnswer)
@admin_required
def test_smtp(member_id: str):
    """Connect to the stored SMTP server and log in (nothing is sent)."""
    lang = _lang()
    smtp = in_portal(member_id, lambda s: messaging_config.load(s, member_id, services.cipher()).smtp)
    return _checked(channel_check.smtp(smtp), lang)


@bp.post("/channels/sms/test")
@documented(query=LangQuery, body=SmsTestBody, answer=CheckAnswer)
@admin_required
def test_sms(member_id: str):
    """Send a test SMS to a number through the stored gateway (recorded in the message log)."""
    lang, body, now = _lang(), SmsTestBody().load(json_object()), services.clock().now()
    settings = in_portal(member_id, lambda s: get_settings(s, member_id))
    ctx = PortalMessaging(portal_scope(member_id), settings, None)
    return _checked(channel_check.sms_to(ctx, body["phone"], now, lang), lang)


@bp.get("/policy")
@documented(query=LangQuery, answer=PolicyAnswer)
@admin_required
def policy(member_id: str):
    """Quiet hours, frequency caps per channel, the duplicate window and the consent rule, with the rules in words."""
    lang = _lang()
    return jsonify(in_portal(member_id, lambda s: policy_settings.read(s, member_id, services.cipher(), lang)))


@bp.put("/policy")
@documented(query=LangQuery, body=PolicyBody, answer=PolicyAnswer)
@admin_required
def save_policy(member_id: str):
    """Change the policy (parts left out stay as they are)."""
    lang, body, now = _lang(), PolicyBody().load(json_object()), services.clock().now()
    return jsonify(in_portal(member_id, lambda s: policy_settings.update(s, member_id, services.cipher(), body, now,
                                                                          lang)))


def _filters(s, member_id: str, lang: str) -> dict:
    names = template_names(s, member_id, lang)
    campaigns = [{"id": c.id, "name": c.name_ru if lang == "ru" else c.name_en}
                 for c in s.query(Campaign).filter(Campaign.member_id == member_id).order_by(Campaign.id)]
    return {"templates": [{"code": code, "name": name} for code, name in names.items()],
            "campaigns": campaigns, "outcomes": [{"code": st, "name": named(MESSAGE_STATUS, st, lang)}
                                                 for st in STATUSES]}


@bp.get("/log")
@documented(query=LogQuery, answer=LogAnswer)
@admin_required
def log(member_id: str):
    """The message log, newest first, paged: what was sent, deferred or skipped and why."""
    q = LogQuery().load(request.args.to_dict())

    def work(s):
        found = message_log.page(s, member_id, q["lang"], page_no=q["page"], per_page=q["per_page"],
                                 customer_id=q["customer_id"], campaign_id=q["campaign_id"], template=q["template"],
                                 outcome=q["outcome"])
        return {**found, "filters": _filters(s, member_id, q["lang"])}

    return jsonify(in_portal(member_id, work))
