"""More JSON columns: messaging settings, segment state and snapshots, the contact values last written

messaging_settings.data, segment_state.cuts, segment_snapshots.data and customer_stats.written become JSON the
same way 0011 converted its columns (json_text.py, next to the migrations). No set-based SQL reads any of them as text.

Still text, on purpose: shop_events.payload (the raw event as the shop sent it) and the shop rows' documents
(shop_customers.profile and synced, shop_orders.items and synced, shop_carts.data), converted by 0013.

Revision ID: 0012
Revises: 0011
"""
from bitrix_app.store.migrations.json_text import to_json, to_text

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# table, column, what an empty text stands for (None: SQL NULL, the column is nullable), server default
COLUMNS = (
    ("messaging_settings", "data", "{}", "{}"),
    ("segment_state", "cuts", "{}", None),
    ("segment_snapshots", "data", "{}", None),
    ("customer_stats", "written", None, None),
)


def upgrade() -> None:
    to_json(COLUMNS)


def downgrade() -> None:
    to_text(COLUMNS)
