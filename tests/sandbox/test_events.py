"""Event subscriptions and deliveries of the sandbox portal, over HTTP."""
from __future__ import annotations

import requests
from b24pysdk.credentials import OAuthEventData

from tests.sandbox.app_support import drain, rest, user_token


def test_bind_get_unbind(sandbox, receiver, installed):
    token, handler = installed["access_token"], receiver.url + "/events"
    assert rest(sandbox, token, "event.bind", event="onCrmDealAdd", handler=handler).json()["result"] is True
    rest(sandbox, token, "event.bind", EVENT="ONCRMDEALUPDATE", HANDLER=handler, AUTH_TYPE=2)
    got = rest(sandbox, token, "event.get")
    assert got.json()["result"] == [
        {"event": "ONCRMDEALADD", "handler": handler, "auth_type": "0", "offline": 0},
        {"event": "ONCRMDEALUPDATE", "handler": handler, "auth_type": "2", "offline": 0},
    ]
    assert "\\/events" in got.text  # PHP json_encode escapes slashes
    gone = rest(sandbox, token, "event.unbind", event="ONCRMDEALADD", handler=handler)
    assert gone.json()["result"] == {"count": 1}
    assert [b["event"] for b in rest(sandbox, token, "event.get").json()["result"]] == ["ONCRMDEALUPDATE"]


def test_bind_errors(sandbox, receiver, installed):
    token, handler = installed["access_token"], receiver.url + "/events"
    rest(sandbox, token, "event.bind", event="ONCRMDEALADD", handler=handler)
    dup = rest(sandbox, token, "event.bind", event="oncrmdealadd", handler=handler)
    assert (dup.status_code, dup.json()["error"]) == (400, "ERROR_CORE")
    assert dup.json()["error_description"] == "Unable to set event handler: Handler already binded"
    unknown = rest(sandbox, token, "event.bind", event="ONNOSUCHTHING", handler=handler)
    assert (unknown.status_code, unknown.json()["error"], unknown.json()["error_description"]) == (
        400, "ERROR_EVENT_NOT_FOUND", "Event not found")
    no_handler = rest(sandbox, token, "event.bind", event="ONCRMDEALADD")
    assert no_handler.status_code == 400
    assert {k: no_handler.json()[k] for k in ("error", "error_description", "argument")} == {
        "error": "ERROR_ARGUMENT", "error_description": "Argument 'HANDLER' is null or empty", "argument": "HANDLER"}
    bad_url = rest(sandbox, token, "event.bind", event="ONCRMDEALADD", handler="not a url")
    assert bad_url.json()["error"] == "ERROR_WRONG_HANDLER_URL"
    hook = requests.post(sandbox.webhook_url + "event.bind", json={"event": "ONCRMDEALADD", "handler": handler},
                         timeout=10)
    assert (hook.status_code, hook.json()["error"]) == (403, "WRONG_AUTH_TYPE")


def test_non_admin_limits(sandbox, receiver, installed):
    token = user_token(sandbox, 2)
    offline = rest(sandbox, token, "event.bind", event="ONCRMDEALADD", event_type="offline")
    assert (offline.status_code, offline.json()["error"]) == (403, "ACCESS_DENIED")
    foreign = rest(sandbox, token, "event.bind", event="ONCRMDEALADD", handler=receiver.url + "/e", auth_type=1)
    assert foreign.status_code == 403
    # a manager's own binding is made on their behalf
    rest(sandbox, token, "event.bind", event="ONCRMDEALADD", handler=receiver.url + "/e")
    assert rest(sandbox, token, "event.get").json()["result"][0]["auth_type"] == "2"


def test_deal_add_delivers_event(sandbox, receiver, installed):
    token = installed["access_token"]
    rest(sandbox, token, "event.bind", event="ONCRMDEALADD", handler=receiver.url + "/events")
    deal_id = rest(sandbox, token, "crm.deal.add", fields={"TITLE": "Order 1"}).json()["result"]
    drain(sandbox)
    [got] = receiver.at("/events")
    assert got.content_type == "application/x-www-form-urlencoded"
    keys = [k for k, _ in got.raw_form]
    assert keys[:4] == ["event", "event_handler_id", "data[FIELDS][ID]", "ts"]
    assert got.form["event"] == "ONCRMDEALADD" and got.form["data"] == {"FIELDS": {"ID": str(deal_id)}}
    auth = got.form["auth"]
    assert auth["application_token"] == installed["application_token"]
    assert auth["member_id"] == installed["member_id"] and auth["status"] == "L" and auth["user_id"] == "1"
    assert auth["expires_in"] == "3600" and "refresh_token" not in auth
    assert rest(sandbox, auth["access_token"], "profile").json()["result"]["ID"] == "1"
    parsed = OAuthEventData.from_dict(dict(got.raw_form))
    assert parsed.event == "ONCRMDEALADD" and parsed.auth.user_id == 1


def test_events_wait_for_install_finish(sandbox, receiver):
    requests.post(f"{sandbox.base_url}/_sandbox/install", json={
        "app_url": receiver.url, "client_id": "local.ui.app", "client_secret": "s3cret", "mode": "ui"}, timeout=10)
    token = receiver.at("/install")[-1].form["AUTH_ID"]
    assert rest(sandbox, token, "event.bind", event="ONCRMDEALADD", handler=receiver.url + "/events").ok
    rest(sandbox, token, "crm.deal.add", fields={"TITLE": "before"})
    drain(sandbox)
    assert receiver.at("/events") == []
    requests.post(f"{sandbox.base_url}/_sandbox/install/finish", json={"client_id": "local.ui.app"}, timeout=10)
    rest(sandbox, token, "crm.deal.add", fields={"TITLE": "after"})
    drain(sandbox)
    assert len(receiver.at("/events")) == 1


def test_ui_and_robot_changes(sandbox, receiver, installed):
    token = installed["access_token"]
    rest(sandbox, token, "event.bind", event="ONCRMDEALUPDATE", handler=receiver.url + "/events")
    deal_id = rest(sandbox, token, "crm.deal.add", fields={"TITLE": "x"}).json()["result"]
    touch = f"{sandbox.base_url}/_sandbox/crm/touch"
    requests.post(touch, json={"entity": "deal", "id": deal_id, "fields": {"TITLE": "by Boris"}, "user_id": 2},
                  timeout=10)
    requests.post(touch, json={"entity": "deal", "id": deal_id, "fields": {"TITLE": "y"}, "actor": "robot"},
                  timeout=10)
    drain(sandbox)
    by_user, by_robot = receiver.at("/events")
    assert by_user.form["auth"]["user_id"] == "2" and by_user.form["auth"]["access_token"]
    assert set(by_robot.form["auth"]) == {
        "domain", "client_endpoint", "server_endpoint", "member_id", "application_token"}
    assert OAuthEventData.from_dict(dict(by_robot.raw_form)).auth.is_system
    assert rest(sandbox, token, "crm.deal.get", id=deal_id).json()["result"]["TITLE"] == "y"


def test_offline_queue(sandbox, installed):
    token = installed["access_token"]
    assert rest(sandbox, token, "event.bind", event="ONCRMDEALUPDATE", event_type="offline").json()["result"]
    assert rest(sandbox, token, "event.get").json()["result"] == [
        {"event": "ONCRMDEALUPDATE", "connector_id": "", "offline": 1}]
    deal_id = rest(sandbox, token, "crm.deal.add", fields={"TITLE": "x"}).json()["result"]
    for title in ("a", "b", "c"):
        rest(sandbox, token, "crm.deal.update", id=deal_id, fields={"TITLE": title})
    listed = rest(sandbox, token, "event.offline.list").json()
    assert listed["total"] == 1  # one record per object, the last change wins
    assert listed["result"][0]["EVENT_DATA"] == {"FIELDS": {"ID": str(deal_id)}}
    got = rest(sandbox, token, "event.offline.get", clear=0).json()["result"]
    assert got["process_id"] and [e["EVENT_NAME"] for e in got["events"]] == ["ONCRMDEALUPDATE"]
    assert rest(sandbox, token, "event.offline.get").json()["result"] == {"process_id": None, "events": []}
    rest(sandbox, token, "event.offline.clear", process_id=got["process_id"])
    assert rest(sandbox, token, "event.offline.list").json()["total"] == 0


def test_offline_signal_and_error_marking(sandbox, receiver, installed):
    token = installed["access_token"]
    rest(sandbox, token, "event.bind", event="ONOFFLINEEVENT", handler=receiver.url + "/signal",
         options={"minTimeout": 60})
    rest(sandbox, token, "event.bind", event="ONCRMDEALADD", event_type="offline")
    for title in ("a", "b"):
        rest(sandbox, token, "crm.deal.add", fields={"TITLE": title})
    drain(sandbox)
    [signal] = receiver.at("/signal")  # the second change falls inside minTimeout
    assert signal.form["data"] == {"type": "add", "event": "ONCRMDEALADD", "handler": receiver.url + "/signal",
                                   "minTimeout": "60"}
    got = rest(sandbox, token, "event.offline.get", clear=0, limit=1).json()["result"]
    [event] = got["events"]
    assert rest(sandbox, token, "event.offline.error", process_id=got["process_id"],
                message_id=[event["MESSAGE_ID"]]).json()["result"] is True
    rows = rest(sandbox, token, "event.offline.list", order={"ID": "ASC"}).json()["result"]
    assert [(r["ERROR"], r["PROCESS_ID"]) for r in rows] == [("1", ""), ("0", "")]
    assert len(rest(sandbox, token, "event.offline.get", error=1).json()["result"]["events"]) == 1


def test_offline_auth_connector_stops_loops(sandbox, installed):
    token = installed["access_token"]
    rest(sandbox, token, "event.bind", event="ONCRMDEALUPDATE", event_type="offline", auth_connector="shop")
    deal_id = rest(sandbox, token, "crm.deal.add", fields={"TITLE": "x"}).json()["result"]
    rest(sandbox, token, "crm.deal.update", id=deal_id, fields={"TITLE": "mine"}, auth_connector="shop")
    assert rest(sandbox, token, "event.offline.list", auth_connector="shop").json()["total"] == 0
    rest(sandbox, token, "crm.deal.update", id=deal_id, fields={"TITLE": "someone else"})
    assert rest(sandbox, token, "event.offline.list", auth_connector="shop").json()["total"] == 1


def test_event_test_and_events_list(sandbox, receiver, installed):
    token = installed["access_token"]
    assert "ONCRMDEALADD" in rest(sandbox, token, "events").json()["result"]
    rest(sandbox, token, "event.bind", event="ONAPPTEST", handler=receiver.url + "/test")
    assert rest(sandbox, token, "event.test", any="data").json()["result"] == 1
    drain(sandbox)
    [got] = receiver.at("/test")
    assert got.form["event"] == "ONAPPTEST" and got.form["data"]["QUERY"] == {"any": "data"}
