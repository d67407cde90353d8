"""A robot's FILTER: registered as documented, and a run on a document type it excludes is refused."""
from __future__ import annotations

import pytest

from tests.sandbox.app_support import rest
from tests.sandbox.test_robots import control, robot

DEALS_AND_LEADS = {"INCLUDE": [["crm", "CCrmDocumentDeal"], ["crm", "CCrmDocumentLead"]]}


@pytest.fixture
def token(installed):
    return installed["access_token"]


def _registered(sandbox, code="send_sms"):
    return next(reg for (_, c), reg in sandbox.portal.robots.items() if c == code)


def _run(sandbox, document_id):
    return control(sandbox, "robots/run", code="send_sms", document_id=document_id, properties={"phone": "1"})


@pytest.mark.parametrize("value", ["b24", "", 5])
def test_a_filter_that_is_not_an_array_is_refused(sandbox, receiver, token, value):
    ans = rest(sandbox, token, "bizproc.robot.add", **robot(receiver, FILTER=value))
    assert (ans.status_code, ans.json()["error"], ans.json()["error_description"]) == (
        400, "ERROR_ACTIVITY_VALIDATION_FAILURE", "Wrong activity FILTER!")
    rest(sandbox, token, "bizproc.robot.add", **robot(receiver))
    bad = rest(sandbox, token, "bizproc.robot.update", CODE="send_sms", FIELDS={"FILTER": "b24"})
    assert bad.json()["error_description"] == "Wrong activity FILTER!"


def test_the_documented_filter_is_kept_and_limits_the_runs(sandbox, receiver, token):
    assert rest(sandbox, token, "bizproc.robot.add", **robot(receiver, FILTER=DEALS_AND_LEADS)).json()["result"]
    assert _registered(sandbox)["FILTER"] == DEALS_AND_LEADS
    assert rest(sandbox, token, "bizproc.robot.list").json()["result"] == ["send_sms"]
    assert _run(sandbox, "DEAL_5").status_code == 200
    assert _run(sandbox, "LEAD_7").status_code == 200
    refused = _run(sandbox, "CONTACT_3")
    assert refused.status_code == 409
    assert "not available on CONTACT documents" in refused.json()["error"]
    assert refused.json()["document_type"] == ["crm", "CCrmDocumentContact", "CONTACT"]
    assert len(sandbox.portal.workflows) == 2  # the refused run started nothing


def test_update_changes_or_removes_the_filter(sandbox, receiver, token):
    rest(sandbox, token, "bizproc.robot.add", **robot(receiver, FILTER={"INCLUDE": [["crm", "CCrmDocumentDeal"]]}))
    assert _run(sandbox, "LEAD_1").status_code == 409
    assert rest(sandbox, token, "bizproc.robot.update", CODE="send_sms", FIELDS={"FILTER": DEALS_AND_LEADS}).ok
    assert _run(sandbox, "LEAD_1").status_code == 200
    assert rest(sandbox, token, "bizproc.robot.update", CODE="send_sms",
                FIELDS={"FILTER": {"EXCLUDE": [["crm", "CCrmDocumentLead", "LEAD"]]}}).ok
    assert (_run(sandbox, "LEAD_1").status_code, _run(sandbox, "DEAL_1").status_code) == (409, 200)
    assert rest(sandbox, token, "bizproc.robot.update", CODE="send_sms", FIELDS={"FILTER": []}).ok
    assert _registered(sandbox)["FILTER"] is None and _run(sandbox, "LEAD_1").status_code == 200
    nothing = rest(sandbox, token, "bizproc.robot.update", CODE="send_sms", FIELDS={"FILTER": None})
    assert nothing.json()["error_description"] == "No fields to update"


@pytest.mark.parametrize("flt, deal, contact", [
    ({"EXCLUDE": ["box"]}, 200, 200),  # the documented example: hidden on-premise, shown in the cloud
    ({"EXCLUDE": ["b24"]}, 409, 409),
    ({"INCLUDE": ["b24"]}, 200, 200),
    ({"INCLUDE": [["crm"]]}, 200, 200),  # a partial type matches by its leading parts
    ({"INCLUDE": [["crm", "CCrmDocumentDeal", "DEAL"]], "EXCLUDE": ["box"]}, 200, 409),
    ({"INCLUDE": ["crm", "CCrmDocumentDeal"]}, 409, 409),  # two strings are two edition rules, not a type
    ({"INCLUDE": {"0": {"0": "crm", "1": "CCrmDocumentDeal"}}}, 200, 409),  # form-encoded arrays
])
def test_filter_rules_as_the_portal_reads_them(sandbox, receiver, token, flt, deal, contact):
    assert rest(sandbox, token, "bizproc.robot.add", **robot(receiver, FILTER=flt)).json()["result"]
    assert (_run(sandbox, "DEAL_2").status_code, _run(sandbox, "CONTACT_2").status_code) == (deal, contact)
