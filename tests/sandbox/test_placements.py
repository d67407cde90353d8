"""Widget placements: bind/get/unbind/list, and opening a widget as a user would."""
from __future__ import annotations

import json
import threading

import pytest
import requests
from b24pysdk.credentials import OAuthPlacementData
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from tests.sandbox.app_support import rest, token  # noqa: F401


def open_widget(sandbox, **body):
    return requests.post(f"{sandbox.base_url}/_sandbox/placements/open", json=body, timeout=20)


@pytest.fixture
def framing_server():
    """An app page that forbids framing, the way a default security middleware does."""
    page = Response("<html>tab</html>", content_type="text/html", headers={"X-Frame-Options": "DENY"})
    server = make_server("127.0.0.1", 0, page)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_bind_get_unbind_list(sandbox, receiver, token):
    tab = receiver.url + "/tab"
    bound = rest(sandbox, token, "placement.bind", PLACEMENT="crm_deal_detail_tab", HANDLER=tab, TITLE="Orders",
                 LANG_ALL={"de": {"TITLE": "Bestellungen"}})
    assert bound.json()["result"] is True
    rest(sandbox, token, "placement.bind", PLACEMENT="CRM_DEAL_LIST_MENU", HANDLER=tab + "?menu=1", TITLE="Open")
    got = rest(sandbox, token, "placement.get").json()["result"]
    assert got[0] == {
        "placement": "CRM_DEAL_DETAIL_TAB", "userId": 0, "handler": tab, "options": [], "title": "Bestellungen",
        "description": "", "langAll": {"de": {"TITLE": "Bestellungen", "DESCRIPTION": "", "GROUP_NAME": ""}},
    }
    assert [p["placement"] for p in got] == ["CRM_DEAL_DETAIL_TAB", "CRM_DEAL_LIST_MENU"]
    codes = rest(sandbox, token, "placement.list").json()["result"]
    assert {"CRM_DEAL_DETAIL_TAB", "CRM_DEAL_LIST_MENU", "CRM_CONTACT_DETAIL_TAB"} <= set(codes)
    assert rest(sandbox, token, "placement.unbind", PLACEMENT="CRM_DEAL_LIST_MENU").json()["result"] == {"count": 1}
    none = rest(sandbox, token, "placement.unbind", PLACEMENT="CRM_DEAL_DETAIL_TAB", HANDLER=tab + "/other")
    assert none.json()["result"] == {"count": 0}
    assert [p["placement"] for p in rest(sandbox, token, "placement.get").json()["result"]] == [
        "CRM_DEAL_DETAIL_TAB"]


def test_bind_errors(sandbox, receiver, token):
    tab = receiver.url + "/tab"
    empty = rest(sandbox, token, "placement.bind", HANDLER=tab)
    assert (empty.status_code, empty.json()["error"], empty.json()["argument"]) == (200, "ERROR_ARGUMENT", "PLACEMENT")
    assert empty.json()["error_description"] == "Argument 'PLACEMENT' is null or empty"
    rest(sandbox, token, "placement.bind", PLACEMENT="CRM_DEAL_DETAIL_TAB", HANDLER=tab)
    dup = rest(sandbox, token, "placement.bind", PLACEMENT="CRM_DEAL_DETAIL_TAB", HANDLER=tab)
    assert (dup.status_code, dup.json()["error"], dup.json()["error_description"]) == (
        400, "ERROR_CORE", "Unable to set placement handler: Handler already binded")
    unknown = rest(sandbox, token, "placement.bind", PLACEMENT="NO_SUCH_PLACE", HANDLER=tab)
    assert unknown.json()["error"] == "ERROR_PLACEMENT_NOT_FOUND"
    user_mode = rest(sandbox, token, "placement.bind", PLACEMENT="CRM_DEAL_LIST_MENU", HANDLER=tab, USER_ID=2)
    assert user_mode.json()["error"] == "ERROR_PLACEMENT_USER_MODE"
    hook = requests.post(sandbox.webhook_url + "placement.bind",
                         json={"PLACEMENT": "CRM_DEAL_DETAIL_TAB", "HANDLER": tab}, timeout=10)
    assert (hook.status_code, hook.json()["error"]) == (403, "WRONG_AUTH_TYPE")


def test_open_posts_placement_payload(sandbox, receiver, installed, token):
    rest(sandbox, token, "placement.bind", PLACEMENT="CRM_DEAL_DETAIL_TAB", HANDLER=receiver.url + "/tab")
    ans = open_widget(sandbox, placement="CRM_DEAL_DETAIL_TAB", user_id=2, lang="de",
                      options={"ID": 8061, "URI": "/crm/deal/details/8061/"})
    assert ans.json()["status"] == 200 and ans.json()["body"] == "ok" and ans.json()["frame_blocked"] is False
    [got] = receiver.at("/tab")
    assert got.query["LANG"] == "de" and got.query["PROTOCOL"] == "0" and got.query["APP_SID"]
    assert got.form["PLACEMENT"] == "CRM_DEAL_DETAIL_TAB" and got.form["status"] == "L"
    assert got.form["APPLICATION_TOKEN"] == installed["application_token"]
    raw_options = got.form["PLACEMENT_OPTIONS"]
    assert raw_options == '{"ID":"8061","URI":"\\/crm\\/deal\\/details\\/8061\\/"}'
    assert json.loads(raw_options) == {"ID": "8061", "URI": "/crm/deal/details/8061/"}
    parsed = OAuthPlacementData.from_dict({**got.query, **got.form})
    assert parsed.placement_options["ID"] == "8061" and parsed.member_id == installed["member_id"]
    me = rest(sandbox, got.form["AUTH_ID"], "user.current").json()["result"]
    assert me["ID"] == "2"  # the tokens belong to the user who opened the widget


def test_open_reports_frame_blocking(sandbox, token, framing_server):
    rest(sandbox, token, "placement.bind", PLACEMENT="CRM_DEAL_DETAIL_TAB", HANDLER=framing_server + "/tab")
    ans = open_widget(sandbox, placement="CRM_DEAL_DETAIL_TAB", options={"ID": "1"}).json()
    assert ans["frame_blocked"] is True and ans["body"] == "<html>tab</html>"


def test_open_refusals(sandbox, receiver):
    assert open_widget(sandbox, placement="CRM_DEAL_DETAIL_TAB").status_code == 409  # nothing bound
    requests.post(f"{sandbox.base_url}/_sandbox/install", json={
        "app_url": receiver.url, "client_id": "local.ui.app", "client_secret": "s3cret", "mode": "ui"}, timeout=10)
    token = receiver.at("/install")[-1].form["AUTH_ID"]
    assert rest(sandbox, token, "placement.bind", PLACEMENT="CRM_DEAL_DETAIL_TAB", HANDLER=receiver.url + "/tab").ok
    hidden = open_widget(sandbox, placement="CRM_DEAL_DETAIL_TAB")
    assert hidden.status_code == 409 and receiver.at("/tab") == []
    requests.post(f"{sandbox.base_url}/_sandbox/install/finish", json={"client_id": "local.ui.app"}, timeout=10)
    assert open_widget(sandbox, placement="CRM_DEAL_DETAIL_TAB").json()["status"] == 200
