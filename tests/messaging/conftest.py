"""A messaging context on the test database, a real local SMTP server (aiosmtpd) and an SMS receiver."""
from __future__ import annotations

import socket
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from bitrix_app.clock import FrozenClock
from bitrix_app.messaging import config as messaging_config
from bitrix_app.shops.settings import ShopSettings
from bitrix_app.store.db import transaction
from tests.fixtures.receiver import Receiver

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)  # a Monday, 10:00 UTC
MEMBER = "m-messaging"


@pytest.fixture
def msg_ctx(app):
    """Build a context as the drain has one, on the app's database; `configure` stores messaging settings."""
    ext = app.extensions["bitrix_app"]

    def build(now: datetime = T0, **settings) -> SimpleNamespace:
        ctx = SimpleNamespace(member_id=MEMBER, sessions=ext["sessions"], clock=FrozenClock(now), client=None,
                              responsible_id=1, settings=ShopSettings(**settings), cipher=ext["cipher"])
        ctx.configure = lambda changes: _configure(ctx, changes)
        return ctx

    return build


def _configure(ctx, changes: dict):
    with transaction(ctx.sessions) as s:
        return messaging_config.update(s, ctx.member_id, ctx.cipher, changes, ctx.clock.now())


class Inbox:
    """aiosmtpd handler: keeps every message the server accepted."""

    def __init__(self):
        self.mails = []

    async def handle_DATA(self, server, session, envelope):
        self.mails.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    def check(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"shop" and auth_data.password == b"pa55word"
        return AuthResult(success=ok, handled=False)

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(), authenticator=check,
                            auth_require_tls=False)
    controller.start()
    yield SimpleNamespace(host="127.0.0.1", port=controller.port, inbox=inbox)
    controller.stop()


@pytest.fixture
def sms_gateway():
    """A local HTTP receiver standing in for the SMS gateway; set `reply_body` for its answers."""
    rec = Receiver().start()
    yield rec
    rec.stop()
