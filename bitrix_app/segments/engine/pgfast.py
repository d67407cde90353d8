"""PostgreSQL: run a big, reused statement without converting its text again on every call.

psycopg parses a query's %(name)s placeholders on every execute unless the text is under 4 KB; the incremental
statements are 15-20 KB, and that parsing costs more than running them for one customer. Such a statement is
compiled once into $n placeholders (its constants become parameters too) and run on a raw cursor, prepared
server-side. Statements with expanding (IN list) parameters go the ordinary way.
"""
from __future__ import annotations

import re
from functools import lru_cache

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@lru_cache(maxsize=64)
def _raw(statement, dialect) -> tuple[str, tuple[str, ...], dict] | None:
    compiled = statement.compile(dialect=dialect)
    if "POSTCOMPILE" in compiled.string:
        return None
    names: list[str] = []

    def number(match) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    text = PLACEHOLDER.sub(number, compiled.string).replace("%%", "%")
    return text, tuple(names), dict(compiled.params)


def execute(conn, statement, values: dict) -> list[tuple]:
    """Run `statement` with `values` (its bound parameters by name); answer its rows (none without RETURNING)."""
    raw = _raw(statement, conn.dialect) if conn.dialect.name == "postgresql" else None
    if raw is None:
        result = conn.execute(statement, values)
        return [tuple(row) for row in result] if result.returns_rows else []
    import psycopg

    text, names, constants = raw
    args = [values[name] if name in values else constants[name] for name in names]
    with psycopg.RawCursor(conn.connection.dbapi_connection) as cursor:
        cursor.execute(text, args, prepare=True)
        return cursor.fetchall() if cursor.description else []
