"""Application factory: config, services, blueprints and CLI. No module-level app."""
from __future__ import annotations

import logging
import os
from typing import Any, Mapping

from flask import Flask

from bitrix_app.clock import SystemClock
from bitrix_app.portals import SecretCipher, build_client
from bitrix_app.redis_conn import connect
from bitrix_app.shops.cache import TTL, ShopCache
from bitrix_app.store.db import make_engine, make_session_factory
from config import load_config
from webedge.routing import LazyBuilderRule

SERVICE_OVERRIDES = ("CLOCK", "REDIS")  # objects a test may inject instead of building them


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. String overrides act as environment settings; CLOCK/REDIS inject services."""
    overrides = dict(overrides or {})
    env = {**os.environ, **{k: v for k, v in overrides.items() if isinstance(v, str)}}
    settings = load_config(env)
    app = Flask(__name__, instance_path=settings.INSTANCE_DIR)
    app.url_rule_class = LazyBuilderRule
    app.config.update(SECRET_KEY=settings.SECRET_KEY, MAX_CONTENT_LENGTH=1024 * 1024, JSON_SORT_KEYS=False)
    app.config.update({k: v for k, v in overrides.items() if not isinstance(v, str) and k not in SERVICE_OVERRIDES})
    logging.basicConfig(level=settings.LOG_LEVEL)
    import fast_bitrix24  # noqa: F401  (importing it sets its logger to DEBUG; quieten it after)

    logging.getLogger("fast_bitrix24").setLevel(logging.WARNING)  # its debug lines echo request bodies
    engine = make_engine(settings.DATABASE_URL)
    app.extensions["bitrix_app"] = {
        "settings": settings,
        "engine": engine,
        "sessions": make_session_factory(engine),
        "redis": overrides.get("REDIS") or connect(settings.REDIS_URL, settings.INSTANCE_DIR),
        "clock": overrides.get("CLOCK") or SystemClock(),
        "cipher": SecretCipher(settings.SECRET_KEY, settings.TOKEN_ENCRYPTION_KEY),
        "shop_cache": ShopCache(ttl=float(overrides.get("SHOP_CACHE_TTL", TTL))),
        "client_factory": build_client,  # (AppServices, member_id, lane) -> a portal's client, for every scope
    }
    _register(app)
    return app


def _register(app: Flask) -> None:
    from handlers import register_blueprints
    from handlers.cli import register_cli

    register_blueprints(app)
    register_cli(app)
