"""The portal's channels over HTTP against the sandbox: a CRM e-mail activity, a staff to-do, a notification."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
import requests

from bitrix_app import messaging
from bitrix_app.clock import FrozenClock
from bitrix_app.messaging import staff
from bitrix_app.portals import client_for
from bitrix_app.shops.settings import ShopSettings
from tests.fixtures.shop_env import T0


def _portal(portal_env):
    env = portal_env(CLOCK=FrozenClock(T0))
    member_id = env.install()["member_id"]
    deal = env.rest("crm.deal.add", {"fields": {"TITLE": "Order #1001"}})
    return env, member_id, int(deal)


@pytest.fixture
def portal(shared_portal):
    env, member_id, deal = shared_portal(_portal)
    ext = env.app.extensions["bitrix_app"]  # a context of the test's own: nothing it holds outlives the test
    ctx = SimpleNamespace(member_id=member_id, sessions=ext["sessions"], clock=ext["clock"], cipher=ext["cipher"],
                          client=client_for(member_id, "high", app=env.app), responsible_id=1,
                          settings=ShopSettings())
    return SimpleNamespace(env=env, ctx=ctx, deal=deal)


def _message(deal, key="mail-1", marketing=False, consent=False):
    who = messaging.Recipient(contact_id=None, name="Ann", email="ann@example.com", consent_email=consent)
    return messaging.Message(key=key, source="shop-1", recipient=who, subject="Order #1001 is waiting for payment",
                             text="Please pay order #1001.", owner_type_id=2, owner_id=deal, marketing=marketing,
                             template="payment_reminder")


def test_a_crm_email_activity_is_sent_once(portal):
    delivery = messaging.send(portal.ctx, _message(portal.deal))
    assert delivery.status == "sent" and delivery.reference
    again = messaging.send(portal.ctx, _message(portal.deal))
    assert again.status == "sent" and again.reference == delivery.reference
    mails = portal.env.rest("crm.activity.list", {"filter": {"TYPE_ID": 4}, "select": [
        "ID", "OWNER_ID", "SUBJECT", "DIRECTION", "COMPLETED", "ORIGIN_ID", "COMMUNICATIONS"]})
    [mail] = mails
    assert mail["ORIGIN_ID"] == "mail-1" and str(mail["DIRECTION"]) == "2" and mail["COMPLETED"] == "Y"
    assert [c["VALUE"] for c in mail["COMMUNICATIONS"]] == ["ann@example.com"]
    assert mail["SUBJECT"] == "Order #1001 is waiting for payment"


def test_a_marketing_crm_email_without_consent_reaches_no_one(portal):
    delivery = messaging.send(portal.ctx, _message(portal.deal, key="mail-2", marketing=True))
    assert delivery.status == "unreachable"
    assert portal.env.rest("crm.activity.list", {"filter": {"TYPE_ID": 4}}) == []


def test_a_staff_notification_replaces_its_repeat(portal):
    first = staff.notify(portal.ctx, 2, "Ann's cart of 540 EUR was abandoned", key="notify:cart:C1")
    assert first.status == "sent" and first.reference
    assert staff.notify(portal.ctx, 2, "again", key="notify:cart:C1").detail == "sent by an earlier attempt"
    shown = requests.get(f"{portal.env.base}/_sandbox/notifications", params={"user_id": 2}, timeout=10).json()
    assert [(n["MESSAGE"], n["TAG"], n["TYPE"]) for n in shown] == [
        ("Ann's cart of 540 EUR was abandoned", "notify:cart:C1", "system")]
    unknown = staff.notify(portal.ctx, 999, "nobody", key="notify:x")
    assert unknown.status == "failed" and "no such user" in unknown.detail


def test_a_staff_todo_lands_on_the_deal(portal):
    deadline = T0 + timedelta(hours=2)
    done = staff.todo(portal.ctx, "todo:1001:call", 2, portal.deal, deadline, "Call about order #1001",
                      "The customer has not paid yet.", responsible_id=3)
    assert done.status == "sent"
    [todo] = portal.env.rest("crm.activity.list", {"filter": {"PROVIDER_ID": "CRM_TODO"}, "select": [
        "ID", "OWNER_ID", "SUBJECT", "DESCRIPTION", "RESPONSIBLE_ID", "DEADLINE"]})
    assert (todo["SUBJECT"], str(todo["OWNER_ID"]), str(todo["RESPONSIBLE_ID"])) == (
        "Call about order #1001", str(portal.deal), "3")
    assert staff.todo(portal.ctx, "todo:1001:call", 2, portal.deal, deadline, "x").status == "sent"
    assert len(portal.env.rest("crm.activity.list", {"filter": {"PROVIDER_ID": "CRM_TODO"}})) == 1
