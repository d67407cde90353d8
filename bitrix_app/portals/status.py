"""A portal's health as the admin page shows it, read after verifying the caller."""
from __future__ import annotations

from typing import TYPE_CHECKING

from bitrix_app.store.models import utc

from .verify import verify_callback

if TYPE_CHECKING:
    from bitrix_app.scope import AppServices


def portal_overview(svc: "AppServices", member_id: str, application_token: str) -> dict:
    """Verified read of the installation's state; raises CallbackRejected."""
    with svc.transaction() as s:
        rec = verify_callback(s, svc.cipher, member_id, application_token)
        out = {
            "domain": rec.domain, "status": rec.status, "status_reason": rec.status_reason,
            "installed_at": _iso(rec.installed_at), "setup_at": _iso(rec.setup_at),
            "setup_version": rec.setup_version, "refreshed_at": _iso(rec.refreshed_at),
            "shop_category_id": rec.shop_category_id,
        }
    last = svc.redis.hget(f"bitrix_app:portal-events:{member_id}", "last")
    out["last_event"] = last.decode() if last else None
    return out


def _iso(value):
    value = utc(value)
    return value.isoformat(timespec="seconds") if value else None
