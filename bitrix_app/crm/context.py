"""Everything one drain window needs about its portal, built once per window."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from bitrix_app.scope import ScopedContext
from bitrix_app.shops.settings import ShopSettings, get_settings
from bitrix_app.store.models import PortalRecord
from bitrix_app.store.shop_models import Shop

if TYPE_CHECKING:
    from bitrix_app.scope import PortalScope


@dataclass
class SyncContext(ScopedContext):
    """The portal's scope plus what a window reads of the portal; the scope's services under the names the
    sync, carts and messaging (`messaging.MessagingContext`) read."""

    scope: PortalScope
    portal_status: str
    category_id: int | None
    responsible_id: int | None
    settings: ShopSettings  # the shops' settings of the portal (not the app's: those are `scope.settings`)
    shop_names: dict[str, str] = field(default_factory=dict)

    @property
    def clock(self) -> Any:
        return self.scope.clock


def build(scope: PortalScope) -> SyncContext | None:
    """None when the portal is gone (uninstalled): its events have nowhere to go."""
    member_id = scope.member_id
    with scope.transaction() as s:
        portal = s.scalar(select(PortalRecord).where(PortalRecord.member_id == member_id))
        if portal is None:
            return None
        settings = get_settings(s, member_id)
        names = dict(s.execute(select(Shop.shop_id, Shop.name).where(Shop.member_id == member_id)).all())
        status, category, installer = portal.status, portal.shop_category_id, portal.installed_by
    return SyncContext(scope=scope, portal_status=status, category_id=category,
                       responsible_id=settings.responsible_id or installer, settings=settings, shop_names=names)
