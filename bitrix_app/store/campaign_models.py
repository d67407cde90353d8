"""Tables of client campaigns: per-portal definitions and every customer's entry into a campaign."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base, JsonDoc
from .shop_models import BigId
from .statuses import CampaignEntryStatus


class Campaign(Base):
    """A segment tied to a strategy: on entering it, or weekly/monthly for everyone in it, run the actions."""

    __tablename__ = "campaigns"
    __table_args__ = (UniqueConstraint("member_id", "code", name="uq_campaigns_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(255))
    name_ru: Mapped[str] = mapped_column(String(255))
    segment: Mapped[str] = mapped_column(String(64))
    trigger: Mapped[str] = mapped_column(String(8))  # enter | weekly | monthly
    weekday: Mapped[int | None] = mapped_column(Integer)  # weekly: 0 Monday .. 6 Sunday
    day_of_month: Mapped[int | None] = mapped_column(Integer)  # monthly: 1..28
    hour: Mapped[int] = mapped_column(Integer, default=10)  # scheduled: local hour in the portal's time zone
    actions: Mapped[list] = mapped_column(JsonDoc, default=list)  # a list, validated by definitions.py
    cooldown_days: Mapped[int] = mapped_column(Integer, default=30)
    holdout_percent: Mapped[int] = mapped_column(Integer, default=5)
    attribution_days: Mapped[int] = mapped_column(Integer, default=14)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    last_run_key: Mapped[str | None] = mapped_column(String(24))  # the scheduled period last run (2026-W45)
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CampaignEntry(Base):
    """One customer entered into one campaign by one run; holdout entries get no actions.

    status: pending (actions to run, or to retry / wait until `next_at`), done, failed (gave up), holdout."""

    __tablename__ = "campaign_entries"
    __table_args__ = (
        UniqueConstraint("campaign_id", "customer_id", "run_key", name="uq_campaign_entries_run"),
        Index("ix_campaign_entries_customer", "campaign_id", "customer_id", "entered_at"),
        Index("ix_campaign_entries_due", "member_id", "status", "next_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(String(64))
    campaign_id: Mapped[int] = mapped_column(Integer)
    customer_id: Mapped[int] = mapped_column(BigId)
    run_key: Mapped[str] = mapped_column(String(40))  # t:<transition id> | s:<period> | now:<moment>
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    window_ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # attribution window end
    holdout: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), default=CampaignEntryStatus.PENDING)
    reached: Mapped[bool] = mapped_column(Boolean, default=False)  # at least one action succeeded
    results: Mapped[dict] = mapped_column(JsonDoc, default=dict)  # {action index: {type, status, ...}}
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
