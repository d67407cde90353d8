"""The admin's view of a portal's shops: connected shops with their delivery figures, each platform's setup
facts (where to deliver, which webhook topics, how deliveries are signed) and a shop's latest events."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bitrix_app.orders.adapters import shopify, woocommerce
from bitrix_app.orders.adapters.signatures import GENERIC_HEADER, SHOPIFY_HEADER, WOOCOMMERCE_HEADER
from bitrix_app.store.models import utc
from bitrix_app.store.shop_models import InboxEvent

from .connections import ShopView, list_shops

# what an admin picks -> what the connection stores (a custom shop posts our own canonical events)
PLATFORMS = {"woocommerce": "woocommerce", "shopify": "shopify", "custom": "generic"}
PLATFORM_OF = {stored: shown for shown, stored in PLATFORMS.items()}


@dataclass(frozen=True)
class Setup:
    """What the admin configures in the shop: the topics to subscribe (none for a custom shop: it sends the
    event types itself), the header that carries the signature and how it is computed."""

    topics: tuple[str, ...]
    signature_header: str
    signing: str  # hmac_sha256_base64 (the platforms') or sha256_hex (ours: `sha256=<hex>`)
    key_from_platform: bool  # Shopify signs with a key its admin shows: the admin pastes it back here


SETUP = {
    "woocommerce": Setup(tuple(woocommerce.TOPICS), WOOCOMMERCE_HEADER, "hmac_sha256_base64", False),
    "shopify": Setup(tuple(shopify.TOPICS), SHOPIFY_HEADER, "hmac_sha256_base64", True),
    "custom": Setup((), GENERIC_HEADER, "sha256_hex", False),
}


def setup_of(platform: str) -> dict:
    """The setup facts of an admin-facing platform name."""
    facts = SETUP[platform]
    return {"topics": list(facts.topics), "signature_header": facts.signature_header, "signing": facts.signing,
            "key_from_platform": facts.key_from_platform}


def _iso(value: datetime | None) -> str | None:
    value = utc(value)
    return value.isoformat() if value else None


def shop_json(shop: ShopView, base_url: str, events: int = 0, last_event_at: datetime | None = None) -> dict:
    platform = PLATFORM_OF.get(shop.platform, "custom")
    return {"shop_id": shop.shop_id, "name": shop.name, "platform": platform,
            "connected_at": _iso(shop.created_at), "events_url": shop.events_url(base_url),
            "events_count": events, "last_event_at": _iso(last_event_at), "setup": setup_of(platform)}


def listing(session: Session, member_id: str, base_url: str) -> list[dict]:
    """The portal's connected shops, each with how many events it delivered and when the last arrived."""
    figures = dict(
        (shop_id, (count, last)) for shop_id, count, last in session.execute(
            select(InboxEvent.shop_id, func.count(), func.max(InboxEvent.received_at))
            .where(InboxEvent.member_id == member_id).group_by(InboxEvent.shop_id)))
    return [shop_json(shop, base_url, *figures.get(shop.shop_id, (0, None)))
            for shop in list_shops(session, member_id, active_only=True)]


def latest_events(session: Session, member_id: str, shop_id: str, limit: int) -> list[dict]:
    """The shop's newest received events: type, when, what became of it (codes; screens name them)."""
    rows = session.scalars(select(InboxEvent).where(InboxEvent.member_id == member_id, InboxEvent.shop_id == shop_id)
                           .order_by(InboxEvent.id.desc()).limit(limit))
    return [{"id": e.id, "type": e.type, "status": e.status, "received_at": _iso(e.received_at),
             "processed_at": _iso(e.processed_at), "error": e.last_error} for e in rows]
