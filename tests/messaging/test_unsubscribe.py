"""Unsubscribing: a marketing e-mail carries the recipient's signed link and the List-Unsubscribe headers; the public
page shows the channels in the customer's language (strict CSP, no cookie) and changes consent at once (one click
or per channel); the next marketing message is not sent there, a transactional one still is; a forged or
another recipient's token changes nothing."""
from __future__ import annotations

import re
from email import message_from_bytes, policy
from types import SimpleNamespace

from sqlalchemy import func, select

from bitrix_app import messaging
from bitrix_app.messaging import unsubscribe
from bitrix_app.placement import message_log
from bitrix_app.store.db import transaction
from bitrix_app.store.message_models import MessageOptOut
from tests.fixtures.portal_row import add_portal
from tests.messaging.conftest import MEMBER, T0

WHO = messaging.Recipient(contact_id=5, name="Ann Lee", email="ann@example.com", phone="+79991234567",
                          consent_email=True, consent_sms=True)


def _message(key: str, marketing: bool = True) -> messaging.Message:
    return messaging.Message(key=key, source="shop-1", recipient=WHO, subject="We miss you", text="Come back, Ann.",
                             owner_type_id=3, owner_id=5, channels=("email",), marketing=marketing,
                             template="we_miss_you" if marketing else "payment_reminder")


def _ctx(app, msg_ctx, smtp_server):
    add_portal(app, MEMBER)
    ctx = msg_ctx()
    ctx.scope = SimpleNamespace(settings=app.extensions["bitrix_app"]["settings"])
    ctx.configure({"smtp": {"host": smtp_server.host, "port": smtp_server.port, "security": "none",
                            "username": "shop", "password": "pa55word", "from_address": "shop@example.com"}})
    return ctx


def _optouts(app) -> int:
    with transaction(app.extensions["bitrix_app"]["sessions"]) as s:
        return s.scalar(select(func.count()).select_from(MessageOptOut))


def test_one_click_unsubscribes_and_the_next_marketing_mail_is_not_sent(app, msg_ctx, smtp_server):
    ctx = _ctx(app, msg_ctx, smtp_server)
    assert messaging.send(ctx, _message("m1")).status == "sent"
    [mail] = smtp_server.inbox.mails
    parsed = message_from_bytes(mail.content, policy=policy.default)
    base = app.extensions["bitrix_app"]["settings"].APP_BASE_URL
    header = parsed["List-Unsubscribe"]
    assert header.startswith(f"<{base}/unsubscribe/") and header.endswith("?channel=email>")
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = header[1:-1]
    assert url.split("?")[0] in parsed.get_content()  # the text carries the link too
    path = url.removeprefix(base)

    client = app.test_client()
    page = client.get(path.split("?")[0])
    assert page.status_code == 200 and "Set-Cookie" not in page.headers
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "frame-ancestors 'none'" in csp
    html = page.get_data(as_text=True)
    assert "a•••@example.com" in html and "ann@example.com" not in html  # the portal's language is English

    res = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert res.status_code == 200 and _optouts(app) == 1
    later = messaging.send(ctx, _message("m2"))
    assert later.status == "unreachable" and later.reason_code == "unsubscribed"  # its own reason, not "no consent"
    with transaction(app.extensions["bitrix_app"]["sessions"]) as s:
        logged = {lang: message_log.page(s, MEMBER, lang, outcome="skipped")["messages"] for lang in ("en", "ru")}
    assert logged["en"][0]["reason"] == "The customer unsubscribed from marketing messages on this channel."
    assert logged["ru"][0]["reason"] == "Покупатель отписался от рекламных сообщений по этому каналу."
    assert messaging.send(ctx, _message("p1", marketing=False)).status == "sent"  # an order's reminder still goes
    assert len(smtp_server.inbox.mails) == 2


def test_the_page_changes_each_channel_in_the_customers_language(app):
    add_portal(app, MEMBER)
    secret = app.extensions["bitrix_app"]["settings"].SECRET_KEY
    who = unsubscribe.Subscriber(MEMBER, "ann@example.com", "+79991234567", "ru")
    path = f"/unsubscribe/{unsubscribe.token(secret, who)}"
    client = app.test_client()
    html = client.get(path).get_data(as_text=True)
    assert "Ваши подписки" in html and html.count("Отписаться") == 2
    res = client.post(path, data={"channel": "sms", "subscribed": "no"})
    html = res.get_data(as_text=True)
    assert res.status_code == 200 and "Готово" in html and "Подписаться снова" in html
    with transaction(app.extensions["bitrix_app"]["sessions"]) as s:
        assert unsubscribe.state(s, who) == {"email": True, "sms": False}
    client.post(path, data={"channel": "sms", "subscribed": "yes"})
    with transaction(app.extensions["bitrix_app"]["sessions"]) as s:
        assert unsubscribe.state(s, who) == {"email": True, "sms": True}
    assert client.post(path, data={"channel": "fax", "subscribed": "no"}).status_code == 400


def test_a_forged_or_altered_token_changes_nothing(app):
    add_portal(app, MEMBER)
    secret = app.extensions["bitrix_app"]["settings"].SECRET_KEY
    mine = unsubscribe.token(secret, unsubscribe.Subscriber(MEMBER, "ann@example.com", None, "en"))
    theirs = unsubscribe.token(secret, unsubscribe.Subscriber(MEMBER, "bob@example.com", None, "en"))
    altered = theirs.split(".")[0] + "." + mine.split(".")[1]  # Bob's address under Ann's signature
    forged = unsubscribe.token("not-the-secret", unsubscribe.Subscriber(MEMBER, "bob@example.com", None, "en"))
    client = app.test_client()
    for token in (altered, forged, "garbage", mine[:-1] + ("0" if mine[-1] != "0" else "1")):
        assert client.get(f"/unsubscribe/{token}").status_code == 404
        res = client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
        assert res.status_code == 404 and res.get_json()["error"] == "not_found"
    assert _optouts(app) == 0
    assert re.fullmatch(r"[A-Za-z0-9_-]+\.[0-9a-f]{32}", mine)


def test_an_unsubscribed_address_is_refused_as_unsubscribed_on_that_channel_only(app, msg_ctx, sms_gateway):
    ctx = msg_ctx()
    add_portal(app, MEMBER)
    ctx.configure({"sms": {"provider": "generic", "url": f"{sms_gateway.url}/x?p={{phone}}&t={{text}}"}})
    with transaction(ctx.sessions) as s:
        unsubscribe.choose(s, unsubscribe.Subscriber(MEMBER, WHO.email, WHO.phone, "en"), "email", False, T0)
    both = messaging.Message(key="b1", source="shop-1", recipient=WHO, subject="We miss you", text="Come back.",
                             owner_type_id=3, owner_id=5, channels=("email", "sms"), template="we_miss_you")
    sent = messaging.send(ctx, both)
    assert sent.status == "sent" and sent.channel == "sms"  # e-mail left, SMS still consented
    email_only = messaging.send(ctx, messaging.Message(**{**both.__dict__, "key": "b2", "channels": ("email",),
                                                          "template": "lapsed_90"}))
    assert email_only.reason_code == "unsubscribed" and "unsubscribed" in email_only.detail
    no_consent = messaging.send(ctx, messaging.Message(**{**both.__dict__, "key": "b3", "channels": ("sms",),
                                                          "template": "lapsed_180", "recipient": messaging.Recipient(
                                                              5, "Ann", WHO.email, WHO.phone, True, False)}))
    assert no_consent.reason_code == "no_consent"  # never consented is still told apart
