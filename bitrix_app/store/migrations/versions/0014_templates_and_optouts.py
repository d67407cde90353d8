"""Templates the admin writes and the customers' unsubscribes

message_templates gains `name`, `channel` (email, sms or any) and `marketing` for the admin's own templates (the
built-ins keep them in code, so their rows leave the three NULL); `message_optouts` holds the addresses that left
a channel's marketing messages through the unsubscribe page.

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("message_templates") as batch:
        batch.add_column(sa.Column("name", sa.String(255)))
        batch.add_column(sa.Column("channel", sa.String(8)))
        batch.add_column(sa.Column("marketing", sa.Boolean()))
    op.create_table(
        "message_optouts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("address", sa.String(320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("member_id", "channel", "address", name="uq_message_optouts"),
    )


def downgrade() -> None:
    op.drop_table("message_optouts")
    with op.batch_alter_table("message_templates") as batch:
        batch.drop_column("marketing")
        batch.drop_column("channel")
        batch.drop_column("name")
