"""Turning Text columns that hold one JSON document into JSON columns (migrations 0011 to 0013): an empty text
becomes what the code read it as, a non-finite number is rewritten as the app writes it, and on PostgreSQL the
column changes type in place (SQLite's JSON type is text: only the empty texts change there).

`columns`: (table, column, what an empty text stands for or None for SQL NULL, server default or None)."""
import json

import sqlalchemy as sa
from alembic import op

from bitrix_app.store.db import dumps_json


def _normalise_empty(columns) -> None:
    for table, column, empty, _default in columns:
        value = "NULL" if empty is None else f"'{empty}'"
        op.execute(f"UPDATE {table} SET {column} = {value} WHERE {column} = ''")


def _rewrite_non_finite(bind, columns) -> None:
    for table, column, _empty, _default in columns:
        found = bind.execute(sa.text(f"SELECT DISTINCT {column} FROM {table} "
                                     f"WHERE {column} LIKE '%Infinity%' OR {column} LIKE '%NaN%'")).scalars()
        for old in list(found):
            bind.execute(sa.text(f"UPDATE {table} SET {column} = :new WHERE {column} = :old"),
                         {"new": dumps_json(json.loads(old)), "old": old})


def to_json(columns) -> None:
    _normalise_empty(columns)
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    _rewrite_non_finite(bind, columns)
    for table, column, _empty, default in columns:
        if default is not None:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT")
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE JSON USING {column}::json")
        if default is not None:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT '{default}'::json")


def to_text(columns) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, _empty, default in columns:
        if default is not None:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT")
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE TEXT USING {column}::text")
        if default is not None:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT '{default}'")
