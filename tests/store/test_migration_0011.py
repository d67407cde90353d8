"""Migration 0011 on a database holding rows written as JSON text before it: they read back as the same documents
(an empty text as what the code always read it as), and a downgrade turns them back into text the old code reads.

Runs on the test run's database: a file of its own on SQLite; on PostgreSQL the shared test database, migrated
back to the head with no rows when done."""
from __future__ import annotations

import json
import math
from datetime import datetime, timezone

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bitrix_app.store.campaign_models import Campaign, CampaignEntry
from bitrix_app.store.db import make_engine
from bitrix_app.store.migrate import current, downgrade, upgrade
from bitrix_app.store.models import PortalRecord
from bitrix_app.store.robot_models import RobotCall
from bitrix_app.store.segment_models import SegmentDefinition
from bitrix_app.store.shop_models import PortalSettings
from tests.fixtures import services

T = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
SETTINGS = {"cart_delay_minutes": 45, "stage_map": {"paid": "WON"}, "segments": {"lifecycle": {"active_days": 30}},
            "app_admins": [5, 7], "timezone": "Europe/Moscow", "note": "Ёлка \"quoted\""}
ROBOTS = {"customer_profile": "0123456789abcdef", "send_message": "fedcba9876543210"}
PROPERTIES = {"template": "we_miss_you", "channel": "sms", "text": "Привет"}
RETURNED = {"status": "ok", "error": "", "messageId": "m-1"}
ACTIONS = [{"type": "message", "template": "we_miss_you"}, {"type": "deal", "title": "Call back"}]
RESULTS = {"0": {"type": "message", "status": "done"}, "1": {"type": "deal", "status": "error", "error": "x"}}
PARAMS = {"field": "age", "op": "<", "value": math.inf}
PORTAL = {"domain": "old.example.com", "client_endpoint": "https://old.example.com/rest/",
          "application_token_enc": "enc"}


def _insert(conn, table: str, row: dict) -> None:
    conn.execute(text(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})"), row)


def _old_rows(conn) -> None:
    """Rows as the 0010 schema holds them: JSON written by json.dumps into text columns."""
    _insert(conn, "portal_settings", {"member_id": "m-1", "data": json.dumps(SETTINGS, sort_keys=True), "updated_at": T})
    _insert(conn, "portal_settings", {"member_id": "m-2", "data": "", "updated_at": T})
    _insert(conn, "portals", {"member_id": "m-1", **PORTAL, "registered_robots": json.dumps(ROBOTS, sort_keys=True)})
    _insert(conn, "portals", {"member_id": "m-2", **PORTAL, "registered_robots": None})
    _insert(conn, "portals", {"member_id": "m-3", **PORTAL, "registered_robots": ""})
    call = {"member_id": "m-1", "code": "send_message", "workflow_id": "wf", "waits": True, "timeout_duration": 0,
            "document_id": json.dumps(["crm", "CCrmDocumentDeal", "DEAL_5"]), "status": "done",
            "document_type": json.dumps(["crm", "CCrmDocumentDeal", "DEAL"]), "reply_status": "sent", "runs": 1,
            "received_at": T}
    _insert(conn, "robot_calls", {**call, "event_token": "t-1", "return_values": json.dumps(RETURNED),
                                  "properties": json.dumps(PROPERTIES, ensure_ascii=False, sort_keys=True)})
    _insert(conn, "robot_calls", {**call, "event_token": "t-2", "properties": "{}", "return_values": None})
    _insert(conn, "campaigns", {"id": 1, "member_id": "m-1", "code": "WIN_BACK", "name_en": "W", "name_ru": "В",
                                "segment": "LAPSED", "trigger": "enter", "hour": 10, "cooldown_days": 30,
                                "holdout_percent": 5, "attribution_days": 14, "enabled": True, "created_at": T,
                                "updated_at": T, "actions": json.dumps(ACTIONS, ensure_ascii=False)})
    _insert(conn, "campaign_entries", {"member_id": "m-1", "campaign_id": 1, "customer_id": 9, "run_key": "t:1",
                                       "entered_at": T, "window_ends_at": T, "holdout": False, "status": "pending",
                                       "reached": True, "attempts": 1, "updated_at": T,
                                       "results": json.dumps(RESULTS, ensure_ascii=False, sort_keys=True)})
    _insert(conn, "segment_definitions", {"member_id": "m-1", "code": "YOUNG", "kind": "custom", "name_en": "Y",
                                          "name_ru": "М", "enabled": True, "updated_at": T,
                                          "params": json.dumps(PARAMS)})  # Infinity: stored before it was refused


def _documents(engine) -> dict:
    with Session(engine) as s:
        return {
            "settings": {r.member_id: r.data for r in s.scalars(select(PortalSettings))},
            "robots": {r.member_id: r.registered_robots for r in s.scalars(select(PortalRecord))},
            "calls": {r.event_token: (r.properties, r.return_values) for r in s.scalars(select(RobotCall))},
            "actions": s.scalar(select(Campaign.actions)),
            "results": s.scalar(select(CampaignEntry.results)),
            "params": s.scalar(select(SegmentDefinition.params)),
        }


def _texts(engine) -> dict:
    with engine.connect() as conn:
        return {
            "settings": dict(conn.execute(text("SELECT member_id, data FROM portal_settings")).all()),
            "robots": dict(conn.execute(text("SELECT member_id, registered_robots FROM portals")).all()),
            "properties": dict(conn.execute(text("SELECT event_token, properties FROM robot_calls")).all()),
            "params": conn.execute(text("SELECT params FROM segment_definitions")).scalar(),
        }


def test_json_text_written_before_0011_reads_back_as_the_same_documents(tmp_path):
    url = services.test_database_url(str(tmp_path))
    services.reset_schema(url)
    upgrade(url, "0010")
    engine = make_engine(url)  # the app's engine: its JSON serializer writes what PostgreSQL accepts
    try:
        with engine.begin() as conn:
            _old_rows(conn)
        upgrade(url, "0011")
        assert current(url) == "0011"
        docs = _documents(engine)
        assert docs["settings"] == {"m-1": SETTINGS, "m-2": {}}
        assert docs["robots"] == {"m-1": ROBOTS, "m-2": None, "m-3": None}
        assert docs["calls"] == {"t-1": (PROPERTIES, RETURNED), "t-2": ({}, None)}
        assert (docs["actions"], docs["results"], docs["params"]) == (ACTIONS, RESULTS, PARAMS)

        with Session(engine) as s:  # written through the models as documents, Python None stays SQL NULL
            row = s.get(PortalSettings, "m-2")
            row.data = {**row.data, "cart_delay_minutes": 90}
            s.scalar(select(PortalRecord).where(PortalRecord.member_id == "m-1")).registered_robots = None
            s.commit()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM portals WHERE registered_robots IS NULL")).scalar() == 3

        downgrade(url, "0010")  # text again, which the code before 0011 reads with json.loads
        old = _texts(engine)
        assert {k: json.loads(v) for k, v in old["settings"].items()} == {"m-1": SETTINGS,
                                                                          "m-2": {"cart_delay_minutes": 90}}
        assert set(old["robots"].values()) == {None}
        assert {k: json.loads(v) for k, v in old["properties"].items()} == {"t-1": PROPERTIES, "t-2": {}}
        assert json.loads(old["params"]) == PARAMS
    finally:
        engine.dispose()
        if not url.startswith("sqlite"):  # leave the shared database as the session's fixture made it
            services.reset_schema(url)
            upgrade(url)
