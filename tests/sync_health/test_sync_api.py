"""The admin API of sync health: the installation and its token, the inbox by status with its lag, dead letters
and their retry, robot calls and their replay; admins only, unknown ids 404, bad queries 422 with nothing changed."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bitrix_app.robots import profile
from bitrix_app.store.models import PortalRecord
from bitrix_app.store.shop_models import InboxEvent, OrderRecord
from tests.fixtures.shop_env import T0, order_event
from tests.sync_health.sync_env import MANAGER, SyncEnv, sync_env


def _portal(portal_env):
    return sync_env(portal_env)


@pytest.fixture
def se(shared_portal):
    """The module's portal; page tokens are fetched afresh in each test (the clock moves)."""
    return SyncEnv(shared_portal(_portal).rb, {})


def _statuses(se) -> dict[str, str]:
    with se.shop.session() as s:
        return {e.event_id: e.status for e in s.scalars(select(InboxEvent))}


def test_health_tells_the_installation_the_inbox_with_its_lag_and_the_robot_calls(se):
    deals = se.rb.orders(("1", "paid", 3), ("2", "completed", 20))
    se.refused_order("3")
    se.rb.run("customer_profile", deals["1"])
    se.rb.clock.advance(minutes=5)
    assert se.shop.post(order_event("4")).status_code == 202  # waits: no worker ran
    se.rb.clock.advance(minutes=90)
    se.shop.env.redis.hset(f"bitrix_app:portal-events:{se.member_id}", "last", str(int(T0.timestamp())))

    res = se.api("/health")
    assert res.status_code == 200, res.text
    body = res.json()
    portal = body["portal"]
    assert portal["status"] == "active" and portal["status_reason"] is None
    assert portal["setup"]["version"] == 1 and portal["setup"]["done_at"] and portal["setup"]["error"] is None
    assert portal["pipeline"] == {"id": se.shop.category_id, "name": "Online shop"}
    assert portal["token"]["state"] == "ok" and portal["last_portal_event_at"] == "2026-11-02T10:00:00+00:00"
    inbox = body["inbox"]
    assert inbox["counts"] == {"pending": 1, "done": 2, "skipped": 0, "failed": 1}
    assert inbox["waiting"] == 1 and inbox["retrying"] == 0 and inbox["dead_letters"] == 1
    assert inbox["lag_seconds"] == 90 * 60 and inbox["oldest_waiting_at"] == "2026-11-02T10:05:00+00:00"
    assert inbox["last_processed_at"] == "2026-11-02T10:00:00+00:00"  # the sync ran at the app's clock
    assert body["robot_calls"] == {"received": 0, "running": 0, "done": 1, "failed": 0}


def test_an_aging_pair_and_a_blocked_portal_show_in_the_token_health(se):
    se.rb.clock.advance(days=40)  # the keep-alive has not refreshed the pair for 40 days
    token = se.api("/health").json()["portal"]["token"]
    assert token["state"] == "aging" and token["refresh_expires_at"]
    with se.shop.session() as s:  # the portal refused the refresh for good
        s.execute(update(PortalRecord).where(PortalRecord.member_id == se.member_id).values(
            status="blocked", status_reason="refresh token revoked"))
    portal = se.api("/health").json()["portal"]
    assert portal["status"] == "blocked" and portal["status_reason"] == "refresh token revoked"
    assert portal["token"]["state"] == "blocked"


def test_dead_letters_name_the_shop_the_order_and_the_error_in_a_kind(se):
    se.refused_order("11")
    res = se.api("/dead-letters")
    assert res.status_code == 200, res.text
    [row] = res.json()["items"]
    assert res.json()["next"] is None
    assert row["shop_name"] == "Bike shop" and row["type"] == "order.created"
    assert row["subject"] == {"kind": "order", "ref": "N-11"}
    assert row["error_kind"] == "currency_refused" and "refused the currency" in row["error"]
    assert row["attempts"] == 1 and row["failed_at"] == "2026-11-02T10:00:00+00:00" and row["status"] == "failed"


def test_dead_letters_come_in_pages_newest_first(se):
    for n in ("21", "22", "23"):
        se.refused_order(n)
    first = se.api("/dead-letters", params={"limit": 2}).json()
    assert [r["subject"]["ref"] for r in first["items"]] == ["N-23", "N-22"] and first["next"]
    rest = se.api("/dead-letters", params={"limit": 2, "after": first["next"]}).json()
    assert [r["subject"]["ref"] for r in rest["items"]] == ["N-21"] and rest["next"] is None


def test_a_retried_dead_letter_is_processed_once_the_cause_is_gone(se):
    se.refused_order("31")
    [row] = se.api("/dead-letters").json()["items"]
    se.add_gbp()  # the admin adds the currency in the CRM
    res = se.api(f"/dead-letters/{row['id']}/retry", "POST")
    assert res.status_code == 200, res.text
    assert res.json()["event"]["status"] == "pending" and res.json()["event"]["attempts"] == 0
    assert res.json()["queued"] is True
    se.shop.work()
    assert se.api("/dead-letters").json()["items"] == []
    assert se.api("/health").json()["inbox"]["counts"]["done"] == 1
    with se.shop.session() as s:
        order = s.scalar(select(OrderRecord).where(OrderRecord.order_id == "31"))
    [deal] = [d for d in se.shop.deals() if int(d["ID"]) == order.deal_id]
    assert deal["CURRENCY_ID"] == "GBP"


def test_retrying_what_did_not_fail_is_a_409_and_unknown_ids_are_404(se):
    se.rb.orders(("41", "paid", 1))
    with se.shop.session() as s:
        done = s.scalar(select(InboxEvent.id))
    res = se.api(f"/dead-letters/{done}/retry", "POST")
    assert res.status_code == 409 and res.json()["details"]["status"] == "done"
    assert se.api("/dead-letters/999999/retry", "POST").status_code == 404
    assert se.api("/robot-calls/999999/replay", "POST").status_code == 404
    assert set(_statuses(se).values()) == {"done"}


def test_a_failed_robot_call_is_listed_with_its_error_and_a_replay_runs_it_again(se, monkeypatch):
    deals = se.rb.orders(("51", "completed", 20))
    se.rb.run("customer_profile", deals["51"])
    real = profile.customer_profile
    monkeypatch.setattr(profile, "customer_profile", lambda ctx: 1 / 0)
    se.rb.run("customer_profile", deals["51"])
    failed = se.api("/robot-calls", params={"status": "failed"}).json()["items"]
    assert len(failed) == 1
    call = failed[0]
    assert call["robot"] == {"code": "customer_profile", "name_en": "Shop: customer profile",
                             "name_ru": "Магазин: профиль покупателя"}
    assert call["document"] == {"kind": "deal", "id": deals["51"]} and "ZeroDivisionError" in call["error"]
    assert len(se.api("/robot-calls").json()["items"]) == 2
    assert se.api("/health").json()["robot_calls"]["failed"] == 1

    monkeypatch.setattr(profile, "customer_profile", real)  # the cause is gone
    res = se.api(f"/robot-calls/{call['id']}/replay", "POST")
    assert res.status_code == 200, res.text
    again = res.json()
    assert again["status"] == "done" and again["runs"] == 2 and again["error"] is None
    assert again["reply_status"] == "failed"  # the workflow had its answer already: nobody waits
    assert se.api("/health").json()["robot_calls"] == {"received": 0, "running": 0, "done": 2, "failed": 0}


@pytest.mark.parametrize("path, method", [("/health", "GET"), ("/dead-letters", "GET"), ("/robot-calls", "GET"),
                                          ("/dead-letters/1/retry", "POST"), ("/robot-calls/1/replay", "POST")])
def test_a_manager_gets_403_and_nothing_changes(se, path, method):
    se.refused_order("61")
    before = _statuses(se)
    res = se.api(path, method, user=MANAGER)
    assert res.status_code == 403, res.text
    assert _statuses(se) == before


@pytest.mark.parametrize("path, query", [("/dead-letters", {"limit": 0}), ("/dead-letters", {"after": "x"}),
                                         ("/robot-calls", {"status": "lost"}), ("/robot-calls", {"limit": 501})])
def test_a_bad_query_is_a_422_naming_the_field(se, path, query):
    res = se.api(path, params=query)
    assert res.status_code == 422 and set(res.json()["details"]["fields"]) == set(query)
