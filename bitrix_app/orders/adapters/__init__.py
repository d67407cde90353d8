"""Native shop platforms (WooCommerce, Shopify): verify their webhooks and map them onto canonical shop events."""
from __future__ import annotations

from types import MappingProxyType
from typing import Any, Callable, NamedTuple

from . import shopify, woocommerce
from .common import AdapterError
from .signatures import (SHOPIFY_HEADER, WOOCOMMERCE_HEADER, verify_generic, verify_shopify,
                         verify_woocommerce)

__all__ = ["PLATFORMS", "AdapterError", "Platform", "verify_generic", "verify_shopify", "verify_woocommerce"]


class Platform(NamedTuple):
    """What a webhook route needs to accept one platform's deliveries."""

    name: str
    signature_header: str
    topic_header: str
    verify: Callable[[bytes, str | None, Any], bool]
    to_events: Callable[[Any, str | None], list[dict]]


PLATFORMS = MappingProxyType({
    woocommerce.PLATFORM: Platform(woocommerce.PLATFORM, WOOCOMMERCE_HEADER, woocommerce.TOPIC_HEADER,
                                   verify_woocommerce, woocommerce.to_events),
    shopify.PLATFORM: Platform(shopify.PLATFORM, SHOPIFY_HEADER, shopify.TOPIC_HEADER,
                               verify_shopify, shopify.to_events),
})
