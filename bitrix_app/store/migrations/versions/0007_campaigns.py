"""campaigns: definitions, entries, and the portal's repeat-sales pipeline

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("portals", sa.Column("repeat_category_id", sa.Integer))
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name_en", sa.String(255), nullable=False),
        sa.Column("name_ru", sa.String(255), nullable=False),
        sa.Column("segment", sa.String(64), nullable=False),
        sa.Column("trigger", sa.String(8), nullable=False),
        sa.Column("weekday", sa.Integer),
        sa.Column("day_of_month", sa.Integer),
        sa.Column("hour", sa.Integer, nullable=False),
        sa.Column("actions", sa.Text, nullable=False),
        sa.Column("cooldown_days", sa.Integer, nullable=False),
        sa.Column("holdout_percent", sa.Integer, nullable=False),
        sa.Column("attribution_days", sa.Integer, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("last_run_key", sa.String(24)),
        sa.Column("last_run_at", Moment),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("updated_at", Moment, nullable=False),
        sa.UniqueConstraint("member_id", "code", name="uq_campaigns_code"),
    )
    op.create_table(
        "campaign_entries",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("campaign_id", sa.Integer, nullable=False),
        sa.Column("customer_id", BigId, nullable=False),
        sa.Column("run_key", sa.String(40), nullable=False),
        sa.Column("entered_at", Moment, nullable=False),
        sa.Column("window_ends_at", Moment, nullable=False),
        sa.Column("holdout", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("reached", sa.Boolean, nullable=False),
        sa.Column("results", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_at", Moment),
        sa.Column("updated_at", Moment, nullable=False),
        sa.UniqueConstraint("campaign_id", "customer_id", "run_key", name="uq_campaign_entries_run"),
    )
    op.create_index("ix_campaign_entries_customer", "campaign_entries", ["campaign_id", "customer_id", "entered_at"])
    op.create_index("ix_campaign_entries_due", "campaign_entries", ["member_id", "status", "next_at"])


def downgrade() -> None:
    op.drop_table("campaign_entries")
    op.drop_table("campaigns")
    op.drop_column("portals", "repeat_category_id")
