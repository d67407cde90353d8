"""Everything one drain window needs about its portal, built once per window."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bitrix_app.shops.settings import ShopSettings, get_settings
from bitrix_app.store.db import transaction
from bitrix_app.store.models import PortalRecord
from bitrix_app.store.shop_models import Shop


@dataclass
class SyncContext:
    member_id: str
    factory: sessionmaker[Session]
    clock: Any
    redis: Any
    client: Any
    portal_status: str
    category_id: int | None
    responsible_id: int | None
    settings: ShopSettings
    shop_names: dict[str, str] = field(default_factory=dict)
    cipher: Any = None  # decrypts the portal's messaging secrets (messaging.MessagingContext)

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The name messaging.MessagingContext reads."""
        return self.factory
    cipher: Any = None  # decrypts the portal's messaging secrets (messaging.MessagingContext)

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The name messaging.MessagingContext reads."""
        return self.factory
    cipher: Any = None  # decrypts the portal's messaging secrets (messaging.MessagingContext)

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The name messaging.MessagingContext reads."""
        return self.factory
    cipher: Any = None  # decrypts the portal's messaging secrets (messaging.MessagingContext)

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The name messaging.MessagingContext reads."""
        return self.factory


def build(member_id: str, factory, clock, redis, client_factory, cipher=None) -> SyncContext | None:
    """None when the portal is gone (uninstalled): its events have nowhere to go."""
    with transaction(factory) as s:
        portal = s.scalar(select(PortalRecord).where(PortalRecord.member_id == member_id))
        if portal is None:
            return None
        settings = get_settings(s, member_id)
        names = dict(s.execute(select(Shop.shop_id, Shop.name).where(Shop.member_id == member_id)).all())
        status, category, installer = portal.status, portal.shop_category_id, portal.installed_by
    return SyncContext(member_id=member_id, factory=factory, clock=clock, redis=redis,
                       client=client_factory(member_id), portal_status=status, category_id=category,
                       responsible_id=settings.responsible_id or installer, settings=settings, shop_names=names,
                       cipher=cipher)
