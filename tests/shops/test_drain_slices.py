"""Drains work in bounded slices that hand the portal over to each other; a killed slice gives it up quickly."""
from __future__ import annotations

import functools
import multiprocessing
from collections import Counter
from datetime import timedelta

import pytest
from rq.job import Job
from rq.timeouts import JobTimeoutException
from sqlalchemy import select

from bitrix_app.clock import FrozenClock
from bitrix_app.inbox import dispatch
from bitrix_app.inbox.admin import counts
from bitrix_app.rest.client import PortalClient
from bitrix_app.store.shop_models import Lease
from bitrix_app.sync import drain, lease
from tests.fixtures.shop_env import T0, ShopEnv, connect_shop, order_event
from tests.fixtures.killed_worker import die_after_second_write

ORDERS = 23
WINDOW = 5  # 23 orders: 5 windows


@pytest.fixture
def small_windows(monkeypatch):
    monkeypatch.setattr(drain, "WINDOW", WINDOW)


@pytest.fixture
def slices(monkeypatch):
    """What every drain job returned, in order."""
    seen, original = [], drain.run

    @functools.wraps(original)  # keeps its job declaration: the inbox enqueues the drain through it
    def recording(*args, **kwargs):
        result = original(*args, **kwargs)
        seen.append(result["status"])
        return result

    monkeypatch.setattr(drain, "run", recording)
    return seen


def _shop(portal_env, **settings) -> tuple[ShopEnv, FrozenClock]:
    clock = FrozenClock(T0 + timedelta(days=1))
    return connect_shop(portal_env(CLOCK=clock, **settings)), clock


# The module's portals, one per set of settings (each built once, put back before each test).
def _default(portal_env):
    return _shop(portal_env)


def _slice_seconds(portal_env):
    return _shop(portal_env, SYNC_SLICE_SECONDS=100)


def _one_window(portal_env):
    return _shop(portal_env, SYNC_SLICE_WINDOWS=1)


def _one_window_job_timeout(portal_env):
    return _shop(portal_env, SYNC_SLICE_WINDOWS=1, SYNC_JOB_TIMEOUT=900)  # no such setting: ignored


def _post_orders(shop: ShopEnv, count: int = ORDERS) -> None:
    events = [order_event(f"S{n}", phone=f"+7 900 {n:07d}", email=f"s{n}@example.com") for n in range(count)]
    assert shop.post({"events": events}).status_code == 202


def _assert_each_order_one_deal(shop: ShopEnv, count: int = ORDERS) -> None:
    with shop.session() as s:
        final = counts(s, shop.member_id)
    assert final["pending"] == 0 and final["failed"] == 0
    deals = [d for d in shop.env.sandbox.portal.table("crm_deal").values()
             if int(d["CATEGORY_ID"]) == shop.category_id]
    origins = Counter(d["ORIGIN_ID"] for d in deals)
    assert set(origins) == {f"S{n}" for n in range(count)}
    assert max(origins.values()) == 1  # nothing repeated


def _holder(shop: ShopEnv) -> Lease | None:
    with shop.session() as s:
        return s.scalar(select(Lease).where(Lease.name == drain.lease_name(shop.member_id)))


def test_a_backlog_of_several_slices_drains_in_one_run_of_the_worker(shared_portal, small_windows, slices,
                                                                     monkeypatch):
    shop, clock = shared_portal(_slice_seconds)
    original = drain._window

    def slow_window(scope):  # every window takes 40 s of the app's clock: a slice fits three
        count = original(scope)
        clock.advance(seconds=40)
        return count

    monkeypatch.setattr(drain, "_window", slow_window)
    _post_orders(shop)
    shop.work()  # no sweeper, no clock jump past a lease: the slices hand over to each other
    _assert_each_order_one_deal(shop)
    assert slices == ["handed_over", "idle"]  # 3 windows, then 2 and the empty look
    assert _holder(shop) is None  # the last slice let go


def test_slices_by_window_count_and_the_import_command_drains_unsliced(shared_portal, small_windows, slices):
    shop, _ = shared_portal(_one_window)
    _post_orders(shop)
    shop.work()
    _assert_each_order_one_deal(shop)
    assert slices == ["handed_over"] * 5 + ["idle"]

    _post_orders(shop, ORDERS + 4)  # four more orders, drained in this process like `shops import --sync`
    with shop.env.app.app_context():
        assert drain.run(shop.member_id, sliced=False)["status"] == "idle"
    _assert_each_order_one_deal(shop, ORDERS + 4)


def test_a_sweep_during_a_handover_does_not_start_a_second_drain(shared_portal, small_windows):
    shop, clock = shared_portal(_one_window)
    _post_orders(shop)
    clock.advance(minutes=10)  # the events are overdue: the sweeper would queue a drain for them
    with shop.env.app.app_context():
        assert drain.run(shop.member_id)["status"] == "handed_over"
        successor = _holder(shop).owner
        with shop.session() as s:
            dispatch.sweep(s, shop.env.redis, clock.now())
        assert drain.run(shop.member_id)["status"] == "busy"  # what the sweeper queued: the successor holds on
    assert _holder(shop).owner == successor
    shop.work()
    _assert_each_order_one_deal(shop)


def test_a_handed_over_slice_runs_under_the_drains_declared_time_limit(shared_portal, small_windows):
    shop, _ = shared_portal(_one_window_job_timeout)
    _post_orders(shop)
    with shop.env.app.app_context():
        assert drain.run(shop.member_id)["status"] == "handed_over"
    queued = Job.fetch(drain.slice_job_id(shop.member_id, _holder(shop).owner), connection=shop.env.redis)
    assert queued.timeout == drain.run.job_spec.timeout == drain.JOB_TIMEOUT  # as a kick or a retry queues it
    shop.work()
    _assert_each_order_one_deal(shop)


def test_a_slice_stopped_by_the_job_time_limit_mid_window_hands_over_without_loss_or_repeat(
        shared_portal, small_windows, slices, monkeypatch):
    shop, _ = shared_portal(_default)
    original, taken = PortalClient.batch_groups, {"n": 0}

    def timed_out(self, groups, halt=False, writes=False):
        result = original(self, groups, halt=halt, writes=writes)
        if writes:
            taken["n"] += 1
            if taken["n"] == 2:  # the portal took the write; then RQ's time limit strikes
                raise JobTimeoutException("Task exceeded maximum timeout value (300 seconds)")
        return result

    monkeypatch.setattr(PortalClient, "batch_groups", timed_out)
    _post_orders(shop)
    shop.work()
    _assert_each_order_one_deal(shop)
    assert slices == ["idle"]  # the struck slice raised (RQ fails it); its successor finished the backlog


def test_a_killed_slice_gives_the_portal_up_after_the_short_lease(shared_portal, small_windows):
    shop, clock = shared_portal(_default)
    _post_orders(shop)
    worker = multiprocessing.get_context("fork").Process(target=die_after_second_write,
                                                        args=(shop.env.app, shop.member_id))
    worker.start()
    worker.join()
    assert worker.exitcode == 137
    with shop.env.app.app_context():
        clock.advance(seconds=drain.LEASE_TTL.total_seconds() - 1)
        assert drain.run(shop.member_id)["status"] == "busy"  # the dead holder's lease still runs
        clock.advance(seconds=2)  # 31 s after its last renewal: the lease has run out
        assert drain.run(shop.member_id)["status"] == "idle"
    _assert_each_order_one_deal(shop)


def test_the_heartbeat_keeps_a_working_holder_and_notices_a_lost_claim(shared_portal):
    shop, clock = shared_portal(_default)
    app = shop.env.app
    factory, ttl = app.extensions["bitrix_app"]["sessions"], timedelta(seconds=30)
    assert lease.acquire(factory, "x", "a", clock.now(), ttl)
    beat = lease.heartbeat(factory, clock, "x", "a", ttl)
    clock.advance(seconds=25)
    assert beat.beat()  # renewed to now + 30 s
    clock.advance(seconds=25)
    assert not lease.acquire(factory, "x", "b", clock.now(), ttl)  # 50 s after taking it, still held
    clock.advance(seconds=31)  # no beat for 31 s: a killed holder
    assert lease.acquire(factory, "x", "b", clock.now(), ttl)
    assert not beat.beat() and beat.lost
    assert lease.hand_over(factory, "x", "b", "c", clock.now(), ttl)
    assert not lease.acquire(factory, "x", "b", clock.now(), ttl)  # handed over: the old owner is out
    assert lease.acquire(factory, "x", "c", clock.now(), ttl)
