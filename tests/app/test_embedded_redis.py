"""The embedded Redis across processes: started once when processes start together, stopped by the last."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

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


def test_two_processes_started_together_share_one_server_and_the_last_out_stops_it(tmp_path):
    folder = tmp_path / "instance"
    first, second = _start(folder, "a"), _start(folder, "b")
    try:
        socket_a, socket_b = first.stdout.readline().strip(), second.stdout.readline().strip()
        assert socket_a and socket_a == socket_b, (first.stderr.read() if not socket_a else "", socket_b)
        import redis

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
