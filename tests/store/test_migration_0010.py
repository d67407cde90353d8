"""Migration 0010 on a database holding rows written before it: they read back the same, with no reason code."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.orm import Session

from bitrix_app.messaging import journal
from bitrix_app.store.message_models import MessageRecord
from bitrix_app.store.migrate import current, downgrade, upgrade

T = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
OLD = {"member_id": "m-old", "key": "robot:7", "source": "shop-1", "template": "we_miss_you", "marketing": True,
       "channel": "sms", "transport": "generic", "address": "+79991234567", "contact_id": 5, "subject": "Hi",
       "text": "text", "status": "skipped", "reason": "sms: the customer did not consent to SMS", "attempts": 0}


def test_rows_written_before_0010_read_back_the_same(tmp_path):
    url = f"sqlite:///{tmp_path}/old.db"
    upgrade(url, "0009")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:  # a row as the 0009 schema holds it
            conn.execute(text(f"INSERT INTO messages ({', '.join(OLD)}, created_at, updated_at) "
                              f"VALUES ({', '.join(':' + k for k in OLD)}, :at, :at)"), {**OLD, "at": T})
        upgrade(url, "0010")
        assert current(url) == "0010"
        assert "reason_code" in {c["name"] for c in inspect(engine).get_columns("messages")}
        with Session(engine) as s:
            row = s.scalar(select(MessageRecord).where(MessageRecord.key == "robot:7"))
            shown = journal.as_json(row)
        assert {k: shown[k] for k in OLD if k != "text"} == {k: v for k, v in OLD.items() if k != "text"}
        assert row.text == OLD["text"]
        assert shown["reason_code"] is None and shown["created_at"] == T.isoformat()
        downgrade(url, "0009")
        assert "reason_code" not in {c["name"] for c in inspect(engine).get_columns("messages")}
        with engine.connect() as conn:
            assert conn.execute(text("SELECT status, reason FROM messages")).one() == (OLD["status"], OLD["reason"])
    finally:
        engine.dispose()
