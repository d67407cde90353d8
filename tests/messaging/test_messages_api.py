"""The messages screen's admin API on a live app and sandbox portal: templates written by the admin (an unknown
placeholder refused at save, by part, nothing stored), a preview with a real customer's values and a product
block, a test send to the asking admin (SMTP, else a portal notification) seen in the message log; channels with
write-only, encrypted secrets and their checks; the policy; the log's filters; admins only."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bitrix_app.store.message_models import MessageTemplate, MessagingSettings
from tests.fixtures.shell_page import token_of
from tests.fixtures.shop_env import T0
from tests.placement.placement_env import placement_env

HELMET = [{"sku": "HELMET-1", "name": "Helmet", "category": "helmets", "price": "40.00", "quantity": 1},
          {"sku": "BIKE-1", "name": "City bike", "category": "bikes", "price": "500.00", "quantity": 1}]


def _portal(portal_env):
    env = placement_env(portal_env)
    env.sync_order("A1", T0 - timedelta(days=30), status="paid")  # Ann: a bike and tyres
    env.sync_order("B1", T0 - timedelta(days=20), status="paid", email="bob@example.com", phone="+7 999 000-11-22",
                   items=HELMET)  # Bob bought a helmet with his bike: the helmet goes with a bike
    return env


@pytest.fixture
def pe(shared_portal):
    return shared_portal(_portal)


def _admin(pe) -> str:
    ans = pe.env.control("placements/open", {"placement": "DEFAULT", "user_id": 1, "lang": "en"})
    return token_of(ans["body"])


def _call(pe, method: str, path: str, token: str | None = None, **kwargs):
    kwargs["params"] = {"lang": "en", **kwargs.get("params", {})}
    return pe.api(method, f"/messages{path}", token or _admin(pe), **kwargs)


def _templates_stored(pe) -> int:
    with pe.session() as s:
        return s.scalar(select(func.count()).select_from(MessageTemplate))


def _ann(pe, token: str) -> dict:
    found = _call(pe, "GET", "/customers", token, params={"q": "ann@"}).json()["customers"]
    assert [c["name"] for c in found] == ["Ann Lee"]
    return found[0]


def test_a_written_template_with_a_product_block_previews_and_goes_to_the_admin(pe, smtp_server):
    token = _admin(pe)
    bad = _call(pe, "POST", "/templates", token, json={
        "language": "en", "name": "Autumn offer", "channel": "email", "subject": "For {first_name}",
        "text": "Hello {first_name}, {price_of_gold}"})
    assert bad.status_code == 422 and "price_of_gold" in bad.json()["details"]["fields"]["text"][0]
    assert _templates_stored(pe) == 0
    groups = _call(pe, "GET", "/placeholders", token, params={"lang": "ru"}).json()["groups"]
    products = next(g for g in groups if g["group"] == "products")
    assert products["name"] == "Рекомендуемые товары" and products["placeholders"][0]["token"] == "{products}"

    made = _call(pe, "POST", "/templates", token, json={
        "language": "en", "name": "Autumn offer", "channel": "email", "subject": "{first_name}, for your ride",
        "text": "Hello {first_name},\n\nyou may like:\n{products}\n\nUse {promo_code}."})
    assert made.status_code == 201, made.text
    code = made.json()["code"]
    listed = {t["code"]: t for t in _call(pe, "GET", "/templates", token).json()["templates"]}
    assert listed[code]["name"] == "Autumn offer" and not listed[code]["builtin"]
    assert listed[code]["channel"] == {"code": "email", "name": "E-mail"}
    assert listed["we_miss_you"]["name"] == "We miss you" and listed["we_miss_you"]["builtin"]

    ann = _ann(pe, token)
    shown = _call(pe, "POST", "/preview", token, json={"code": code, "language": "en", "customer_id": ann["id"]})
    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert body["subject"] == "Ann, for your ride" and "- Helmet: 40.00 EUR" in body["text"]
    assert "City bike" not in body["text"]  # she has it already
    assert "promo_code" in body["sample"] and body["customer"]["name"] == "Ann Lee"
    draft = _call(pe, "POST", "/preview", token, json={"language": "en", "text": "Hi {nope}"})
    assert draft.status_code == 422 and "nope" in draft.json()["details"]["fields"]["text"][0]

    sent = _call(pe, "POST", "/test-send", token, json={"code": code, "language": "en", "customer_id": ann["id"]})
    assert sent.json()["outcome"] == "sent" and sent.json()["channel"]["code"] == "notify"  # no SMTP yet

    smtp = {"host": smtp_server.host, "port": smtp_server.port, "security": "none", "username": "shop",
            "password": "pa55word", "from_address": "shop@example.com"}
    assert _call(pe, "PUT", "/channels/smtp", token, json=smtp).status_code == 200
    sent = _call(pe, "POST", "/test-send", token, json={"code": code, "language": "en", "customer_id": ann["id"]})
    assert sent.json() == {"outcome": "sent", "channel": {"code": "email", "name": "E-mail"},
                           "address": "admin@sandbox.test", "text": "The test was sent."}
    [mail] = smtp_server.inbox.mails
    assert mail.rcpt_tos == ["admin@sandbox.test"] and b"- Helmet: 40.00 EUR" in mail.content

    log = _call(pe, "GET", "/log", token, params={"template": code}).json()
    assert log["total"] == 1 and log["messages"][0]["status"] == {"code": "sent", "name": "sent"}
    assert log["messages"][0]["template"]["name"] == "Autumn offer" and log["messages"][0]["source"] == "Test send"
    assert {"code": code, "name": "Autumn offer"} in log["filters"]["templates"]
    assert _call(pe, "DELETE", f"/templates/{code}", token).json() == {"deleted": True}
    assert _call(pe, "GET", f"/templates/{code}", token).status_code == 404


def test_channels_keep_secrets_write_only_and_encrypted_and_check_them(pe, smtp_server, sms_gateway):
    token = _admin(pe)
    smtp = {"host": smtp_server.host, "port": smtp_server.port, "security": "none", "username": "shop",
            "password": "pa55word", "from_address": "shop@example.com"}
    shown = _call(pe, "PUT", "/channels/smtp", token, json=smtp).json()
    assert shown["smtp"]["password"] is None and shown["smtp"]["password_set"] is True
    assert shown["email_via"]["code"] == "smtp"
    with pe.session() as s:
        row = s.get(MessagingSettings, pe.member_id)
        assert "pa55word" not in (row.secrets_enc or "") and "pa55word" not in str(row.data)
    assert _call(pe, "POST", "/channels/smtp/test", token).json()["ok"] is True
    smtp.pop("password")  # left out: kept
    _call(pe, "PUT", "/channels/smtp", token, json={**smtp, "username": "shop"})
    assert _call(pe, "POST", "/channels/smtp/test", token).json()["ok"] is True
    _call(pe, "PUT", "/channels/smtp", token, json={**smtp, "password": "wrong"})
    check = _call(pe, "POST", "/channels/smtp/test", token, params={"lang": "ru"}).json()
    assert check["ok"] is False and check["text"] == "Не работает."
    assert _call(pe, "PUT", "/channels/smtp", token, json={"host": ""}).status_code == 422

    gateway = {"provider": "generic", "url": f"{sms_gateway.url}/send?to={{phone}}&msg={{text}}&key={{api_key}}",
               "method": "GET", "api_key": "SMS-KEY"}
    shown = _call(pe, "PUT", "/channels/sms", token, json=gateway).json()
    assert shown["sms"]["api_key"] is None and shown["sms"]["api_key_set"] is True
    check = _call(pe, "POST", "/channels/sms/test", token, json={"phone": "+79990001122"}).json()
    assert check["ok"] is True
    [req] = sms_gateway.at("/send")
    assert req.query["to"] == "79990001122" and req.query["key"] == "SMS-KEY"
    log = _call(pe, "GET", "/log", token, params={"outcome": "sent"}).json()
    assert log["messages"][0]["channel"]["code"] == "sms" and log["messages"][0]["source"] == "Test send"
    assert _call(pe, "DELETE", "/channels/sms", token).json()["sms"] is None


def test_the_policy_is_shown_in_words_and_edited(pe):
    token = _admin(pe)
    policy = _call(pe, "GET", "/policy", token).json()
    assert policy["quiet_hours"] == {"start": "21:00", "end": "09:00"} and policy["caps_hours"]["email"] == 16
    assert any("Quiet hours from 21:00 to 09:00" in r for r in policy["rules"])
    bad = _call(pe, "PUT", "/policy", token, json={"quiet_hours": {"start": "25:00", "end": "09:00"},
                                                   "caps_hours": {"email": 48}})
    assert bad.status_code == 422 and "quiet_hours" in bad.json()["details"]["fields"]
    assert _call(pe, "GET", "/policy", token).json()["caps_hours"]["email"] == 16  # nothing changed
    saved = _call(pe, "PUT", "/policy", token, params={"lang": "ru"}, json={
        "quiet_hours": None, "caps_hours": {"sms": 72}, "consent_for": "all"}).json()
    assert saved["quiet_hours"] is None and saved["caps_hours"] == {"email": 16, "sms": 72}
    assert "Тихих часов нет." in saved["rules"] and "Не больше одного рекламного SMS за 72 ч." in saved["rules"]
    assert "Любые сообщения — только с согласия покупателя на канал." in saved["rules"]


def test_the_messages_api_is_for_admins(pe):
    staff = pe.tab_token()
    for method, path in (("GET", "/templates"), ("GET", "/log"), ("PUT", "/policy"), ("GET", "/channels")):
        assert _call(pe, method, path, staff, json={}).status_code == 403
