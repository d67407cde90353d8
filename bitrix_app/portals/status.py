"""A portal's health as the admin page shows it, read from the record its caller already verified."""
from __future__ import annotations

from typing import TYPE_CHECKING

from bitrix_app.store.models import utc

if TYPE_CHECKING:
    from bitrix_app.scope import AppServices
    from bitrix_app.store.models import PortalRecord


def overview_of(svc: "AppServices", rec: "PortalRecord") -> dict:
    """The installation's state from a verified record (`PageAccess.viewer` gives one), with its last event."""
    out = {
        "domain": rec.domain, "status": rec.status, "status_reason": rec.status_reason,
        "installed_at": _iso(rec.installed_at), "setup_at": _iso(rec.setup_at),
        "setup_version": rec.setup_version, "refreshed_at": _iso(rec.refreshed_at),
        "shop_category_id": rec.shop_category_id,
    }
    last = svc.redis.hget(f"bitrix_app:portal-events:{rec.member_id}", "last")
    out["last_event"] = last.decode() if last else None
    return out


def _iso(value):
    value = utc(value)
    return value.isoformat(timespec="seconds") if value else None
