"""Refresh tokens live 180 days; a portal idle for weeks gets one refresh so it never ages out."""
from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, select

from bitrix_app.jobs.queues import BULK
from bitrix_app.jobs.registry import CRON_TIMEOUT, job
from bitrix_app.rest.errors import PortalBlocked, PortalUnavailable
from bitrix_app.store.models import PortalRecord

from . import lifecycle
from .clients import build_tokens

if TYPE_CHECKING:
    from bitrix_app.scope import AppServices

IDLE_AFTER = timedelta(days=30)  # well inside the 180-day refresh-token life, and gentle on the OAuth server


@job(BULK, timeout=CRON_TIMEOUT, cron="17 3 * * *")
def keep_alive() -> dict:
    """Cron job: refresh every usable portal whose pair is older than IDLE_AFTER."""
    from bitrix_app.scope import app_services

    return refresh_idle(app_services())


def refresh_idle(svc: "AppServices") -> dict:
    cutoff = svc.now() - IDLE_AFTER
    with svc.transaction() as s:
        rows = s.execute(
            select(PortalRecord.member_id, PortalRecord.token_version).where(
                PortalRecord.status.in_(lifecycle.USABLE),
                or_(PortalRecord.refreshed_at.is_(None), PortalRecord.refreshed_at < cutoff),
            )
        ).all()
    tokens, outcome = build_tokens(svc), {"refreshed": 0, "blocked": 0, "failed": 0}
    for member_id, version in rows:
        try:
            tokens.refresh(member_id, version)
            outcome["refreshed"] += 1
        except PortalBlocked:
            outcome["blocked"] += 1
        except PortalUnavailable:
            outcome["failed"] += 1
    return outcome
