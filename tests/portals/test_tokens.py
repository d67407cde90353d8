"""Token refresh: single-flight across processes, proactive before expiry, failures classified."""
from __future__ import annotations

import multiprocessing as mp
import sys

import pytest
from sqlalchemy import select

from webedge import services
from bitrix_app.portals import repository
from bitrix_app.rest.errors import PortalBlocked
from bitrix_app.portals.clients import client_for
from bitrix_app.store.db import transaction
from bitrix_app.store.models import PortalRecord
from tests.conftest import APP_ENV


def _redis_url(conn) -> str:
    socket = getattr(conn, "socket_file", None)
    if socket:
        return f"unix://{socket}"
    kw = conn.connection_pool.connection_kwargs
    return f"redis://{kw.get('host', '127.0.0.1')}:{kw.get('port', 6379)}/{kw.get('db', 0)}"


def _worker(env: dict, member_id: str, barrier, results) -> None:
    """One OS process: its own app, its own connections; all call the portal at the same moment."""
    from app import create_app

    app = create_app(env)
    with app.app_context():
        barrier.wait(timeout=60)
        try:
            info = client_for(member_id).call("app.info")
            results.put(("ok", info.get("CODE") or info.get("ID")))
        except Exception as exc:  # reported to the parent, which fails the test
            results.put(("error", repr(exc)))


def _process_context():
    """Separate OS processes forked from one server that imported the app once, not eight cold interpreters:
    the server preloads every project module this process has loaded (create_app imports most of them lazily)."""
    ours = ("app", "bitrix_app", "config", "handlers", "placement_ui", "webedge")
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(sorted(m for m in sys.modules if m.split(".")[0] in ours) + [__name__])
    return ctx


def test_eight_processes_hit_an_expired_token_and_refresh_once(installed, database_url, redis_conn, tmp_path):
    env, ans = installed
    oauth_before = len(env.calls("oauth/token"))
    env.control("tokens/expire", {})
    child_env = {**APP_ENV, "APP_BASE_URL": env.live.url, "DATABASE_URL": database_url,
                 "REDIS_URL": _redis_url(redis_conn), "B24_OAUTH_URL": f"{env.base}/oauth/token/",
                 "INSTANCE_DIR": str(tmp_path)}
    ctx = _process_context()
    barrier, results = ctx.Barrier(8), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(child_env, ans["member_id"], barrier, results)) for _ in range(8)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert [o[0] for o in outcomes] == ["ok"] * 8, outcomes
    assert len(env.calls("oauth/token")) - oauth_before == 1
    with env.app.app_context(), transaction(services.session_factory()) as s:
        stored = repository.tokens(s, services.cipher(), ans["member_id"])
    live = [g for g in env.sandbox.portal.refresh_grants.values() if not g.used]
    assert stored.refresh_token in {g.refresh_token for g in live}
    assert stored.access_token in env.sandbox.portal.tokens


def test_token_about_to_expire_is_refreshed_before_use(installed):
    env, ans = installed
    with env.app.app_context():
        clock = services.clock()
        with transaction(services.session_factory()) as s:
            rec = s.scalar(select(PortalRecord).where(PortalRecord.member_id == ans["member_id"]))
            rec.token_expires_at = clock.now()  # expires right now by our records
        before = len(env.calls("oauth/token"))
        client_for(ans["member_id"]).call("app.info")
        assert len(env.calls("oauth/token")) == before + 1


def test_revoked_refresh_token_blocks_the_portal_with_a_reason(installed):
    env, ans = installed
    env.sandbox.portal.refresh_grants.clear()  # the portal no longer knows our refresh token
    env.control("tokens/expire", {})
    with env.app.app_context():
        with pytest.raises(PortalBlocked) as err:
            client_for(ans["member_id"]).call("app.info")
        assert err.value.reason == "invalid_grant"
        with transaction(services.session_factory()) as s:
            rec = s.scalar(select(PortalRecord).where(PortalRecord.member_id == ans["member_id"]))
        assert rec.status == "blocked" and rec.status_reason == "invalid_grant"
        with pytest.raises(PortalBlocked):  # a blocked portal is not called again
            client_for(ans["member_id"]).call("app.info")


def test_tokens_are_never_logged(portal_env, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    env = portal_env()
    ans = env.install()
    env.control("tokens/expire", {})
    with env.app.app_context():
        client_for(ans["member_id"]).call("app.info")
    secrets = [t.access_token for t in env.sandbox.portal.tokens.values()]
    secrets += list(env.sandbox.portal.refresh_grants)
    assert secrets and caplog.records
    for record in caplog.records:
        assert not any(secret in record.getMessage() for secret in secrets), record.getMessage()[:200]
