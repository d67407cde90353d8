"""messages: a structured reason code beside the reason text of every skipped or deferred message

`reason_code` holds a `statuses.ReasonCode` (no_consent, frequency_cap, quiet_hours, ...) so rules and reports
branch on it instead of on the wording of `reason`. Rows written before it keep NULL there.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("reason_code", sa.String(24)))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("reason_code")
