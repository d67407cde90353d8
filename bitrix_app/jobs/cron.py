"""The cron table: what runs on a schedule, on which queue."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from redis import Redis
from rq.cron import CronScheduler

from .queues import BULK, DEFAULT, ROBOTS


@dataclass(frozen=True)
class CronEntry:
    func: str  # dotted path
    queue: str
    interval: int | None = None  # seconds
    cron: str | None = None  # crontab expression (UTC)


CRON_TABLE: tuple[CronEntry, ...] = (
    CronEntry("bitrix_app.jobs.maintenance.record_heartbeat", DEFAULT, interval=60),
    CronEntry("bitrix_app.inbox.dispatch.sweep_job", DEFAULT, interval=60),
    CronEntry("bitrix_app.robots.sweeper.sweep_job", ROBOTS, interval=60),  # stored robot calls never run
    CronEntry("bitrix_app.carts.timers.sweep_job", DEFAULT, interval=60),
    CronEntry("bitrix_app.portals.keepalive.keep_alive", BULK, cron="17 3 * * *"),
    CronEntry("bitrix_app.segments.jobs.rebuild_all", BULK, cron="40 1 * * *"),  # nightly full segment rebuild
    CronEntry("bitrix_app.campaigns.jobs.run_all_due", DEFAULT, cron="*/15 * * * *"),
)


def build_cron(connection: Redis, table: tuple[CronEntry, ...] = CRON_TABLE) -> CronScheduler:
    """A CronScheduler with every entry of the table registered."""
    from importlib import import_module

    scheduler = CronScheduler(connection=connection)
    for entry in table:
        module, _, name = entry.func.rpartition(".")
        func = getattr(import_module(module), name)
        scheduler.register(func, entry.queue, interval=entry.interval, cron=entry.cron)
    return scheduler



def run_cron(connection: Redis, table: tuple[CronEntry, ...] = CRON_TABLE, sleep: Callable[[float], None] | None = None,
             handle_signals: bool = True) -> None:
    """The long-running cron (`flask cron`): survives Redis outages, reconnecting with backoff. Each start is a
    new scheduler, so the every-minute sweepers run at once when Redis is back."""
    from .resilient import supervise

    def run() -> bool:
        build_cron(connection, table).start()  # returns on SIGTERM/SIGINT; a lost connection raises
        return True

    options = {"sleep": sleep} if sleep else {}
    supervise("cron", run, connection.ping, handle_signals=handle_signals, **options)
