"""Jobs run only in workers that carry the app: the core never builds the app itself."""
from __future__ import annotations

import pytest
from flask import current_app
from rq import SimpleWorker
from rq.job import JobStatus
from rq.registry import FailedJobRegistry

from bitrix_app.jobs.queues import DEFAULT, enqueue, queue
from bitrix_app.jobs.worker import AppContextJob, NoAppContext, run_burst

JOB = "tests.app.test_worker_needs_app.app_name"


def app_name() -> str:
    return current_app.config["WORKER_PROBE"]


class _PlainBurstWorker(SimpleWorker):
    """A worker that carries no app (as `rq worker` started by hand would), without the pubsub thread."""

    def subscribe(self):
        self.pubsub_thread = None

    def unsubscribe(self):
        return None


def test_a_job_performed_without_the_app_fails_with_a_clear_error(redis_conn):
    job = enqueue(redis_conn, DEFAULT, JOB)
    with pytest.raises(NoAppContext) as err:
        job.perform()
    assert "flask --app app worker" in str(err.value) and JOB in str(err.value)


def test_a_worker_without_the_app_keeps_the_job_as_failed(redis_conn):
    job = enqueue(redis_conn, DEFAULT, JOB)
    worker = _PlainBurstWorker([queue(DEFAULT, redis_conn)], connection=redis_conn, job_class=AppContextJob)
    worker.work(burst=True)
    assert job.get_status(refresh=True) == JobStatus.FAILED
    assert job.id in FailedJobRegistry(DEFAULT, connection=redis_conn, job_class=AppContextJob)
    assert "NoAppContext" in (job.latest_result().exc_string or "")


def test_the_worker_that_carries_the_app_runs_the_job_in_its_context(make_app, redis_conn):
    app = make_app(WORKER_PROBE=4711)  # a non-string override lands in app.config
    job = enqueue(redis_conn, DEFAULT, JOB)
    run_burst(app, redis_conn, [DEFAULT])
    assert job.get_status(refresh=True) == JobStatus.FINISHED
    assert job.return_value() == 4711


@pytest.mark.parametrize("simple", [False, True])
def test_a_long_running_worker_listens_for_commands_waking_every_second(make_app, redis_conn, simple):
    """Stopping a worker closes its command channel and waits for the thread listening to it; RQ's own thread
    wakes once a minute, so SIGTERM took up to a minute. Ours wakes every second."""
    from bitrix_app.jobs.worker import PUBSUB_POLL_SECONDS, make_worker

    worker = make_worker(make_app(), redis_conn, [DEFAULT], simple=simple)
    worker.subscribe()
    try:
        assert worker.pubsub_thread.is_alive() and worker.pubsub_thread.sleep_time == PUBSUB_POLL_SECONDS == 1.0
    finally:
        worker.unsubscribe()
    worker.pubsub_thread.join(timeout=10)
    assert not worker.pubsub_thread.is_alive()
