"""Thin Flask blueprints, one per inbound surface."""
from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from webedge import errors

    from . import events, health, install, robots, shop_api

    errors.register(app)
    for module in (health, install, events, robots, shop_api):
        app.register_blueprint(module.bp)
    from placement_ui import bp as placement_bp

    app.register_blueprint(placement_bp)
    from . import api_access, api_campaigns, api_history, api_openapi, api_overview, api_segments, api_sync

    for api in (api_access, api_history, api_campaigns, api_segments, api_overview, api_sync, api_openapi):
        app.register_blueprint(api.bp)
    from . import api_cards

    app.register_blueprint(api_cards.bp)
    from . import api_shops

    app.register_blueprint(api_shops.bp)
