"""Floors for bench/ingest.py: Flask apps that answer the shop events route and do (almost) nothing else.

Served by gunicorn with the same command line as the product, they show what the server configuration
itself costs (HTTP parsing, the worker model, Flask's request dispatch, reading the body, a JSON answer),
so the product's rate can be read beside it.

- `empty_app()`: `POST /shop/v1/<shop_id>/events` reads the whole body and answers 202 with the product's
  answer for one accepted event, `{"status": "accepted", "accepted": 1, "duplicates": 0}`.
- `hmac_app()`: the same, after checking `X-Signature` over the raw body with the product's own check
  (`bitrix_app.orders.adapters.signatures.verify_generic`) and the shop secret from the environment variable
  `BENCH_SHOP_SECRET`; a bad or missing signature gets the product's 401 (`bad_signature`, same body shape).
  When `BENCH_SHOP_ID` is set, another shop id gets the product's 404 `unknown_shop`.

Factories only: importing this module builds nothing and reads no settings.

    gunicorn ... "bench.floor_app:empty_app()"   |   gunicorn ... "bench.floor_app:hmac_app()"
"""
from __future__ import annotations

import os

from flask import Flask, jsonify, request

MAX_BODY = 1024 * 1024  # the product's limit (handlers/shop_api.py)
EVENTS_RULE = "/shop/v1/<shop_id>/events"
SECRET_ENV, SHOP_ENV = "BENCH_SHOP_SECRET", "BENCH_SHOP_ID"


def _accepted():
    """The product's answer to one fresh event."""
    return jsonify({"status": "accepted", "accepted": 1, "duplicates": 0}), 202


def _error(status: int, code: str, message: str):
    """The product's error shape (webedge/errors.py)."""
    return jsonify({"error": code, "message": message, "details": {}}), status


def _read_body() -> bytes:
    return request.stream.read(MAX_BODY + 1)


def _base(name: str) -> Flask:
    app = Flask(name)
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY)
    return app


def empty_app() -> Flask:
    """Reads the body, answers 202 as the product does for one accepted event."""
    app = _base("bench_floor_empty")

    @app.post(EVENTS_RULE)
    def events(shop_id: str):
        _read_body()
        return _accepted()

    return app


def hmac_app(secret: str | None = None, shop_id: str | None = None) -> Flask:
    """The empty app plus the product's signature check with the shop secret (argument or BENCH_SHOP_SECRET)."""
    from bitrix_app.orders.adapters.signatures import GENERIC_HEADER, verify_generic

    secret = secret if secret is not None else os.environ.get(SECRET_ENV, "")
    if not secret:
        raise RuntimeError(f"hmac_app needs the shop secret in {SECRET_ENV}")
    known_shop = shop_id if shop_id is not None else os.environ.get(SHOP_ENV) or None
    app = _base("bench_floor_hmac")

    @app.post(EVENTS_RULE)
    def events(shop_id: str):
        if known_shop is not None and shop_id != known_shop:
            return _error(404, "unknown_shop", "no connected shop has this id")
        raw = _read_body()
        if not verify_generic(raw, request.headers.get(GENERIC_HEADER), secret):
            return _error(401, "bad_signature", f"{GENERIC_HEADER} is missing or does not match the body")
        return _accepted()

    return app
