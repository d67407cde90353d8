"""robot calls: every run of an automation-rule action, unique per event_token

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "robot_calls",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("event_token", sa.String(512), nullable=False),
        sa.Column("workflow_id", sa.String(64), nullable=False),
        sa.Column("document_id", sa.String(300), nullable=False),
        sa.Column("document_type", sa.String(300), nullable=False),
        sa.Column("properties", sa.Text(), nullable=False),
        sa.Column("waits", sa.Boolean(), nullable=False),
        sa.Column("timeout_duration", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer()),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("return_values", sa.Text()),
        sa.Column("log_message", sa.Text()),
        sa.Column("error", sa.Text()),
        sa.Column("reply_status", sa.String(12), nullable=False),
        sa.Column("reply_error", sa.Text()),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("portal_ts", sa.String(20)),
        sa.Column("received_at", Moment, nullable=False),
        sa.Column("started_at", Moment),
        sa.Column("finished_at", Moment),
        sa.Column("replied_at", Moment),
        sa.UniqueConstraint("event_token", name="uq_robot_calls_event_token"),
    )
    op.create_index("ix_robot_calls_member", "robot_calls", ["member_id", "received_at"])
    op.create_index("ix_robot_calls_status", "robot_calls", ["status", "received_at"])


def downgrade() -> None:
    op.drop_table("robot_calls")
