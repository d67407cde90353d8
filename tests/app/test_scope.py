"""The scope an edge builds: the app's services, narrowed to one portal, with its client made on first use."""
from __future__ import annotations

from bitrix_app.scope import app_services, portal_scope


def test_a_portal_scope_carries_the_apps_services_and_makes_its_client_once(app):
    ext = app.extensions["bitrix_app"]
    made = []
    with app.app_context():
        services = app_services()
        assert services.sessions is ext["sessions"] and services.redis is ext["redis"]
        assert services.clock is ext["clock"] and services.settings is ext["settings"]
        scope = portal_scope("m-1")
    fake = type("Fake", (), {})
    scope = scope.services.for_portal("m-1")
    object.__setattr__(scope.services, "client_factory",
                       lambda member_id, lane="normal": made.append((member_id, lane)) or fake())
    assert scope.client is scope.client and made == [("m-1", "normal")]
    high = scope.on_lane("high")
    assert high.client is not scope.client and made[-1] == ("m-1", "high")
    assert scope.on_lane("normal") is scope
    assert scope.transaction() is not None and scope.member_id == "m-1"
