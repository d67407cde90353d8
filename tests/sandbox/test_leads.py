"""crm.lead.* of the sandbox portal over HTTP: defaults, stages, contacts, multi-fields, errors, paging, events."""
from __future__ import annotations

import requests

from tests.sandbox.crm_support import crud_events, envelope, error, ok
from tests.sandbox.test_robots import control

# Keys of crm.lead.get as documented (D api-reference/crm/leads/crm-lead-get.md), without UF_* and multi-fields
LEAD_KEYS = [
    "ID", "TITLE", "HONORIFIC", "NAME", "SECOND_NAME", "LAST_NAME", "COMPANY_TITLE", "COMPANY_ID", "CONTACT_ID",
    "IS_RETURN_CUSTOMER", "BIRTHDATE", "SOURCE_ID", "SOURCE_DESCRIPTION", "STATUS_ID", "STATUS_DESCRIPTION", "POST",
    "COMMENTS", "CURRENCY_ID", "OPPORTUNITY", "IS_MANUAL_OPPORTUNITY", "HAS_PHONE", "HAS_EMAIL", "HAS_IMOL",
    "ASSIGNED_BY_ID", "CREATED_BY_ID", "MODIFY_BY_ID", "DATE_CREATE", "DATE_MODIFY", "DATE_CLOSED",
    "STATUS_SEMANTIC_ID", "OPENED", "ORIGINATOR_ID", "ORIGIN_ID", "MOVED_BY_ID", "MOVED_TIME", "ADDRESS",
    "ADDRESS_2", "ADDRESS_CITY", "ADDRESS_POSTAL_CODE", "ADDRESS_REGION", "ADDRESS_PROVINCE", "ADDRESS_COUNTRY",
    "ADDRESS_COUNTRY_CODE", "ADDRESS_LOC_ADDR_ID", "UTM_SOURCE", "UTM_MEDIUM", "UTM_CAMPAIGN", "UTM_CONTENT",
    "UTM_TERM", "LAST_ACTIVITY_BY", "LAST_ACTIVITY_TIME",
]
# The documented example of crm.lead.add (D api-reference/crm/leads/crm-lead-add.md)
EXAMPLE = {
    "TITLE": "LLC Titov", "NAME": "Gleb", "SECOND_NAME": "Yegorovich", "LAST_NAME": "Titov", "STATUS_ID": "NEW",
    "OPENED": "Y", "ASSIGNED_BY_ID": 1, "CURRENCY_ID": "USD", "OPPORTUNITY": 12500,
    "PHONE": [{"VALUE": "555888", "VALUE_TYPE": "WORK"}], "WEB": [{"VALUE": "www.mysite.com", "VALUE_TYPE": "WORK"}],
}


def test_add_applies_documented_defaults(sandbox):
    lead_id = ok(sandbox, "crm.lead.add", fields={})
    assert isinstance(lead_id, int)
    lead = ok(sandbox, "crm.lead.get", id=lead_id)
    assert list(lead) == LEAD_KEYS  # no multi-fields when the lead has none, no CONTACT_IDS
    assert (lead["ID"], lead["TITLE"]) == (str(lead_id), f"Lead #{lead_id}")
    assert (lead["STATUS_ID"], lead["STATUS_SEMANTIC_ID"], lead["DATE_CLOSED"]) == ("NEW", "P", "")
    assert (lead["CURRENCY_ID"], lead["OPPORTUNITY"], lead["IS_MANUAL_OPPORTUNITY"]) == ("RUB", "0.00", "N")
    assert (lead["OPENED"], lead["IS_RETURN_CUSTOMER"], lead["BIRTHDATE"], lead["SOURCE_ID"]) == ("Y", "N", "", "CALL")
    assert (lead["HAS_PHONE"], lead["HAS_EMAIL"], lead["HAS_IMOL"]) == ("N", "N", "N")
    assert lead["ASSIGNED_BY_ID"] == lead["CREATED_BY_ID"] == lead["MODIFY_BY_ID"] == lead["MOVED_BY_ID"] == "1"
    assert lead["CONTACT_ID"] is None and lead["COMPANY_ID"] is None
    assert lead["DATE_CREATE"] == lead["MOVED_TIME"] and lead["DATE_CREATE"].endswith("+03:00")


def test_documented_example_keeps_known_fields_only(sandbox):
    lead_id = ok(sandbox, "crm.lead.add", fields={**EXAMPLE, "IS_RETURN_CUSTOMER": "Y", "NO_SUCH_FIELD": 1,
                                                  "BIRTHDATE": "1990-04-01"},
                 params={"REGISTER_SONET_EVENT": "Y"})
    lead = ok(sandbox, "crm.lead.get", id=lead_id)
    assert (lead["TITLE"], lead["NAME"], lead["LAST_NAME"]) == ("LLC Titov", "Gleb", "Titov")
    assert (lead["CURRENCY_ID"], lead["OPPORTUNITY"], lead["HAS_PHONE"]) == ("USD", "12500.00", "Y")
    assert lead["IS_RETURN_CUSTOMER"] == "N" and "NO_SUCH_FIELD" not in lead  # the flag cannot be written
    assert lead["BIRTHDATE"] == "1990-04-01T00:00:00+03:00"
    assert [(p["VALUE"], p["VALUE_TYPE"], p["TYPE_ID"]) for p in lead["PHONE"]] == [("555888", "WORK", "PHONE")]
    assert list(lead)[-2:] == ["PHONE", "WEB"] and "EMAIL" not in lead


def test_documented_errors(sandbox):
    assert error(sandbox, "crm.lead.get") == (400, {"error": "", "error_description": "ID is not defined or invalid."})
    assert error(sandbox, "crm.lead.get", id="abc")[1]["error_description"] == "ID is not defined or invalid."
    assert error(sandbox, "crm.lead.get", id=999) == (400, {"error": "", "error_description": "Not found"})
    assert error(sandbox, "crm.lead.add", fields="x")[1]["error_description"] == "Parameter 'fields' must be array."
    assert error(sandbox, "crm.lead.add")[1]["error_description"] == "Parameter 'fields' must be array."
    assert error(sandbox, "crm.lead.add", fields={}, params="x")[1]["error_description"] == \
        "Parameter 'params' must be array."
    assert error(sandbox, "crm.lead.update", id=999, fields={})[1]["error_description"] == "Not found"
    assert error(sandbox, "crm.lead.delete", id=0)[1]["error_description"] == "ID is not defined or invalid."
    assert error(sandbox, "crm.lead.add", fields={"CURRENCY_ID": "XYZ"})[1]["error_description"] == \
        'Invalid value for the "Currency" field'
    assert error(sandbox, "crm.lead.add", fields={"STATUS_ID": "NO_SUCH"})[1]["error_description"] == \
        'Invalid value for the "Stage" field'
    lead_id = ok(sandbox, "crm.lead.add", fields={"TITLE": "Kept"})
    assert error(sandbox, "crm.lead.update", id=lead_id, fields={"TITLE": "Lost", "STATUS_ID": "NOPE"})[0] == 400
    assert ok(sandbox, "crm.lead.get", id=lead_id)["TITLE"] == "Kept"  # a refused update changes nothing
    assert ok(sandbox, "crm.lead.list") == [ok(sandbox, "crm.lead.get", id=lead_id)]


def test_stages_close_and_reopen_the_lead(sandbox):
    statuses = ok(sandbox, "crm.status.list", filter={"ENTITY_ID": "STATUS"}, order={"SORT": "ASC"})
    assert [(s["STATUS_ID"], s["SEMANTICS"]) for s in statuses] == [
        ("NEW", None), ("IN_PROCESS", None), ("PROCESSED", None), ("CONVERTED", "S"), ("JUNK", "F")]
    assert statuses[3]["EXTRA"]["SEMANTICS"] == "success"
    lead_id = ok(sandbox, "crm.lead.add", fields={"STATUS_ID": "IN_PROCESS"})
    requests.post(f"{sandbox.base_url}/_sandbox/clock", json={"advance": 3600}, timeout=10)
    assert ok(sandbox, "crm.lead.update", id=lead_id, fields={"STATUS_ID": "CONVERTED", "ASSIGNED_BY_ID": 2})
    won = ok(sandbox, "crm.lead.get", id=lead_id)
    assert (won["STATUS_SEMANTIC_ID"], won["ASSIGNED_BY_ID"]) == ("S", "2")
    assert won["DATE_CLOSED"] == won["MOVED_TIME"] == won["DATE_MODIFY"] != won["DATE_CREATE"]
    ok(sandbox, "crm.lead.update", id=lead_id, fields={"STATUS_ID": "JUNK"})
    assert ok(sandbox, "crm.lead.get", id=lead_id)["STATUS_SEMANTIC_ID"] == "F"
    ok(sandbox, "crm.lead.update", id=lead_id, fields={"STATUS_ID": "PROCESSED"})
    reopened = ok(sandbox, "crm.lead.get", id=lead_id)
    assert (reopened["STATUS_SEMANTIC_ID"], reopened["DATE_CLOSED"]) == ("P", "")


def test_contacts_multifields_and_the_repeat_flag(sandbox):
    contact = ok(sandbox, "crm.contact.add", fields={"NAME": "Ann"})
    other = ok(sandbox, "crm.contact.add", fields={"NAME": "Bob"})
    lead_id = ok(sandbox, "crm.lead.add", fields={"CONTACT_ID": contact, "EMAIL": [{"VALUE": "ann@shop.test"}]})
    lead = ok(sandbox, "crm.lead.get", id=lead_id)
    assert (lead["CONTACT_ID"], lead["IS_RETURN_CUSTOMER"], lead["HAS_EMAIL"]) == (str(contact), "Y", "Y")
    email = lead["EMAIL"][0]
    ok(sandbox, "crm.lead.update", id=lead_id, fields={
        "CONTACT_IDS": [other, contact], "EMAIL": [{"ID": email["ID"], "DELETE": "Y"}],
        "PHONE": [{"VALUE": "+7 999 123-45-67", "VALUE_TYPE": "MOBILE"}]})
    lead = ok(sandbox, "crm.lead.get", id=lead_id)
    assert (lead["CONTACT_ID"], lead["HAS_EMAIL"], lead["HAS_PHONE"]) == (str(other), "N", "Y")
    assert "EMAIL" not in lead and lead["PHONE"][0]["VALUE_TYPE"] == "MOBILE"
    ok(sandbox, "crm.contact.delete", id=other)  # a deleted contact leaves the lead
    assert ok(sandbox, "crm.lead.get", id=lead_id)["CONTACT_ID"] == str(contact)
    found = ok(sandbox, "crm.duplicate.findbycomm", type="PHONE", values=["89991234567"], entity_type="LEAD")
    assert found == {"LEAD": [lead_id]}


def test_list_pages_of_fifty_filters_and_select(sandbox):
    cmd = {}
    for i in range(120):
        status = "JUNK" if i % 3 == 0 else "NEW"
        cmd[f"l{i}"] = f"crm.lead.add?fields[TITLE]=Lead%20{i:03d}&fields[OPPORTUNITY]={i}&fields[STATUS_ID]={status}"
    ids = []
    for first in range(0, 120, 50):
        part = {k: cmd[k] for k in list(cmd)[first:first + 50]}
        result = ok(sandbox, "batch", halt=0, cmd=part)
        assert result["result_error"] == []
        ids += [result["result"][k] for k in part]
    pages, seen, start = [], [], 0
    while start is not None:
        page = envelope(sandbox, "crm.lead.list", order={"ID": "ASC"}, select=["ID"], start=start)
        pages.append((len(page["result"]), page.get("next"), page["total"]))
        seen += [int(r["ID"]) for r in page["result"]]
        start = page.get("next")
    assert pages == [(50, 50, 120), (50, 100, 120), (20, None, 120)] and seen == ids
    cheap = envelope(sandbox, "crm.lead.list", start=-1, filter={">ID": ids[-3]}, select=["ID"])
    assert (cheap["total"], "next" in cheap, len(cheap["result"])) == (0, False, 2)
    # the documented example: leads with an amount that are not junk, by stage
    picked = ok(sandbox, "crm.lead.list", filter={">OPPORTUNITY": 100, "!STATUS_ID": "JUNK"},
                select=["ID", "TITLE", "STATUS_ID", "OPPORTUNITY", "CURRENCY_ID"], order={"STATUS_ID": "ASC"})
    assert [r["TITLE"] for r in picked] == [f"Lead {i:03d}" for i in range(101, 120) if i % 3]
    assert set(picked[0]) == {"ID", "TITLE", "STATUS_ID", "OPPORTUNITY", "CURRENCY_ID"}
    assert "PHONE" not in ok(sandbox, "crm.lead.list", filter={"ID": ids[0]})[0]


def test_list_by_phone_and_multifields_only_when_selected(sandbox):
    a = ok(sandbox, "crm.lead.add", fields={"TITLE": "A", "PHONE": [{"VALUE": "555888"}]})
    ok(sandbox, "crm.lead.add", fields={"TITLE": "B", "PHONE": [{"VALUE": "555999"}]})
    assert ok(sandbox, "crm.lead.list", filter={"PHONE": "555888"}, select=["ID", "TITLE"]) == [
        {"ID": str(a), "TITLE": "A"}]
    [row] = ok(sandbox, "crm.lead.list", filter={"PHONE": "555888"}, select=["ID", "PHONE"])
    assert [p["VALUE"] for p in row["PHONE"]] == ["555888"]


def test_delete_takes_the_activities_along(sandbox):
    lead_id = ok(sandbox, "crm.lead.add", fields={"TITLE": "Gone soon"})
    todo = ok(sandbox, "crm.activity.todo.add", ownerTypeId=1, ownerId=lead_id, deadline="2026-11-03T10:00:00+03:00",
              title="Call back", responsibleId=1)["id"]
    assert ok(sandbox, "crm.activity.get", id=todo)["OWNER_TYPE_ID"] == "1"
    assert ok(sandbox, "crm.lead.delete", id=lead_id) is True
    assert error(sandbox, "crm.lead.get", id=lead_id)[1]["error_description"] == "Not found"
    assert error(sandbox, "crm.activity.get", id=todo)[1]["error_description"] == "Not found"
    assert error(sandbox, "crm.lead.delete", id=lead_id)[1]["error_description"] == "Not found"


def test_activities_take_a_lead_as_owner(sandbox):
    lead_id = ok(sandbox, "crm.lead.add", fields={"TITLE": "Enquiry", "EMAIL": [{"VALUE": "ann@shop.test"}]})
    mail = ok(sandbox, "crm.activity.add", fields={
        "OWNER_TYPE_ID": 1, "OWNER_ID": lead_id, "TYPE_ID": 4, "DIRECTION": 2, "SUBJECT": "Hello",
        "RESPONSIBLE_ID": 1, "COMMUNICATIONS": [{"VALUE": "ann@shop.test", "TYPE": "EMAIL"}]})
    rows = ok(sandbox, "crm.activity.list", filter={"OWNER_TYPE_ID": 1, "OWNER_ID": lead_id}, select=["ID"])
    assert rows == [{"ID": str(mail)}]
    missing = error(sandbox, "crm.activity.todo.add", ownerTypeId=1, ownerId=lead_id + 1,
                    deadline="2026-11-03T10:00:00+03:00")
    assert missing[1]["error"] == "OWNER_NOT_FOUND"
    assert error(sandbox, "crm.activity.add", fields={
        "OWNER_TYPE_ID": 1, "OWNER_ID": lead_id + 1, "TYPE_ID": 4, "SUBJECT": "x", "RESPONSIBLE_ID": 1,
        "COMMUNICATIONS": [{"VALUE": "ann@shop.test"}]})[0] == 400


def test_fields_describe_standard_and_user_fields(sandbox):
    ok(sandbox, "crm.lead.userfield.add", fields={"FIELD_NAME": "interest", "USER_TYPE_ID": "string",
                                                  "LABEL": "Interest"})
    fields = ok(sandbox, "crm.lead.fields")
    assert list(fields)[:3] == ["ID", "TITLE", "HONORIFIC"]
    assert fields["STATUS_ID"] == {"type": "crm_status", "isRequired": False, "isReadOnly": False,
                                   "isImmutable": False, "isMultiple": False, "isDynamic": False,
                                   "statusType": "STATUS", "title": "Stage"}
    assert fields["CONTACT_ID"]["isDeprecated"] is True and fields["IS_RETURN_CUSTOMER"]["isReadOnly"] is True
    assert fields["PHONE"]["type"] == "crm_multifield" and fields["PHONE"]["isMultiple"] is True
    assert fields["UF_CRM_INTEREST"]["type"] == "string"
    lead_id = ok(sandbox, "crm.lead.add", fields={"UF_CRM_INTEREST": "bikes"})
    assert ok(sandbox, "crm.lead.get", id=lead_id)["UF_CRM_INTEREST"] == "bikes"


def test_lead_events_reach_bound_handlers(sandbox, receiver, installed):
    lead_id, posts = crud_events(sandbox, receiver, installed["access_token"], "lead", {"TITLE": "E"}, {"TITLE": "F"})
    assert posts == [("ONCRMLEADADD", str(lead_id)), ("ONCRMLEADUPDATE", str(lead_id)),
                     ("ONCRMLEADDELETE", str(lead_id))]


def test_touch_a_lead_in_the_ui(sandbox):
    lead_id = ok(sandbox, "crm.lead.add", fields={"TITLE": "Before"})
    ans = control(sandbox, "crm/touch", entity="lead", id=lead_id, fields={"TITLE": "After"})
    assert ans.json()["event"] == "ONCRMLEADUPDATE"
    assert ok(sandbox, "crm.lead.get", id=lead_id)["TITLE"] == "After"
