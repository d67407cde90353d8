"""Connect shops to portals: issue an id and a secret, list them, find one for an incoming webhook."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bitrix_app.portals import SecretCipher
from bitrix_app.store.models import PortalRecord
from bitrix_app.store.shop_models import Shop
from bitrix_app.store.statuses import PortalStatus, ShopStatus

PLATFORM_NAMES = ("generic", "woocommerce", "shopify")
ROUTE = {"generic": "events", "woocommerce": "woocommerce", "shopify": "shopify"}


class ShopError(ValueError):
    """The shop cannot be connected (unknown portal, bad platform, empty name)."""


class ShopNotFound(LookupError):
    """No connected (active) shop of this portal has the id."""


@dataclass(frozen=True)
class ShopView:
    shop_id: str
    member_id: str
    name: str
    platform: str
    status: str
    created_at: datetime

    def events_url(self, base_url: str) -> str:
        return f"{base_url.rstrip('/')}/shop/v1/{self.shop_id}/{ROUTE[self.platform]}"


@dataclass(frozen=True)
class IngestShop:
    """What the webhook endpoint needs: whose shop it is, the key to check signatures and, once the edge has
    looked them up with the shop, its portal's currency codes (None: not known, ISO 4217 alone)."""

    shop_id: str
    member_id: str
    secret: str
    currencies: frozenset[str] | None = None


def _view(row: Shop) -> ShopView:
    return ShopView(row.shop_id, row.member_id, row.name, row.platform, row.status, row.created_at)


def portal_exists(session: Session, member_id: str) -> bool:
    """An installed portal (not uninstalled) has this member_id."""
    portal = session.scalar(select(PortalRecord).where(PortalRecord.member_id == member_id))
    return portal is not None and portal.status != PortalStatus.DELETED


def add_shop(session: Session, cipher: SecretCipher, member_id: str, name: str, platform: str,
             now: datetime, secret: str | None = None) -> tuple[ShopView, str]:
    """A new shop of an installed portal; returns it with its secret (shown once, stored encrypted).

    A given secret (a platform's own webhook signing key) must be at least 16 characters."""
    name = (name or "").strip()
    if not name or len(name) > 255:
        raise ShopError("name must be 1 to 255 characters")
    if platform not in PLATFORM_NAMES:
        raise ShopError(f"platform must be one of {', '.join(PLATFORM_NAMES)}")
    if not portal_exists(session, member_id):
        raise ShopError(f"no installed portal with member_id {member_id!r}")
    if secret is not None and len(secret.strip()) < 16:
        raise ShopError("a given secret must be at least 16 characters")
    secret = secret.strip() if secret is not None else secrets.token_urlsafe(32)
    row = Shop(shop_id="shp_" + secrets.token_hex(8), member_id=member_id, name=name, platform=platform,
               secret_enc=cipher.encrypt(secret), status=ShopStatus.ACTIVE, created_at=now)
    session.add(row)
    session.flush()
    return _view(row), secret


def list_shops(session: Session, member_id: str, active_only: bool = False) -> list[ShopView]:
    q = select(Shop).where(Shop.member_id == member_id).order_by(Shop.id)
    if active_only:
        q = q.where(Shop.status == ShopStatus.ACTIVE)
    return [_view(r) for r in session.scalars(q)]


def _active_row(session: Session, member_id: str, shop_id: str) -> Shop:
    row = session.scalar(select(Shop).where(Shop.shop_id == shop_id, Shop.member_id == member_id,
                                            Shop.status == ShopStatus.ACTIVE))
    if row is None:
        raise ShopNotFound(f"no connected shop {shop_id!r}")
    return row


def require_shop(session: Session, member_id: str, shop_id: str) -> ShopView:
    """The portal's connected shop; ShopNotFound otherwise."""
    return _view(_active_row(session, member_id, shop_id))


def rotate_secret(session: Session, cipher: SecretCipher, member_id: str, shop_id: str,
                  secret: str | None = None) -> tuple[ShopView, str]:
    """A new secret for a connected shop (generated, or the platform's own signing key of 16+ characters); the
    old one stops verifying once callers clear the shop cache (`cache.changed`)."""
    if secret is not None and len(secret.strip()) < 16:
        raise ShopError("a given secret must be at least 16 characters")
    row = _active_row(session, member_id, shop_id)
    secret = secret.strip() if secret is not None else secrets.token_urlsafe(32)
    row.secret_enc = cipher.encrypt(secret)
    session.flush()
    return _view(row), secret


def disconnect(session: Session, member_id: str, shop_id: str) -> ShopView:
    """Stop accepting the shop's events (its orders and deals stay); callers clear the shop cache."""
    row = _active_row(session, member_id, shop_id)
    row.status = ShopStatus.DISCONNECTED
    session.flush()
    return _view(row)


def secret_of(session: Session, cipher: SecretCipher, member_id: str, shop_id: str) -> str:
    """The connected shop's secret, for signing on its behalf (never shown)."""
    return cipher.decrypt(_active_row(session, member_id, shop_id).secret_enc)


def get_shop(session: Session, shop_id: str) -> ShopView | None:
    row = session.scalar(select(Shop).where(Shop.shop_id == shop_id))
    return _view(row) if row else None


def for_ingest(session: Session, cipher: SecretCipher, shop_id: str) -> IngestShop | None:
    """An active shop of a portal that still has the app; None answers 404."""
    row = session.execute(
        select(Shop.shop_id, Shop.member_id, Shop.secret_enc)
        .join(PortalRecord, PortalRecord.member_id == Shop.member_id)
        .where(Shop.shop_id == shop_id, Shop.status == ShopStatus.ACTIVE, PortalRecord.status != PortalStatus.DELETED)
    ).first()
    if row is None:
        return None
    return IngestShop(row.shop_id, row.member_id, cipher.decrypt(row.secret_enc))
