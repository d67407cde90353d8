"""app.info, app.option.*, users, notifications and the small system methods, over HTTP."""
from __future__ import annotations

import requests

from tests.sandbox.app_support import rest, token, user_token  # noqa: F401


def test_app_option_roundtrip(sandbox, token):
    assert rest(sandbox, token, "app.option.get").json()["result"] == []  # nothing saved: PHP empty array
    assert rest(sandbox, token, "app.option.set", options={"shop": "demo", "limit": 5}).json()["result"] is True
    assert rest(sandbox, token, "app.option.set", options={"limit": 7}).json()["result"] is True
    assert rest(sandbox, token, "app.option.get").json()["result"] == {"shop": "demo", "limit": 7}
    assert rest(sandbox, token, "app.option.get", option="shop").json()["result"] == "demo"
    assert rest(sandbox, token, "app.option.get", option="missing").json()["result"] is None


def test_app_option_errors(sandbox, token):
    empty = rest(sandbox, token, "app.option.set", options={})
    assert (empty.status_code, empty.json()["error"], empty.json()["argument"]) == (400, "ERROR_ARGUMENT", "options")
    denied = rest(sandbox, user_token(sandbox, 2), "app.option.set", options={"a": "b"})
    assert (denied.status_code, denied.json()["error_description"]) == (
        403, "Access denied! Administrator authorization required")
    hook = requests.post(sandbox.webhook_url + "app.option.set", json={"options": {"a": "b"}}, timeout=10)
    assert (hook.status_code, hook.json()["error"]) == (403, "ACCESS_DENIED")


def test_app_info(sandbox, receiver, token):
    info = rest(sandbox, token, "app.info").json()["result"]
    assert info["CODE"] == "local.test.app" and info["STATUS"] == "L" and info["INSTALLED"] is True
    assert set(info) == {"ID", "CODE", "VERSION", "STATUS", "INSTALLED", "PAYMENT_EXPIRED", "DAYS", "LANGUAGE_ID",
                         "LICENSE", "LICENSE_TYPE", "LICENSE_FAMILY"}
    requests.post(f"{sandbox.base_url}/_sandbox/install", json={
        "app_url": receiver.url, "client_id": "local.ui.app", "client_secret": "s3cret", "mode": "ui"}, timeout=10)
    ui_token = receiver.at("/install")[-1].form["AUTH_ID"]
    assert rest(sandbox, ui_token, "app.info").json()["result"]["INSTALLED"] is False


def test_users(sandbox, token):
    me = rest(sandbox, token, "user.current").json()["result"]
    assert (me["ID"], me["ACTIVE"], me["NAME"], me["UF_DEPARTMENT"]) == ("1", True, "Anna", [1])
    profile = rest(sandbox, user_token(sandbox, 2), "profile").json()["result"]
    assert profile == {"ID": "2", "ADMIN": False, "NAME": "Boris", "LAST_NAME": "Sales",
                       "PERSONAL_GENDER": "", "TIME_ZONE": ""}
    assert rest(sandbox, token, "profile").json()["result"]["ADMIN"] is True
    found = rest(sandbox, token, "user.get", filter={"ID": 3}).json()
    assert found["total"] == 1 and found["result"][0]["LAST_NAME"] == "Sales"
    assert rest(sandbox, token, "user.get", ID=[1, 2]).json()["total"] == 2


def test_notifications(sandbox, token):
    first = rest(sandbox, token, "im.notify.system.add", USER_ID=2, MESSAGE="Order #5 paid", TAG="order5").json()
    assert isinstance(first["result"], int)
    second = rest(sandbox, token, "im.notify.personal.add", USER_ID=2, MESSAGE="Order #5 shipped", TAG="order5")
    assert second.json()["result"] > first["result"]
    rows = requests.get(f"{sandbox.base_url}/_sandbox/notifications", params={"user_id": 2}, timeout=10).json()
    assert [(r["TYPE"], r["MESSAGE"]) for r in rows] == [("personal", "Order #5 shipped")]  # same TAG replaces
    no_user = rest(sandbox, token, "im.notify.system.add", MESSAGE="x")
    assert (no_user.status_code, no_user.json()["error"], no_user.json()["error_description"]) == (
        400, "USER_ID_EMPTY", "User ID can't be empty")
    no_text = rest(sandbox, token, "im.notify.system.add", USER_ID=2, MESSAGE=" ")
    assert (no_text.json()["error"], no_text.json()["error_description"]) == ("MESSAGE_EMPTY", "Message can't be empty")


def test_system_methods(sandbox, token):
    assert {"crm", "bizproc", "placement"} <= set(rest(sandbox, token, "scope").json()["result"])
    assert rest(sandbox, token, "server.time").json()["result"].endswith("+03:00")
    assert rest(sandbox, token, "feature.get", CODE="rest_offline_extended").json()["result"] == {"value": "Y"}
    assert rest(sandbox, token, "feature.get").json()["error"] == "CODE_EMPTY"
    assert rest(sandbox, token, "user.admin").json()["result"] is True
