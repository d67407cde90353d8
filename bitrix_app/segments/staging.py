"""The full rebuild's working tables and per-chunk statements.

The portal's purchases are aggregated once into `seg_agg`. Each chunk of customers (ids p_low..p_high) is
computed by ONE INSERT into `seg_src` (a temporary table with customer_stats' columns): a chain of materialized
CTEs reads the raw figures, derives scores, cell, LTV and group, then the segment string - each expression once
per row, and memberships see a row with customer_stats' columns (env.cs is the CTE). One UPDATE ... FROM then
writes the customer_stats rows whose values changed (the day count alone changes every day for everyone: a row
keeps its days_since as of its computed_at until something else changes), and the enter/leave rows come from
seg_src's old and new strings. The expressions are the incremental path's (stats.raw_columns / derived /
final_values), so both paths compute the same figures.
"""
from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, Column, DateTime, MetaData, String, Table, Text, and_, bindparam, case,
                        delete, false, func, insert, literal, or_, select, text, true, union_all, update)

from bitrix_app.store.segment_models import OrderLine, SegmentTransition

from . import memberships, rfm, sqlfn, stats
from .kinds import Env, SegmentDef
from .stats import CS, CUSTOMERS, member_param, scoped

TEMPORARIES = ("seg_agg", "seg_src")
TR = SegmentTransition.__table__
# values that a nightly rebuild compares: all but days_since and computed_at
COMPARED = tuple(c.name for c in CS.columns if c.name not in ("customer_id", "member_id", "days_since", "computed_at",
                                                               "dirty", "written"))


def _source_table() -> Table:
    """customer_stats' columns (no keys but the customer, no indexes) and the working columns."""
    cols = [Column(c.name, c.type, primary_key=c.name == "customer_id") for c in CS.columns]
    cols += [Column("tenure", BigInteger), Column("birthday", Text), Column("gender_raw", Text),
             Column("old_segments", Text), Column("is_new", Boolean)]
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
    if conn.dialect.name == "postgresql":  # CREATE TABLE AS may run in parallel workers; INSERT ... SELECT may not
        compiled = query.order_by(None).order_by(stats.ORDERS.c.customer_id).compile(dialect=conn.dialect)
        # stored in customer order, so each chunk reads a contiguous range of it
        conn.exec_driver_sql(f"CREATE TEMPORARY TABLE seg_agg AS {compiled}", {**compiled.params, **values})
        conn.exec_driver_sql("ALTER TABLE seg_agg ADD PRIMARY KEY (cid)")
        conn.exec_driver_sql("ANALYZE seg_agg")
    else:
        agg.create(conn)
        conn.execute(insert(agg).from_select(list(stats.AGG_COLUMNS), query), values)
    return agg


def _materialized(stmt, name: str):
    return stmt.cte(name).prefix_with("MATERIALIZED")


def _rows(dialect: str, agg: Table, settings: dict, cuts: dict):
    """CTE of the chunk's customers with every customer_stats column (segments still empty)."""
    raw = _materialized(select(*stats.raw_columns(dialect, agg),
                               func.coalesce(CS.c.segments, "|").label("old_segments"),
                               CS.c.customer_id.is_(None).label("is_new"))
                        .select_from(CUSTOMERS.outerjoin(agg, and_(agg.c.cid == CUSTOMERS.c.id,
                                                                   scoped("range", agg.c.cid)))
                                     .outerjoin(CS, and_(CS.c.customer_id == CUSTOMERS.c.id,
                                                         scoped("range", CS.c.customer_id))))
                        .where(CUSTOMERS.c.member_id == member_param(), scoped("range", CUSTOMERS.c.id)), "raw")
    more = stats.derived(dialect, raw.c, cuts, settings["lifecycle"])
    scored = _materialized(select(raw, *[expr.label(name) for name, expr in more.items()]), "scored")
    return _materialized(select(scored, rfm.group_expr(scored.c.r, scored.c.f, scored.c.m).label("rfm_group"),
                                literal("|").label("segments"),
                                bindparam("p_now", type_=DateTime(timezone=True)).label("computed_at"),
                                true().label("dirty"),
                                literal(None, Text).label("written")), "figures")


def chunk_insert(dialect: str, agg: Table, settings: dict, cuts: dict, defs: list[SegmentDef], env: Env):
    """The INSERT computing a chunk into seg_src, and the codes of its segment strings (in order)."""
    rows = _rows(dialect, agg, settings, cuts)
    first = memberships.compiled([d for d in defs if d.stage == 1], _env(env, rows))
    names = [c.name for c in SOURCE.columns]
    if any(d.stage == 2 for d in defs):
        stage1 = _materialized(select(*[rows.c[n] for n in names if n != "segments"],
                                      memberships.value(first, literal("|"), rows).label("segments")), "stage1")
        second = memberships.compiled([d for d in defs if d.stage == 2], _env(env, stage1))
        final = select(*[stage1.c[n] if n != "segments" else memberships.value(second, stage1.c.segments, stage1)
                         .label("segments") for n in names])
        codes = [d.code for d, _ in first + second]
    else:
        final = select(*[rows.c[n] if n != "segments" else
                         memberships.value(first, literal("|"), rows).label("segments") for n in names])
        codes = [d.code for d, _ in first]
    return insert(SOURCE).from_select(names, final), codes


def _env(env: Env, table) -> Env:
    return Env(cs=table, lines=OrderLine.__table__, member_id=env.member_id, now=env.now, dialect=env.dialect,
               settings=env.settings)


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
    """Copy the staged chunk into the customer_stats rows whose values changed (one UPDATE)."""
    src = SOURCE
    differs = or_(*[CS.c[name].is_distinct_from(src.c[name]) for name in COMPARED])
    stmt = (update(CS).values(**stats.final_values(src.c, src.c.rfm_group, src.c.segments))
            .where(CS.c.customer_id == src.c.customer_id, CS.c.member_id == member_param(), differs))
    conn.execute(stmt, values)


def record_transitions(conn, codes: list[str], values: dict) -> int:
    """Enter/leave rows of the chunk's changed strings for the known codes (set-based)."""
    if not codes:
        return 0
    src, dialect = SOURCE, conn.dialect.name
    listed = union_all(*[select(literal(code, String).label("code")) for code in codes]).subquery("codes")
    changed = select(src.c.customer_id, src.c.segments, src.c.old_segments).where(
        src.c.segments != src.c.old_segments).subquery("changed")
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
