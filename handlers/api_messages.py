"""Admin JSON API of the messages screen's templates: /api/v1/portals/<member_id>/messages/... lists the built-in
and the admin's own templates, reads, writes, resets or deletes one (an unknown placeholder is a 422 naming the
part), lists the placeholders, finds customers to preview against, renders a preview with a real customer's values
and sends a test to the asking admin. Every view needs the admin role."""
from __future__ import annotations

import uuid
from dataclasses import replace

from flask import Blueprint, g, jsonify, request
from marshmallow import ValidationError

from webedge import services
from bitrix_app.messaging import PortalMessaging, placeholders, templates, trial
from bitrix_app.placement import message_templates
from bitrix_app.placement.card_words import CHANNELS, coded
from bitrix_app.scope import portal_scope
from bitrix_app.shops.settings import get_settings
from webedge.admin_api import in_portal, json_object
from webedge.admin_auth import admin_required
from webedge.api_doc import documented

from .message_schemas import (CustomerList, CustomerQuery, LangQuery, NewTemplateBody, PlaceholderGroups,
                              TemplateAnswer, TemplateBody, TemplateDraftBody, TemplateList, TemplatePreviewAnswer,
                              TemplateQuery, TestSendAnswer)

bp = Blueprint("api_messages", __name__, url_prefix="/api/v1/portals/<member_id>/messages")


def _lang() -> str:
    return LangQuery().load(request.args.to_dict())["lang"]


def _saving(work):
    """A TemplateError (unknown placeholder, empty text, bad code) is a 422 naming the part at fault."""
    def run(s):
        try:
            return work(s)
        except templates.TemplateError as err:
            raise ValidationError({err.field: [str(err)]}) from err
    return run


@bp.get("/templates")
@documented(query=LangQuery, answer=TemplateList)
@admin_required
def list_templates(member_id: str):
    """Every template: the built-ins (which languages the portal rewrote) and the admin's own."""
    lang = _lang()
    return jsonify({"templates": in_portal(member_id, lambda s: message_templates.listing(s, member_id, lang))})


@bp.get("/templates/<code>")
@documented(query=TemplateQuery, answer=TemplateAnswer)
@admin_required
def get_template(member_id: str, code: str):
    """One template in a language: the portal's wording, else the built-in's."""
    query = TemplateQuery().load(request.args.to_dict())
    language = query["language"] or query["lang"]
    return jsonify(in_portal(member_id, lambda s: message_templates.one(s, member_id, code, language, query["lang"])))


@bp.post("/templates")
@documented(query=LangQuery, body=NewTemplateBody, answer=TemplateAnswer, status=201)
@admin_required
def create_template(member_id: str):
    """Write a new template (a name, channel, subject and text); its code is made here."""
    lang, body, now = _lang(), NewTemplateBody().load(json_object()), services.clock().now()
    code = f"own_{uuid.uuid4().hex[:10]}"

    def work(s):
        templates.save(s, member_id, code, body["language"], now, body.get("subject", ""), body["text"],
                       body.get("sms", ""), name=body["name"], channel=body.get("channel", "any"),
                       marketing=body.get("marketing", True))
        return message_templates.one(s, member_id, code, body["language"], lang)

    return jsonify(in_portal(member_id, _saving(work))), 201


@bp.put("/templates/<code>")
@documented(query=LangQuery, body=TemplateBody, answer=TemplateAnswer)
@admin_required
def save_template(member_id: str, code: str):
    """Change a template's wording in one language (a built-in keeps its defaults for what is left out)."""
    lang, body, now = _lang(), TemplateBody().load(json_object()), services.clock().now()

    def work(s):
        if code not in templates.DEFAULTS and not templates.languages_of(s, member_id, code):
            raise LookupError("no such template")
        templates.save(s, member_id, code, body["language"], now, body.get("subject"), body.get("text"),
                       body.get("sms"), name=body.get("name"), channel=body.get("channel"),
                       marketing=body.get("marketing"))
        return message_templates.one(s, member_id, code, body["language"], lang)

    return jsonify(in_portal(member_id, _saving(work)))


@bp.delete("/templates/<code>")
@documented(query=TemplateQuery)
@admin_required
def delete_template(member_id: str, code: str):
    """A built-in goes back to its default wording (one language, or all); the admin's own template is deleted."""
    language = TemplateQuery().load(request.args.to_dict())["language"]

    def work(s):
        if code not in templates.DEFAULTS and not templates.languages_of(s, member_id, code):
            raise LookupError("no such template")
        templates.reset(s, member_id, code, language)
        return {"deleted": code not in templates.DEFAULTS}

    return jsonify(in_portal(member_id, work))


@bp.get("/placeholders")
@documented(query=LangQuery, answer=PlaceholderGroups)
@admin_required
def list_placeholders(member_id: str):
    """The placeholders a template may use, grouped by where their values come from."""
    lang = _lang()
    return jsonify({"groups": in_portal(member_id, lambda s: placeholders.listing(lang))})


@bp.get("/customers")
@documented(query=CustomerQuery, answer=CustomerList)
@admin_required
def find_customers(member_id: str):
    """Customers to preview a template against, by name, e-mail or phone (no query: the newest)."""
    q = CustomerQuery().load(request.args.to_dict())["q"]
    return jsonify({"customers": in_portal(member_id, lambda s: trial.find_customers(s, member_id, q))})


def _draft(s, member_id: str, body: dict) -> templates.Template:
    if body.get("code"):
        try:
            base = templates.get(s, member_id, body["code"], body["language"])
        except templates.TemplateError as err:
            raise LookupError("no such template") from err
    else:
        if not (body.get("text") or "").strip():
            raise ValidationError({"text": ["the text cannot be empty"]})
        base = templates.Template("draft", body["language"], True, "", "", "", builtin=False)
    parts = {k: body[k] for k in ("subject", "text", "sms", "channel", "marketing") if k in body}
    draft = replace(base, **parts)
    templates.check_parts({"subject": draft.subject, "text": draft.text, "sms": draft.sms})
    return draft


def _values(s, member_id: str, body: dict, lang: str) -> tuple[dict, list, dict | None]:
    if body.get("customer_id"):
        return trial.customer_context(s, member_id, body["customer_id"], lang)
    return templates.sample_context(body["language"]), sorted(templates.sample_context(body["language"])), None


@bp.post("/preview")
@documented(query=LangQuery, body=TemplateDraftBody, answer=TemplatePreviewAnswer)
@admin_required
def preview(member_id: str):
    """The template (or the editor's draft) rendered with a customer's values, else sample values."""
    lang, body = _lang(), TemplateDraftBody().load(json_object())

    def work(s):
        draft = _draft(s, member_id, body)
        values, sample, customer = _values(s, member_id, body, lang)
        shown = templates.preview(draft, values)
        return {"subject": shown.subject, "text": shown.text, "sms": shown.sms, "missing": list(shown.missing),
                "sample": sample, "customer": customer}

    return jsonify(in_portal(member_id, _saving(work)))


@bp.post("/test-send")
@documented(query=LangQuery, body=TemplateDraftBody, answer=TestSendAnswer)
@admin_required
def test_send(member_id: str):
    """Send the template (or draft) to the admin who asks: by e-mail or SMS where set up, else a notification."""
    lang, body, now = _lang(), TemplateDraftBody().load(json_object()), services.clock().now()
    user_id = g.api_grant.user_id
    if user_id is None:
        raise ValidationError({"user": ["the operator's token has no portal user to send a test to"]})
    draft, values = in_portal(member_id, _saving(lambda s: (_draft(s, member_id, body),
                                                           _values(s, member_id, body, lang)[0])))
    scope = portal_scope(member_id)
    settings = in_portal(member_id, lambda s: get_settings(s, member_id))
    result = trial.send_test(PortalMessaging(scope, settings, user_id), user_id, draft, values, now, lang)
    sent = result["outcome"] == "sent"
    text = ("Тест отправлен." if sent else "Тест не отправлен.") if lang == "ru" else (
        "The test was sent." if sent else "The test was not sent.")
    return jsonify({"outcome": result["outcome"], "channel": coded(CHANNELS, result["channel"], lang),
                    "address": result["address"], "text": text})
