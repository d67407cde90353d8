"""segments: the state of each stored definition (active, or failed with its error and when)

A definition the engine cannot evaluate is marked failed and left out of the rebuild (its members are kept as
they were); the others go on. A definition that is evaluated again is active again.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("segment_definitions") as batch:
        batch.add_column(sa.Column("status", sa.String(16), nullable=False, server_default="active"))
        batch.add_column(sa.Column("error_reason", sa.String(32)))
        batch.add_column(sa.Column("last_error", sa.Text))
        batch.add_column(sa.Column("failed_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("segment_definitions") as batch:
        batch.drop_column("failed_at")
        batch.drop_column("last_error")
        batch.drop_column("error_reason")
        batch.drop_column("status")
