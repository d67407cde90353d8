"""The inbox over time: backoff to dead letters, replay, lost queue jobs, uninstalled portals, customer updates."""
from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from bitrix_app.clock import FrozenClock
from bitrix_app.inbox import dispatch
from bitrix_app.inbox.admin import counts
from bitrix_app.inbox.outcomes import BACKOFF, MAX_ATTEMPTS
from bitrix_app.store.models import PortalRecord, utc
from bitrix_app.store.shop_models import Customer, CustomerKey, InboxEvent, OrderRecord, Shop
from tests.fixtures.shop_env import T0, ShopEnv, connect_shop, iso, order_event

START = T0 + timedelta(days=1)


def _shop(portal_env):
    clock = FrozenClock(START)
    return connect_shop(portal_env(CLOCK=clock)), clock


@pytest.fixture
def built(shared_portal):
    return shared_portal(_shop)


@pytest.fixture
def shop(built):
    return built[0]


@pytest.fixture
def clock(built):
    return built[1]


def cli(shop: ShopEnv, *args: str):
    return shop.env.app.test_cli_runner().invoke(args=list(args))


def inbox(shop: ShopEnv) -> dict[str, InboxEvent]:
    """Inbox rows by order id (or subject for non-order events)."""
    with shop.session() as s:
        rows = list(s.scalars(select(InboxEvent).where(InboxEvent.member_id == shop.member_id)
                              .order_by(InboxEvent.id)))
    return {json.loads(r.payload)["data"].get("order_id") or r.subject: r for r in rows}


def status_counts(shop: ShopEnv) -> dict[str, int]:
    with shop.session() as s:
        return counts(s, shop.member_id)


def sweep(shop: ShopEnv, clock: FrozenClock) -> list[str]:
    """What cron does every minute: queue drains for overdue portals."""
    with shop.session() as s:
        return dispatch.sweep(s, shop.env.redis, clock.now())


def let_time_pass(shop: ShopEnv, clock: FrozenClock, rounds: int) -> None:
    """Hours go by: each round the sweeper finds what is due again and a worker runs it."""
    for _ in range(rounds):
        clock.advance(hours=3)  # longer than the longest backoff
        sweep(shop, clock)
        shop.work()
        if status_counts(shop)["pending"] == 0:
            return


def deal_origins(shop: ShopEnv) -> Counter:
    return Counter(d["ORIGIN_ID"] for d in shop.deals())


def delete_stage(shop: ShopEnv, code: str) -> None:
    """An admin deletes a stage of the shop pipeline in the portal's UI."""
    [stage] = shop.env.rest("crm.status.list", {"filter": {
        "ENTITY_ID": f"DEAL_STAGE_{shop.category_id}", "STATUS_ID": shop.stage(code)}})
    shop.env.rest("crm.status.delete", {"id": stage["ID"]})


def customers(n: int) -> dict:
    return {"phone": f"+7 900 000-00-{n:02d}", "email": f"c{n}@example.com"}


# --- dead letters -----------------------------------------------------------------------------------------------

def test_events_that_keep_failing_become_dead_letters_and_replay_into_exactly_one_deal_each(shop, clock):
    delete_stage(shop, "SHIPPED")
    shop.post({"events": [order_event("X1", status="paid", **customers(1)),
                          order_event("X2", status="shipped", **customers(2)),
                          order_event("X3", status="shipped", **customers(3))]})
    shop.work()
    assert deal_origins(shop) == {"X1": 1}
    rows = inbox(shop)
    assert rows["X1"].status == "done"
    first = rows["X2"]
    assert (first.status, first.attempts) == ("pending", 1)
    assert utc(first.next_attempt_at) == clock.now() + timedelta(seconds=BACKOFF[0])
    assert "crm.deal.add" in first.last_error

    let_time_pass(shop, clock, rounds=MAX_ATTEMPTS + 2)
    rows = inbox(shop)
    for order_id in ("X2", "X3"):
        assert (rows[order_id].status, rows[order_id].attempts) == ("failed", MAX_ATTEMPTS)
        assert "crm.deal.add" in rows[order_id].last_error and "Stage" in rows[order_id].last_error
    assert status_counts(shop) == {"pending": 0, "done": 1, "skipped": 0, "failed": 2}
    clock.advance(hours=3)
    assert sweep(shop, clock) == []  # dead letters are not retried on their own

    listed = cli(shop, "inbox", "list", "--status", "failed", "--member-id", shop.member_id)
    assert listed.exit_code == 0, listed.output
    *lines, totals = [json.loads(line) for line in listed.stdout.splitlines()]
    assert sorted(r["subject"] for r in lines) == ["order:X2", "order:X3"]
    assert all(r["status"] == "failed" and r["attempts"] == MAX_ATTEMPTS and "Stage" in r["last_error"]
               and r["processed_at"] for r in lines)
    assert totals == {"counts": {"pending": 0, "done": 1, "skipped": 0, "failed": 2}}

    fixed = cli(shop, "portals", "sync", "--member-id", shop.member_id, "--now")  # setup puts the stage back
    assert fixed.exit_code == 0, fixed.output
    retried = cli(shop, "inbox", "retry", "--member-id", shop.member_id)
    assert retried.exit_code == 0, retried.output
    assert json.loads(retried.stdout) == {"portals": [shop.member_id]}
    shop.work()
    deals = {d["ORIGIN_ID"]: d for d in shop.deals()}
    assert deal_origins(shop) == {"X1": 1, "X2": 1, "X3": 1}
    assert deals["X2"]["STAGE_ID"] == deals["X3"]["STAGE_ID"] == shop.stage("SHIPPED")
    assert len(shop.contacts()) == 3  # the retries found the contacts made on the first attempt
    assert status_counts(shop) == {"pending": 0, "done": 3, "skipped": 0, "failed": 0}

    again = cli(shop, "inbox", "retry")
    assert json.loads(again.stdout) == {"portals": []}
    shop.work()
    assert deal_origins(shop) == {"X1": 1, "X2": 1, "X3": 1}


def test_a_portal_answering_500_to_everything_parks_the_events_and_they_replay_one_by_one(portal_env, monkeypatch):
    import fast_bitrix24.srh

    clock = FrozenClock(START)

    monkeypatch.setattr(fast_bitrix24.srh, "INITIAL_TIMEOUT", 0)  # the client's own retries need not pause here
    # every attempt is a dozen refused requests: an Enterprise-sized bucket keeps the governor from pacing them
    shop = connect_shop(portal_env(plan="enterprise", CLOCK=clock, B24_DEFAULT_PLAN="enterprise"))
    shop.post({"events": [order_event("Y1", **customers(1)), order_event("Y2", **customers(2))]})
    shop.env.control("faults", {"p_500": 1.0})
    shop.work()
    let_time_pass(shop, clock, rounds=MAX_ATTEMPTS + 2)
    rows = inbox(shop)
    assert {k: (r.status, r.attempts) for k, r in rows.items()} == {
        "Y1": ("failed", MAX_ATTEMPTS), "Y2": ("failed", MAX_ATTEMPTS)}
    assert all("portal kept failing" in r.last_error for r in rows.values())
    shop.env.control("faults", {})
    assert shop.deals() == [] and shop.contacts() == []

    one = cli(shop, "inbox", "retry", "--id", str(rows["Y1"].id))
    assert json.loads(one.stdout) == {"portals": [shop.member_id]}
    shop.work()
    assert deal_origins(shop) == {"Y1": 1}
    assert inbox(shop)["Y2"].status == "failed"

    cli(shop, "inbox", "retry")
    shop.work()
    assert deal_origins(shop) == {"Y1": 1, "Y2": 1}
    assert status_counts(shop)["done"] == 2


def test_a_missing_shop_pipeline_parks_orders_until_setup_is_run_again(shop, clock):
    with shop.session() as s:
        s.scalar(select(PortalRecord).where(PortalRecord.member_id == shop.member_id)).shop_category_id = None
    shop.post(order_event("Z1"))
    shop.work()
    let_time_pass(shop, clock, rounds=MAX_ATTEMPTS + 2)
    [row] = inbox(shop).values()
    assert row.status == "failed" and "pipeline is not set up" in row.last_error
    listed = cli(shop, "inbox", "list", "--status", "failed")
    assert "pipeline is not set up" in json.loads(listed.stdout.splitlines()[0])["last_error"]

    assert cli(shop, "portals", "sync", "--member-id", shop.member_id, "--now").exit_code == 0
    cli(shop, "inbox", "retry")
    shop.work()
    assert deal_origins(shop) == {"Z1": 1}


# --- lost queue jobs --------------------------------------------------------------------------------------------

def test_events_whose_queued_job_redis_lost_are_picked_up_by_the_sweeper(shop, clock):
    assert shop.post({"events": [order_event("L1", **customers(1)),
                                 order_event("L2", **customers(2))]}).status_code == 202
    shop.env.redis.flushdb()  # the queued drain is gone with everything else in Redis
    shop.work()
    assert shop.deals() == [] and status_counts(shop)["pending"] == 2

    clock.advance(minutes=6)
    assert sweep(shop, clock) == [shop.member_id]
    shop.work()
    assert deal_origins(shop) == {"L1": 1, "L2": 1}
    assert status_counts(shop) == {"pending": 0, "done": 2, "skipped": 0, "failed": 0}
    assert sweep(shop, clock) == []


def test_a_lost_job_whose_marker_survived_is_kicked_once_the_events_are_overdue(shop, clock):
    assert shop.post(order_event("L3")).status_code == 202
    shop.env.redis.flushdb()  # the job is lost, but the "drain queued" marker is still there
    shop.env.redis.set(dispatch.kick_key(shop.member_id), "1", ex=dispatch.KICK_TTL)

    clock.advance(minutes=2)
    assert sweep(shop, clock) == []  # a drain may still be on its way
    shop.work()
    assert shop.deals() == []

    clock.advance(minutes=4)  # now more than 5 minutes overdue
    assert sweep(shop, clock) == [shop.member_id]
    shop.work()
    assert deal_origins(shop) == {"L3": 1}


# --- uninstalled portals ----------------------------------------------------------------------------------------

def uninstall(shop: ShopEnv, clean: int) -> None:
    shop.env.control("uninstall", {"client_id": "local.test.app", "clean": clean})
    shop.env.control("outbox/drain")


def test_pending_events_of_an_uninstalled_portal_are_skipped(shop):
    shop.post({"events": [order_event("U1", **customers(1)), order_event("U2", **customers(2))]})
    uninstall(shop, clean=0)
    shop.work()
    rows = inbox(shop)
    assert {k: r.status for k, r in rows.items()} == {"U1": "skipped", "U2": "skipped"}
    assert all("uninstalled" in r.last_error for r in rows.values())
    assert shop.deals() == []
    late = shop.post(order_event("U3"))
    assert late.status_code == 404 and late.json()["error"] == "unknown_shop"


def test_pending_events_of_a_portal_uninstalled_with_clean_are_not_applied(shop):
    shop.post(order_event("U4"))
    uninstall(shop, clean=1)
    shop.work()
    with shop.session() as s:
        left = list(s.scalars(select(InboxEvent).where(InboxEvent.member_id == shop.member_id)))
    assert all(r.status == "skipped" for r in left)  # gone, or at least never applied
    assert shop.deals() == []


def test_uninstall_with_clean_purges_the_portals_shop_data(shop):
    shop.post(order_event("U5", status="paid"))
    shop.work()
    shop.post(order_event("U6"))
    uninstall(shop, clean=1)
    shop.work()
    with shop.session() as s:
        left = {model.__name__: s.scalar(select(func.count()).select_from(model).where(
            model.member_id == shop.member_id)) for model in (Shop, InboxEvent, OrderRecord, Customer, CustomerKey)}
    assert left == {"Shop": 0, "InboxEvent": 0, "OrderRecord": 0, "Customer": 0, "CustomerKey": 0}


# --- customer.updated -------------------------------------------------------------------------------------------

def customer_event(version: datetime, first: str = "Ann", last: str = "Lee", consent_email: bool = True,
                   phone: str | None = "+7 999 123-45-67", email: str | None = "ann@example.com") -> dict:
    return {"event_id": f"customer.updated:{phone or email}:{iso(version)}", "type": "customer.updated",
            "occurred_at": iso(version),
            "data": {"updated_at": iso(version), "customer": {
                "email": email, "phone": phone, "first_name": first, "last_name": last,
                "consent": {"email": consent_email, "sms": False}}}}


def the_contact(shop: ShopEnv) -> tuple:
    [contact] = shop.contacts()
    return (contact["NAME"], contact["LAST_NAME"], contact["UF_CRM_SHOP_CONSENT_EMAIL"],
            [p["VALUE"] for p in contact.get("PHONE") or []], [e["VALUE"] for e in contact.get("EMAIL") or []])


def test_customer_updated_creates_then_updates_the_contact(shop):
    assert shop.post(customer_event(T0 + timedelta(hours=1))).status_code == 202
    shop.work()
    assert the_contact(shop) == ("Ann", "Lee", "1", ["+79991234567"], ["ann@example.com"])
    shop.post(customer_event(T0 + timedelta(hours=2), first="Anne", last="Lee-Smith", consent_email=False))
    shop.work()
    assert the_contact(shop) == ("Anne", "Lee-Smith", "0", ["+79991234567"], ["ann@example.com"])
    assert status_counts(shop) == {"pending": 0, "done": 2, "skipped": 0, "failed": 0}


def test_an_older_customer_update_after_a_newer_one_does_not_overwrite_it(shop):
    shop.post(customer_event(T0 + timedelta(hours=5), first="Anne", consent_email=False))
    shop.work()
    shop.post(customer_event(T0 + timedelta(hours=1), first="Annie", consent_email=True))
    shop.work()
    assert the_contact(shop)[:3] == ("Anne", "Lee", "0")


def test_of_two_customer_updates_in_one_delivery_the_newer_wins_whatever_the_order(shop):
    shop.post({"events": [customer_event(T0 + timedelta(hours=3), first="Newest", consent_email=True),
                          customer_event(T0 + timedelta(hours=2), first="Older", consent_email=False)]})
    shop.work()
    assert the_contact(shop)[:3] == ("Newest", "Lee", "1")


def test_an_older_update_after_a_newer_unchanged_one_does_not_overwrite_it(shop):
    shop.post(customer_event(T0 + timedelta(hours=1), consent_email=False))
    shop.work()
    shop.post(customer_event(T0 + timedelta(hours=5), consent_email=False))  # same data, newer version
    shop.work()
    shop.post(customer_event(T0 + timedelta(hours=3), first="Stale", consent_email=True))  # arrives late
    shop.work()
    assert the_contact(shop)[:3] == ("Ann", "Lee", "0")


def test_customer_updated_reaches_the_contact_an_order_made(shop):
    shop.post(order_event("C1", phone="+7 999 123-45-67", email=None))
    shop.work()
    shop.post(customer_event(T0 + timedelta(hours=1), first="Ann", last="Lee", consent_email=False,
                             phone="8 (999) 123 45 67", email="Ann@Example.com"))
    shop.work()
    assert the_contact(shop) == ("Ann", "Lee", "0", ["+79991234567"], ["ann@example.com"])
    [deal] = shop.deals()
    assert int(deal["CONTACT_ID"]) == int(shop.contacts()[0]["ID"])


def test_customer_updated_keeps_the_names_staff_gave_a_contact(shop):
    shop.env.rest("crm.contact.add", {"fields": {
        "NAME": "Anna", "LAST_NAME": "Staff-Edited", "PHONE": [{"VALUE": "+79991234567", "VALUE_TYPE": "MOBILE"}]}})
    shop.post(customer_event(T0 + timedelta(hours=1), first="Ann", last="Lee", consent_email=True))
    shop.work()
    name, last, consent, phones, emails = the_contact(shop)
    assert (name, last, consent) == ("Anna", "Staff-Edited", "1")
    assert emails == ["ann@example.com"]  # a new e-mail is added, the names stay


def test_customer_updated_without_phone_or_email_is_refused_at_the_door(shop):
    res = shop.post(customer_event(T0, phone=None, email=None))
    assert res.status_code == 422
    assert inbox(shop) == {}
