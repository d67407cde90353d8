"""Tables of the segment engine: order lines, per-customer figures and memberships, definitions, history."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base, JsonDoc
from .shop_models import BigId
from .statuses import SegmentStatus


class OrderLine(Base):
    """One item of a shop order, kept beside the order for set-based cross-sell and replenishment queries."""

    __tablename__ = "shop_order_lines"
    __table_args__ = (Index("ix_order_lines_customer", "member_id", "customer_id"),
                      Index("ix_order_lines_order", "order_ref"),
                      Index("ix_order_lines_sku", "member_id", "sku"),
                      Index("ix_order_lines_category", "member_id", "category"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(String(64))
    order_ref: Mapped[int] = mapped_column(BigId)  # shop_orders.id
    customer_id: Mapped[int | None] = mapped_column(BigId)
    sku: Mapped[str] = mapped_column(String(100))
    category: Mapped[str | None] = mapped_column(String(255))
    quantity: Mapped[float] = mapped_column(Float)
    amount: Mapped[float] = mapped_column(Float)  # price x quantity
    ordered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    counted: Mapped[bool] = mapped_column(Boolean)  # the order is a purchase (not cancelled or refunded)


class CustomerFigures(Base):
    """A customer's purchase figures, scores and segment memberships as of computed_at (one row per customer)."""

    __tablename__ = "customer_stats"
    __table_args__ = (Index("ix_customer_stats_member", "member_id", "lifecycle"),
                      Index("ix_customer_stats_dirty", "member_id", "dirty"))

    customer_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    member_id: Mapped[str] = mapped_column(String(64))
    contact_id: Mapped[int | None] = mapped_column(Integer)
    orders: Mapped[int] = mapped_column(Integer, default=0)  # purchases: orders not cancelled or refunded
    revenue: Mapped[float] = mapped_column(Float, default=0)  # sum of purchase totals
    paid_revenue: Mapped[float] = mapped_column(Float, default=0)  # sum of paid orders: realised value
    first_order_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_order_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    days_since: Mapped[int | None] = mapped_column(Integer)  # days since last purchase at computed_at
    lifespan_days: Mapped[int | None] = mapped_column(Integer)  # last - first purchase
    channel: Mapped[str | None] = mapped_column(String(255))  # utm_source of the first purchase
    birth_month: Mapped[int | None] = mapped_column(Integer)
    birth_day: Mapped[int | None] = mapped_column(Integer)
    birth_year: Mapped[int | None] = mapped_column(Integer)
    gender: Mapped[str | None] = mapped_column(String(16))
    lifecycle: Mapped[str | None] = mapped_column(String(24))  # a LIFECYCLE_CELLS code
    r: Mapped[int | None] = mapped_column(Integer)
    f: Mapped[int | None] = mapped_column(Integer)
    m: Mapped[int | None] = mapped_column(Integer)
    rfm_group: Mapped[str | None] = mapped_column(String(24))
    ltv: Mapped[float] = mapped_column(Float, default=0)  # predicted: average order x orders x lifespan factor
    segments: Mapped[str] = mapped_column(Text, default="|")  # "|CODE|CODE|": every membership
    computed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    dirty: Mapped[bool] = mapped_column(Boolean, default=True)  # CRM contact fields need writing
    written: Mapped[dict | None] = mapped_column(JsonDoc)  # the contact field values last written


class SegmentDefinition(Base):
    """A portal's configured segment: lapsed N days, birthday window, cross-sell, replenishment or custom rule."""

    __tablename__ = "segment_definitions"
    __table_args__ = (UniqueConstraint("member_id", "code", name="uq_segment_definitions"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24))
    name_en: Mapped[str] = mapped_column(String(255))
    name_ru: Mapped[str] = mapped_column(String(255))
    params: Mapped[dict] = mapped_column(JsonDoc, default=dict)  # validated per kind
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # active | failed: the engine could not evaluate it (left out, its members kept as they were)
    status: Mapped[str] = mapped_column(String(16), default=SegmentStatus.ACTIVE,
                                        server_default=SegmentStatus.ACTIVE.value)
    error_reason: Mapped[str | None] = mapped_column(String(32))  # invalid_rule | number_range | calculation
    last_error: Mapped[str | None] = mapped_column(Text)  # one line, for support: no traceback
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SegmentTransition(Base):
    """A customer entered or left a segment; campaigns consume entries."""

    __tablename__ = "segment_transitions"
    __table_args__ = (Index("ix_segment_transitions_open", "member_id", "handled", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[int] = mapped_column(BigId)
    segment: Mapped[str] = mapped_column(String(64))
    change: Mapped[str] = mapped_column(String(8))  # enter | leave
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    handled: Mapped[bool] = mapped_column(Boolean, default=False)


class SegmentState(Base):
    """Per portal: RFM quintile cut points of the last full rebuild (incremental updates score with them)."""

    __tablename__ = "segment_state"

    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    cuts: Mapped[dict] = mapped_column(JsonDoc, default=dict)
    rebuilt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SegmentSnapshot(Base):
    """Counts per segment after each full rebuild: the active share and its trend."""

    __tablename__ = "segment_snapshots"
    __table_args__ = (Index("ix_segment_snapshots", "member_id", "taken_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64))
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    data: Mapped[dict] = mapped_column(JsonDoc)  # customers, active, counts per segment
