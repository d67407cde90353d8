"""Promo codes issued by the issue_promo_code robot, checked by the shop and marked used by order events."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base
from .shop_models import BigId


class PromoCode(Base):
    """One code of one portal for one customer and campaign; valid until expires_at unless used."""

    __tablename__ = "promo_codes"
    __table_args__ = (UniqueConstraint("member_id", "code", name="uq_promo_codes_code"),
                      Index("ix_promo_codes_customer", "member_id", "customer_key", "campaign", "expires_at"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(40))  # upper case, e.g. AUTUMN-7KQ2M9XT
    customer_key: Mapped[str] = mapped_column(String(40))  # customer:<local id> or contact:<CRM contact id>
    campaign: Mapped[str] = mapped_column(String(100))
    discount_percent: Mapped[str] = mapped_column(String(8))  # a decimal string such as "10.00"
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deal_id: Mapped[int | None] = mapped_column(BigId)  # the deal the robot ran on
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    shop_id: Mapped[str | None] = mapped_column(String(40))  # the shop whose order used it
    order_id: Mapped[str | None] = mapped_column(String(100))
