"""The OAuth server: refresh with rotation, authorization codes, and its errors."""
from __future__ import annotations

import requests

from tests.sandbox.core_support import app_tokens, control, core, rest  # noqa: F401

CLIENT = {"client_id": "local.core.app", "client_secret": "s3cret"}


def token_url(server) -> str:
    return f"{server.base_url}/oauth/token/"


def refresh(server, refresh_token, **overrides):
    data = {"grant_type": "refresh_token", **CLIENT, "refresh_token": refresh_token, **overrides}
    return requests.post(token_url(server), data=data, timeout=10)


def test_refresh_answers_the_documented_fields(core, app_tokens):
    r = refresh(core, app_tokens["refresh_token"])
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {
        "access_token", "client_endpoint", "domain", "expires", "expires_in", "member_id",
        "refresh_token", "scope", "server_endpoint", "status", "user_id",
    }
    assert body["domain"] == "oauth.bitrix.info"
    assert body["client_endpoint"] == f"{core.base_url}/rest/"
    assert body["server_endpoint"] == "https://oauth.bitrix.info/rest/"
    assert (body["expires_in"], body["status"], body["user_id"]) == (3600, "L", 1)
    assert body["member_id"] == app_tokens["member_id"]
    assert body["scope"] == "bizproc,crm,im,placement,user"
    assert isinstance(body["expires"], int)
    assert rest(core, "test.echo", body["access_token"]).status_code == 200


def test_refresh_rotates_and_rejects_reuse(core, app_tokens):
    first = refresh(core, app_tokens["refresh_token"]).json()
    assert first["refresh_token"] != app_tokens["refresh_token"]
    again = refresh(core, app_tokens["refresh_token"])
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    # the access token handed out with the old refresh token lives on until it expires
    assert rest(core, "test.echo", app_tokens["access_token"]).status_code == 200
    assert refresh(core, first["refresh_token"]).status_code == 200


def test_refresh_by_get_query(core, app_tokens):
    params = {"grant_type": "refresh_token", **CLIENT, "refresh_token": app_tokens["refresh_token"]}
    r = requests.get(f"{core.base_url}/oauth/token", params=params, timeout=10)
    assert r.status_code == 200 and r.json()["access_token"]


def test_refreshed_token_outlives_the_expired_one(core, app_tokens):
    control(core, "clock", {"advance": 3601})
    assert rest(core, "test.echo", app_tokens["access_token"]).json()["error"] == "expired_token"
    fresh = refresh(core, app_tokens["refresh_token"]).json()
    assert rest(core, "test.echo", fresh["access_token"]).status_code == 200


def test_wrong_client_or_secret(core, app_tokens):
    for overrides in ({"client_secret": "nope"}, {"client_id": "local.other"}):
        r = refresh(core, app_tokens["refresh_token"], **overrides)
        assert r.status_code == 401
        assert r.json()["error"] == "invalid_client"
        assert set(r.json()) == {"error", "error_description"}
    assert refresh(core, app_tokens["refresh_token"]).status_code == 200  # failed tries did not burn it


def test_bad_requests(core, app_tokens):
    r = refresh(core, app_tokens["refresh_token"], grant_type="password")
    assert (r.status_code, r.json()["error"]) == (400, "invalid_request")
    r = refresh(core, "")
    assert (r.status_code, r.json()["error"]) == (400, "invalid_request")
    r = refresh(core, "0" * 70)
    assert (r.status_code, r.json()["error"]) == (400, "invalid_grant")


def test_refresh_token_expires_after_180_days(core, app_tokens):
    control(core, "clock", {"advance": 181 * 86400})
    r = refresh(core, app_tokens["refresh_token"])
    assert (r.status_code, r.json()["error"]) == (400, "invalid_grant")


def test_authorization_code_flow(core, app_tokens):
    issued = control(core, "oauth/code", {"client_id": "local.core.app", "user_id": 3})
    assert issued["expires_in"] == 30 and issued["member_id"] == app_tokens["member_id"]
    data = {"grant_type": "authorization_code", **CLIENT, "code": issued["code"]}
    body = requests.get(token_url(core), params=data, timeout=10).json()
    assert body["user_id"] == 3
    assert rest(core, "test.whoami", body["access_token"]).json()["result"]["user_id"] == 3
    reuse = requests.get(token_url(core), params=data, timeout=10)
    assert (reuse.status_code, reuse.json()["error"]) == (400, "invalid_grant")


def test_authorization_code_lives_30_seconds(core, app_tokens):
    code = control(core, "oauth/code", {"client_id": "local.core.app"})["code"]
    control(core, "clock", {"advance": 31})
    data = {"grant_type": "authorization_code", **CLIENT, "code": code}
    r = requests.post(token_url(core), data=data, timeout=10)
    assert (r.status_code, r.json()["error"]) == (400, "invalid_grant")


def test_token_requests_are_logged(core, app_tokens):
    since = requests.get(f"{core.base_url}/_sandbox/calls", timeout=10).json()["total"]
    refresh(core, app_tokens["refresh_token"])
    refresh(core, app_tokens["refresh_token"])
    query = {"method": "oauth/token", "since": since}
    calls = requests.get(f"{core.base_url}/_sandbox/calls", params=query, timeout=10).json()
    assert [(c["http_status"], c["error"]) for c in calls["calls"]] == [(200, None), (400, "invalid_grant")]
