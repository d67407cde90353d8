"""Engine and session handling, the same on SQLite and PostgreSQL."""
from __future__ import annotations

import json
import math
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import JSON, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker


class Base(DeclarativeBase):
    """Declarative base of every model."""


# A JSON document column (JSON on PostgreSQL, text on SQLite); Python None is SQL NULL, not the JSON `null`.
# Its value is not tracked for changes made in place: assign a new object (copy, change, assign).
JsonDoc = JSON(none_as_null=True)

_HUGE = "\x00huge\x00"  # stands in for a non-finite number while dumping; shop and form text never holds NUL


def _finite(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("-" if value < 0 else "") + _HUGE
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def dumps_json(value) -> str:
    """JSON text PostgreSQL accepts: an infinite number is written 1e999 (read back as inf), NaN as null."""
    text = json.dumps(_finite(value), ensure_ascii=False)
    return text.replace(json.dumps("-" + _HUGE), "-1e999").replace(json.dumps(_HUGE), "1e999")


def normalise_url(url: str) -> str:
    """Plain `postgresql://` URLs use psycopg 3, the driver we ship."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, json_serializer=dumps_json)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, json_serializer=dumps_json)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # WAL lets web and worker processes read while one writes; busy_timeout waits for the writer.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
