"""shops: connections, event inbox, orders, customers, carts, per-portal settings, leases

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "shops",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("shop_id", sa.String(40), nullable=False, unique=True),
        sa.Column("member_id", sa.String(64), nullable=False, index=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False, server_default="generic"),
        sa.Column("secret_enc", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="active"),
        sa.Column("created_at", Moment, nullable=False),
    )
    op.create_table(
        "shop_events",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("shop_id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(120), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(160), nullable=False),
        sa.Column("version", Moment),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", Moment, nullable=False),
        sa.Column("last_error", sa.Text()),
        sa.Column("received_at", Moment, nullable=False),
        sa.Column("processed_at", Moment),
        sa.UniqueConstraint("shop_id", "event_id", name="uq_shop_events_dedup"),
    )
    op.create_index("ix_shop_events_due", "shop_events", ["member_id", "status", "next_attempt_at"])
    op.create_index("ix_shop_events_status", "shop_events", ["status", "received_at"])
    op.create_table(
        "shop_orders",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("shop_id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("order_id", sa.String(100), nullable=False),
        sa.Column("number", sa.String(255)),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("total", sa.String(32), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("cart_id", sa.String(100)),
        sa.Column("customer_id", BigId),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("ordered_at", Moment, nullable=False),
        sa.Column("version", Moment, nullable=False),
        sa.Column("deal_id", sa.Integer()),
        sa.Column("synced", sa.Text()),
        sa.UniqueConstraint("shop_id", "order_id", name="uq_shop_orders"),
    )
    op.create_index("ix_shop_orders_customer", "shop_orders", ["member_id", "customer_id"])
    op.create_table(
        "shop_customers",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("member_id", sa.String(64), nullable=False, index=True),
        sa.Column("contact_id", sa.Integer()),
        sa.Column("profile", sa.Text(), nullable=False, server_default="{}"),
        sa.Column("synced", sa.Text()),
        sa.Column("version", Moment),
    )
    op.create_table(
        "shop_customer_keys",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("customer_id", BigId, nullable=False, index=True),
        sa.UniqueConstraint("member_id", "key", name="uq_customer_keys"),
    )
    op.create_table(
        "shop_carts",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("shop_id", sa.String(40), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("cart_id", sa.String(100), nullable=False),
        sa.Column("state", sa.String(12), nullable=False, server_default="open"),
        sa.Column("customer_id", BigId),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("version", Moment, nullable=False),
        sa.Column("first_seen_at", Moment, nullable=False),
        sa.Column("deal_id", sa.Integer()),
        sa.Column("todo_done", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("reminders_sent", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("order_id", sa.String(100)),
        sa.UniqueConstraint("shop_id", "cart_id", name="uq_shop_carts"),
    )
    op.create_index("ix_shop_carts_customer", "shop_carts", ["member_id", "customer_id", "state"])
    op.create_table(
        "portal_settings",
        sa.Column("member_id", sa.String(64), primary_key=True),
        sa.Column("data", sa.Text(), nullable=False, server_default="{}"),
        sa.Column("updated_at", Moment, nullable=False),
    )
    op.create_table(
        "leases",
        sa.Column("name", sa.String(120), primary_key=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("until", Moment, nullable=False),
    )


def downgrade() -> None:
    for table in ("leases", "portal_settings", "shop_carts", "shop_customer_keys", "shop_customers",
                  "shop_orders", "shop_events", "shops"):
        op.drop_table(table)
