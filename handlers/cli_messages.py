"""`flask --app app messages templates|template-set|preview|list|settings`."""
from __future__ import annotations

import json

import click

from webedge import services
from bitrix_app.messaging import config as messaging_config
from bitrix_app.messaging import journal, templates
from bitrix_app.messaging.template_defaults import LANGUAGES
from bitrix_app.store.db import transaction

from .cli_common import CliError, OperatorGroup, member_id_option, parse_json


@click.group(cls=OperatorGroup)
def messages():
    """Messages to customers: templates, preview, the message log, channel settings."""


def _language(s, member_id: str, language: str | None) -> str:
    return language or templates.language_of(s, member_id, messaging_config.load(
        s, member_id, services.cipher()).language)


def _template_json(t: templates.Template) -> dict:
    return {"code": t.code, "language": t.language, "marketing": t.marketing, "custom": t.custom,
            "builtin": t.builtin, "name": t.name, "channel": t.channel, "subject": t.subject, "text": t.text,
            "sms": t.sms}


@messages.command("templates")
@member_id_option()
@click.option("--language", type=click.Choice(LANGUAGES), help="Default: the portal's language.")
def templates_(member_id: str, language: str | None):
    """One JSON line per template (the portal's own wording where it has one, else the default)."""
    with transaction(services.session_factory()) as s:
        lang = _language(s, member_id, language)
        for t in templates.all_for(s, member_id, lang):
            click.echo(json.dumps(_template_json(t), ensure_ascii=False))


@messages.command("template-set")
@member_id_option()
@click.option("--template", "code", required=True)
@click.option("--language", type=click.Choice(LANGUAGES), required=True)
@click.option("--subject")
@click.option("--text")
@click.option("--sms")
@click.option("--name", help="Your own template (a code that is not built in): its name.")
@click.option("--channel", type=click.Choice(templates.CHANNELS), help="Your own template: email, sms or any.")
@click.option("--marketing/--transactional", default=None, help="Your own template: marketing (default) or not.")
@click.option("--reset", is_flag=True, help="Go back to the default wording (your own template: delete it).")
def template_set(member_id: str, code: str, language: str, subject, text, sms, name, channel, marketing,
                 reset: bool):
    """Change a template's subject, text or SMS text for one language, or write your own (placeholders: see
    `preview`)."""
    try:
        with transaction(services.session_factory()) as s:
            if reset:
                templates.reset(s, member_id, code, language)
                if code not in templates.DEFAULTS:
                    click.echo(json.dumps({"code": code, "language": language, "deleted": True}))
                    return
                t = templates.get(s, member_id, code, language)
            else:
                t = templates.save(s, member_id, code, language, services.clock().now(), subject, text, sms,
                                   name=name, channel=channel, marketing=marketing)
    except templates.TemplateError as err:
        raise CliError(str(err)) from err
    click.echo(json.dumps(_template_json(t), ensure_ascii=False))


@messages.command("preview")
@member_id_option()
@click.option("--template", "code", required=True)
@click.option("--language", type=click.Choice(LANGUAGES))
@click.option("--context", "context_json", metavar="JSON", help='Placeholder values, e.g. {"first_name": "Ann"}; '
                                                                'default: sample values.')
def preview(member_id: str, code: str, language: str | None, context_json: str | None):
    """The template rendered with sample (or given) values, and which placeholders had none."""
    try:
        with transaction(services.session_factory()) as s:
            lang = _language(s, member_id, language)
            t = templates.get(s, member_id, code, lang)
    except templates.TemplateError as err:
        raise CliError(str(err)) from err
    values = parse_json(context_json, "--context") if context_json else templates.sample_context(lang)
    if not isinstance(values, dict):
        raise CliError('--context is a JSON object of placeholder values, e.g. {"first_name": "Ann"}')
    shown = templates.preview(t, values)
    click.echo(json.dumps({"code": t.code, "language": lang, "marketing": t.marketing, "subject": shown.subject,
                           "text": shown.text, "sms": shown.sms, "missing": list(shown.missing),
                           "unknown": list(shown.unknown),
                           "placeholders": sorted(templates.PLACEHOLDERS)}, ensure_ascii=False))


@messages.command("list")
@member_id_option(required=False, allow_deleted=True)
@click.option("--status", type=click.Choice(journal.STATUSES))
@click.option("--limit", default=100, show_default=True)
def list_(member_id: str | None, status: str | None, limit: int):
    """The message log, newest first, one JSON line per message (what was decided and why)."""
    with transaction(services.session_factory()) as s:
        for row in journal.listing(s, member_id, status, limit):
            click.echo(json.dumps(journal.as_json(row), ensure_ascii=False))


@messages.command("settings")
@member_id_option()
@click.option("--set", "changes", metavar="JSON",
              help='e.g. {"smtp": {"host": "smtp.example.com", "from_address": "shop@example.com", "password": "…"}}')
def settings_(member_id: str, changes: str | None):
    """Show (and with --set, change) the portal's channels and policy limits; secrets are never shown."""
    cipher, changes = services.cipher(), parse_json(changes, "--set") if changes else None
    with transaction(services.session_factory()) as s:
        current = messaging_config.update(s, member_id, cipher, changes, services.clock().now()) \
            if changes is not None else messaging_config.load(s, member_id, cipher)
    click.echo(json.dumps(current.public(), ensure_ascii=False))
