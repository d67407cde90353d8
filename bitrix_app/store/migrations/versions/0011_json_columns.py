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
from bitrix_app.store.migrations.json_text import to_json, to_text

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


def upgrade() -> None:
    to_json(COLUMNS)


def downgrade() -> None:
    to_text(COLUMNS)
