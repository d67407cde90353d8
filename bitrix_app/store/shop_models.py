"""Tables of the shop side: connections, the event inbox, orders, customers, carts, settings, leases."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base, JsonDoc
from .statuses import InboxStatus, ShopStatus

# SQLite autoincrements only INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit key
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Shop(Base):
    """One shop connected to a portal; posts signed events with its own secret."""

    __tablename__ = "shops"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[str] = mapped_column(String(40), unique=True)
    member_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(255))
    platform: Mapped[str] = mapped_column(String(16), default="generic")
    secret_enc: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=ShopStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class InboxEvent(Base):
    """An accepted shop event; committed before the shop gets its 2xx, processed at least once, applied once."""

    __tablename__ = "shop_events"
    __table_args__ = (
        UniqueConstraint("shop_id", "event_id", name="uq_shop_events_dedup"),
        Index("ix_shop_events_due", "member_id", "status", "next_attempt_at"),
        Index("ix_shop_events_status", "status", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(40))
    member_id: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[str] = mapped_column(String(120))
    type: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(160))  # order:<id>, cart:<id>, customer:<key>
    version: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    payload: Mapped[str] = mapped_column(Text)  # the canonical event as JSON
    status: Mapped[str] = mapped_column(String(12), default=InboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OrderRecord(Base):
    """The newest applied version of a shop order and the deal it became."""

    __tablename__ = "shop_orders"
    __table_args__ = (UniqueConstraint("shop_id", "order_id", name="uq_shop_orders"),
                      Index("ix_shop_orders_customer", "member_id", "customer_id"),
                      # covers the segment engine's per-customer aggregate (migration 0008)
                      Index("ix_shop_orders_purchases", "member_id", "customer_id", "status", "ordered_at", "total",
                            "utm_source"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(40))
    member_id: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str] = mapped_column(String(100))
    number: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(24))
    total: Mapped[str] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(3))
    cart_id: Mapped[str | None] = mapped_column(String(100))
    customer_id: Mapped[int | None] = mapped_column(BigId)
    items: Mapped[list] = mapped_column(JsonDoc)  # the canonical items, amounts as text (orders.shapes.LineItem)
    ordered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deal_id: Mapped[int | None] = mapped_column(Integer)
    synced: Mapped[dict | None] = mapped_column(JsonDoc)  # what was last written to the deal
    utm_source: Mapped[str | None] = mapped_column(String(255))  # the acquisition channel


class Customer(Base):
    """A shop customer as one CRM contact of a portal; keys (phone, e-mail) live in CustomerKey."""

    __tablename__ = "shop_customers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(String(64), index=True)
    contact_id: Mapped[int | None] = mapped_column(Integer)
    profile: Mapped[dict] = mapped_column(JsonDoc, default=dict)  # names, birthday, gender, consent, phone, email
    synced: Mapped[dict | None] = mapped_column(JsonDoc)  # what was last written to the contact
    version: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CustomerKey(Base):
    """phone:+79991234567 or email:ann@example.com -> customer, unique per portal."""

    __tablename__ = "shop_customer_keys"
    __table_args__ = (UniqueConstraint("member_id", "key", name="uq_customer_keys"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(300))
    customer_id: Mapped[int] = mapped_column(BigId, index=True)


class Cart(Base):
    """A shop cart and its abandoned-cart life: open -> abandoned -> ordered | cleared."""

    __tablename__ = "shop_carts"
    __table_args__ = (UniqueConstraint("shop_id", "cart_id", name="uq_shop_carts"),
                      Index("ix_shop_carts_customer", "member_id", "customer_id", "state"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(40))
    member_id: Mapped[str] = mapped_column(String(64))
    cart_id: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(12), default="open")
    customer_id: Mapped[int | None] = mapped_column(BigId)
    data: Mapped[dict] = mapped_column(JsonDoc, default=dict)  # the newest cart.updated data, dumped by CartSchema
    version: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deal_id: Mapped[int | None] = mapped_column(Integer)
    todo_done: Mapped[bool] = mapped_column(Boolean, default=False)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    order_id: Mapped[str | None] = mapped_column(String(100))


class PortalSettings(Base):
    """Per-portal settings as JSON (stage mapping, cart delays, quiet hours); defaults fill the gaps."""

    __tablename__ = "portal_settings"

    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[dict] = mapped_column(JsonDoc, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Lease(Base):
    """A time-bound claim (per-portal sync) measured on the app clock, so a dead holder's claim runs out."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    owner: Mapped[str] = mapped_column(String(64))
    until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
