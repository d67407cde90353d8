"""Full-rebuild forms of the line-based kinds: members computed once, set-based, into a temporary table.

A kind's `prepare(defn, env, connection)` runs one set-based query over the portal's order lines and keeps the
member ids in a temporary table of that connection; the definition it returns carries the table's name in
params["_prepared"], and its predicate becomes a primary-key lookup in that table. Such a definition is valid only
on that connection (temporary tables are per connection); `for_incremental()` drops the table's name and keeps
what can be reused elsewhere (JSON).
"""
from __future__ import annotations

import dataclasses
import hashlib
from datetime import datetime, timezone

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, exists, insert, literal, select, text

PREPARED = "_prepared"
TABLE = "members_table"  # the kind's members
TABLES = "bought_tables"  # custom rules: the buyers of each bought-item condition
BigId = BigInteger().with_variant(Integer(), "sqlite")


def split(params: dict) -> tuple[dict, dict]:
    """The definition's own params and what prepare() added ({} when it was not called)."""
    own = dict(params)
    return own, dict(own.pop(PREPARED, None) or {})


def with_prepared(defn, **entries):
    """The definition with these entries in params["_prepared"]."""
    _, prepared = split(defn.params)
    return dataclasses.replace(defn, params={**defn.params, PREPARED: {**prepared, **entries}})


def for_incremental(defn):
    """A prepared definition for other connections: without its temporary table (the rest is plain JSON)."""
    _, prepared = split(defn.params)
    prepared.pop(TABLE, None)
    prepared.pop(TABLES, None)
    params = {k: v for k, v in defn.params.items() if k != PREPARED}
    return dataclasses.replace(defn, params={**params, PREPARED: prepared} if prepared else params)


def unindexed(column):
    """The column inside an expression no index serves (`column || ''`, `column + 0`), to steer SQLite, which has
    no statistics: a per-customer read of lines keeps to the customer index (not the sku or category index, which
    would scan every buyer of the item for each customer), and a whole-portal read grouped by customer reads the
    item's lines through the sku or category index (not all lines in customer order)."""
    return column.concat("") if isinstance(column.type, String) else column + 0


def members_table(name: str) -> Table:
    return Table(name, MetaData(), Column("customer_id", BigId, primary_key=True), prefixes=["TEMPORARY"])


def temp_table(connection, name: str, *columns) -> Table:
    """A fresh, empty temporary table of this connection."""
    drop_temp(connection, name)
    table = Table(name, MetaData(), *columns, prefixes=["TEMPORARY"])
    table.create(connection)
    return table


def temp_name(defn, env, suffix: str = "") -> str:
    """The name of a definition's temporary table (stable per portal and code; safe in SQL)."""
    key = f"{env.member_id}:{defn.kind}:{defn.code}".encode()
    return "tmp_seg_" + hashlib.sha1(key).hexdigest()[:20] + suffix


def drop_temp(connection, name: str) -> None:
    schema = "pg_temp" if connection.dialect.name == "postgresql" else "temp"
    connection.execute(text(f"DROP TABLE IF EXISTS {schema}.{name}"))


def fill(connection, name: str, query) -> str:
    """A fresh temporary table `name` holding the distinct customer ids `query` selects; answers the name."""
    table = temp_table(connection, name, Column("customer_id", BigId, primary_key=True))
    ids = query.subquery("ids")
    connection.execute(insert(table).from_select(["customer_id"], select(ids.c[0]).distinct()))
    return name


def in_members(prepared: dict, cs):
    """The customer is in the prepared temporary table (a primary-key lookup)."""
    table = members_table(prepared[TABLE])
    return exists(select(literal(1)).where(table.c.customer_id == cs.c.customer_id))


def aware(moment):
    """A datetime read back from the database as aware UTC (SQLite returns naive UTC)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=timezone.utc) if moment is not None and moment.tzinfo is None else moment
