"""Automation rules: registration, a run posting to the handler, results through bizproc.event.send."""
from __future__ import annotations

import pytest
import requests
from b24pysdk.credentials import OAuthWorkflowData

from tests.sandbox.app_support import drain, rest, token  # noqa: F401


def control(sandbox, path, **body):
    return requests.post(f"{sandbox.base_url}/_sandbox/{path}", json=body, timeout=10)


def workflow(sandbox, workflow_id):
    return requests.get(f"{sandbox.base_url}/_sandbox/workflows/{workflow_id}", timeout=10).json()


def robot(receiver, **extra):
    return {
        "CODE": "send_sms", "HANDLER": receiver.url + "/robot", "AUTH_USER_ID": 1, "NAME": {"en": "Send SMS"},
        "PROPERTIES": {
            "phone": {"Name": "Phone", "Type": "string", "Required": "Y"},
            "text": {"Name": "Text", "Type": "text", "Default": "Hello"},
        },
        "RETURN_PROPERTIES": {"messageId": {"Name": "Message id", "Type": "string"}},
        **extra,
    }


def test_add_list_update_delete(sandbox, receiver, token):
    assert rest(sandbox, token, "bizproc.robot.add", **robot(receiver)).json()["result"] is True
    assert rest(sandbox, token, "bizproc.robot.list").json()["result"] == ["send_sms"]
    dup = rest(sandbox, token, "bizproc.robot.add", **robot(receiver))
    assert (dup.status_code, dup.json()["error"]) == (400, "ERROR_ACTIVITY_ALREADY_INSTALLED")
    assert rest(sandbox, token, "bizproc.robot.update", CODE="send_sms", FIELDS={"NAME": "SMS"}).json()["result"]
    empty = rest(sandbox, token, "bizproc.robot.update", CODE="send_sms", FIELDS={})
    assert empty.json()["error_description"] == "No fields to update"
    missing = rest(sandbox, token, "bizproc.robot.update", CODE="nope", FIELDS={"NAME": "x"})
    assert missing.json()["error"] == "ERROR_ACTIVITY_NOT_FOUND"
    assert rest(sandbox, token, "bizproc.robot.delete", CODE="send_sms").json()["result"] is True
    assert rest(sandbox, token, "bizproc.robot.list").json()["result"] == []
    gone = rest(sandbox, token, "bizproc.robot.delete", CODE="send_sms")
    assert (gone.json()["error"], gone.json()["error_description"]) == (
        "ERROR_ACTIVITY_NOT_FOUND", "Activity or Robot not found!")


@pytest.mark.parametrize("change, error, text", [
    ({"CODE": ""}, "ERROR_ACTIVITY_VALIDATION_FAILURE", "Empty activity code!"),
    ({"CODE": "bad code!"}, "ERROR_ACTIVITY_VALIDATION_FAILURE", "Wrong activity code!"),
    ({"NAME": ""}, "ERROR_ACTIVITY_VALIDATION_FAILURE", "Empty activity NAME!"),
    ({"PROPERTIES": "x"}, "ERROR_ACTIVITY_VALIDATION_FAILURE", "Wrong properties array!"),
    ({"PROPERTIES": {"1st": {"Name": "x"}}}, "ERROR_ACTIVITY_VALIDATION_FAILURE", "Wrong property key (1st)!"),
    ({"PROPERTIES": {"p": {"Type": "string"}}}, "ERROR_ACTIVITY_VALIDATION_FAILURE", "Empty property NAME (p)!"),
    ({"FILTER": "b24"}, "ERROR_ACTIVITY_VALIDATION_FAILURE", "Wrong activity FILTER!"),
    ({"DOCUMENT_TYPE": ["crm"]}, "ERROR_ACTIVITY_VALIDATION_FAILURE", "Wrong activity DOCUMENT_TYPE!"),
    ({"HANDLER": "ftp://127.0.0.1/robot"}, "ERROR_UNSUPPORTED_PROTOCOL", "Unsupported handler protocol"),
    ({"HANDLER": "https://elsewhere.example/robot"}, "ERROR_WRONG_HANDLER_URL", "Wrong handler URL"),
])
def test_add_validation(sandbox, receiver, token, change, error, text):
    ans = rest(sandbox, token, "bizproc.robot.add", **robot(receiver, **change))
    assert (ans.status_code, ans.json()["error"], ans.json()["error_description"]) == (400, error, text)


def test_add_needs_admin_and_app(sandbox, receiver, installed):
    hook = requests.post(sandbox.webhook_url + "bizproc.robot.add", json=robot(receiver), timeout=10)
    assert (hook.status_code, hook.json()["error"]) == (403, "ACCESS_DENIED")
    code = control(sandbox, "oauth/code", client_id="local.test.app", user_id=2).json()["code"]
    manager = requests.get(f"{sandbox.base_url}/oauth/token/", params={
        "grant_type": "authorization_code", "client_id": "local.test.app", "client_secret": "s3cret", "code": code,
    }, timeout=10).json()["access_token"]
    ans = rest(sandbox, manager, "bizproc.robot.add", **robot(receiver))
    assert (ans.status_code, ans.json()["error_description"]) == (403, "Access denied!")


def test_run_posts_documented_payload(sandbox, receiver, installed, token):
    rest(sandbox, token, "bizproc.robot.add", **robot(receiver))
    run = control(sandbox, "robots/run", code="send_sms", document_id="DEAL_5", properties={"phone": "+100"}).json()
    drain(sandbox)
    [got] = receiver.at("/robot")
    form = dict(got.raw_form)
    assert form["workflow_id"] == run["workflow_id"] and form["event_token"] == run["event_token"]
    assert run["event_token"].startswith(run["workflow_id"] + "|A")
    assert [form[f"document_id[{i}]"] for i in range(3)] == ["crm", "CCrmDocumentDeal", "DEAL_5"]
    assert [form[f"document_type[{i}]"] for i in range(3)] == ["crm", "CCrmDocumentDeal", "DEAL"]
    assert (form["properties[phone]"], form["properties[text]"]) == ("+100", "Hello")  # Default filled in
    assert (form["use_subscription"], form["timeout_duration"], form["code"]) == ("Y", "660", "send_sms")
    assert form["auth[application_token]"] == installed["application_token"] and form["auth[user_id]"] == "1"
    parsed = OAuthWorkflowData.from_dict(form)
    assert parsed.use_subscription is True and parsed.document_id[2] == "DEAL_5"
    assert rest(sandbox, parsed.auth.oauth_token.access_token, "profile").json()["result"]["ID"] == "1"


def test_event_send_completes_with_matched_values(sandbox, receiver, token):
    rest(sandbox, token, "bizproc.robot.add", **robot(receiver))
    run = control(sandbox, "robots/run", code="send_sms", document_id="DEAL_5", properties={"phone": "1"}).json()
    assert workflow(sandbox, run["workflow_id"])["status"] == "running"
    assert rest(sandbox, token, "bizproc.activity.log", EVENT_TOKEN=run["event_token"], LOG_MESSAGE="sending").ok
    sent = rest(sandbox, token, "bizproc.event.send", event_token=run["event_token"],
                return_values={"MESSAGEID": "m-1", "unknown": "x"}, log_message="sent")
    assert sent.json()["result"] is True
    wf = workflow(sandbox, run["workflow_id"])
    assert (wf["status"], wf["return_values"], wf["log"]) == ("completed", {"messageId": "m-1"}, ["sending", "sent"])
    again = rest(sandbox, token, "bizproc.event.send", EVENT_TOKEN=run["event_token"], RETURN_VALUES={})
    assert (again.status_code, again.json()["error"], again.json()["error_description"]) == (
        403, "ACCESS_DENIED", "Access denied!")
    forged = rest(sandbox, token, "bizproc.event.send", EVENT_TOKEN=run["event_token"] + "x")
    assert forged.status_code == 403


def test_empty_log_message(sandbox, receiver, token):
    rest(sandbox, token, "bizproc.robot.add", **robot(receiver))
    run = control(sandbox, "robots/run", code="send_sms", document_id="DEAL_5", properties={"phone": "1"}).json()
    ans = rest(sandbox, token, "bizproc.activity.log", EVENT_TOKEN=run["event_token"], LOG_MESSAGE="")
    assert (ans.status_code, ans.json()["error"]) == (400, "ERROR_EMPTY_LOG_MESSAGE")


def test_timeout_via_clock(sandbox, receiver, token):
    rest(sandbox, token, "bizproc.robot.add", **robot(receiver))
    run = control(sandbox, "robots/run", code="send_sms", document_id="DEAL_5", properties={"phone": "1"},
                  timeout_duration=60).json()
    control(sandbox, "clock", advance=61)
    wf = workflow(sandbox, run["workflow_id"])
    assert (wf["status"], wf["is_timeout"]) == ("timeout", True)
    late = rest(sandbox, token, "bizproc.event.send", event_token=run["event_token"])
    assert late.status_code == 403


def test_use_subscription_n_completes_at_once(sandbox, receiver, token):
    rest(sandbox, token, "bizproc.robot.add", **robot(receiver, USE_SUBSCRIPTION="N"))
    run = control(sandbox, "robots/run", code="send_sms", document_id="LEAD_2", properties={"phone": "1"}).json()
    drain(sandbox)
    assert receiver.at("/robot")[0].form["use_subscription"] == "N"
    assert workflow(sandbox, run["workflow_id"])["status"] == "completed"
    assert rest(sandbox, token, "bizproc.event.send", event_token=run["event_token"]).status_code == 403


def test_run_refusals(sandbox, receiver, token):
    rest(sandbox, token, "bizproc.robot.add", **robot(receiver))
    assert control(sandbox, "robots/run", code="nope", document_id="DEAL_1").status_code == 404
    missing = control(sandbox, "robots/run", code="send_sms", document_id="DEAL_1")
    assert (missing.status_code, missing.json()["property"]) == (400, "phone")


def test_activities_share_the_code_space(sandbox, receiver, token):
    assert rest(sandbox, token, "bizproc.activity.add", **robot(receiver, CODE="calc")).json()["result"]
    assert rest(sandbox, token, "bizproc.activity.list").json()["result"] == ["calc"]
    assert rest(sandbox, token, "bizproc.robot.list").json()["result"] == []
    clash = rest(sandbox, token, "bizproc.robot.add", **robot(receiver, CODE="calc"))
    assert clash.json()["error"] == "ERROR_ACTIVITY_ALREADY_INSTALLED"
