"""The embedded Redis across processes: started once when processes start together, stopped by the last."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 60.0

# A process that uses the embedded server of a folder: writes its own key, says which server it sees and
# waits for SIGTERM (the default handler would kill it without cleanup; the membership handles it).
CHILD = """
import sys, time
from bitrix_app.redis_conn import connect
conn = connect(None, sys.argv[1])
conn.set("seen:" + sys.argv[2], sys.argv[2])
print(conn.socket_file, flush=True)
while True:
    time.sleep(3600)
"""


def _servers_of(folder: Path) -> list[psutil.Process]:
    """redis-server processes whose database lives in `folder`."""
    found = []
    for proc in psutil.process_iter(["name", "cmdline", "cwd"]):
        try:
            if "redis-server" not in (proc.info["name"] or "") and not any(
                    "redis-server" in part for part in proc.info["cmdline"] or []):
                continue
            config = next((p for p in proc.info["cmdline"] or [] if p.endswith("redis.config")), None)
            text = Path(config).read_text() if config and os.path.exists(config) else ""
            if str(folder) in text or proc.info["cwd"] == str(folder):
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, OSError):
            continue
    return found


def _wait_for(condition, what: str):
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _start(folder: Path, name: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    return subprocess.Popen([sys.executable, "-c", CHILD, str(folder), name], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _why_not(first: subprocess.Popen, socket_a: str, second: subprocess.Popen, socket_b: str) -> str:
    """What each process said on stderr when it printed no socket (it ended: its stderr can be read)."""
    said = [f"{name}: exit {proc.wait(timeout=DEADLINE)}, {proc.stderr.read()[-2000:]!r}"
            for name, proc, socket in (("a", first, socket_a), ("b", second, socket_b)) if not socket]
    return f"sockets {socket_a!r} and {socket_b!r}; " + "; ".join(said)


def test_two_processes_started_together_share_one_server_and_the_last_out_stops_it(tmp_path):
    folder = tmp_path / "instance"
    first, second = _start(folder, "a"), _start(folder, "b")
    try:
        socket_a, socket_b = first.stdout.readline().strip(), second.stdout.readline().strip()
        assert socket_a and socket_a == socket_b, _why_not(first, socket_a, second, socket_b)
        seen = redis.Redis(unix_socket_path=socket_a)
        assert seen.get("seen:a") == b"a" and seen.get("seen:b") == b"b"
        seen.close()
        assert len(_servers_of(folder)) == 1

        first.send_signal(signal.SIGTERM)
        first.wait(timeout=DEADLINE)
        assert len(_servers_of(folder)) == 1  # the second process still uses it
        assert redis.Redis(unix_socket_path=socket_b).get("seen:a") == b"a"

        second.send_signal(signal.SIGTERM)
        second.wait(timeout=DEADLINE)
        _wait_for(lambda: not _servers_of(folder), "the server to stop")
        assert not os.path.exists(socket_a)
    finally:
        for proc in (first, second):
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def _client_pinging(answers: list):
    """The embedded client class, with `ping` answering from `answers` (an exception is raised)."""
    from bitrix_app.redis_conn import _embedded_client

    client = object.__new__(_embedded_client())
    client.start_timeout = 0

    def ping():
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    client.ping = ping
    return client


def test_a_server_whose_socket_exists_before_it_listens_is_waited_for():
    # redis-server binds its socket file before it listens: a first connection may be refused
    answers = [redis.ConnectionError("refused"), redis.TimeoutError("slow"), redis.BusyLoadingError("loading"), True]
    client = _client_pinging(answers)
    client.start_timeout = 10
    client._wait_for_server_start()
    assert answers == []


def test_a_server_that_never_answers_still_fails_the_start():
    with pytest.raises(redis.ConnectionError):
        _client_pinging([redis.ConnectionError("refused")] * 3)._wait_for_server_start()
