"""A migrated database with customer_stats and shop_order_lines rows written directly, and the kinds' Env."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from itertools import count

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bitrix_app.segments.kinds.contract import Env, SegmentDef, kind_module
from bitrix_app.segments.kinds.prepared import for_incremental
from bitrix_app.store.db import make_engine
from bitrix_app.store.segment_models import CustomerFigures, OrderLine
from tests.fixtures.services import empty_tables

MEMBER = "seg-kinds-portal"
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)
CS = CustomerFigures.__table__
LINES = OrderLine.__table__


class Kit:
    """Rows in, customer ids out: the predicate's answer and explain()'s verdict per customer."""

    def __init__(self, engine):
        self.engine = engine
        self.orders = count(1)

    def env(self, now: datetime = NOW, member_id: str = MEMBER) -> Env:
        return Env(cs=CS, lines=LINES, member_id=member_id, now=now, dialect=self.engine.dialect.name, settings={})

    def customer(self, customer_id: int, member_id: str = MEMBER, **figures) -> None:
        row = {"customer_id": customer_id, "member_id": member_id, "orders": 0, "revenue": 0.0, "paid_revenue": 0.0,
               "ltv": 0.0, "segments": "|", "dirty": False, **figures}
        with self.engine.begin() as conn:
            conn.execute(insert(CS), [row])

    def line(self, customer_id: int, sku: str, category: str | None = None, ago: timedelta | float = 0,
             counted: bool = True, order_ref: int | None = None, member_id: str = MEMBER, now: datetime = NOW) -> None:
        ago = ago if isinstance(ago, timedelta) else timedelta(days=ago)
        row = {"member_id": member_id, "order_ref": order_ref or next(self.orders), "customer_id": customer_id,
               "sku": sku, "category": category, "quantity": 1.0, "amount": 10.0, "ordered_at": now - ago,
               "counted": counted}
        with self.engine.begin() as conn:
            conn.execute(insert(LINES), [row])

    def matching(self, defn: SegmentDef, env: Env | None = None, conn=None) -> set[int]:
        env = env or self.env()
        pred = kind_module(defn.kind).predicate(defn, env)
        query = select(CS.c.customer_id).where(CS.c.member_id == env.member_id, pred)
        if conn is not None:
            return set(conn.execute(query).scalars())
        with self.engine.connect() as own:
            return set(own.execute(query).scalars())

    def variants(self, defn: SegmentDef, env: Env | None = None) -> dict[str, tuple[SegmentDef, set[int]]]:
        """The definition as is, prepared for a full rebuild (on the connection that prepared it) and as kept
        for incremental updates: each with the customer ids its predicate selects."""
        env = env or self.env()
        found = {"plain": (defn, self.matching(defn, env))}
        module = kind_module(defn.kind)
        if hasattr(module, "prepare"):
            with self.engine.connect() as conn:
                ready = module.prepare(defn, env, conn)
                found["prepared"] = (ready, self.matching(ready, env, conn))
                conn.rollback()
            kept = for_incremental(ready)
            found["incremental"] = (kept, self.matching(kept, env))
        return found

    def row(self, customer_id: int) -> dict:
        with self.engine.connect() as conn:
            return dict(conn.execute(select(CS).where(CS.c.customer_id == customer_id)).mappings().one())

    def explain(self, defn: SegmentDef, customer_id: int, env: Env | None = None) -> list[str]:
        with Session(self.engine) as session:
            return kind_module(defn.kind).explain(defn, self.row(customer_id), env or self.env(), session)

    def all_ids(self, member_id: str = MEMBER) -> list[int]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(CS.c.customer_id).where(CS.c.member_id == member_id)).scalars())


def defn(kind: str, params: dict, code: str = "TEST") -> SegmentDef:
    return SegmentDef(code=code, kind=kind, name={"en": code, "ru": code}, params=params)


@pytest.fixture
def kit(database_url):
    engine = make_engine(database_url)
    try:
        yield Kit(engine)
    finally:
        empty_tables(engine)
        engine.dispose()
