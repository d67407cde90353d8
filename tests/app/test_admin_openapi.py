"""The admin API's OpenAPI description covers every admin route, each with a summary and its least role."""
from __future__ import annotations

from webedge.openapi import PREFIX


def _admin_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                yield rule, method.lower()


def test_the_description_is_served_and_lists_every_admin_route(client, app):
    res = client.get("/api/v1/openapi.json")
    assert res.status_code == 200
    spec = res.get_json()
    assert spec["openapi"].startswith("3.") and "bearer" in spec["components"]["securitySchemes"]
    missing = []
    for rule, method in _admin_rules(app):
        path = rule.rule.replace("<int:", "<").replace("<", "{").replace(">", "}")
        op = spec["paths"].get(path, {}).get(method)
        if op is None or not op["summary"] or op["x-role"] not in ("admin", "staff"):
            missing.append(f"{method.upper()} {rule.rule}")
    assert missing == [], "admin routes without a summary (docstring) or a role: " + ", ".join(missing)


def test_schemas_of_a_documented_view_are_in_the_description(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    put = spec["paths"]["/api/v1/portals/{member_id}/access"]["put"]
    assert "requestBody" in put
    assert {p["name"] for p in put["parameters"]} >= {"member_id"}
