"""Shop rows' documents as JSON: customers' profiles, orders' items, carts' data, what was last written to CRM

shop_customers.profile and synced, shop_orders.items and synced and shop_carts.data become JSON the same way
0011 and 0012 converted their columns (json_text.py, next to the migrations): an empty text becomes what the code
read it as ('{}' for a profile or a cart, '[]' for items, NULL for what was last written), and PostgreSQL changes
each column's type in place. The segment engine reads profile values with `->>` on PostgreSQL and json_extract on
SQLite (segments/figures/sqlfn.json_text), which reads both the text and the JSON column.

Still text, on purpose: shop_events.payload, the event as the shop sent it.

Revision ID: 0013
Revises: 0012
"""
from bitrix_app.store.migrations.json_text import to_json, to_text

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# table, column, what an empty text stands for (None: SQL NULL, the column is nullable), server default
COLUMNS = (
    ("shop_customers", "profile", "{}", "{}"),
    ("shop_customers", "synced", None, None),
    ("shop_orders", "items", "[]", None),
    ("shop_orders", "synced", None, None),
    ("shop_carts", "data", "{}", None),
)


def upgrade() -> None:
    to_json(COLUMNS)


def downgrade() -> None:
    to_text(COLUMNS)
