"""Forged or malformed portal callbacks are rejected and leave no trace."""
from __future__ import annotations

import pytest
import requests
from sqlalchemy import func, select

from bitrix_app.jobs.queues import PRIORITY, queue
from bitrix_app.store.db import transaction
from bitrix_app.store.models import PortalRecord


def _queued(env) -> int:
    return sum(len(queue(name, env.redis)) for name in PRIORITY)


def _portals(env) -> list[tuple]:
    with transaction(env.app.extensions["bitrix_app"]["sessions"]) as s:
        return [(r.member_id, r.status, r.application_token_enc, r.access_token_enc) for r in s.scalars(select(PortalRecord))]


def _event(ans, **auth):
    form = {"event": "ONCRMDEALADD", "event_handler_id": "1", "data[FIELDS][ID]": "7", "ts": "1700000000",
            "auth[member_id]": ans["member_id"], "auth[application_token]": ans["application_token"],
            "auth[domain]": ans["domain"]}
    form.update({f"auth[{k}]": v for k, v in auth.items()})
    return form


def _installed(portal_env):
    env = portal_env()
    ans = env.install(run_jobs=False)
    env.redis.flushdb()  # forget the setup job: the checks below count what callbacks enqueue
    return env, ans


@pytest.fixture
def installed(shared_portal):
    return shared_portal(_installed)


def test_genuine_event_is_accepted_and_recorded(installed):
    env, ans = installed
    res = requests.post(f"{env.live.url}/events", data=_event(ans), timeout=10)
    assert res.status_code == 200 and res.json()["status"] == "accepted"
    env.work()
    assert env.redis.hget(f"bitrix_app:portal-events:{ans['member_id']}", "ONCRMDEALADD:7") == b"1700000000"


def test_wrong_token_unknown_portal_and_bad_bodies_are_rejected(installed):
    env, ans = installed
    before = _portals(env)
    cases = [
        (_event(ans, application_token="forged"), 401),
        (_event(ans, member_id="0" * 32), 401),
        ({"event": "ONCRMDEALADD"}, 422),
        ({"event": "ONCRMDEALADD", "auth": "not-a-map"}, 422),
    ]
    for form, status in cases:
        res = requests.post(f"{env.live.url}/events", data=form, timeout=10)
        assert res.status_code == status, (form, res.text)
        assert res.json()["error"] in ("unauthorized", "validation_error")
    garbage = requests.post(f"{env.live.url}/events", data=b"\x00\xff\x10garbage", timeout=10,
                            headers={"Content-Type": "application/octet-stream"})
    assert garbage.status_code == 422
    not_object = requests.post(f"{env.live.url}/events", json=[1, 2], timeout=10)
    assert not_object.status_code == 422
    huge = requests.post(f"{env.live.url}/events", data={"event": "x" * (2 * 1024 * 1024)}, timeout=30)
    assert huge.status_code == 413
    assert _queued(env) == 0 and _portals(env) == before


def test_forged_uninstall_does_not_delete(installed):
    env, ans = installed
    form = {"event": "ONAPPUNINSTALL", "data[CLEAN]": "1", "auth[member_id]": ans["member_id"],
            "auth[application_token]": "forged"}
    assert requests.post(f"{env.live.url}/events", data=form, timeout=10).status_code == 401
    assert _portals(env)[0][1] == "new"


def test_forged_reinstall_cannot_take_over_a_portal(installed):
    env, ans = installed
    before = _portals(env)
    form = {"event": "ONAPPINSTALL", "data[VERSION]": "1", "auth[member_id]": ans["member_id"],
            "auth[application_token]": "attacker", "auth[access_token]": "stolen", "auth[refresh_token]": "x",
            "auth[domain]": "evil.example", "auth[client_endpoint]": "http://127.0.0.1:9/rest/"}
    res = requests.post(f"{env.live.url}/install", data=form, timeout=10)
    assert res.status_code == 401
    assert _portals(env) == before and _queued(env) == 0


def test_install_callback_with_missing_fields_is_422(portal_env):
    env = portal_env()
    res = requests.post(f"{env.live.url}/install", data={"event": "ONAPPINSTALL", "auth[member_id]": "m"}, timeout=10)
    assert res.status_code == 422 and "auth" in res.json()["details"]["fields"]
    with transaction(env.app.extensions["bitrix_app"]["sessions"]) as s:
        assert s.scalar(select(func.count()).select_from(PortalRecord)) == 0
