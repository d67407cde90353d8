"""The `batch` method: command strings, references, halt, limits and the PHP-json shape."""
from __future__ import annotations

from urllib.parse import quote

import requests

from tests.sandbox.core_support import app_tokens, core, rest  # noqa: F401

FB_QUERY = "order[ID]=ASC&filter[%3EID]=5&filter[STAGE_ID]=C1%3ANEW&select[0]=ID&select[1]=TITLE&start=50&" \
    "active=True&owner=None&__order=order0000000000&"


def batch(server, cmd, token=None, **extra):
    return rest(server, "batch", token, cmd=cmd, **extra)


def test_fast_bitrix24_style_command_strings(core):
    body = batch(core, {"order0000000000": f"test.echo?{FB_QUERY}"}).json()
    echoed = body["result"]["result"]["order0000000000"]
    assert echoed["order"] == {"ID": "ASC"}
    assert echoed["filter"] == {">ID": "5", "STAGE_ID": "C1:NEW"}
    assert echoed["select"] == ["ID", "TITLE"]
    assert (echoed["start"], echoed["active"], echoed["owner"]) == ("50", "True", "None")


def test_form_encoded_batch_is_decoded_twice(core, app_tokens):
    form = f"auth={app_tokens['access_token']}&halt=0&cmd[one]={quote('test.echo?' + FB_QUERY, safe='')}"
    r = requests.post(
        f"{core.base_url}/rest/batch", data=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=10,
    )
    assert r.json()["result"]["result"]["one"]["filter"] == {">ID": "5", "STAGE_ID": "C1:NEW"}


def test_references_to_earlier_results(core):
    cmd = {
        "first": "test.get?id=4",
        "page": "test.list?start=50",
        "use": "test.echo?id=$result[first][ID]&contact=$result[first][CONTACT_IDS][1]"
               "&row=$result[page][0][ID]&title=Deal $result[first][TITLE]!&ids=$result[first][CONTACT_IDS]"
               "&missing=$result[nothing][ID]",
    }
    used = batch(core, cmd).json()["result"]["result"]["use"]
    assert (used["id"], used["contact"], used["row"]) == ("4", "9", "51")
    assert used["title"] == "Deal Row 4!"
    assert used["ids"] == [7, 9]
    assert used["missing"] == "$result[nothing][ID]"


def test_sections_totals_and_empty_maps(core):
    r = batch(core, {"a": "test.list", "b": "test.list?start=100", "c": "test.get?id=1"})
    inner = r.json()["result"]
    assert inner["result_total"] == {"a": 120, "b": 120}
    assert inner["result_next"] == {"a": 50}
    assert set(inner["result_time"]) == {"a", "b", "c"}
    assert '"result_error":[]' in r.text
    assert list(inner) == ["result", "result_error", "result_total", "result_next", "result_time"]


def test_numeric_labels_become_json_lists(core):
    r = batch(core, ["test.get?id=x", "test.fail", "test.get?id=35943"])
    inner = r.json()["result"]
    assert inner["result_error"] == [
        {"error": "", "error_description": "ID is not defined or invalid."},
        {"error": "", "error_description": "Not found"},
    ]
    assert inner["result"] == {"2": {"ID": "35943", "TITLE": "Row 35943", "CONTACT_IDS": [7, 9], "URL": "https://x.test/a/b"}}


def test_halt_stops_at_the_first_error(core):
    cmd = {"a": "test.get?id=1", "b": "test.fail", "c": "test.get?id=2"}
    halted = batch(core, cmd, halt=1).json()["result"]
    assert list(halted["result"]) == ["a"] and list(halted["result_error"]) == ["b"]
    for no in (0, "false", "N"):
        inner = batch(core, cmd, halt=no).json()["result"]
        assert list(inner["result"]) == ["a", "c"]


def test_more_than_fifty_commands(core):
    r = batch(core, [f"test.get?id={i}" for i in range(55)])
    assert r.status_code == 200
    inner = r.json()["result"]
    assert len(inner["result"]) == 50
    assert set(inner["result_error"]) == {"50", "51", "52", "53", "54"}
    assert inner["result_error"]["50"] == {"error": "ERROR_BATCH_LENGTH_EXCEEDED", "error_description": "Max batch length exceeded"}


def test_nested_batch_and_unbatchable_methods(core):
    inner = batch(core, {"n": "batch?cmd[x]=test.echo", "u": "test.nobatch", "m": "crm.nothing.get"}).json()["result"]
    assert inner["result_error"]["n"]["error"] == "ERROR_BATCH_METHOD_NOT_ALLOWED"
    assert inner["result_error"]["u"]["error"] == "ERROR_BATCH_METHOD_NOT_ALLOWED"
    assert inner["result_error"]["m"]["error"] == "ERROR_METHOD_NOT_FOUND"


def test_each_command_checks_access_with_the_batch_auth(core, app_tokens):
    cmd = {"app": "test.apponly", "who": "test.whoami?auth=bogus"}
    by_hook = batch(core, cmd).json()["result"]
    assert by_hook["result_error"]["app"]["error"] == "ACCESS_DENIED"
    assert by_hook["result"]["who"]["auth_kind"] == "webhook" and by_hook["result"]["who"]["in_batch"] is True
    by_app = batch(core, cmd, app_tokens["access_token"]).json()["result"]
    assert by_app["result"]["app"] is True
    assert by_app["result"]["who"]["client_id"] == "local.core.app"


def test_batch_is_logged_once_with_its_size_and_the_methods_it_called(core):
    batch(core, {"a": "test.echo", "b": "test.echo?x=1", "c": "test.whoami"})
    calls = requests.get(f"{core.base_url}/_sandbox/calls", timeout=10).json()["calls"]
    assert [(c["method"], c["batch_size"]) for c in calls] == [("batch", 3)]
    assert calls[0]["batch_methods"] == {"test.echo": 2, "test.whoami": 1}


def test_fast_bitrix24_client_against_the_webhook(core):
    from fast_bitrix24 import Bitrix

    b = Bitrix(core.webhook_url, verbose=False)
    rows = b.get_all("test.list")
    assert sorted(int(r["ID"]) for r in rows) == list(range(1, 121))
    got = b.get_by_ID("test.get", [3, 5])
    assert {str(k): v["TITLE"] for k, v in got.items()} == {"3": "Row 3", "5": "Row 5"}
