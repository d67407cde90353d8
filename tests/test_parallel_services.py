"""Parallel test processes sharing a Redis server each use a database of their own."""
from __future__ import annotations

from tests.fixtures import services


def test_each_parallel_process_takes_the_next_redis_database(monkeypatch, tmp_path):
    monkeypatch.setenv("TEST_REDIS_URL", "redis://127.0.0.1:6379/2")
    for worker, db in (("", 2), ("gw0", 2), ("gw1", 3), ("gw15", 1)):
        monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)
        conn = services.test_redis(str(tmp_path))  # no connection is opened until a command is sent
        assert conn.connection_pool.connection_kwargs["db"] == db, worker
    assert services.worker_index() == 15
