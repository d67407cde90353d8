"""Load the synthetic segment history (bench/segment_synth.py) into a migrated database, fast.

SQLite: one transaction of executemany, no journal, synchronous=OFF, the secondary indexes built after the load,
then back to WAL;
PostgreSQL: COPY in one transaction, indexes built after, then VACUUM ANALYZE (what autovacuum would do).
The schema comes from the project's migrations. A `shops` row named after (seed, sizes) marks a finished load:
with the same marker nothing is generated again; with another one (or a half-done load) the bench tables
are dropped and migrated afresh. A database holding any other portal is refused.

    python bench/segment_data.py --customers 1000000 --orders 5000000 --database-url URL [--seed 1]
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text  # noqa: E402

from bench.segment_synth import CUSTOMER_COLS, END, KEY_COLS, LINE_COLS, ORDER_COLS, History, Spec  # noqa: E402

VERSION = 1  # bump when the generator's output changes
TABLES = ("shop_customers", "shop_customer_keys", "shop_orders", "shop_order_lines")
# No journal while loading (a WAL as big as the data, then checkpointed, made the load twice as slow); a load
# that died half-way has no marker, and the file is deleted and made afresh on the next run.
SQLITE_LOAD = ("journal_mode=OFF", "synchronous=OFF", "cache_size=-262144", "temp_store=FILE")
SQLITE_INDEX = ("threads=2",)  # the index builds after the load may sort on 2 threads


def marker(spec: Spec) -> str:
    return f"segment bench v{VERSION} seed={spec.seed} customers={spec.customers} orders={spec.orders}"


def say(line: str) -> None:
    print(line, flush=True)


def ensure(url: str, spec: Spec, log=say) -> dict:
    """Make the database hold exactly this history; answers what was done and how long it took."""
    from bitrix_app.store.db import make_engine, normalise_url
    from bitrix_app.store.migrate import upgrade

    url = normalise_url(url)
    upgrade(url)
    engine = make_engine(url)
    try:
        found = _marker(engine, spec)
        if found == marker(spec):
            log(f"data: reusing {marker(spec)}")
            return {"generated": False}
        _refuse_foreign(engine, spec)
        if found is not None or _has_rows(engine):
            log(f"data: replacing {found or 'an unfinished load'}")
            _reset(engine)
            engine.dispose()
            upgrade(url)
        started = time.perf_counter()
        history = History(spec, ".000000" if engine.dialect.name == "sqlite" else "+00")
        log(f"data: planned {spec.customers} customers, {spec.orders} orders in {time.perf_counter() - started:.1f} s")
        if engine.dialect.name == "sqlite":
            engine.dispose()
            _load_sqlite(engine.url.database, history, log)
        else:
            _load_postgresql(url, history, log)
        _finish(engine, spec)
        seconds = round(time.perf_counter() - started, 1)
        log(f"data: loaded in {seconds} s")
        return {"generated": True, "generate_s": seconds}
    finally:
        engine.dispose()


def _marker(engine, spec: Spec) -> str | None:
    from bitrix_app.store.shop_models import Shop

    with engine.connect() as conn:
        return conn.scalar(select(Shop.name).where(Shop.shop_id == spec.shop_id))


def _refuse_foreign(engine, spec: Spec) -> None:
    from bitrix_app.store.models import PortalRecord

    with engine.connect() as conn:
        others = conn.scalar(select(func.count()).select_from(PortalRecord).where(
            PortalRecord.member_id != spec.member_id))
    if others:
        raise SystemExit(f"{engine.url.render_as_string()} holds {others} other portal(s): use an empty database")


def _has_rows(engine) -> bool:
    with engine.connect() as conn:
        return any(conn.scalar(text(f"SELECT 1 FROM {table} LIMIT 1")) for table in TABLES)


def _reset(engine) -> None:
    """Start from nothing: delete the SQLite file, or drop PostgreSQL's public schema (Alembic's version too)."""
    if engine.dialect.name == "sqlite":
        engine.dispose()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(engine.url.database + suffix).unlink(missing_ok=True)
        return
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


def _finish(engine, spec: Spec) -> None:
    """The portal, and the shop whose name is the marker: written last, so only a finished load has it."""
    from bitrix_app.store.models import PortalRecord
    from bitrix_app.store.shop_models import Shop

    with engine.begin() as conn:
        conn.execute(PortalRecord.__table__.delete().where(PortalRecord.member_id == spec.member_id))
        conn.execute(PortalRecord.__table__.insert().values(
            member_id=spec.member_id, domain="bench.bitrix24.ru", client_endpoint="https://bench.bitrix24.ru/rest/",
            scope="crm", status="active", application_token_enc="-", installed_at=END, updated_at=END))
        conn.execute(Shop.__table__.insert().values(
            shop_id=spec.shop_id, member_id=spec.member_id, name=marker(spec), platform="generic", secret_enc="-",
            status="active", created_at=END))


class _Progress:
    """Progress lines at every tenth of the rows."""

    def __init__(self, log, what: str, total: int):
        self.log, self.what, self.total, self.done, self.next = log, what, total, 0, total / 10
        self.started = time.perf_counter()

    def add(self, rows: int) -> None:
        self.done += rows
        if self.done >= self.next or self.done == self.total:
            self.next += self.total / 10
            self.log(f"data: {self.what} {self.done}/{self.total} {time.perf_counter() - self.started:.1f} s")


def _insert(table: str, cols: tuple) -> str:
    return f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"


def _load_sqlite(path: str, history: History, log) -> None:
    con = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in SQLITE_LOAD:
            con.execute(f"PRAGMA {pragma}")
        indexes = con.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN "
            f"({', '.join('?' * len(TABLES))})", TABLES).fetchall()
        con.execute("BEGIN")
        for name, _ in indexes:
            con.execute(f'DROP INDEX "{name}"')
        customers, orders = _Progress(log, "customers", history.spec.customers), _Progress(log, "orders",
                                                                                          history.spec.orders)
        for crows, krows in history.customers():
            con.executemany(_insert("shop_customers", CUSTOMER_COLS), crows)
            con.executemany(_insert("shop_customer_keys", KEY_COLS), krows)
            customers.add(len(crows))
        for orows, lrows in history.orders():
            con.executemany(_insert("shop_orders", ORDER_COLS), orows)
            con.executemany(_insert("shop_order_lines", LINE_COLS), lrows)
            orders.add(len(orows))
        started = time.perf_counter()
        for pragma in SQLITE_INDEX:
            con.execute(f"PRAGMA {pragma}")
        for _, sql in indexes:
            con.execute(sql)
        con.execute("COMMIT")
        log(f"data: {len(indexes)} indexes in {time.perf_counter() - started:.1f} s")
        con.execute("PRAGMA journal_mode=WAL")
    finally:
        con.close()


def _load_postgresql(url: str, history: History, log) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        with conn.transaction():
            conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
            conn.execute("SET LOCAL synchronous_commit = off")
            indexes = conn.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "JOIN pg_class t ON t.oid = x.indrelid WHERE t.relname = ANY(%s) AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)", [list(TABLES)]).fetchall()
            for name, _ in indexes:
                conn.execute(f'DROP INDEX "{name}"')
            customers, orders = _Progress(log, "customers", history.spec.customers), _Progress(log, "orders",
                                                                                              history.spec.orders)
            with conn.cursor() as cur:
                for crows, krows in history.customers():
                    _copy(cur, "shop_customers", CUSTOMER_COLS, crows)
                    _copy(cur, "shop_customer_keys", KEY_COLS, krows)
                    customers.add(len(crows))
                for orows, lrows in history.orders():
                    _copy(cur, "shop_orders", ORDER_COLS, orows)
                    _copy(cur, "shop_order_lines", LINE_COLS, lrows)
                    orders.add(len(orows))
            started = time.perf_counter()
            for _, sql in indexes:
                conn.execute(sql)
            for table in TABLES:
                conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)")
            log(f"data: {len(indexes)} indexes in {time.perf_counter() - started:.1f} s")
        conn.autocommit = True
        started = time.perf_counter()
        conn.execute(f"VACUUM ANALYZE {', '.join(TABLES)}")
        log(f"data: vacuum analyze in {time.perf_counter() - started:.1f} s")


def _copy(cur, table: str, cols: tuple, rows: list) -> None:
    with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=5_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"), required=not os.environ.get(
        "DATABASE_URL"))
    args = parser.parse_args(argv)
    ensure(args.database_url, Spec(args.customers, args.orders, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
