"""Thin Flask blueprints, one per inbound surface."""
from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from webedge import errors

    from . import events, health, install, robots, shop_api, unsubscribe

    errors.register(app)
    for module in (health, install, events, robots, shop_api, unsubscribe):
        app.register_blueprint(module.bp)
    from placement_ui import bp as placement_bp

    app.register_blueprint(placement_bp)
    # the admin JSON API: one blueprint per screen's data (/api/v1/portals/<member_id>/…) and its description
    from . import (api_access, api_campaigns, api_cards, api_history, api_message_channels, api_messages,
                   api_openapi, api_overview, api_segments, api_shops, api_sync)

    for api in (api_access, api_history, api_campaigns, api_segments, api_overview, api_shops, api_sync,
                api_cards, api_messages, api_message_channels, api_openapi):
        app.register_blueprint(api.bp)
