"""Transport, envelopes, `time`, auth errors and the call log of `/rest/`."""
from __future__ import annotations

import re

import requests

from tests.sandbox.core_support import app_tokens, control, core, oauth_install, rest  # noqa: F401

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


def test_json_body_with_auth(core, app_tokens):
    r = rest(core, "test.whoami", app_tokens["access_token"])
    assert r.status_code == 200
    assert r.json()["result"] == {
        "user_id": 1, "auth_kind": "oauth", "client_id": "local.core.app", "in_batch": False, "auth_connector": "",
    }


def test_form_body_with_php_brackets(core, app_tokens):
    body = f"auth={app_tokens['access_token']}&fields[TITLE]=A%20b&select[0]=ID&select[1]=TITLE&filter[%3EID]=5"
    r = requests.post(
        f"{core.base_url}/rest/test.echo", data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=10,
    )
    res = r.json()["result"]
    assert res["fields"] == {"TITLE": "A b"}
    assert res["select"] == ["ID", "TITLE"]
    assert res["filter"] == {">ID": "5"}


def test_get_query_and_json_suffix_and_trailing_slash(core, app_tokens):
    tok = app_tokens["access_token"]
    for path in ("test.echo", "test.echo.json", "test.echo/", "test.echo.json/", "TEST.Echo"):
        r = requests.get(f"{core.base_url}/rest/{path}", params={"auth": tok, "id[0]": "3"}, timeout=10)
        assert r.status_code == 200, path
        assert r.json()["result"]["id"] == ["3"]


def test_multipart_body(core, app_tokens):
    r = requests.post(
        f"{core.base_url}/rest/test.echo",
        files={"auth": (None, app_tokens["access_token"]), "fields[NAME]": (None, "Ann")}, timeout=10,
    )
    assert r.json()["result"]["fields"] == {"NAME": "Ann"}


def test_body_wins_over_query(core):
    r = requests.post(f"{core.webhook_url}test.echo?x=query&y=1", json={"x": "body"}, timeout=10)
    assert r.json()["result"] == {"x": "body", "y": "1"}


def test_webhook_acts_as_admin_without_app(core):
    r = rest(core, "test.whoami")
    assert r.json()["result"]["user_id"] == 1
    assert r.json()["result"]["auth_kind"] == "webhook"


def test_wrong_webhook_code_or_user(core):
    for url in (f"{core.base_url}/rest/1/wrong/test.echo", f"{core.base_url}/rest/2/sandbox/test.echo"):
        r = requests.post(url, json={}, timeout=10)
        assert r.status_code == 401
        assert r.json() == {"error": "NO_AUTH_FOUND", "error_description": "Wrong authorization data"}


def test_unknown_parameters_are_ignored(core, app_tokens):
    r = rest(core, "test.crm", app_tokens["access_token"], __order="x", anything={"deep": 1})
    assert r.status_code == 200 and r.json()["result"] is True


def test_unknown_method_is_404(core, app_tokens):
    r = rest(core, "crm.segment.list", app_tokens["access_token"])
    assert r.status_code == 404
    assert r.json() == {"error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found!"}


def test_envelope_headers_and_php_json(core):
    r = rest(core, "test.get", None, id=5)
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"
    assert '"URL":"https:\\/\\/x.test\\/a\\/b"' in r.text
    assert list(r.json()) == ["result", "time"]
    empty = rest(core, "test.echo")
    assert '"result":[]' in empty.text  # an empty PHP array is a JSON list


def test_time_object_fields(core):
    t = rest(core, "test.echo").json()["time"]
    assert list(t) == [
        "start", "finish", "duration", "processing", "date_start", "date_finish", "operating_reset_at", "operating",
    ]
    assert isinstance(t["start"], float) and t["finish"] >= t["start"]
    assert abs(t["duration"] - (t["finish"] - t["start"])) < 1e-6
    assert ISO.match(t["date_start"]) and ISO.match(t["date_finish"])
    assert isinstance(t["operating_reset_at"], int) and t["operating_reset_at"] > t["start"]


def test_list_envelope_total_and_next(core):
    first = rest(core, "test.list").json()
    assert list(first)[:3] == ["result", "next", "total"]
    assert (len(first["result"]), first["next"], first["total"]) == (50, 50, 120)
    last = rest(core, "test.list", start=100).json()
    assert "next" not in last and len(last["result"]) == 20
    nocount = rest(core, "test.list", start=-1).json()
    assert nocount["total"] == 0 and "next" not in nocount


def test_crm_error_shape(core):
    r = rest(core, "test.fail")
    assert r.status_code == 400
    assert r.json() == {"error": "", "error_description": "Not found"}


def test_no_auth_and_unknown_token(core):
    r = requests.post(f"{core.base_url}/rest/test.echo", json={}, timeout=10)
    assert (r.status_code, r.json()["error"]) == (401, "NO_AUTH_FOUND")
    r = rest(core, "test.echo", "f" * 70)
    assert (r.status_code, r.json()["error"]) == (401, "NO_AUTH_FOUND")


def test_expired_token_by_clock_and_by_control(core, app_tokens):
    tok = app_tokens["access_token"]
    control(core, "clock", {"advance": 3601})
    r = rest(core, "test.echo", tok)
    assert r.status_code == 401
    assert r.json() == {"error": "expired_token", "error_description": "The access token provided has expired."}
    fresh = oauth_install(core)["access_token"]
    assert rest(core, "test.echo", fresh).status_code == 200
    assert control(core, "tokens/expire", {"client_id": "local.core.app"})["expired"] >= 1
    assert rest(core, "test.echo", fresh).json()["error"] == "expired_token"


def test_app_context_required_for_webhooks(core, app_tokens):
    r = rest(core, "test.apponly")
    assert r.status_code == 403
    assert r.json() == {"error": "ACCESS_DENIED", "error_description": "Application context required"}
    r = rest(core, "placement.sandboxtest")
    assert (r.status_code, r.json()["error"]) == (403, "WRONG_AUTH_TYPE")
    assert rest(core, "test.apponly", app_tokens["access_token"]).json()["result"] is True


def test_scope_is_checked(core):
    tok = oauth_install(core, client_id="local.user.only", scopes="user")["access_token"]
    r = rest(core, "test.crm", tok)
    assert r.status_code == 403
    assert r.json() == {
        "error": "insufficient_scope",
        "error_description": "The request requires higher privileges than provided by the access token",
    }
    assert rest(core, "test.echo", tok).status_code == 200  # basic methods need no scope


def test_admin_only_for_a_manager(core, app_tokens):
    manager = oauth_install(core, user_id=2)
    r = rest(core, "test.admin", manager["access_token"])
    assert (r.status_code, r.json()["error"]) == (403, "ACCESS_DENIED")
    assert rest(core, "test.admin", app_tokens["access_token"]).json()["result"] is True


def test_auth_connector_reaches_the_method(core, app_tokens):
    r = rest(core, "test.whoami", app_tokens["access_token"], auth_connector="shop-sync")
    assert r.json()["result"]["auth_connector"] == "shop-sync"


def test_call_log(core, app_tokens):
    rest(core, "test.echo", app_tokens["access_token"])
    rest(core, "nope.nothing")
    calls = requests.get(f"{core.base_url}/_sandbox/calls", timeout=10).json()
    by_method = {c["method"]: c for c in calls["calls"]}
    echo = by_method["test.echo"]
    assert (echo["auth"], echo["client_id"], echo["user_id"], echo["http_status"]) == ("oauth", "local.core.app", 1, 200)
    assert echo["ip"] == "127.0.0.1"
    assert by_method["nope.nothing"]["error"] == "ERROR_METHOD_NOT_FOUND"
    assert by_method["nope.nothing"]["auth"] == "webhook"
    only = requests.get(f"{core.base_url}/_sandbox/calls", params={"method": "test.echo"}, timeout=10).json()
    assert only["count"] == 1
    tail = requests.get(f"{core.base_url}/_sandbox/calls", params={"since": calls["total"] - 1}, timeout=10).json()
    assert [c["method"] for c in tail["calls"]] == ["nope.nothing"]


def test_control_index_and_clock(core):
    idx = requests.get(f"{core.base_url}/_sandbox/", timeout=10).json()
    assert idx["webhook_url"] == f"{core.base_url}/rest/1/sandbox/"
    assert idx["client_endpoint"] == f"{core.base_url}/rest/"
    assert idx["oauth_url"] == f"{core.base_url}/oauth/token/"
    assert idx["member_id"] == core.portal.member_id
    before = requests.get(f"{core.base_url}/_sandbox/clock", timeout=10).json()["now"]
    after = control(core, "clock", {"advance": 86400})["now"]
    assert after - before >= 86400
