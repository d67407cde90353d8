"""Migration 0012 on a database holding rows written as JSON text before it: they read back as the same documents,
and a downgrade turns them back into text the old code reads.

Runs on the test run's database: a file of its own on SQLite; on PostgreSQL the shared test database, migrated
back to the head with no rows when done."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bitrix_app.store.db import make_engine
from bitrix_app.store.message_models import MessagingSettings
from bitrix_app.store.migrate import current, downgrade, upgrade
from bitrix_app.store.segment_models import CustomerFigures, SegmentSnapshot, SegmentState
from tests.fixtures import services

T = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
MESSAGING = {"duplicate_hours": 12, "caps_hours": {"sms": 24}, "smtp": {"host": "mail.example.com"}, "from": "Ёлка"}
CUTS = {"recency": [10, 20, 30, 40], "frequency": [1, 2, 3, 4], "monetary": [1.5, 2.5, 3.5, 4.5],
        "lifespan_years": 2.0, "codes": ["LAPSED"]}
SNAPSHOT = {"customers": 3, "active": 2, "buyers": 3, "active_share": 0.6667, "counts": {"LAPSED": 1}}
WRITTEN = {"ID": 5, "UF_CRM_SEGMENTS": ["LAPSED"], "UF_CRM_LTV": 120.5}


def _insert(conn, table: str, row: dict) -> None:
    conn.execute(text(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})"), row)


def _old_rows(conn) -> None:
    _insert(conn, "messaging_settings", {"member_id": "m-1", "updated_at": T,
                                         "data": json.dumps(MESSAGING, ensure_ascii=False, sort_keys=True)})
    _insert(conn, "messaging_settings", {"member_id": "m-2", "updated_at": T, "data": ""})
    _insert(conn, "segment_state", {"member_id": "m-1", "cuts": json.dumps(CUTS, sort_keys=True), "rebuilt_at": T})
    _insert(conn, "segment_state", {"member_id": "m-2", "cuts": "", "rebuilt_at": None})
    _insert(conn, "segment_snapshots", {"id": 1, "member_id": "m-1", "taken_at": T,
                                        "data": json.dumps(SNAPSHOT, sort_keys=True)})
    for customer_id, written in ((1, json.dumps(WRITTEN, sort_keys=True)), (2, None), (3, "")):
        _insert(conn, "customer_stats", {"customer_id": customer_id, "member_id": "m-1", "orders": 1, "revenue": 1.0,
                                         "paid_revenue": 1.0, "ltv": 0.0, "segments": "|", "dirty": False,
                                         "written": written})


def test_json_text_written_before_0012_reads_back_as_the_same_documents(tmp_path):
    url = services.test_database_url(str(tmp_path))
    services.reset_schema(url)
    upgrade(url, "0011")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            _old_rows(conn)
        upgrade(url, "0012")
        assert current(url) == "0012"
        with Session(engine) as s:
            assert {r.member_id: r.data for r in s.scalars(select(MessagingSettings))} == {"m-1": MESSAGING, "m-2": {}}
            assert {r.member_id: r.cuts for r in s.scalars(select(SegmentState))} == {"m-1": CUTS, "m-2": {}}
            assert s.scalar(select(SegmentSnapshot.data)) == SNAPSHOT
            assert {r.customer_id: r.written for r in s.scalars(select(CustomerFigures))} == {1: WRITTEN, 2: None,
                                                                                              3: None}
            s.get(MessagingSettings, "m-2").data = {"duplicate_hours": 6}
            s.commit()

        downgrade(url, "0011")  # text again, which the code before 0012 reads with json.loads
        with engine.connect() as conn:
            data = dict(conn.execute(text("SELECT member_id, data FROM messaging_settings")).all())
            cuts = conn.execute(text("SELECT cuts FROM segment_state WHERE member_id = 'm-1'")).scalar()
            written = dict(conn.execute(text("SELECT customer_id, written FROM customer_stats")).all())
        assert {k: json.loads(v) for k, v in data.items()} == {"m-1": MESSAGING, "m-2": {"duplicate_hours": 6}}
        assert json.loads(cuts) == CUTS
        assert json.loads(written[1]) == WRITTEN and written[2] is None and written[3] is None
    finally:
        engine.dispose()
        if not url.startswith("sqlite"):  # leave the shared database as the session's fixture made it
            services.reset_schema(url)
            upgrade(url)
