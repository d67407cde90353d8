"""promo codes: issued per customer and campaign, checked by shops, marked used by orders

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "promo_codes",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("customer_key", sa.String(40), nullable=False),
        sa.Column("campaign", sa.String(100), nullable=False),
        sa.Column("discount_percent", sa.String(8), nullable=False),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("expires_at", Moment, nullable=False),
        sa.Column("deal_id", BigId),
        sa.Column("used_at", Moment),
        sa.Column("shop_id", sa.String(40)),
        sa.Column("order_id", sa.String(100)),
        sa.UniqueConstraint("member_id", "code", name="uq_promo_codes_code"),
    )
    op.create_index("ix_promo_codes_customer", "promo_codes", ["member_id", "customer_key", "campaign", "expires_at"])


def downgrade() -> None:
    op.drop_index("ix_promo_codes_customer", table_name="promo_codes")
    op.drop_table("promo_codes")
