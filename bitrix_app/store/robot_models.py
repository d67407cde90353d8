"""Robot calls: every run of one of our automation-rule actions, kept for audit and replay."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base, JsonDoc
from .shop_models import BigId
from .statuses import ReplyStatus, RobotCallStatus


class RobotCall(Base):
    """One call of a robot by a portal's workflow; the event_token is unique, so a call never runs twice."""

    __tablename__ = "robot_calls"
    __table_args__ = (UniqueConstraint("event_token", name="uq_robot_calls_event_token"),
                      Index("ix_robot_calls_member", "member_id", "received_at"),
                      Index("ix_robot_calls_status", "status", "received_at"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(64))
    event_token: Mapped[str] = mapped_column(String(512))
    workflow_id: Mapped[str] = mapped_column(String(64))
    document_id: Mapped[str] = mapped_column(String(300))  # JSON triple: ["crm", "CCrmDocumentDeal", "DEAL_5"]
    document_type: Mapped[str] = mapped_column(String(300))  # JSON triple
    properties: Mapped[dict] = mapped_column(JsonDoc, default=dict)  # the configured values
    waits: Mapped[bool] = mapped_column(Boolean, default=True)  # use_subscription Y or empty: the workflow waits for a reply
    timeout_duration: Mapped[int] = mapped_column(Integer, default=0)
    user_id: Mapped[int | None] = mapped_column(Integer)  # whose token the portal sent
    status: Mapped[str] = mapped_column(String(12), default=RobotCallStatus.RECEIVED)
    return_values: Mapped[dict | None] = mapped_column(JsonDoc)  # what went back to the workflow
    log_message: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    reply_status: Mapped[str] = mapped_column(String(12), default=ReplyStatus.PENDING)
    reply_error: Mapped[str | None] = mapped_column(Text)
    runs: Mapped[int] = mapped_column(Integer, default=0)
    portal_ts: Mapped[str | None] = mapped_column(String(20))  # `ts` of the call, as the portal sent it
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    replied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
