"""Keep the worker and cron running through Redis outages: on a connection error they wait (with backoff)
until Redis answers again and start over, logging one line when an outage starts and one when it ends."""
from __future__ import annotations

import logging
import signal
import threading
import time
from typing import Callable

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)
INITIAL_DELAY = 1.0  # seconds before the first reconnect
MAX_DELAY = 30.0
log = logging.getLogger(__name__)


class Outage:
    """Logs an outage once when it starts and once when it ends, however many attempts fail in between."""

    def __init__(self, name: str, logger: logging.Logger = log):
        self.name, self._log = name, logger
        self.active, self.failures = False, 0

    def down(self, exc: BaseException) -> None:
        self.failures += 1
        if not self.active:
            self.active = True
            self._log.warning("%s: Redis is unreachable (%s: %s); retrying with backoff", self.name,
                              type(exc).__name__, exc)

    def up(self) -> None:
        if self.active:
            self._log.warning("%s: Redis is reachable again after %d failed attempt(s); resuming", self.name,
                              self.failures)
        self.active, self.failures = False, 0


class _Stopped(Exception):
    """SIGTERM/SIGINT while waiting for Redis."""


class _stop_on_signals:
    """While waiting, SIGTERM/SIGINT end the wait (the worker's and cron's own handlers are gone by then)."""

    def __init__(self, enabled: bool):
        self._enabled = enabled and threading.current_thread() is threading.main_thread()
        self._previous: dict = {}

    def __enter__(self):
        if self._enabled:
            for sig in (signal.SIGTERM, signal.SIGINT):
                self._previous[sig] = signal.signal(sig, self._raise)
        return self

    def __exit__(self, *exc):
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)

    @staticmethod
    def _raise(signum, frame):
        raise _Stopped()


def supervise(name: str, run: Callable[[], bool], ping: Callable[[], object], *,
              outage: Outage | None = None, sleep: Callable[[float], None] = time.sleep,
              initial: float = INITIAL_DELAY, cap: float = MAX_DELAY, handle_signals: bool = False) -> None:
    """Call `run()` until it ends on purpose (it answers True: a stop request, a finished burst). When it raises
    a Redis connection error or quits on its own (False), wait with exponential backoff until `ping()` succeeds,
    then run it again. Never gives up; a signal while waiting ends it."""
    outage = outage or Outage(name)
    delay = initial
    while True:
        try:
            if run():
                return
        except REDIS_DOWN as exc:
            outage.down(exc)
        try:
            with _stop_on_signals(handle_signals):
                delay = _wait_for_redis(ping, outage, sleep, delay, cap)
        except (_Stopped, KeyboardInterrupt):
            log.info("%s: stopped while waiting for Redis", name)
            return
        if outage.active:
            delay = initial  # a real outage ended; a run that keeps quitting for another reason keeps backing off
        outage.up()


def _wait_for_redis(ping, outage: Outage, sleep, delay: float, cap: float) -> float:
    """Sleep, then ping, doubling the pause while Redis stays down; answers the next pause to use."""
    while True:
        sleep(delay)
        delay = min(delay * 2, cap)
        try:
            ping()
            return delay
        except REDIS_DOWN as exc:
            outage.down(exc)


class QuietOutageLogger(logging.LoggerAdapter):
    """The RQ worker's logger, but its repeated "could not connect" retries become the outage's single line."""

    def __init__(self, logger: logging.Logger, outage: Outage):
        super().__init__(logger, {})
        self.outage = outage

    def error(self, msg, *args, **kwargs):
        if isinstance(msg, str) and "could not connect to Redis" in msg:
            self.outage.down(next((a for a in args if isinstance(a, BaseException)), RedisConnectionError(msg)))
            return
        super().error(msg, *args, **kwargs)

    def __getattr__(self, name):  # anything else RQ reads (its level) is the wrapped logger's
        return getattr(self.logger, name)
