"""The messages screen in the portal frame: the admin sets up the shop's SMTP server (the connection check works),
writes a template with a product block by inserting placeholders, previews it with a real customer (the helmet
others bought with her bike is recommended), sends a test to herself (it arrives at the SMTP server with the
recommended product) and sees it in the message log."""
from __future__ import annotations

import socket
from datetime import timedelta
from types import SimpleNamespace

import pytest

from tests.browser.live_portal import MAIN, LivePortal, off_the_loop
from tests.fixtures.shop_env import T0, connect_shop, iso, order_event

pytestmark = pytest.mark.long  # handed out first in a parallel run

HELMET = [{"sku": "HELMET-1", "name": "Helmet", "category": "helmets", "price": "40.00", "quantity": 1},
          {"sku": "BIKE-1", "name": "City bike", "category": "bikes", "price": "500.00", "quantity": 1}]
WORDS = {
    "ru": {"tab": "Сообщения", "channels": "Каналы", "templates": "Шаблоны", "works": "Работает.",
           "saved": "Сохранено.", "sent": "Тест отправлен.", "name": "Осеннее предложение",
           "test": "Тестовая отправка"},
    "en": {"tab": "Messages", "channels": "Channels", "templates": "Templates", "works": "It works.",
           "saved": "Saved.", "sent": "The test was sent.", "name": "Autumn offer", "test": "Test send"},
}


class Inbox:
    def __init__(self):
        self.mails = []

    async def handle_DATA(self, server, session, envelope):
        self.mails.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield SimpleNamespace(port=port, inbox=inbox)
    controller.stop()


def _seed(portal_env):
    shop = connect_shop(portal_env())
    for order_id, at, extra in (("A1", T0 - timedelta(days=30), {}),
                                ("B1", T0 - timedelta(days=20), {"email": "bob@example.com",
                                                                 "phone": "+7 999 000-11-22", "items": HELMET})):
        assert shop.post(order_event(order_id, status="paid", version=at, created_at=iso(at),
                                     **extra)).status_code == 202
    shop.work()
    return shop


@pytest.fixture
def seeded(shared_portal, manifest):
    shop = off_the_loop(lambda: shared_portal(_seed))
    return shop, LivePortal(shop.env)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_template_with_a_product_block_is_previewed_and_sent_as_a_test(seeded, smtp_server, page, screenshots,
                                                                          lang):
    shop, live = seeded
    words = WORDS[lang]
    page.set_viewport_size({"width": 1280, "height": 1000})
    main, _ = live.open(page, lang=lang)
    main.get_by_role("tab", name=words["tab"], exact=True).click()
    screen = main.get_by_test_id("messages")

    screen.get_by_role("tab", name=words["channels"]).click()
    smtp = screen.get_by_test_id("smtp-form")
    smtp.get_by_test_id("smtp-host").fill("127.0.0.1")
    smtp.get_by_test_id("smtp-port").fill(str(smtp_server.port))
    smtp.get_by_test_id("smtp-security").click()
    main.get_by_role("option", name={"ru": "Без шифрования", "en": "No encryption"}[lang]).click()
    smtp.get_by_test_id("smtp-from").fill("shop@example.com")
    smtp.get_by_test_id("smtp-save").click()
    smtp.get_by_test_id("smtp-test").click()
    smtp.get_by_test_id("smtp-check").get_by_text(words["works"]).wait_for()

    screen.get_by_role("tab", name=words["templates"]).click()
    screen.get_by_test_id("template-create").click()
    editor = screen.get_by_test_id("template-editor")
    editor.get_by_test_id("template-name").fill(words["name"])
    editor.get_by_test_id("template-subject").fill("Ride on")
    text = editor.get_by_test_id("template-text")
    text.fill("Hello ")
    text.click()
    text.press("End")
    editor.get_by_test_id("placeholder-first_name").click()
    text.press("End")
    text.type(",\n\n")
    editor.get_by_test_id("placeholder-products").click()
    assert text.input_value() == "Hello {first_name},\n\n{products}"
    editor.get_by_test_id("template-save").click()
    editor.get_by_test_id("template-notice").get_by_text(words["saved"]).wait_for()

    editor.get_by_test_id("customer-search").fill("ann@")
    live.typed(page)
    editor.get_by_test_id("customer-option").filter(has_text="ann@example.com").click()
    editor.get_by_test_id("picked-customer").get_by_text("Ann Lee").wait_for()
    editor.get_by_test_id("template-preview").click()
    shown = editor.get_by_test_id("preview-text")
    shown.get_by_text("Hello Ann,").wait_for()
    assert "- Helmet: 40.00 EUR" in shown.inner_text() and "City bike" not in shown.inner_text()

    editor.get_by_test_id("template-test-send").click()
    editor.get_by_test_id("test-send-result").get_by_text(words["sent"]).wait_for()
    [mail] = smtp_server.inbox.mails
    assert mail.rcpt_tos == ["admin@sandbox.test"] and b"Helmet: 40.00 EUR" in mail.content

    log = screen.get_by_test_id("message-log")
    log.get_by_test_id("log-refresh").click()
    row = log.get_by_test_id("log-table").locator("tbody tr").first
    row.get_by_text(words["name"]).wait_for()
    row.get_by_text(words["test"]).wait_for()
    page.locator(MAIN).screenshot(path=str(screenshots / f"messages-{lang}.png"))
    assert page.console_errors == []
