"""JSON columns: the Text columns that only ever hold a JSON document become JSON

portal_settings.data, portals.registered_robots, robot_calls.properties and return_values, campaigns.actions,
campaign_entries.results and segment_definitions.params. The code reads and writes them as Python objects
(SQLAlchemy's JSON type) instead of calling json.loads/dumps at each site.

PostgreSQL converts each column in place (`TYPE JSON USING col::json`) after an empty text is normalised to what
the code always read it as ('{}' or '[]', NULL where the column may be empty), and a non-finite number Python
wrote (Infinity, NaN: a rule stored before the schema refused them) is rewritten the way the app now writes it
(1e999, null). SQLite has no column types to
change: its JSON type is text, so only the empty texts are normalised there. Downgrading turns them back into text.

Revision ID: 0011
Revises: 0010
"""
import json

import sqlalchemy as sa
from alembic import op

from bitrix_app.store.db import dumps_json

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# table, column, what an empty text stands for (None: SQL NULL, the column is nullable), server default
COLUMNS = (
    ("portal_settings", "data", "{}", "{}"),
    ("portals", "registered_robots", None, None),
    ("robot_calls", "properties", "{}", None),
    ("robot_calls", "return_values", None, None),
    ("campaigns", "actions", "[]", None),
    ("campaign_entries", "results", "{}", None),
    ("segment_definitions", "params", "{}", None),
)


def _normalise_empty() -> None:
    for table, column, empty, _default in COLUMNS:
        value = "NULL" if empty is None else f"'{empty}'"
        op.execute(f"UPDATE {table} SET {column} = {value} WHERE {column} = ''")


def _rewrite_non_finite(bind) -> None:
    for table, column, _empty, _default in COLUMNS:
        found = bind.execute(sa.text(f"SELECT DISTINCT {column} FROM {table} "
                                     f"WHERE {column} LIKE '%Infinity%' OR {column} LIKE '%NaN%'")).scalars()
        for old in list(found):
            bind.execute(sa.text(f"UPDATE {table} SET {column} = :new WHERE {column} = :old"),
                         {"new": dumps_json(json.loads(old)), "old": old})


def upgrade() -> None:
    _normalise_empty()
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    _rewrite_non_finite(bind)
    for table, column, _empty, default in COLUMNS:
        if default is not None:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT")
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE JSON USING {column}::json")
        if default is not None:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT '{default}'::json")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, _empty, default in COLUMNS:
        if default is not None:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT")
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE TEXT USING {column}::text")
        if default is not None:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT '{default}'")
