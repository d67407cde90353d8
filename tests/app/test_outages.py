"""The worker and cron outlive Redis outages: they reconnect with backoff (no real sleeping here: the sleeper is
injected) and log one line when an outage starts and one when it ends."""
from __future__ import annotations

import logging
import signal

import pytest
import redis
from rq.exceptions import StopRequested

from bitrix_app.clock import FrozenClock
from bitrix_app.jobs.cron import CronEntry, run_cron
from bitrix_app.jobs.maintenance import HEARTBEAT_KEY
from bitrix_app.jobs.queues import DEFAULT, enqueue, queue
from bitrix_app.jobs.resilient import Outage, supervise
from bitrix_app.jobs.worker import run_worker

HEARTBEAT = "bitrix_app.jobs.maintenance.record_heartbeat"


class FlakyRedis(redis.Redis):
    """The test server behind a connection that is refused for the first `failures` commands; `stop_when`
    (checked on each command) raises StopRequested once, as a SIGTERM would, to end a long-running loop."""

    def __init__(self, real: redis.Redis | None = None, failures: int = 0, stop_when=None, **kwargs):
        # RQ's scheduler builds its own client of the same class from connection kwargs: a healthy one
        super().__init__(**kwargs) if real is None else super().__init__(connection_pool=real.connection_pool)
        self.failures, self.stop_when, self.stopped = failures, stop_when, False

    def _gate(self):
        if self.failures > 0:
            self.failures -= 1
            raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")
        if self.stop_when is not None and not self.stopped and self.stop_when():
            self.stopped = True
            raise StopRequested()

    def execute_command(self, *args, **options):
        self._gate()
        return super().execute_command(*args, **options)

    def pipeline(self, *args, **kwargs):
        self._gate()
        return super().pipeline(*args, **kwargs)


@pytest.fixture
def signals_restored():
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def _outage_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "bitrix_app.jobs.resilient"]


def test_cron_reconnects_with_backoff_and_logs_the_outage_once(redis_conn, caplog, signals_restored):
    caplog.set_level(logging.INFO)
    sleeps: list[float] = []
    flaky = FlakyRedis(redis_conn, failures=3, stop_when=lambda: queue(DEFAULT, redis_conn).count > 0)
    run_cron(flaky, table=(CronEntry(HEARTBEAT, DEFAULT, interval=60),), sleep=sleeps.append)
    assert sleeps == [1.0, 2.0, 4.0]  # its start failed, then three pings; the fourth answered
    assert [j.func_name for j in queue(DEFAULT, redis_conn).jobs] == [HEARTBEAT]  # it ran its table once back
    lines = _outage_lines(caplog)
    assert len(lines) == 2
    assert lines[0].startswith("cron: Redis is unreachable") and lines[1].startswith("cron: Redis is reachable")


def test_the_worker_reconnects_with_backoff_and_runs_what_was_queued(make_app, redis_conn, caplog):
    caplog.set_level(logging.INFO)
    clock = FrozenClock()
    app = make_app(CLOCK=clock)
    enqueue(redis_conn, DEFAULT, HEARTBEAT)
    sleeps: list[float] = []
    run_worker(app, FlakyRedis(redis_conn, failures=3), [DEFAULT], burst=True, sleep=sleeps.append,
               handle_signals=False)
    assert sleeps == [1.0, 2.0, 4.0]  # its start failed, then two pings; the third answered
    assert float(redis_conn.get(HEARTBEAT_KEY)) == clock.timestamp()
    lines = _outage_lines(caplog)
    assert len(lines) == 2 and "worker: Redis is unreachable" in lines[0] and "after 3 failed" in lines[1]


def test_the_backoff_is_capped_and_starts_over_after_each_outage():
    sleeps: list[float] = []
    pings = iter([False] * 7 + [True] + [False, True])
    runs = iter([redis.exceptions.ConnectionError("down"), redis.exceptions.TimeoutError("hung"), True])

    def run():
        outcome = next(runs)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def ping():
        if not next(pings):
            raise redis.exceptions.ConnectionError("refused")

    outage = Outage("test")
    supervise("test", run, ping, outage=outage, sleep=sleeps.append, initial=1.0, cap=8.0)
    assert sleeps == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 8.0, 8.0, 1.0, 2.0]
    assert not outage.active


def test_a_run_that_quits_without_a_redis_error_is_started_again():
    runs = iter([False, False, True])
    sleeps: list[float] = []
    supervise("test", lambda: next(runs), lambda: True, sleep=sleeps.append, initial=1.0, cap=30.0)
    assert sleeps == [1.0, 2.0]  # backs off: a run that keeps failing does not spin
