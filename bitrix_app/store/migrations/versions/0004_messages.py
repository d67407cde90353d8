"""messages: every message and its outcome, per-portal templates, channel settings

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "messages",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("template", sa.String(64)),
        sa.Column("marketing", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("channel", sa.String(16)),
        sa.Column("transport", sa.String(16)),
        sa.Column("address", sa.String(320)),
        sa.Column("contact_id", sa.Integer()),
        sa.Column("subject", sa.String(255)),
        sa.Column("text", sa.Text(), nullable=False, server_default=""),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("until", Moment),
        sa.Column("reference", sa.String(120)),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("updated_at", Moment, nullable=False),
        sa.Column("sent_at", Moment),
        sa.UniqueConstraint("member_id", "key", name="uq_messages_key"),
    )
    op.create_index("ix_messages_cap", "messages", ["member_id", "channel", "address", "sent_at"])
    op.create_index("ix_messages_template", "messages", ["member_id", "template", "sent_at"])
    op.create_index("ix_messages_status", "messages", ["member_id", "status", "updated_at"])
    op.create_table(
        "message_templates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False, server_default=""),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sms", sa.Text()),
        sa.Column("updated_at", Moment, nullable=False),
        sa.UniqueConstraint("member_id", "code", "language", name="uq_message_templates"),
    )
    op.create_table(
        "messaging_settings",
        sa.Column("member_id", sa.String(64), primary_key=True),
        sa.Column("data", sa.Text(), nullable=False, server_default="{}"),
        sa.Column("secrets_enc", sa.Text()),
        sa.Column("updated_at", Moment, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("messaging_settings")
    op.drop_table("message_templates")
    op.drop_index("ix_messages_status", table_name="messages")
    op.drop_index("ix_messages_template", table_name="messages")
    op.drop_index("ix_messages_cap", table_name="messages")
    op.drop_table("messages")
