"""Migration 0014: templates stored before it read back the same (no name, channel or marketing of their own), the
unsubscribe table comes and goes."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import create_engine, inspect, text

from bitrix_app.store.migrate import current, downgrade, upgrade

T = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)


def test_templates_before_0014_keep_their_wording_and_the_optouts_table_comes_and_goes(tmp_path):
    url = f"sqlite:///{tmp_path}/old.db"
    upgrade(url, "0013")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO message_templates (member_id, code, language, subject, text, sms, "
                              "updated_at) VALUES ('m', 'welcome', 'en', 'Hi', 'Hello {first_name}', NULL, :at)"),
                         {"at": T})
        upgrade(url, "0014")
        assert current(url) == "0014"
        assert "message_optouts" in inspect(engine).get_table_names()
        with engine.connect() as conn:
            row = conn.execute(text("SELECT code, text, name, channel, marketing FROM message_templates")).one()
        assert tuple(row) == ("welcome", "Hello {first_name}", None, None, None)
        downgrade(url, "0013")
        assert "message_optouts" not in inspect(engine).get_table_names()
        assert "name" not in {c["name"] for c in inspect(engine).get_columns("message_templates")}
    finally:
        engine.dispose()
