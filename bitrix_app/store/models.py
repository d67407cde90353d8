"""Tables. Secrets (tokens, application_token) are stored encrypted."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base, JsonDoc
from .statuses import PortalStatus


def utc(value: datetime | None) -> datetime | None:
    """SQLite drops the zone: read every stored time back as UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=timezone.utc)


class PortalRecord(Base):
    """One installation of the app in one Bitrix24 portal (tenant), keyed by member_id."""

    __tablename__ = "portals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    domain: Mapped[str] = mapped_column(String(255))
    client_endpoint: Mapped[str] = mapped_column(String(255))
    server_endpoint: Mapped[str | None] = mapped_column(String(255))
    scope: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(16), default=PortalStatus.NEW, index=True)
    status_reason: Mapped[str | None] = mapped_column(String(255))
    plan: Mapped[str] = mapped_column(String(16), default="standard")
    language: Mapped[str] = mapped_column(String(8), default="en")
    app_version: Mapped[int] = mapped_column(Integer, default=1)
    installed_by: Mapped[int | None] = mapped_column(Integer)
    application_token_enc: Mapped[str] = mapped_column(Text)
    access_token_enc: Mapped[str | None] = mapped_column(Text)
    refresh_token_enc: Mapped[str | None] = mapped_column(Text)
    token_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    refreshed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    shop_category_id: Mapped[int | None] = mapped_column(Integer)  # the shop pipeline's CATEGORY_ID
    repeat_category_id: Mapped[int | None] = mapped_column(Integer)  # the repeat-sales pipeline (campaign deals)
    registered_robots: Mapped[dict | None] = mapped_column(JsonDoc)  # {code: definition hash}
    setup_version: Mapped[int | None] = mapped_column(Integer)
    setup_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    setup_error: Mapped[str | None] = mapped_column(Text)
    installed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now())
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
