"""Tables of the messaging layer: every message and its outcome, per-portal templates and channel settings."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base, JsonDoc
from .shop_models import BigId


class MessageRecord(Base):
    """One message to one customer (or one staff notification), keyed by its idempotency key per portal.

    status: sending (handed to a transport, answer not yet recorded), sent, deferred (policy: try again at
    `until`), skipped (policy or reachability; `reason` says why, `reason_code` is its
    statuses.ReasonCode), failed (the transport refused or broke)."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("member_id", "key", name="uq_messages_key"),
        Index("ix_messages_cap", "member_id", "channel", "address", "sent_at"),
        Index("ix_messages_template", "member_id", "template", "sent_at"),
        Index("ix_messages_status", "member_id", "status", "updated_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(64))
    template: Mapped[str | None] = mapped_column(String(64))
    marketing: Mapped[bool] = mapped_column(Boolean, default=True)
    channel: Mapped[str | None] = mapped_column(String(16))  # email, sms, notify, todo
    transport: Mapped[str | None] = mapped_column(String(16))  # crm, smtp, smsru, generic, portal
    address: Mapped[str | None] = mapped_column(String(320))  # e-mail, E.164 phone or user id it went to
    contact_id: Mapped[int | None] = mapped_column(Integer)
    subject: Mapped[str | None] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12))  # a statuses.MessageStatus
    reason: Mapped[str | None] = mapped_column(Text)
    reason_code: Mapped[str | None] = mapped_column(String(24))  # a statuses.ReasonCode: skipped or deferred
    until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reference: Mapped[str | None] = mapped_column(String(120))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MessageTemplate(Base):
    """A portal's template in one language: its own wording of a built-in (the defaults fill the gaps), or one the
    admin wrote (a code of its own, with its name, channel and whether it is marketing)."""

    __tablename__ = "message_templates"
    __table_args__ = (UniqueConstraint("member_id", "code", "language", name="uq_message_templates"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(255), default="")
    text: Mapped[str] = mapped_column(Text)
    sms: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(String(255))  # the admin's own templates; built-ins are named in code
    channel: Mapped[str | None] = mapped_column(String(8))  # email | sms | any (own templates)
    marketing: Mapped[bool | None] = mapped_column(Boolean)  # own templates; built-ins say it in code
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MessageOptOut(Base):
    """A customer's address that asked for no more marketing messages on a channel (the unsubscribe page)."""

    __tablename__ = "message_optouts"
    __table_args__ = (UniqueConstraint("member_id", "channel", "address", name="uq_message_optouts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(8))  # email | sms
    address: Mapped[str] = mapped_column(String(320))  # the e-mail address or E.164 phone
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MessagingSettings(Base):
    """Per-portal channel settings (SMTP, SMS gateway) and policy limits; secrets encrypted in `secrets_enc`."""

    __tablename__ = "messaging_settings"

    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[dict] = mapped_column(JsonDoc, default=dict)
    secrets_enc: Mapped[str | None] = mapped_column(Text)  # Fernet of a JSON object: smtp password, sms api key
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
