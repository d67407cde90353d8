"""The real processes started together on the embedded defaults: `flask run` and `flask worker` at the same
moment share one embedded Redis, so an install's setup job reaches the worker; after SIGTERM to both, no
Redis server of theirs is left."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

from tests.app.test_embedded_redis import DEADLINE, _servers_of, _wait_for

ROOT = Path(__file__).resolve().parents[2]
FLASK = [sys.executable, "-m", "flask", "--app", "app"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code in (200, 503)
    except requests.RequestException:
        return False


def _status(engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(text("select status from portals")).scalar()


def test_app_and_worker_started_together_complete_an_install(tmp_path, sandbox_factory):
    sandbox = sandbox_factory()
    port, folder = _free_port(), tmp_path / "instance"
    database = f"sqlite:///{tmp_path}/stack.db"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(SECRET_KEY="stack-secret", B24_CLIENT_ID="local.stack.app", B24_CLIENT_SECRET="stack-s3cret",
               APP_BASE_URL=f"http://127.0.0.1:{port}", B24_OAUTH_URL=f"{sandbox.base_url}/oauth/token/",
               DATABASE_URL=database, INSTANCE_DIR=str(folder), FLASK_DEBUG="0")
    subprocess.run(FLASK + ["db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    logs = {name: open(tmp_path / f"{name}.log", "w") for name in ("web", "worker")}
    web = subprocess.Popen(FLASK + ["run", "--port", str(port), "--no-reload"], cwd=ROOT, env=env,
                           stdout=logs["web"], stderr=subprocess.STDOUT)
    worker = subprocess.Popen(FLASK + ["worker"], cwd=ROOT, env=env, stdout=logs["worker"], stderr=subprocess.STDOUT)
    engine = create_engine(database)
    try:
        _wait_for(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), "the app to answer")
        requests.post(f"{sandbox.base_url}/_sandbox/install", json={
            "app_url": f"http://127.0.0.1:{port}", "client_id": "local.stack.app",
            "client_secret": "stack-s3cret", "mode": "callback"}, timeout=30).raise_for_status()
        _wait_for(lambda: _status(engine) == "active", "the worker to finish the portal's setup")
        assert len(_servers_of(folder)) == 1
    finally:
        engine.dispose()
        for proc in (web, worker):
            proc.send_signal(signal.SIGTERM)
        killed = [name for name, proc in (("flask run", web), ("flask worker", worker)) if not _stopped(proc)]
    assert not killed, f"{killed} did not stop on SIGTERM"
    _wait_for(lambda: not _servers_of(folder), "the embedded server to stop with the last process")


def _stopped(proc: subprocess.Popen) -> bool:
    """The process ended by itself after SIGTERM; else it is killed (so the test leaves nothing behind)."""
    try:
        proc.wait(timeout=DEADLINE)
        return True
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return False
