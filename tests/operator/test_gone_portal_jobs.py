"""Jobs for a portal that is not installed (never was, or was uninstalled since) end quietly, without a retry."""
from __future__ import annotations

import json
import logging

from sqlalchemy import update

from bitrix_app import messaging
from bitrix_app.jobs.worker import run_burst
from bitrix_app.messaging import journal
from bitrix_app.portals import start_setup
from bitrix_app.portals import setup_portal
from bitrix_app.scope import app_services
from bitrix_app.robots.message_later import as_data, send_later
from bitrix_app.robots.runner import run_call
from bitrix_app.store.message_models import MessageRecord
from bitrix_app.store.models import PortalRecord
from bitrix_app.store.robot_models import RobotCall
from tests.fixtures.segment_portal import portal  # noqa: F401
from tests.segments.history import NOW, History


def _uninstall(hist: History) -> None:
    with hist.session() as s:
        s.execute(update(PortalRecord).where(PortalRecord.member_id == hist.member_id).values(status="deleted"))


def test_setup_for_an_unknown_portal_ends_quietly_in_the_worker(portal, redis_conn, caplog):
    caplog.set_level(logging.INFO, "bitrix_app.portals.installed")
    with portal.app.app_context():
        job = start_setup(app_services(), "nosuch")
    run_burst(portal.app, redis_conn)
    assert job.get_status(refresh=True) == "finished" and job.return_value() == {
        "skipped": "the portal is not installed"}
    assert "setup for member_id nosuch skipped: no such portal" in caplog.text


def test_setup_for_an_uninstalled_portal_ends_quietly(portal, caplog):
    caplog.set_level(logging.INFO, "bitrix_app.portals.installed")
    _uninstall(portal)
    with portal.app.app_context():
        assert setup_portal(portal.member_id) == {"skipped": "the portal is not installed"}
    assert f"setup for member_id {portal.member_id} skipped: the portal was uninstalled" in caplog.text


def test_a_robot_call_of_an_uninstalled_portal_is_closed_without_running(portal):
    with portal.session() as s:
        row = RobotCall(member_id=portal.member_id, code="assign_responsible", event_token="tok", workflow_id="wf",
                        document_id=json.dumps(["crm", "CCrmDocumentDeal", "DEAL_5"]),
                        document_type=json.dumps(["crm", "CCrmDocumentDeal", "DEAL"]), waits=True, received_at=NOW)
        s.add(row)
        s.flush()
        call_id = row.id
    _uninstall(portal)
    with portal.app.app_context():
        assert run_call(call_id) == "skipped"
    with portal.session() as s:
        row = s.get(RobotCall, call_id)
        assert (row.status, row.runs, row.reply_status) == ("failed", 0, "failed")
        assert row.error == "the portal is not installed"


def test_a_deferred_message_of_an_uninstalled_portal_is_recorded_as_skipped(portal):
    message = messaging.Message(key="robot:1", source="robot", recipient=messaging.Recipient(contact_id=7,
                                email="ann@example.com", consent_email=True),
                                subject="Hi", text="Hello", owner_type_id=2, owner_id=5)
    with portal.session() as s:
        journal.write(s, portal.member_id, message, journal.DEFERRED, NOW, channel="email")
    _uninstall(portal)
    with portal.app.app_context():
        assert send_later(portal.member_id, as_data(message), None, None) == "skipped"
        assert send_later("nosuch", as_data(message), None, None) == "skipped"
    with portal.session() as s:
        [row] = s.query(MessageRecord).all()
        assert (row.status, row.reason) == ("skipped", "the portal is not installed")


def test_a_segment_write_back_or_campaign_run_of_an_uninstalled_portal_ends_quietly(portal, caplog):
    from bitrix_app.campaigns.jobs import run_portal
    from bitrix_app.segments import write_back

    caplog.set_level(logging.INFO, "bitrix_app.portals.installed")
    _uninstall(portal)
    with portal.app.app_context():
        assert write_back(portal.member_id) == {"skipped": "the portal is not installed"}
        assert run_portal(portal.member_id) == {"skipped": "the portal is not installed"}
    for job in ("segment write-back", "campaign run"):
        assert f"{job} for member_id {portal.member_id} skipped: the portal was uninstalled" in caplog.text
