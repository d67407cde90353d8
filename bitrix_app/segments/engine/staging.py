"""The full rebuild's working tables and per-chunk statements.

The portal's purchases are aggregated once into `seg_agg`. Each chunk of customers (ids p_low..p_high) is
computed by ONE INSERT into `seg_src` (a temporary table with customer_stats' columns) of compute.py's SELECT.
New customers' rows are inserted from it; one UPDATE ... FROM writes the existing rows whose values changed (the
day count alone changes every day for everyone: a row keeps its days_since as of its computed_at until something
else changes); the enter/leave rows come from seg_src's old and new strings.
"""
from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, Column, DateTime, MetaData, String, Table, Text, and_, case, delete,
                        false, func, insert, literal, or_, select, text, true, union_all, update)

from bitrix_app.store.segment_models import SegmentTransition

from . import compute
from ..figures import sqlfn
from . import stats
from ..kinds.contract import Env, SegmentDef
from .stats import CS, member_param, scoped

TEMPORARIES = ("seg_agg", "seg_src")
TR = SegmentTransition.__table__


def _source_table() -> Table:
    """customer_stats' columns (no keys but the customer, no indexes) and compute's working columns."""
    cols = [Column(c.name, c.type, primary_key=c.name == "customer_id") for c in CS.columns]
    cols += [Column("tenure", BigInteger), Column("birthday", Text), Column("gender_raw", Text),
             Column("old_segments", Text), Column("is_new", Boolean)]
    cols += [Column(f"old_{n}", CS.c[n].type) for n in compute.COMPARED]
    return Table("seg_src", MetaData(), *cols, prefixes=["TEMPORARY"])


SOURCE = _source_table()  # a schema definition like the models' tables; created per rebuild


def drop(conn) -> None:
    schema = "temp" if conn.dialect.name == "sqlite" else "pg_temp"
    for name in TEMPORARIES:
        conn.execute(text(f"DROP TABLE IF EXISTS {schema}.{name}"))


def create(conn, values: dict) -> Table:
    """Fresh working tables; the portal's purchases aggregated into seg_agg (returned)."""
    drop(conn)
    agg = stats.aggregate_table()
    SOURCE.create(conn)
    query = stats.purchases(conn.dialect.name)
    if conn.dialect.name == "postgresql":
        # stored in customer order (each chunk reads a contiguous range of it), grouped as the covering index
        # streams the orders (a hash aggregate of a million customers spills, and its estimate is far too low)
        compiled = query.order_by(None).order_by(stats.ORDERS.c.customer_id).compile(dialect=conn.dialect)
        conn.exec_driver_sql("SET LOCAL enable_hashagg = off")
        conn.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")
        conn.exec_driver_sql(f"CREATE TEMPORARY TABLE seg_agg AS {compiled}", {**compiled.params, **values})
        conn.exec_driver_sql("RESET enable_hashagg")
        conn.exec_driver_sql("RESET max_parallel_workers_per_gather")
        conn.exec_driver_sql("ALTER TABLE seg_agg ADD PRIMARY KEY (cid)")
        conn.exec_driver_sql("ANALYZE seg_agg")
        conn.exec_driver_sql("ANALYZE customer_stats")  # fresh estimates for the chunks' joins
    else:
        agg.create(conn)
        conn.execute(insert(agg).from_select(list(stats.AGG_COLUMNS), query), values)
    return agg


def chunk_insert(agg: Table, settings: dict, cuts: dict, defs: list[SegmentDef], env: Env):
    """The INSERT computing a chunk (p_low..p_high) into seg_src, and the codes of its segment strings."""
    final, codes = compute.computed(agg, settings, cuts, defs, env, "range")
    return insert(SOURCE).from_select(list(compute.NAMES), final), codes


def stage(conn, statement, values: dict) -> int:
    """Compute the chunk into seg_src; new customers get their customer_stats row as computed (dirty: their
    contact has none of it yet); answer the rows staged."""
    src = SOURCE
    conn.execute(delete(src))
    conn.execute(statement, values)
    names = [c.name for c in CS.columns]
    fresh = select(*[src.c[n] if n != "dirty" else true() for n in names]).where(src.c.is_new == true())
    conn.execute(insert(CS).from_select(names, fresh))
    return conn.execute(select(func.count()).select_from(src)).scalar_one()


def write_back(conn, values: dict) -> None:
    """Copy the staged chunk into the existing customer_stats rows whose values changed (one UPDATE; the test
    reads seg_src alone, so unchanged rows are not even joined)."""
    src = SOURCE
    stmt = (update(CS).values(**stats.final_values(src.c, src.c.rfm_group, src.c.segments))
            .where(CS.c.customer_id == src.c.customer_id, CS.c.member_id == member_param(),
                   scoped("range", CS.c.customer_id), src.c.is_new == false(), compute.changed(src.c)))
    conn.execute(stmt, values)


def record_transitions(conn, codes: list[str], values: dict) -> int:
    """Enter/leave rows of the chunk's changed strings for the known codes (set-based)."""
    if not codes:
        return 0
    src, dialect = SOURCE, conn.dialect.name
    listed = union_all(*[select(literal(code, String).label("code")) for code in codes]).subquery("codes")
    changed = select(src.c.customer_id, src.c.segments, src.c.old_segments).where(
        src.c.segments != src.c.old_segments).cte("changed").prefix_with("MATERIALIZED")  # few rows, then x codes
    token = literal("|").concat(listed.c.code).concat(literal("|"))
    inside = sqlfn.contains(changed.c.segments, token, dialect)
    was = sqlfn.contains(changed.c.old_segments, token, dialect)
    rows = (select(member_param(), changed.c.customer_id, listed.c.code, case((inside, "enter"), else_="leave"),
                   literal(values["p_now"], DateTime(timezone=True)), false())
            .select_from(changed.join(listed, true()))
            .where(or_(and_(inside, ~was), and_(~inside, was)))
            .order_by(changed.c.customer_id, listed.c.code))
    columns = ["member_id", "customer_id", "segment", "change", "at", "handled"]
    return len(conn.execute(insert(TR).from_select(columns, rows).returning(TR.c.id), values).all())
