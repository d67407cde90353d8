"""Redis down: shop events are still accepted durably (202 + row), the sweeper queues the drain once Redis is
back; the database down: 503 with Retry-After, nothing stored; /healthz says the same."""
from __future__ import annotations

import json
import socket

import pytest
from sqlalchemy import func, select

from bitrix_app.clock import FrozenClock
from bitrix_app.inbox import dispatch
from bitrix_app.jobs.queues import SYNC, queue
from bitrix_app.jobs.registry import SYNC_DRAIN
from bitrix_app.orders.adapters.signatures import sign_generic
from bitrix_app.redis_conn import connect
from bitrix_app.shops.connections import add_shop
from bitrix_app.store.db import transaction
from bitrix_app.store.models import PortalRecord
from bitrix_app.store.shop_models import InboxEvent
from tests.fixtures.shop_env import order_event

MEMBER = "outage-portal"


def dead_redis_url() -> str:
    """A port nothing listens on (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def _add_shop(app, clock) -> tuple[str, str]:
    ext = app.extensions["bitrix_app"]
    with transaction(ext["sessions"]) as s:
        s.add(PortalRecord(member_id=MEMBER, domain="outage.example.com", status="active",
                           client_endpoint="https://outage.example.com/rest/",
                           application_token_enc=ext["cipher"].encrypt("app-token")))
        s.flush()
        shop, secret = add_shop(s, ext["cipher"], MEMBER, "Outage shop", "generic", clock.now())
    return shop.shop_id, secret


def _post(client, shop_id: str, secret: str, body: dict):
    raw = json.dumps(body).encode()
    return client.post(f"/shop/v1/{shop_id}/events", data=raw,
                       headers={"Content-Type": "application/json", "X-Signature": sign_generic(raw, secret)})


def _inbox(app) -> int:
    with transaction(app.extensions["bitrix_app"]["sessions"]) as s:
        return s.scalar(select(func.count()).select_from(InboxEvent).where(InboxEvent.member_id == MEMBER))


@pytest.fixture
def clock():
    return FrozenClock()


def test_without_redis_an_event_is_accepted_and_stored_and_the_sweeper_queues_it_later(make_app, redis_conn, clock):
    down = make_app(REDIS=connect(dead_redis_url(), "unused"), CLOCK=clock)
    shop_id, secret = _add_shop(down, clock)
    client = down.test_client()

    res = _post(client, shop_id, secret, order_event("7001"))
    assert res.status_code == 202 and res.get_json()["accepted"] == 1
    assert _inbox(down) == 1
    again = _post(client, shop_id, secret, order_event("7001"))  # the shop retries: still no duplicate
    assert again.status_code == 200 and again.get_json()["status"] == "duplicate"
    assert _post(client, shop_id, "wrong-secret-0123456789", order_event("7002")).status_code == 401
    assert _inbox(down) == 1
    assert queue(SYNC, redis_conn).count == 0  # nothing could be queued

    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.get_json()["status"] == "degraded" and health.get_json()["redis"].startswith("error")

    back = make_app(CLOCK=clock)  # Redis is back (the same database)
    with back.app_context():
        assert dispatch.sweep_job() == [MEMBER]
    jobs = queue(SYNC, redis_conn).jobs
    assert [(j.func_name, j.args) for j in jobs] == [(SYNC_DRAIN.path, (MEMBER,))]


def test_a_known_shop_is_not_served_from_the_cache_while_redis_is_down(make_app, redis_conn, clock):
    """Without the generation a removed shop could live on in the cache: every lookup reads the database."""
    down = make_app(REDIS=connect(dead_redis_url(), "unused"), CLOCK=clock)
    shop_id, secret = _add_shop(down, clock)
    client = down.test_client()
    assert _post(client, shop_id, secret, order_event("7003")).status_code == 202
    with transaction(down.extensions["bitrix_app"]["sessions"]) as s:
        s.execute(PortalRecord.__table__.update().where(PortalRecord.member_id == MEMBER).values(status="deleted"))
    res = _post(client, shop_id, secret, order_event("7004"))
    assert res.status_code == 404 and res.get_json()["error"] == "unknown_shop"


def test_without_the_database_shop_events_get_503_with_retry_after(make_app):
    app = make_app(DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none")  # nothing listens there
    raw = json.dumps(order_event("7005")).encode()
    res = app.test_client().post("/shop/v1/shp_0123456789abcdef/events", data=raw, headers={
        "Content-Type": "application/json", "X-Signature": sign_generic(raw, "x" * 32)})
    assert res.status_code == 503 and res.headers["Retry-After"] == "30"
    assert res.get_json()["error"] == "unavailable" and set(res.get_json()) == {"error", "message", "details"}
    health = app.test_client().get("/healthz")
    assert health.status_code == 503 and health.headers["Retry-After"] == "30"
