"""Webhook signatures: our own `X-Signature: sha256=<hex>` and the platforms' base64 HMAC-SHA256 headers.

Every check recomputes HMAC-SHA256 over the raw request body (never re-serialised JSON), compares in constant
time, and answers False for a missing, malformed or empty header or an empty secret.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

GENERIC_HEADER = "X-Signature"
WOOCOMMERCE_HEADER = "X-WC-Webhook-Signature"
SHOPIFY_HEADER = "X-Shopify-Hmac-Sha256"


def _digest(raw: bytes, secret: str | bytes) -> bytes:
    """HMAC-SHA256 of the raw body."""
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    return hmac.new(key, raw, hashlib.sha256).digest()


def sign_generic(raw: bytes, secret: str | bytes) -> str:
    """The `X-Signature` value a shop sends with our own API: `sha256=<hex>`."""
    return "sha256=" + _digest(raw, secret).hex()


def sign_base64(raw: bytes, secret: str | bytes) -> str:
    """The base64 HMAC-SHA256 value WooCommerce and Shopify send."""
    return base64.b64encode(_digest(raw, secret)).decode("ascii")


def verify_generic(raw: bytes, header: str | None, secret: str | bytes | None) -> bool:
    """True when `header` is `sha256=<hex>` of HMAC-SHA256(raw, secret)."""
    if not header or not secret or not isinstance(raw, (bytes, bytearray)):
        return False
    scheme, sep, value = header.strip().partition("=")
    if not sep or scheme.strip().lower() != "sha256":
        return False
    try:
        given = bytes.fromhex(value.strip())
    except ValueError:
        return False
    return hmac.compare_digest(given, _digest(bytes(raw), secret))


def _verify_base64(raw: bytes, header: str | None, secret: str | bytes | None) -> bool:
    """True when `header` is base64 of HMAC-SHA256(raw, secret)."""
    if not header or not secret or not isinstance(raw, (bytes, bytearray)):
        return False
    try:
        given = base64.b64decode(header.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    return hmac.compare_digest(given, _digest(bytes(raw), secret))


def verify_woocommerce(raw: bytes, header: str | None, secret: str | bytes | None) -> bool:
    """Check `X-WC-Webhook-Signature` (base64 HMAC-SHA256 with the webhook's secret)."""
    return _verify_base64(raw, header, secret)


def verify_shopify(raw: bytes, header: str | None, secret: str | bytes | None) -> bool:
    """Check `X-Shopify-Hmac-Sha256` (base64 HMAC-SHA256 with the app's client secret)."""
    return _verify_base64(raw, header, secret)
