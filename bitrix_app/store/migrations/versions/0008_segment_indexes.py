"""segments: a covering index for the per-customer aggregate of purchases

The full rebuild groups a portal's orders by customer; with every column it reads in the index, SQLite and
PostgreSQL scan the index alone instead of visiting the order rows in customer order (random reads).

Revision ID: 0008
Revises: 0007
"""
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = ["member_id", "customer_id", "status", "ordered_at", "total", "utm_source"]


def upgrade() -> None:
    op.create_index("ix_shop_orders_purchases", "shop_orders", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_shop_orders_purchases", table_name="shop_orders")
