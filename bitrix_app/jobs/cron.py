"""The cron table: what runs on a schedule, on which queue. Built from the job registry: a job joins it by
declaring `every=` or `cron=` in its `@job`."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from redis import Redis
from rq.cron import CronScheduler

from .registry import JobSpec, resolve, scheduled


@dataclass(frozen=True)
class CronEntry:
    func: str  # dotted path
    queue: str
    interval: int | None = None  # seconds
    cron: str | None = None  # crontab expression (UTC)
    timeout: int | None = None  # seconds (None: RQ's default)

    @classmethod
    def of(cls, spec: JobSpec) -> "CronEntry":
        return cls(spec.path, spec.queue, interval=spec.every, cron=spec.cron, timeout=spec.timeout)


def cron_table() -> tuple[CronEntry, ...]:
    """Every scheduled job of the registry."""
    return tuple(CronEntry.of(spec) for spec in scheduled())


def build_cron(connection: Redis, table: tuple[CronEntry, ...] | None = None) -> CronScheduler:
    """A CronScheduler with every entry of the table (default: the registry's) registered."""
    scheduler = CronScheduler(connection=connection)
    for entry in cron_table() if table is None else table:
        scheduler.register(resolve(entry.func), entry.queue, interval=entry.interval, cron=entry.cron,
                           job_timeout=entry.timeout)
    return scheduler


def run_cron(connection: Redis, table: tuple[CronEntry, ...] | None = None,
             sleep: Callable[[float], None] = time.sleep, handle_signals: bool = True) -> None:
    """The long-running cron (`flask cron`): survives Redis outages, reconnecting with backoff. Each start is a
    new scheduler, so the every-minute sweepers run at once when Redis is back."""
    from .resilient import supervise

    def run() -> bool:
        build_cron(connection, table).start()  # returns on SIGTERM/SIGINT; a lost connection raises
        return True

    supervise("cron", run, connection.ping, sleep=sleep, handle_signals=handle_signals)
