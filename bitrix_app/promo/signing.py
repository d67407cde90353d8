"""Signed GET requests of shops: `X-Signature` over method, path and `X-Timestamp`, which must be fresh.

The signed string is `GET\\n<path>\\n<X-Timestamp value>`, HMAC-SHA256 keyed with the shop's secret, sent as
`sha256=<hex>` like the events endpoint; a timestamp more than MAX_SKEW from the app's clock is refused,
so a captured request cannot be replayed later.
"""
from __future__ import annotations

from datetime import datetime

from bitrix_app.orders.adapters.signatures import GENERIC_HEADER, sign_generic, verify_generic

TIMESTAMP_HEADER = "X-Timestamp"
MAX_SKEW = 300  # seconds


def signed_string(method: str, path: str, timestamp: str) -> bytes:
    return f"{method.upper()}\n{path}\n{timestamp}".encode()


def sign_request(method: str, path: str, timestamp: str, secret: str) -> str:
    """The `X-Signature` value for a request (shops and tests)."""
    return sign_generic(signed_string(method, path, timestamp), secret)


def request_problem(method: str, path: str, headers, secret: str, now: datetime) -> str | None:
    """Why the request is refused (a 401 message), or None when it is signed, fresh and ours."""
    stamp = (headers.get(TIMESTAMP_HEADER) or "").strip()
    if not stamp.isdigit():
        return f"{TIMESTAMP_HEADER} must be the request time in unix seconds"
    if abs(now.timestamp() - int(stamp)) > MAX_SKEW:
        return f"{TIMESTAMP_HEADER} is more than {MAX_SKEW} seconds away from the server time"
    if not verify_generic(signed_string(method, path, stamp), headers.get(GENERIC_HEADER), secret):
        return f"{GENERIC_HEADER} is missing or does not match {method.upper()}, the path and {TIMESTAMP_HEADER}"
    return None
