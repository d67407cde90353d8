"""Activities, the e-mail send rule, to-dos, timeline comments and the HTML view, over HTTP."""
from __future__ import annotations

import requests

from tests.sandbox.crm_support import call, ok

ACTIVITY_KEYS = [
    "ID", "OWNER_ID", "OWNER_TYPE_ID", "TYPE_ID", "PROVIDER_ID", "PROVIDER_TYPE_ID", "PROVIDER_GROUP_ID",
    "ASSOCIATED_ENTITY_ID", "SUBJECT", "CREATED", "LAST_UPDATED", "START_TIME", "END_TIME", "DEADLINE", "COMPLETED",
    "STATUS", "RESPONSIBLE_ID", "PRIORITY", "NOTIFY_TYPE", "NOTIFY_VALUE", "DESCRIPTION", "DESCRIPTION_TYPE",
    "DIRECTION", "LOCATION", "SETTINGS", "ORIGINATOR_ID", "ORIGIN_ID", "AUTHOR_ID", "EDITOR_ID", "PROVIDER_PARAMS",
    "PROVIDER_DATA", "RESULT_MARK", "RESULT_VALUE", "RESULT_SUM", "RESULT_CURRENCY_ID", "RESULT_STATUS",
    "RESULT_STREAM", "RESULT_SOURCE_ID", "AUTOCOMPLETE_RULE",
]


def email_fields(deal_id, contact_id, **extra):
    return {"OWNER_TYPE_ID": 2, "OWNER_ID": deal_id, "TYPE_ID": 4, "SUBJECT": "Your order", "DIRECTION": 2,
            "COMPLETED": "Y", "RESPONSIBLE_ID": 1, "DESCRIPTION": "Thanks!", "DESCRIPTION_TYPE": 3,
            "COMMUNICATIONS": [{"VALUE": "ann@shop.test", "ENTITY_ID": contact_id, "ENTITY_TYPE_ID": 3}],
            "SETTINGS": {"MESSAGE_FROM": "Shop <shop@shop.test>"}, **extra}


def setup_deal(sandbox):
    contact_id = ok(sandbox, "crm.contact.add", fields={"NAME": "Ann", "EMAIL": [{"VALUE": "ann@shop.test"}]})
    return ok(sandbox, "crm.deal.add", fields={"TITLE": "Order 1", "CONTACT_ID": contact_id}), contact_id


def test_add_validates_documented_required_fields(sandbox):
    deal_id, contact_id = setup_deal(sandbox)
    base = email_fields(deal_id, contact_id, COMPLETED="N")
    cases = [
        ({**base, "TYPE_ID": 99}, "The field TYPE_ID is not defined or invalid."),
        ({**base, "COMMUNICATIONS": []}, "The field COMMUNICATIONS is not defined or invalid."),
        ({**base, "SUBJECT": ""}, "The field SUBJECT is not defined or empty."),
        ({**base, "RESPONSIBLE_ID": 0}, "The field RESPONSIBLE_ID is not defined or invalid."),
        ({**base, "TYPE_ID": 2, "COMMUNICATIONS": [{"VALUE": "1"}, {"VALUE": "2"}]},
         "The only one communication is allowed for activity of specified type."),
        ({**base, "OWNER_ID": 999, "COMMUNICATIONS": [{"VALUE": "x@y.test"}]},
         "Could not build binding. Please ensure that owner info and communications are defined correctly."),
        ({**base, "TYPE_ID": 6}, "The custom activity without provider is not supported in current context."),
    ]
    for fields, text in cases:
        resp = call(sandbox, "crm.activity.add", fields=fields)
        assert (resp.status_code, resp.json()) == (400, {"error": "", "error_description": text})
    assert call(sandbox, "crm.activity.add", fields="x").json()["error_description"] == \
        "Parameter 'fields' must be array."


def test_outgoing_completed_email_is_recorded_as_sent(sandbox):
    deal_id, contact_id = setup_deal(sandbox)
    sent_id = ok(sandbox, "crm.activity.add", fields=email_fields(deal_id, contact_id))
    draft_id = ok(sandbox, "crm.activity.add", fields=email_fields(deal_id, contact_id, COMPLETED="N"))
    mails = list(sandbox.portal.table("crm_sent_email").values())
    assert [(m["activity_id"], m["to"], m["from"], m["subject"]) for m in mails] == [
        (str(sent_id), ["ann@shop.test"], "Shop <shop@shop.test>", "Your order")]
    html = requests.get(f"{sandbox.base_url}/_sandbox/view", timeout=10).text
    assert html.count("SENT to ann@shop.test") == 1 and draft_id != sent_id
    bad = call(sandbox, "crm.activity.add", fields=email_fields(deal_id, contact_id, COMMUNICATIONS=[
        {"VALUE": "not-an-address", "ENTITY_ID": contact_id, "ENTITY_TYPE_ID": 3}]))
    assert bad.json()["error_description"] == "Email send error. Invalid email is specified"


def test_get_list_update_delete(sandbox):
    deal_id, contact_id = setup_deal(sandbox)
    call_id = ok(sandbox, "crm.activity.add", fields={
        "OWNER_TYPE_ID": 2, "OWNER_ID": deal_id, "TYPE_ID": 2, "SUBJECT": "Call Ann", "RESPONSIBLE_ID": 1,
        "START_TIME": "2030-01-01T10:00:00+03:00", "END_TIME": "2030-01-01T10:30:00+03:00",
        "COMMUNICATIONS": [{"VALUE": "+79161006733", "ENTITY_ID": contact_id, "ENTITY_TYPE_ID": 3}]})
    got = ok(sandbox, "crm.activity.get", id=call_id)
    assert list(got) == ACTIVITY_KEYS
    assert (got["TYPE_ID"], got["PROVIDER_ID"], got["PROVIDER_TYPE_ID"]) == ("2", "VOXIMPLANT_CALL", "CALL")
    assert (got["DEADLINE"], got["COMPLETED"], got["STATUS"], got["OWNER_ID"]) == (
        "2030-01-01T10:00:00+03:00", "N", "1", str(deal_id))
    listed = ok(sandbox, "crm.activity.list", filter={"OWNER_ID": deal_id, "TYPE_ID": 2},
                select=["ID", "SUBJECT", "COMMUNICATIONS"])
    assert listed == [{"ID": str(call_id), "SUBJECT": "Call Ann", "COMMUNICATIONS": [
        {"ID": "1", "TYPE": "PHONE", "VALUE": "+79161006733", "ENTITY_ID": str(contact_id), "ENTITY_TYPE_ID": "3"}]}]
    assert "COMMUNICATIONS" not in ok(sandbox, "crm.activity.list")[0]
    assert ok(sandbox, "crm.activity.update", id=call_id, fields={"COMPLETED": "Y", "SUBJECT": "Called"}) is True
    done = ok(sandbox, "crm.activity.get", id=call_id)
    assert (done["COMPLETED"], done["STATUS"], done["SUBJECT"]) == ("Y", "2", "Called")
    assert ok(sandbox, "crm.activity.delete", id=call_id) is True
    assert call(sandbox, "crm.activity.get", id=call_id).json()["error_description"] == "Not found"


def test_todo_add(sandbox):
    deal_id, _ = setup_deal(sandbox)
    result = ok(sandbox, "crm.activity.todo.add", ownerTypeId=2, ownerId=deal_id, deadline="2025-02-03T15:00:00",
                title="Call back", description="About delivery", responsibleId=3, pingOffsets=[0, 15], colorId=2)
    assert list(result) == ["id"] and isinstance(result["id"], int)
    todo = ok(sandbox, "crm.activity.get", id=result["id"])
    assert (todo["PROVIDER_ID"], todo["SUBJECT"], todo["RESPONSIBLE_ID"]) == ("CRM_TODO", "Call back", "3")
    assert todo["DEADLINE"] == "2025-02-03T15:00:00+03:00"
    missing = call(sandbox, "crm.activity.todo.add", ownerTypeId=2, ownerId=deal_id)
    assert (missing.status_code, missing.json()) == (400, {"error": 100, "error_description":
                                                           "Could not find value for parameter {deadline}"})
    assert call(sandbox, "crm.activity.todo.add", ownerTypeId=2, ownerId=deal_id,
                deadline="next tuesday").json()["error"] == "WRONG_DATETIME_FORMAT"
    assert call(sandbox, "crm.activity.todo.add", ownerTypeId=2, ownerId=999,
                deadline="2025-02-03T15:00:00").json()["error"] == "OWNER_NOT_FOUND"


def test_timeline_comments_take_lowercase_fields_only(sandbox):
    deal_id, contact_id = setup_deal(sandbox)
    first = ok(sandbox, "crm.timeline.comment.add", fields={"ENTITY_ID": deal_id, "ENTITY_TYPE": "deal",
                                                            "COMMENT": "Paid online", "AUTHOR_ID": 2})
    ok(sandbox, "crm.timeline.comment.add", fields={"ENTITY_ID": contact_id, "ENTITY_TYPE": "contact",
                                                    "COMMENT": "VIP"})
    upper = call(sandbox, "crm.timeline.comment.add", FIELDS={"ENTITY_ID": deal_id, "ENTITY_TYPE": "deal",
                                                              "COMMENT": "x"})
    assert upper.json() == {"error": 100, "error_description": "Could not find value for parameter {fields}"}
    assert call(sandbox, "crm.timeline.comment.add", fields={"ENTITY_ID": deal_id, "ENTITY_TYPE": "deal",
                                                             "COMMENT": " "}).json()["error"] == "INVALID_ARG_VALUE"
    assert call(sandbox, "crm.timeline.comment.add", fields={"ENTITY_ID": 999, "ENTITY_TYPE": "deal",
                                                             "COMMENT": "x"}).json()["error"] == "OWNER_NOT_FOUND"
    listed = ok(sandbox, "crm.timeline.comment.list", filter={"ENTITY_ID": deal_id, "ENTITY_TYPE": "deal"})
    assert len(listed) == 1
    assert {k: listed[0][k] for k in ("ID", "ENTITY_ID", "ENTITY_TYPE", "COMMENT", "AUTHOR_ID", "FILES")} == {
        "ID": str(first), "ENTITY_ID": str(deal_id), "ENTITY_TYPE": "deal", "COMMENT": "Paid online",
        "AUTHOR_ID": "2", "FILES": []}


def test_view_renders_escaped_crm_state(sandbox):
    contact_id = ok(sandbox, "crm.contact.add", fields={"NAME": "<b>Eve</b>", "PHONE": [{"VALUE": "+7 900"}]})
    deal_id = ok(sandbox, "crm.deal.add", fields={"TITLE": "<script>alert(1)</script>", "ORIGIN_ID": "order-9",
                                                  "CONTACT_ID": contact_id, "OPPORTUNITY": 10})
    ok(sandbox, "crm.deal.productrows.set", id=deal_id, rows=[{"PRODUCT_NAME": "Mug", "PRICE": 5, "QUANTITY": 2}])
    ok(sandbox, "crm.timeline.comment.add", fields={"ENTITY_ID": deal_id, "ENTITY_TYPE": "deal", "COMMENT": "Hi"})
    resp = requests.get(f"{sandbox.base_url}/_sandbox/view", timeout=10)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/html")
    html = resp.text
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Eve&lt;/b&gt;" in html and "order-9" in html and "+7 900" in html
    assert "10.00 RUB" in html and "New (NEW)" in html and "Hi" in html
