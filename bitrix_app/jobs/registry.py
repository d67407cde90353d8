"""The job registry: every background job declares its queue, time limit, retries and schedule once, with `@job`
on its entry function, and is enqueued through that declaration (`enqueue_job`).

The decorator only attaches a `JobSpec` to the function; nothing registers itself on import. `all_jobs()` imports
the fixed list of job family modules (`FAMILIES`) and collects their specs, so the registry is the same whatever
was imported before. A job enqueued from a package below its own (the inbox queues the sync's drain) is named
here by a `JobRef` and resolved when it is enqueued.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from inspect import isfunction
from typing import Any, Callable, TypeVar

from redis import Redis
from rq import Retry

from .queues import PRIORITY, enqueue

DEFAULT_TIMEOUT = 300  # seconds: RQ's limit for a job that states none
CRON_TIMEOUT = 180  # seconds: what the scheduled sweepers and nightly jobs have always run under (RQ's default)

# The modules that hold job entry functions. A module with an `@job` that is missing here fails the registry test.
FAMILIES: tuple[str, ...] = (
    "bitrix_app.jobs.maintenance",
    "bitrix_app.inbox.dispatch",
    "bitrix_app.sync.drain",
    "bitrix_app.carts.timers",
    "bitrix_app.robots.runner",
    "bitrix_app.robots.sweeper",
    "bitrix_app.robots.message_later",
    "bitrix_app.portals.setup",
    "bitrix_app.portals.keepalive",
    "bitrix_app.portals.events",
    "bitrix_app.portals.currencies",
    "bitrix_app.segments.jobs",
    "bitrix_app.segments.crm.writeback",
    "bitrix_app.campaigns.jobs",
)

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class JobSpec:
    """How a job runs: `path` is what RQ stores and imports; `retry` the pauses (seconds) between attempts,
    one retry per pause; `every` (seconds) or `cron` (crontab, UTC) puts it in the cron table."""

    path: str
    queue: str
    timeout: int = DEFAULT_TIMEOUT
    retry: tuple[int, ...] = ()
    every: int | None = None
    cron: str | None = None

    @property
    def scheduled(self) -> bool:
        return self.every is not None or self.cron is not None

    def rq_retry(self) -> Retry | None:
        return Retry(max=len(self.retry), interval=list(self.retry)) if self.retry else None


@dataclass(frozen=True)
class JobRef:
    """A job named by its path, for a caller that may not import the job's package."""

    path: str


# jobs enqueued from below their own package
SYNC_DRAIN = JobRef("bitrix_app.sync.drain.run")  # the inbox kicks the drain and schedules its retries


class NotAJob(TypeError):
    """What was given to enqueue is not a function declared with `@job`."""


def job(queue: str, *, timeout: int = DEFAULT_TIMEOUT, retry: tuple[int, ...] = (), every: int | None = None,
        cron: str | None = None) -> Callable[[F], F]:
    """Declare the decorated function a job on `queue`; the function itself is returned unchanged."""
    if queue not in PRIORITY:
        raise ValueError(f"unknown queue {queue!r}")
    if every is not None and cron is not None:
        raise ValueError("a job runs every N seconds or on a crontab, not both")

    def declare(func: F) -> F:
        func.job_spec = JobSpec(f"{func.__module__}.{func.__qualname__}", queue, timeout, tuple(retry),  # type: ignore[attr-defined]
                                every, cron)
        return func

    return declare


def resolve(path: str) -> Callable[..., Any]:
    """The function a job path names (what RQ will call)."""
    module, _, name = path.rpartition(".")
    return getattr(import_module(module), name)


def spec_of(target: Callable[..., Any] | JobSpec | JobRef) -> JobSpec:
    if isinstance(target, JobSpec):
        return target
    if isinstance(target, JobRef):
        target = resolve(target.path)
    spec = getattr(target, "job_spec", None)
    if not isinstance(spec, JobSpec):
        raise NotAJob(f"{target!r} is not declared with @job")
    return spec


def enqueue_job(connection: Redis, target: Callable[..., Any] | JobSpec | JobRef, *args: Any,
                job_id: str | None = None, at=None, delay=None, **kwargs: Any):
    """Enqueue a declared job with its spec's queue, time limit and retries. `job_id`, `at` and `delay` are per
    call."""
    spec = spec_of(target)
    return enqueue(connection, spec.queue, spec.path, *args, job_id=job_id, retry=spec.rq_retry(), at=at,
                   delay=delay, timeout=spec.timeout, **kwargs)


def all_jobs(families: tuple[str, ...] = FAMILIES) -> dict[str, JobSpec]:
    """Every declared job of the family modules, by path, in family order."""
    found: dict[str, JobSpec] = {}
    for name in families:
        module = import_module(name)
        for value in vars(module).values():
            spec = getattr(value, "job_spec", None) if isfunction(value) else None
            if isinstance(spec, JobSpec) and spec.path.rpartition(".")[0] == name:
                found.setdefault(spec.path, spec)
    return found


def scheduled(families: tuple[str, ...] = FAMILIES) -> list[JobSpec]:
    """The jobs the cron runs."""
    return [spec for spec in all_jobs(families).values() if spec.scheduled]
