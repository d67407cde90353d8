"""Templates: defaults in two languages, a portal's own wording, placeholders, the preview and the CLI."""
from __future__ import annotations

import json

import pytest

from bitrix_app.messaging import templates
from bitrix_app.messaging.template_defaults import DEFAULTS, LANGUAGES, PLACEHOLDERS
from bitrix_app.store.db import transaction
from tests.fixtures.portal_row import add_portal

MEMBER = "m-templates"


def test_every_default_exists_in_both_languages_and_uses_known_placeholders():
    assert {"payment_reminder", "pickup_reminder", "review_request", "birthday_greeting", "we_miss_you",
            "abandoned_cart"} <= set(DEFAULTS)
    for code in DEFAULTS:
        for lang in LANGUAGES:
            shown = templates.preview(templates.default(code, lang), templates.sample_context(lang))
            assert shown.unknown == () and shown.missing == () and shown.text and shown.sms
    assert not DEFAULTS["payment_reminder"]["marketing"] and DEFAULTS["we_miss_you"]["marketing"]


def test_preview_fills_placeholders_from_order_and_customer():
    order = {"number": "1001", "total": "540.00", "currency": "EUR",
             "items": [{"name": "City bike", "quantity": 1, "price": "500.00"}]}
    context = templates.context_from({"first_name": "Ann"}, order=order, shop="Bike shop", link="https://p/1001")
    shown = templates.preview(templates.default("payment_reminder", "en"), context)
    assert shown.subject == "Order #1001 at Bike shop is waiting for payment"
    assert "Hello Ann," in shown.text and "- City bike × 1: 500.00 EUR" in shown.text
    assert "Total: 540.00 EUR" in shown.text and shown.sms.endswith("540.00 EUR. https://p/1001")
    bare = templates.preview(templates.default("payment_reminder", "en"), {"order_number": "7"})
    assert bare.text.startswith("Hello,") and "first_name" in bare.missing


def test_a_portal_template_overrides_the_default_and_rejects_unknown_names(app):
    factory = app.extensions["bitrix_app"]["sessions"]
    now = app.extensions["bitrix_app"]["clock"].now()
    with transaction(factory) as s:
        saved = templates.save(s, MEMBER, "we_miss_you", "ru", now, text="{first_name}, ждём вас в {shop}!")
        assert saved.custom and saved.subject == templates.default("we_miss_you", "ru").subject
        with pytest.raises(templates.TemplateError, match="unknown placeholders: secret"):
            templates.save(s, MEMBER, "we_miss_you", "ru", now, text="{secret.__class__} {secret}")
    with transaction(factory) as s:
        got = templates.get(s, MEMBER, "we_miss_you", "ru")
        assert templates.preview(got, {"first_name": "Анна", "shop": "Велосипеды"}).text == "Анна, ждём вас в Велосипеды!"
        assert not templates.get(s, MEMBER, "we_miss_you", "en").custom


def test_the_cli_lists_and_previews_templates(app):
    add_portal(app, MEMBER)
    runner = app.test_cli_runner()
    out = runner.invoke(args=["messages", "templates", "--member-id", MEMBER, "--language", "en"])
    assert out.exit_code == 0, out.output
    codes = [json.loads(line)["code"] for line in out.output.strip().splitlines()]
    assert codes == list(DEFAULTS)
    out = runner.invoke(args=["messages", "preview", "--member-id", MEMBER, "--template", "abandoned_cart"])
    shown = json.loads(out.output)
    assert shown["language"] == "en" and "City bike" in shown["text"] and shown["missing"] == []
    assert shown["placeholders"] == sorted(PLACEHOLDERS)
    out = runner.invoke(args=["messages", "template-set", "--member-id", MEMBER, "--template", "review_request",
                              "--language", "en", "--sms", "Rate {order_number}: {link}"])
    assert out.exit_code == 0 and json.loads(out.output)["custom"]
    out = runner.invoke(args=["messages", "preview", "--member-id", MEMBER, "--template", "review_request",
                              "--context", '{"order_number": "7"}'])
    shown = json.loads(out.output)
    assert shown["sms"] == "Rate 7:" and "link" in shown["missing"]
    out = runner.invoke(args=["messages", "preview", "--member-id", MEMBER, "--template", "nope"])
    assert out.exit_code != 0 and "no template" in out.output


def test_the_cli_writes_an_own_template_that_the_api_lists(app):
    add_portal(app, MEMBER)
    runner = app.test_cli_runner()
    args = ["messages", "template-set", "--member-id", MEMBER, "--template", "spring_sale", "--language", "en"]
    out = runner.invoke(args=[*args, "--text", "Hi {first_name}, {unknown}", "--name", "Spring sale"])
    assert out.exit_code != 0 and "unknown placeholders: unknown" in out.output
    out = runner.invoke(args=[*args, "--text", "Hi {first_name}\n{products}", "--name", "Spring sale",
                              "--channel", "email"])
    assert out.exit_code == 0, out.output
    made = json.loads(out.output)
    assert made["name"] == "Spring sale" and not made["builtin"] and made["channel"] == "email" and made["marketing"]
    with transaction(app.extensions["bitrix_app"]["sessions"]) as s:
        assert [t.code for t in templates.all_for(s, MEMBER, "ru")][-1] == "spring_sale"  # any language answers
    out = runner.invoke(args=[*args, "--reset"])
    assert json.loads(out.output) == {"code": "spring_sale", "language": "en", "deleted": True}
