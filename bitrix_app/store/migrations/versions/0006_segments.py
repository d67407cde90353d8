"""segments: order lines, per-customer figures and memberships, definitions, transitions, snapshots

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("shop_orders", sa.Column("utm_source", sa.String(255)))
    op.create_table(
        "shop_order_lines",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("order_ref", BigId, nullable=False),
        sa.Column("customer_id", BigId),
        sa.Column("sku", sa.String(100), nullable=False),
        sa.Column("category", sa.String(255)),
        sa.Column("quantity", sa.Float, nullable=False),
        sa.Column("amount", sa.Float, nullable=False),
        sa.Column("ordered_at", Moment, nullable=False),
        sa.Column("counted", sa.Boolean, nullable=False),
    )
    op.create_index("ix_order_lines_customer", "shop_order_lines", ["member_id", "customer_id"])
    op.create_index("ix_order_lines_order", "shop_order_lines", ["order_ref"])
    op.create_index("ix_order_lines_sku", "shop_order_lines", ["member_id", "sku"])
    op.create_index("ix_order_lines_category", "shop_order_lines", ["member_id", "category"])
    op.create_table(
        "customer_stats",
        sa.Column("customer_id", BigId, primary_key=True, autoincrement=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("contact_id", sa.Integer),
        sa.Column("orders", sa.Integer, nullable=False),
        sa.Column("revenue", sa.Float, nullable=False),
        sa.Column("paid_revenue", sa.Float, nullable=False),
        sa.Column("first_order_at", Moment),
        sa.Column("last_order_at", Moment),
        sa.Column("days_since", sa.Integer),
        sa.Column("lifespan_days", sa.Integer),
        sa.Column("channel", sa.String(255)),
        sa.Column("birth_month", sa.Integer),
        sa.Column("birth_day", sa.Integer),
        sa.Column("birth_year", sa.Integer),
        sa.Column("gender", sa.String(16)),
        sa.Column("lifecycle", sa.String(24)),
        sa.Column("r", sa.Integer),
        sa.Column("f", sa.Integer),
        sa.Column("m", sa.Integer),
        sa.Column("rfm_group", sa.String(24)),
        sa.Column("ltv", sa.Float, nullable=False),
        sa.Column("segments", sa.Text, nullable=False),
        sa.Column("computed_at", Moment),
        sa.Column("dirty", sa.Boolean, nullable=False),
        sa.Column("written", sa.Text),
    )
    op.create_index("ix_customer_stats_member", "customer_stats", ["member_id", "lifecycle"])
    op.create_index("ix_customer_stats_dirty", "customer_stats", ["member_id", "dirty"])
    op.create_table(
        "segment_definitions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("name_en", sa.String(255), nullable=False),
        sa.Column("name_ru", sa.String(255), nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("updated_at", Moment, nullable=False),
        sa.UniqueConstraint("member_id", "code", name="uq_segment_definitions"),
    )
    op.create_table(
        "segment_transitions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("customer_id", BigId, nullable=False),
        sa.Column("segment", sa.String(64), nullable=False),
        sa.Column("change", sa.String(8), nullable=False),
        sa.Column("at", Moment, nullable=False),
        sa.Column("handled", sa.Boolean, nullable=False),
    )
    op.create_index("ix_segment_transitions_open", "segment_transitions", ["member_id", "handled", "id"])
    op.create_table(
        "segment_state",
        sa.Column("member_id", sa.String(64), primary_key=True),
        sa.Column("cuts", sa.Text, nullable=False),
        sa.Column("rebuilt_at", Moment),
    )
    op.create_table(
        "segment_snapshots",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("taken_at", Moment, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_index("ix_segment_snapshots", "segment_snapshots", ["member_id", "taken_at"])


def downgrade() -> None:
    for table in ("segment_snapshots", "segment_state", "segment_transitions", "segment_definitions",
                  "customer_stats", "shop_order_lines"):
        op.drop_table(table)
    op.drop_column("shop_orders", "utm_source")
