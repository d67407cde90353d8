"""crm.deal.* of the sandbox portal over HTTP: defaults, stages and funnels, product rows, contacts, user fields."""
from __future__ import annotations

from datetime import date

import requests

from tests.sandbox.app_support import drain, user_token
from tests.sandbox.crm_support import crud_events, error, ok

# Keys of crm.deal.get as documented (D api-reference/crm/deals/crm-deal-get.md), without PARENT_ID_*/UF_*
DEAL_KEYS = [
    "ID", "TITLE", "TYPE_ID", "STAGE_ID", "PROBABILITY", "CURRENCY_ID", "OPPORTUNITY", "IS_MANUAL_OPPORTUNITY",
    "TAX_VALUE", "LEAD_ID", "COMPANY_ID", "CONTACT_ID", "QUOTE_ID", "BEGINDATE", "CLOSEDATE", "ASSIGNED_BY_ID",
    "CREATED_BY_ID", "MODIFY_BY_ID", "DATE_CREATE", "DATE_MODIFY", "OPENED", "CLOSED", "COMMENTS",
    "ADDITIONAL_INFO", "LOCATION_ID", "CATEGORY_ID", "STAGE_SEMANTIC_ID", "IS_NEW", "IS_RECURRING",
    "IS_RETURN_CUSTOMER", "IS_REPEATED_APPROACH", "SOURCE_ID", "SOURCE_DESCRIPTION", "ORIGINATOR_ID", "ORIGIN_ID",
    "MOVED_BY_ID", "MOVED_TIME", "LAST_ACTIVITY_TIME", "UTM_SOURCE", "UTM_MEDIUM", "UTM_CAMPAIGN", "UTM_CONTENT",
    "UTM_TERM", "LAST_ACTIVITY_BY",
]


def new_funnel(sandbox, name="Shop"):
    return ok(sandbox, "crm.category.add", entityTypeId=2, fields={"name": name})["category"]["id"]


def test_add_applies_documented_defaults(sandbox):
    deal_id = ok(sandbox, "crm.deal.add", fields={})
    assert isinstance(deal_id, int)
    deal = ok(sandbox, "crm.deal.get", id=deal_id)
    assert list(deal) == DEAL_KEYS  # no CONTACT_IDS in crm.deal.get
    assert deal["ID"] == str(deal_id) and deal["TITLE"] == f"Deal #{deal_id}"
    assert (deal["STAGE_ID"], deal["STAGE_SEMANTIC_ID"], deal["CLOSED"], deal["IS_NEW"]) == ("NEW", "P", "N", "Y")
    assert (deal["CATEGORY_ID"], deal["OPPORTUNITY"], deal["CURRENCY_ID"]) == ("0", "0.00", "RUB")
    assert deal["ASSIGNED_BY_ID"] == deal["CREATED_BY_ID"] == deal["MODIFY_BY_ID"] == "1"
    flags = (deal["TYPE_ID"], deal["SOURCE_ID"], deal["OPENED"], deal["IS_MANUAL_OPPORTUNITY"])
    assert flags == ("SALE", "CALL", "Y", "N")
    begin, close = (date.fromisoformat(deal[k][:10]) for k in ("BEGINDATE", "CLOSEDATE"))
    assert (close - begin).days == 7
    assert deal["DATE_CREATE"][10] == "T" and deal["DATE_CREATE"].endswith("+03:00")


def test_add_documented_example_keeps_known_fields_only(sandbox):
    fields = {
        "TITLE": "New Deal #1", "TYPE_ID": "COMPLEX", "CATEGORY_ID": 0, "STAGE_ID": "PREPARATION",
        "IS_RECURRING": "N", "IS_RETURN_CUSTOMER": "Y", "IS_REPEATED_APPROACH": "Y", "PROBABILITY": 99,
        "CURRENCY_ID": "EUR", "OPPORTUNITY": 1000000, "IS_MANUAL_OPPORTUNITY": "Y", "TAX_VALUE": 0.10,
        "COMPANY_ID": 9, "CONTACT_IDS": [84, 83], "BEGINDATE": "2024-08-30T12:00:00+02:00",
        "CLOSEDATE": "2024-09-09", "OPENED": "Y", "CLOSED": "N", "COMMENTS": "[B]Example[/B]",
        "SOURCE_ID": "CALLBACK", "SOURCE_DESCRIPTION": "About source", "ADDITIONAL_INFO": "More",
        "UTM_SOURCE": "google", "UTM_MEDIUM": "CPC", "PARENT_ID_1220": 22, "UF_CRM_1721244482250": "Hello",
        "ORIGINATOR_ID": "shop", "ORIGIN_ID": "order-77", "NO_SUCH_FIELD": "x",
    }
    deal_id = ok(sandbox, "crm.deal.add", FIELDS=fields, PARAMS={"REGISTER_SONET_EVENT": "N"})
    deal = ok(sandbox, "crm.deal.get", ID=deal_id)
    assert deal["OPPORTUNITY"] == "1000000.00" and deal["TAX_VALUE"] == "0.10" and deal["PROBABILITY"] == "99"
    assert (deal["CURRENCY_ID"], deal["COMPANY_ID"], deal["CONTACT_ID"]) == ("EUR", "9", "84")
    assert (deal["STAGE_ID"], deal["IS_NEW"], deal["IS_RETURN_CUSTOMER"]) == ("PREPARATION", "N", "Y")
    assert deal["CLOSEDATE"] == "2024-09-09T00:00:00+03:00"
    assert (deal["ORIGINATOR_ID"], deal["ORIGIN_ID"], deal["UTM_SOURCE"]) == ("shop", "order-77", "google")
    for absent in ("PARENT_ID_1220", "UF_CRM_1721244482250", "NO_SUCH_FIELD", "CONTACT_IDS"):
        assert absent not in deal


def test_form_encoded_add_with_php_brackets(sandbox):
    body = "fields[TITLE]=From%20form&fields[OPPORTUNITY]=250.5&fields[CONTACT_IDS][0]=7&fields[CONTACT_IDS][1]=8"
    resp = requests.post(f"{sandbox.webhook_url}crm.deal.add", data=body, timeout=10,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    deal = ok(sandbox, "crm.deal.get", id=resp.json()["result"])
    assert (deal["TITLE"], deal["OPPORTUNITY"], deal["CONTACT_ID"]) == ("From form", "250.50", "7")


def test_documented_errors(sandbox):
    assert error(sandbox, "crm.deal.get") == (400, {"error": "", "error_description": "ID is not defined or invalid."})
    assert error(sandbox, "crm.deal.get", id="abc")[1]["error_description"] == "ID is not defined or invalid."
    assert error(sandbox, "crm.deal.get", id=999) == (400, {"error": "", "error_description": "Not found"})
    assert error(sandbox, "crm.deal.add", fields="x")[1] == {"error": "", "error_description":
                                                             "Parameter 'fields' must be array."}
    assert error(sandbox, "crm.deal.add")[1]["error_description"] == "Parameter 'fields' must be array."
    assert error(sandbox, "crm.deal.add", fields={}, params="x")[1]["error_description"] == \
        "Parameter 'params' must be array."
    assert error(sandbox, "crm.deal.update", id=999, fields={})[1]["error_description"] == "Not found"
    assert error(sandbox, "crm.deal.delete", id=0)[1]["error_description"] == "ID is not defined or invalid."
    assert error(sandbox, "crm.deal.add", fields={"CURRENCY_ID": "XYZ"})[1]["error_description"] == \
        'Invalid value for the "Currency" field'
    assert error(sandbox, "crm.deal.add", fields={"STAGE_ID": "NO_SUCH"})[1]["error_description"] == \
        'Invalid value for the "Stage" field'


def test_funnel_prefix_category_inference_and_immutability(sandbox):
    funnel = new_funnel(sandbox)
    deal_id = ok(sandbox, "crm.deal.add", fields={"CATEGORY_ID": funnel})
    deal = ok(sandbox, "crm.deal.get", id=deal_id)
    assert (deal["CATEGORY_ID"], deal["STAGE_ID"]) == (str(funnel), f"C{funnel}:NEW")
    inferred = ok(sandbox, "crm.deal.get", id=ok(sandbox, "crm.deal.add", fields={"STAGE_ID": f"C{funnel}:EXECUTING"}))
    assert (inferred["CATEGORY_ID"], inferred["STAGE_ID"]) == (str(funnel), f"C{funnel}:EXECUTING")
    # General-funnel stage on a funnel deal, and a stage of another funnel, are refused
    assert error(sandbox, "crm.deal.update", id=deal_id, fields={"STAGE_ID": "WON"})[0] == 400
    assert error(sandbox, "crm.deal.add", fields={"CATEGORY_ID": 0, "STAGE_ID": f"C{funnel}:NEW"})[0] == 400
    assert error(sandbox, "crm.deal.add", fields={"CATEGORY_ID": 77})[1]["error_description"] == \
        'Invalid value for the "Sales Funnel" field'
    assert ok(sandbox, "crm.deal.update", id=deal_id, fields={"CATEGORY_ID": 0, "STAGE_ID": f"C{funnel}:WON"})
    won = ok(sandbox, "crm.deal.get", id=deal_id)
    assert (won["CATEGORY_ID"], won["STAGE_SEMANTIC_ID"], won["CLOSED"], won["IS_NEW"]) == (str(funnel), "S", "Y", "N")


def test_update_moves_stage_and_touches_modification(sandbox, installed):
    deal_id = ok(sandbox, "crm.deal.add", fields={"TITLE": "Before"})
    created = ok(sandbox, "crm.deal.get", id=deal_id)
    requests.post(f"{sandbox.base_url}/_sandbox/clock", json={"advance": 3600}, timeout=10)
    user2 = user_token(sandbox, 2)
    resp = requests.post(f"{sandbox.base_url}/rest/crm.deal.update", timeout=10, json={
        "auth": user2, "id": deal_id, "fields": {"TITLE": "After", "STAGE_ID": "LOSE", "BOGUS": 1,
                                                 "ASSIGNED_BY_ID": 3}})
    assert resp.json()["result"] is True
    deal = ok(sandbox, "crm.deal.get", id=deal_id)
    assert (deal["TITLE"], deal["STAGE_SEMANTIC_ID"], deal["CLOSED"]) == ("After", "F", "Y")
    assert (deal["MODIFY_BY_ID"], deal["MOVED_BY_ID"], deal["ASSIGNED_BY_ID"]) == ("2", "2", "3")
    assert deal["DATE_MODIFY"] > created["DATE_MODIFY"] and deal["DATE_CREATE"] == created["DATE_CREATE"]
    assert "BOGUS" not in deal


def test_delete(sandbox):
    deal_id = ok(sandbox, "crm.deal.add", fields={"CONTACT_IDS": [5]})
    ok(sandbox, "crm.deal.productrows.set", id=deal_id, rows=[{"PRODUCT_NAME": "x", "PRICE": 1}])
    assert ok(sandbox, "crm.deal.delete", id=deal_id) is True
    assert error(sandbox, "crm.deal.get", id=deal_id)[1]["error_description"] == "Not found"
    assert error(sandbox, "crm.deal.delete", id=deal_id)[1]["error_description"] == "Not found"
    assert error(sandbox, "crm.deal.productrows.get", id=deal_id)[1]["error_description"] == "Not found"


def test_productrows_replace_types_and_amount(sandbox):
    deal_id = ok(sandbox, "crm.deal.add", fields={"OPPORTUNITY": 5})
    rows = [
        {"PRODUCT_NAME": "Mug", "PRICE": 250, "QUANTITY": 2, "MEASURE_CODE": 796, "MEASURE_NAME": "pcs", "SORT": 10},
        {"PRODUCT_ID": 0, "PRICE": 899.1, "QUANTITY": 1, "DISCOUNT_TYPE_ID": 2, "DISCOUNT_RATE": 10,
         "TAX_INCLUDED": "Y", "SORT": 20},
    ]
    assert ok(sandbox, "crm.deal.productrows.set", id=deal_id, rows=rows) is True
    got = ok(sandbox, "crm.deal.productrows.get", id=deal_id)
    assert [r["PRODUCT_NAME"] for r in got] == ["Mug", f"[{got[1]['ID']}]"]
    first, second = got
    assert isinstance(first["ID"], str) and first["OWNER_ID"] == str(deal_id) and first["OWNER_TYPE"] == "D"
    assert first["PRODUCT_ID"] == 0 and first["PRICE"] == 250 and first["QUANTITY"] == 2
    assert first["PRICE_ACCOUNT"] == "250.00" and first["MEASURE_CODE"] == 796 and first["SORT"] == 10
    assert (second["PRICE_NETTO"], second["DISCOUNT_SUM"], second["DISCOUNT_RATE"]) == (999, 99.9, 10)
    assert second["PRICE_ACCOUNT"] == "899.10" and second["TAX_RATE"] is None and second["DISCOUNT_TYPE_ID"] == 2
    assert ok(sandbox, "crm.deal.get", id=deal_id)["OPPORTUNITY"] == "1399.10"
    old_ids = {r["ID"] for r in got}
    ok(sandbox, "crm.deal.productrows.set", id=deal_id, rows=[{"PRODUCT_NAME": "Tea", "PRICE": 10, "QUANTITY": 3}])
    again = ok(sandbox, "crm.deal.productrows.get", id=deal_id)
    assert [r["PRODUCT_NAME"] for r in again] == ["Tea"] and again[0]["ID"] not in old_ids
    assert ok(sandbox, "crm.deal.get", id=deal_id)["OPPORTUNITY"] == "30.00"
    ok(sandbox, "crm.deal.update", id=deal_id, fields={"OPPORTUNITY": 1})  # manual mode off: rows win
    assert ok(sandbox, "crm.deal.get", id=deal_id)["OPPORTUNITY"] == "30.00"


def test_productrows_keep_manual_amount_and_errors(sandbox):
    deal_id = ok(sandbox, "crm.deal.add", fields={"OPPORTUNITY": 77, "IS_MANUAL_OPPORTUNITY": "Y"})
    ok(sandbox, "crm.deal.productrows.set", id=deal_id, rows=[{"PRODUCT_NAME": "x", "PRICE": 10}])
    assert ok(sandbox, "crm.deal.get", id=deal_id)["OPPORTUNITY"] == "77.00"
    code, body = error(sandbox, "crm.deal.productrows.set", id=deal_id, rows=[{"PRICE": 1, "DISCOUNT_TYPE_ID": 1}])
    assert body["error"] == "ERROR_CORE" and body["error_description"].startswith("Discount Sum (DISCOUNT_SUM)")
    assert len(ok(sandbox, "crm.deal.productrows.get", id=deal_id)) == 1  # a refused set changes nothing
    assert error(sandbox, "crm.deal.productrows.get", id=0)[1] == {
        "error": "", "error_description": "The parameter id is invalid or not defined."}
    assert error(sandbox, "crm.deal.productrows.set", id=999, rows=[])[1]["error_description"] == "Not found"


def test_productrows_found_by_owner_after_a_restore_and_a_hand_edit(sandbox):
    """Rows are looked up by their deal, not by reading the whole table; the lookup follows a snapshot put
    back and rows a test writes into the table by hand."""
    kept, other = (ok(sandbox, "crm.deal.add", fields={}) for _ in range(2))
    ok(sandbox, "crm.deal.productrows.set", id=kept, rows=[{"PRODUCT_NAME": "Kept", "PRICE": 1}])
    ok(sandbox, "crm.deal.productrows.set", id=other, rows=[{"PRODUCT_NAME": "Other", "PRICE": 2}])
    saved = sandbox.snapshot()
    ok(sandbox, "crm.deal.productrows.set", id=kept, rows=[{"PRODUCT_NAME": "Later", "PRICE": 3}])
    sandbox.restore(saved)
    assert [r["PRODUCT_NAME"] for r in ok(sandbox, "crm.deal.productrows.get", id=kept)] == ["Kept"]
    ok(sandbox, "crm.deal.productrows.set", id=kept, rows=[])
    assert ok(sandbox, "crm.deal.productrows.get", id=kept) == []
    assert [r["PRODUCT_NAME"] for r in ok(sandbox, "crm.deal.productrows.get", id=other)] == ["Other"]

    table = sandbox.portal.table("crm_productrow")
    template = next(iter(table.values()))
    table[10_000] = {**template, "ID": 10_000, "OWNER_ID": kept, "PRODUCT_NAME": "By hand"}
    assert [r["PRODUCT_NAME"] for r in ok(sandbox, "crm.deal.productrows.get", id=kept)] == ["By hand"]
    assert ok(sandbox, "crm.deal.delete", id=kept) is True
    assert [r["OWNER_ID"] for r in table.values()] == [other]


def test_contact_bindings(sandbox):
    deal_id = ok(sandbox, "crm.deal.add", fields={"CONTACT_IDS": [3, 4]})
    assert ok(sandbox, "crm.deal.contact.items.get", id=deal_id) == [
        {"CONTACT_ID": 3, "SORT": 10, "ROLE_ID": 0, "IS_PRIMARY": "Y"},
        {"CONTACT_ID": 4, "SORT": 20, "ROLE_ID": 0, "IS_PRIMARY": "N"},
    ]
    items = [{"CONTACT_ID": 55, "IS_PRIMARY": "Y", "SORT": 100}, {"CONTACT_ID": 54, "SORT": 200},
             {"CONTACT_ID": 56, "SORT": 400}]
    assert ok(sandbox, "crm.deal.contact.items.set", id=deal_id, items=items) is True
    assert ok(sandbox, "crm.deal.contact.items.get", id=deal_id) == [
        {"CONTACT_ID": 55, "SORT": 100, "ROLE_ID": 0, "IS_PRIMARY": "Y"},
        {"CONTACT_ID": 54, "SORT": 200, "ROLE_ID": 0, "IS_PRIMARY": "N"},
        {"CONTACT_ID": 56, "SORT": 400, "ROLE_ID": 0, "IS_PRIMARY": "N"},
    ]
    assert ok(sandbox, "crm.deal.get", id=deal_id)["CONTACT_ID"] == "55"
    assert ok(sandbox, "crm.deal.contact.add", id=deal_id, fields={"CONTACT_ID": 57}) is True
    assert ok(sandbox, "crm.deal.contact.add", id=deal_id, fields={"CONTACT_ID": 57}) is False
    assert ok(sandbox, "crm.deal.contact.items.set", id=deal_id, items=[]) is True
    assert ok(sandbox, "crm.deal.contact.items.get", id=deal_id) == []
    assert ok(sandbox, "crm.deal.get", id=deal_id)["CONTACT_ID"] is None
    assert error(sandbox, "crm.deal.contact.items.set", id=0, items=[])[1]["error_description"] == \
        "The parameter ownerEntityID is invalid or not defined."
    assert error(sandbox, "crm.deal.contact.items.set", id=deal_id, items="x")[1]["error_description"] == \
        "The parameter items must be array."
    assert error(sandbox, "crm.deal.contact.items.get", id=999)[1]["error_description"] == "Not found."
    assert error(sandbox, "crm.deal.contact.add", id=deal_id, fields={"SORT": 1})[1]["error_description"] == \
        "The parameter 'fields' is not valid."


def test_deleting_a_contact_unbinds_it(sandbox):
    contact = ok(sandbox, "crm.contact.add", fields={"NAME": "Ann"})
    deal_id = ok(sandbox, "crm.deal.add", fields={"CONTACT_ID": contact})
    ok(sandbox, "crm.contact.delete", id=contact)
    assert ok(sandbox, "crm.deal.contact.items.get", id=deal_id) == []
    assert ok(sandbox, "crm.deal.get", id=deal_id)["CONTACT_ID"] is None


def test_fields_describes_standard_and_user_fields(sandbox):
    ok(sandbox, "crm.deal.userfield.add", fields={
        "FIELD_NAME": "channel", "USER_TYPE_ID": "enumeration", "LABEL": "Channel",
        "LIST": [{"VALUE": "Web"}, {"VALUE": "Shop", "DEF": "Y"}, {"VALUE": ""}]})
    fields = ok(sandbox, "crm.deal.fields")
    assert fields["ID"] == {"type": "integer", "isRequired": False, "isReadOnly": True, "isImmutable": False,
                            "isMultiple": False, "isDynamic": False, "title": "ID"}
    assert fields["CATEGORY_ID"]["isImmutable"] is True and fields["STAGE_ID"]["statusType"] == "DEAL_STAGE"
    assert fields["CONTACT_IDS"]["isMultiple"] is True and fields["CONTACT_ID"]["isDeprecated"] is True
    uf = fields["UF_CRM_CHANNEL"]
    assert (uf["type"], uf["isDynamic"], uf["title"]) == ("enumeration", True, "UF_CRM_CHANNEL")
    assert uf["listLabel"] == uf["formLabel"] == "Channel"
    assert [i["VALUE"] for i in uf["items"]] == ["Web", "Shop"] and all(i["ID"].isdigit() for i in uf["items"])


def test_userfield_prefixing_validation_and_values(sandbox):
    uf_id = ok(sandbox, "crm.deal.userfield.add", fields={"FIELD_NAME": "manager_note", "USER_TYPE_ID": "string",
                                                         "LABEL": "Note", "EDIT_FORM_LABEL": {"de": "Notiz"}})
    got = ok(sandbox, "crm.deal.userfield.get", id=uf_id)
    assert (got["ID"], got["ENTITY_ID"], got["FIELD_NAME"]) == (str(uf_id), "CRM_DEAL", "UF_CRM_MANAGER_NOTE")
    assert got["EDIT_FORM_LABEL"]["de"] == "Notiz" and got["EDIT_FORM_LABEL"]["en"] == "Note"
    assert ok(sandbox, "crm.deal.userfield.get", id=ok(sandbox, "crm.deal.userfield.add", fields={
        "FIELD_NAME": "UF_X", "USER_TYPE_ID": "integer"}))["FIELD_NAME"] == "UF_CRM_X"
    dup = error(sandbox, "crm.deal.userfield.add", fields={"FIELD_NAME": "MANAGER_NOTE", "USER_TYPE_ID": "string"})
    assert dup[1]["error"] == "ERROR_CORE" and "UF_CRM_MANAGER_NOTE" in dup[1]["error_description"]
    bad = {"a-b": "invalid characters", "A" * 44: "too long"}
    for name, text in bad.items():
        body = error(sandbox, "crm.deal.userfield.add", fields={"FIELD_NAME": name, "USER_TYPE_ID": "string"})[1]
        assert text in body["error_description"]
    assert error(sandbox, "crm.deal.userfield.add", fields={"USER_TYPE_ID": "string"})[1] == {
        "error": "", "error_description": "The 'FIELD_NAME' field is not found."}
    assert error(sandbox, "crm.deal.userfield.add", fields={"FIELD_NAME": "Q"})[1]["error_description"] == \
        "The 'USER_TYPE_ID' field is not found."
    assert error(sandbox, "crm.deal.userfield.add", fields={"FIELD_NAME": "Q", "USER_TYPE_ID": "nope"})[1] == {
        "error": "ERROR_CORE", "error_description": "Incorrect custom type specified.<br>"}
    deal_id = ok(sandbox, "crm.deal.add", fields={"UF_CRM_MANAGER_NOTE": "call back", "UF_CRM_X": "12"})
    deal = ok(sandbox, "crm.deal.get", id=deal_id)
    assert (deal["UF_CRM_MANAGER_NOTE"], deal["UF_CRM_X"]) == ("call back", "12")
    listed = ok(sandbox, "crm.deal.list", filter={"UF_CRM_MANAGER_NOTE": "call back"}, select=["ID", "UF_*"])
    assert listed == [{"ID": str(deal_id), "UF_CRM_MANAGER_NOTE": "call back", "UF_CRM_X": "12"}]
    assert "UF_CRM_X" not in ok(sandbox, "crm.deal.list", select=["*"])[0]


def test_userfield_list_update_delete_and_admin_only(sandbox, installed):
    uf_id = ok(sandbox, "crm.deal.userfield.add", fields={"FIELD_NAME": "LEVEL", "USER_TYPE_ID": "string",
                                                         "LABEL": "Level"})
    listed = ok(sandbox, "crm.deal.userfield.list", filter={"FIELD_NAME": "UF_CRM_LEVEL"})
    assert [(f["FIELD_NAME"], f["EDIT_FORM_LABEL"], f["ENTITY_ID"]) for f in listed] == [
        ("UF_CRM_LEVEL", "Level", "CRM_DEAL")]
    assert ok(sandbox, "crm.deal.userfield.update", id=uf_id, fields={"EDIT_FORM_LABEL": {"en": "Tier"},
                                                                      "FIELD_NAME": "OTHER"}) is True
    got = ok(sandbox, "crm.deal.userfield.get", id=uf_id)
    assert (got["FIELD_NAME"], got["EDIT_FORM_LABEL"]["en"]) == ("UF_CRM_LEVEL", "Tier")
    user2 = user_token(sandbox, 2)
    denied = requests.post(f"{sandbox.base_url}/rest/crm.deal.userfield.add", timeout=10, json={
        "auth": user2, "fields": {"FIELD_NAME": "Z", "USER_TYPE_ID": "string"}}).json()
    assert denied == {"error": "", "error_description": "Access denied."}
    assert ok(sandbox, "crm.deal.userfield.delete", id=uf_id) is True
    assert error(sandbox, "crm.deal.userfield.get", id=uf_id)[1] == {
        "error": "ERROR_NOT_FOUND", "error_description": f"The entity with ID '{uf_id}' is not found."}
    assert "UF_CRM_LEVEL" not in ok(sandbox, "crm.deal.fields")


def test_deal_events_reach_bound_handlers(sandbox, receiver, installed):
    deal_id, got = crud_events(sandbox, receiver, installed["access_token"], "deal", {"TITLE": "Evented"},
                               {"TITLE": "Changed"})
    assert got == [("ONCRMDEALADD", str(deal_id)), ("ONCRMDEALUPDATE", str(deal_id)),
                   ("ONCRMDEALDELETE", str(deal_id))]


def test_moving_a_deal_to_another_funnel_fires_its_event(sandbox, receiver, installed):
    """Funnel moves happen outside crm.deal.update (UI, crm.item.update); the helper is driven directly."""
    from sandbox.context import CallContext
    from sandbox.crm_deal_logic import move_to_category

    requests.post(f"{sandbox.base_url}/rest/event.bind", timeout=10, json={
        "auth": installed["access_token"], "event": "ONCRMDEALMOVETOCATEGORY", "handler": receiver.url + "/events"})
    funnel = new_funnel(sandbox)
    deal_id = ok(sandbox, "crm.deal.add", fields={"STAGE_ID": "EXECUTING"})
    ctx = CallContext(sandbox.portal, 2, "webhook")
    with sandbox.portal.lock:
        move_to_category(ctx, deal_id, funnel)
    deal = ok(sandbox, "crm.deal.get", id=deal_id)
    assert (deal["CATEGORY_ID"], deal["STAGE_ID"], deal["MOVED_BY_ID"]) == (str(funnel), f"C{funnel}:NEW", "2")
    drain(sandbox)
    assert receiver.at("/events")[-1].form["data"] == {
        "FIELDS": {"ID": str(deal_id), "CATEGORY_ID": str(funnel), "STAGE_ID": f"C{funnel}:NEW"}}
