"""portals: installations, tokens and lifecycle

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("domain", sa.String(255), nullable=False),
        sa.Column("client_endpoint", sa.String(255), nullable=False),
        sa.Column("server_endpoint", sa.String(255)),
        sa.Column("scope", sa.String(500), nullable=False, server_default=""),
        sa.Column("status", sa.String(16), nullable=False, server_default="new"),
        sa.Column("status_reason", sa.String(255)),
        sa.Column("plan", sa.String(16), nullable=False, server_default="standard"),
        sa.Column("language", sa.String(8), nullable=False, server_default="en"),
        sa.Column("app_version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("installed_by", sa.Integer()),
        sa.Column("application_token_enc", sa.Text(), nullable=False),
        sa.Column("access_token_enc", sa.Text()),
        sa.Column("refresh_token_enc", sa.Text()),
        sa.Column("token_expires_at", sa.DateTime(timezone=True)),
        sa.Column("token_version", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("refreshed_at", sa.DateTime(timezone=True)),
        sa.Column("shop_category_id", sa.Integer()),
        sa.Column("registered_robots", sa.Text()),
        sa.Column("setup_version", sa.Integer()),
        sa.Column("setup_at", sa.DateTime(timezone=True)),
        sa.Column("setup_error", sa.Text()),
        sa.Column("installed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("deleted_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_portals_member_id", "portals", ["member_id"], unique=True)
    op.create_index("ix_portals_status", "portals", ["status"])


def downgrade() -> None:
    op.drop_index("ix_portals_status", table_name="portals")
    op.drop_index("ix_portals_member_id", table_name="portals")
    op.drop_table("portals")
