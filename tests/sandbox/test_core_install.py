"""Local-app lifecycle: callback and UI installs, installFinish, updates, uninstall, and the outbox."""
from __future__ import annotations

import re

import requests

from tests.sandbox.core_support import control, core, install_app, rest  # noqa: F401

INSTALL_AUTH_KEYS = {
    "access_token", "refresh_token", "expires", "expires_in", "scope", "domain", "server_endpoint",
    "status", "client_endpoint", "member_id", "user_id", "application_token",
}


def ui_install(server, receiver, **extra):
    body = {"app_url": receiver.url, "client_id": "local.ui.app", "client_secret": "s3cret", "mode": "ui", **extra}
    return control(server, "install", body)


def test_callback_install_posts_onappinstall(core, receiver):
    ans = install_app(core, receiver, language="de")
    post = receiver.at("/install")[-1]
    assert post.content_type.startswith("application/x-www-form-urlencoded")
    form = post.form
    assert form["event"] == "ONAPPINSTALL"
    assert form["data"] == {"VERSION": "1", "ACTIVE": "Y", "INSTALLED": "Y", "LANGUAGE_ID": "de"}
    assert form["ts"].isdigit()
    assert set(form["auth"]) == INSTALL_AUTH_KEYS
    auth = form["auth"]
    assert (auth["status"], auth["user_id"], auth["expires_in"]) == ("L", "1", "3600")
    assert auth["domain"] == core.portal.domain == ans["domain"]
    assert auth["member_id"] == ans["member_id"] and auth["application_token"] == ans["application_token"]
    assert auth["client_endpoint"] == f"{core.base_url}/rest/"
    assert auth["scope"] == "bizproc,crm,im,placement,user"
    assert (ans["installed"], ans["app_status"], ans["version"]) == (True, 200, 1)
    who = rest(core, "test.whoami", ans["access_token"]).json()["result"]
    assert (who["client_id"], who["user_id"]) == ("local.core.app", 1)


def test_ui_install_waits_for_install_finish(core, receiver):
    ans = ui_install(core, receiver, language="ru")
    assert ans["installed"] is False
    post = receiver.at("/install")[-1]
    assert post.query["DOMAIN"] == core.portal.domain
    assert (post.query["PROTOCOL"], post.query["LANG"]) == ("0", "ru")
    assert re.fullmatch(r"[0-9a-f]{32}", post.query["APP_SID"])
    form = post.form
    assert set(form) == {
        "AUTH_ID", "AUTH_EXPIRES", "REFRESH_ID", "SERVER_ENDPOINT", "APPLICATION_TOKEN", "APPLICATION_SCOPE",
        "member_id", "status", "PLACEMENT", "PLACEMENT_OPTIONS",
    }
    assert (form["PLACEMENT"], form["PLACEMENT_OPTIONS"], form["status"]) == ("DEFAULT", "{}", "L")
    assert form["APPLICATION_TOKEN"] == ans["application_token"]
    # an app that is not installed yet can still call methods with its tokens
    assert rest(core, "test.echo", form["AUTH_ID"]).status_code == 200
    assert core.portal.apps["local.ui.app"].installed is False
    assert control(core, "install/finish", {"auth": form["AUTH_ID"]}) == {"client_id": "local.ui.app", "installed": True}
    assert core.portal.apps["local.ui.app"].installed is True


def test_ui_page_calling_install_finish_completes_the_install(core, receiver):
    receiver.reply_body = "<script src='//api.bitrix24.com/api/v1/'></script><script>BX24.installFinish();</script>"
    assert ui_install(core, receiver)["installed"] is True


def test_install_finish_without_anything_waiting(core):
    r = requests.post(f"{core.base_url}/_sandbox/install/finish", json={}, timeout=10)
    assert r.status_code == 404


def test_application_token_is_stable_until_uninstall(core, receiver):
    first = install_app(core, receiver)
    again = install_app(core, receiver)
    assert again["application_token"] == first["application_token"]
    control(core, "uninstall", {"client_id": "local.core.app"})
    fresh = install_app(core, receiver)
    assert fresh["application_token"] != first["application_token"]


def test_version_change_drops_event_bindings(core, receiver):
    install_app(core, receiver)
    portal = core.portal
    portal.event_bindings.append(_binding("local.core.app", "ONCRMDEALADD", f"{receiver.url}/ev"))
    portal.event_bindings.append(_binding("local.other", "ONCRMDEALADD", f"{receiver.url}/ev"))
    ans = install_app(core, receiver, version=2)
    assert (ans["updated"], ans["version"]) == (True, 2)
    assert receiver.at("/install")[-1].form["data"]["VERSION"] == "2"
    assert [b["client_id"] for b in portal.event_bindings] == ["local.other"]


def _binding(client_id, event, handler, ident=1):
    return {
        "id": ident, "client_id": client_id, "event": event, "handler": handler, "auth_type": 0,
        "event_type": "online", "auth_connector": None, "options": {},
    }


def test_uninstall_notifies_and_forgets_the_app(core, receiver):
    ans = install_app(core, receiver)
    portal = core.portal
    portal.event_bindings.append(_binding("local.core.app", "ONAPPUNINSTALL", f"{receiver.url}/bye", 7))
    portal.robots[("local.core.app", "ROBOT")] = {"CODE": "ROBOT"}
    portal.placements.append({"id": 1, "client_id": "local.core.app", "placement": "CRM_DEAL_DETAIL_TAB"})
    portal.apps["local.core.app"].options["k"] = "v"
    done = control(core, "uninstall", {"client_id": "local.core.app", "clean": 1})
    assert (done["installed"], done["notified"]) == (False, 1)
    assert control(core, "outbox/drain")["drained"] is True
    form = receiver.at("/bye")[0].form
    assert form["event"] == "ONAPPUNINSTALL"
    assert form["data"] == {"LANGUAGE_ID": "en", "CLEAN": "1"}
    assert set(form["auth"]) == {"domain", "server_endpoint", "client_endpoint", "member_id", "application_token"}
    assert form["auth"]["application_token"] == ans["application_token"]
    assert rest(core, "test.echo", ans["access_token"]).json()["error"] == "NO_AUTH_FOUND"
    assert not portal.event_bindings and not portal.robots and not portal.placements
    assert portal.apps["local.core.app"].options == {}
    r = requests.post(
        f"{core.base_url}/oauth/token/",
        data={"grant_type": "refresh_token", "client_id": "local.core.app", "client_secret": "s3cret",
              "refresh_token": ans["refresh_token"]},
        timeout=10,
    )
    assert r.json()["error"] == "invalid_grant"


def test_install_validation(core):
    r = requests.post(f"{core.base_url}/_sandbox/install", json={"client_id": "x"}, timeout=10)
    assert r.status_code == 400 and "app_url" in r.json()["error"]
    r = requests.post(f"{core.base_url}/_sandbox/uninstall", json={"client_id": "nobody"}, timeout=10)
    assert r.status_code == 404


def test_bx24_stub_script(core):
    r = requests.get(f"{core.base_url}/bx24/api/v1/", timeout=10)
    assert r.headers["Content-Type"].startswith("application/javascript")
    assert "installFinish" in r.text and f'"{core.base_url}"' in r.text


def test_outbox_posts_php_form_once_without_retry(core, receiver):
    receiver.reply_status = 500
    core.portal.outbox.post_async(
        f"{receiver.url}/hook", {"event": "X", "data": {"FIELDS": {"ID": 5}}, "flag": True}, kind="event",
        query={"q": "1"},
    )
    assert control(core, "outbox/drain")["drained"] is True
    [got] = receiver.at("/hook")
    assert got.form == {"event": "X", "data": {"FIELDS": {"ID": "5"}}, "flag": "1"}
    assert got.query == {"q": "1"}
    [logged] = requests.get(f"{core.base_url}/_sandbox/outbound", timeout=10).json()["outbound"]
    assert (logged["kind"], logged["status"], logged["error"]) == ("event", 500, None)


def test_outbox_logs_unreachable_apps(core):
    status, _, _ = core.portal.outbox.post_now("http://127.0.0.1:9/nowhere", {"a": 1}, kind="placement")
    assert status == 0
    [logged] = requests.get(f"{core.base_url}/_sandbox/outbound", timeout=10).json()["outbound"]
    assert logged["status"] is None and logged["error"]
