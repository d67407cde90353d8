"""A portal's installation as the sync health screen reads it: status and why, token health, setup, the last
portal event, the shop pipeline. Raw values only (codes, ISO moments); the screen words and formats them.

Token health: the access token lives an hour and is refreshed on demand; the refresh token lives 180 days and the
keep-alive refreshes a pair older than IDLE_AFTER (30 days), so a pair older than AGING_AFTER means the keep-alive
is late, and a blocked portal's refresh failed for good.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from bitrix_app.store.models import utc
from bitrix_app.store.statuses import PortalStatus

from . import repository
from .desired import PIPELINE_NAME
from .keepalive import IDLE_AFTER
from .status import overview_of

if TYPE_CHECKING:
    from bitrix_app.scope import PortalScope

REFRESH_LIFE = timedelta(days=180)
AGING_AFTER = IDLE_AFTER + timedelta(days=2)  # two days past the keep-alive's turn: it is late


def _iso(value) -> str | None:
    value = utc(value)
    return value.isoformat(timespec="seconds") if value else None


def token_health(status: str, refreshed_at: datetime | None, expires_at: datetime | None, now: datetime) -> dict:
    """{state: ok | aging | blocked, refreshed_at, access_expires_at, refresh_expires_at}."""
    refreshed_at, expires_at = utc(refreshed_at), utc(expires_at)
    if status == PortalStatus.BLOCKED:
        state = "blocked"
    elif refreshed_at is not None and now - refreshed_at > AGING_AFTER:
        state = "aging"
    else:
        state = "ok"
    return {"state": state, "refreshed_at": _iso(refreshed_at), "access_expires_at": _iso(expires_at),
            "refresh_expires_at": _iso(refreshed_at + REFRESH_LIFE) if refreshed_at else None}


def _moment(stamp: str | None) -> str | None:
    """The portal's `ts` (Unix seconds, as the portal sent it) as an ISO moment; None when unreadable."""
    try:
        return _iso(datetime.fromtimestamp(float(stamp), timezone.utc)) if stamp else None
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def portal_health(scope: "PortalScope", session: Session) -> dict:
    """The installation's state; LookupError when the portal has no record."""
    rec = repository.get(session, scope.member_id)
    if rec is None:
        raise LookupError("no installed portal with this member_id")
    seen = overview_of(scope, rec)
    pipeline = {"id": rec.shop_category_id, "name": PIPELINE_NAME} if rec.shop_category_id else None
    return {"status": rec.status, "status_reason": rec.status_reason, "installed_at": seen["installed_at"],
            "setup": {"done_at": seen["setup_at"], "version": rec.setup_version, "app_version": rec.app_version,
                      "error": rec.setup_error},
            "token": token_health(rec.status, rec.refreshed_at, rec.token_expires_at, scope.now()),
            "last_portal_event_at": _moment(seen["last_event"]), "pipeline": pipeline}
