"""crm.contact.* and crm.duplicate.findbycomm over HTTP: multi-fields, user fields, duplicates by phone/e-mail."""
from __future__ import annotations

from tests.sandbox.crm_support import crud_events, ok, rejected


def test_add_and_get_documented_shape(sandbox):
    contact_id = ok(sandbox, "crm.contact.add", fields={
        "NAME": "Ivan", "SECOND_NAME": "Ivanovich", "LAST_NAME": "Ivanov", "POST": "Admin",
        "BIRTHDATE": "2001-11-11", "SOURCE_ID": "WEB", "UTM_SOURCE": "yandex", "NOT_A_FIELD": 1,
        "PHONE": [{"VALUE": "+7333333555", "VALUE_TYPE": "WORK"}, {"VALUE": "+35599888666", "VALUE_TYPE": "HOME"}],
    })
    got = ok(sandbox, "crm.contact.get", id=contact_id)
    assert got["ID"] == str(contact_id) and got["BIRTHDATE"] == "2001-11-11T00:00:00+03:00"
    assert (got["NAME"], got["LAST_NAME"], got["SOURCE_ID"], got["UTM_SOURCE"]) == ("Ivan", "Ivanov", "WEB", "yandex")
    assert (got["TYPE_ID"], got["EXPORT"], got["OPENED"], got["ASSIGNED_BY_ID"]) == ("CLIENT", "Y", "Y", "1")
    assert (got["HAS_PHONE"], got["HAS_EMAIL"], got["HAS_IMOL"]) == ("Y", "N", "N")
    assert "EMAIL" not in got and "NOT_A_FIELD" not in got  # no e-mail: the key is absent
    assert [list(p) for p in got["PHONE"]] == [["ID", "VALUE_TYPE", "VALUE", "TYPE_ID"]] * 2
    assert [(p["VALUE"], p["VALUE_TYPE"], p["TYPE_ID"]) for p in got["PHONE"]] == [
        ("+7333333555", "WORK", "PHONE"), ("+35599888666", "HOME", "PHONE")]
    assert all(p["ID"].isdigit() for p in got["PHONE"])
    assert list(got)[:3] == ["ID", "POST", "COMMENTS"] and list(got)[-1] == "PHONE"


def test_update_multifields_by_id(sandbox):
    contact_id = ok(sandbox, "crm.contact.add", fields={
        "NAME": "Ann", "PHONE": [{"VALUE": "111", "VALUE_TYPE": "WORK"}, {"VALUE": "222", "VALUE_TYPE": "HOME"},
                                 {"VALUE": "333"}],
        "EMAIL": [{"VALUE": "ann@shop.test", "VALUE_TYPE": "WORK"}]})
    phones = ok(sandbox, "crm.contact.get", id=contact_id)["PHONE"]
    email = ok(sandbox, "crm.contact.get", id=contact_id)["EMAIL"][0]
    assert ok(sandbox, "crm.contact.update", id=contact_id, fields={
        "PHONE": [{"ID": phones[0]["ID"], "VALUE": "111-new", "VALUE_TYPE": "MOBILE"},
                  {"ID": phones[1]["ID"], "DELETE": "Y"},
                  {"ID": phones[2]["ID"], "VALUE": ""},
                  {"ID": "999999", "VALUE": "foreign id is ignored"},
                  {"VALUE": "444", "VALUE_TYPE": "WORK"}],
        "EMAIL": [{"ID": email["ID"], "DELETE": "Y"}],
        "LAST_NAME": "Smith"}) is True
    got = ok(sandbox, "crm.contact.get", id=contact_id)
    assert [(p["VALUE"], p["VALUE_TYPE"]) for p in got["PHONE"]] == [("111-new", "MOBILE"), ("444", "WORK")]
    assert got["PHONE"][0]["ID"] == phones[0]["ID"]
    assert "EMAIL" not in got and got["HAS_EMAIL"] == "N" and got["LAST_NAME"] == "Smith"


def test_errors_and_delete(sandbox):
    assert rejected(sandbox, "crm.contact.get", id=0) == {"error": "", "error_description":
                                                      "ID is not defined or invalid."}
    assert rejected(sandbox, "crm.contact.get", id=5)["error_description"] == "Not found"
    assert rejected(sandbox, "crm.contact.add", fields="x")["error_description"] == "Parameter 'fields' must be array."
    assert rejected(sandbox, "crm.contact.update", id=5, fields={})["error_description"] == "Not found"
    contact_id = ok(sandbox, "crm.contact.add", fields={"NAME": "Del"})
    assert ok(sandbox, "crm.contact.delete", id=contact_id) is True
    assert rejected(sandbox, "crm.contact.delete", id=contact_id)["error_description"] == "Not found"


def test_list_multifields_only_when_selected(sandbox):
    a = ok(sandbox, "crm.contact.add", fields={"NAME": "A", "EMAIL": [{"VALUE": "special-for@example.com"}]})
    ok(sandbox, "crm.contact.add", fields={"NAME": "B", "PHONE": [{"VALUE": "+1 555 0100"}]})
    default = ok(sandbox, "crm.contact.list")
    assert len(default) == 2 and all("EMAIL" not in r and "PHONE" not in r for r in default)
    picked = ok(sandbox, "crm.contact.list", filter={"EMAIL": "special-for@example.com"},
                select=["ID", "NAME", "EMAIL"])
    assert picked == [{"ID": str(a), "NAME": "A", "EMAIL": [
        {"ID": picked[0]["EMAIL"][0]["ID"], "VALUE_TYPE": "WORK", "VALUE": "special-for@example.com",
         "TYPE_ID": "EMAIL"}]}]
    assert ok(sandbox, "crm.contact.list", filter={"EMAIL": "special"}) == []  # multi-fields match exactly only
    assert [r["NAME"] for r in ok(sandbox, "crm.contact.list", filter={"PHONE": "+1 555 0100"})] == ["B"]


def test_contact_fields_and_userfields(sandbox):
    uf_id = ok(sandbox, "crm.contact.userfield.add", fields={"FIELD_NAME": "segment", "USER_TYPE_ID": "string",
                                                            "LABEL": "Segment", "MULTIPLE": "Y"})
    got = ok(sandbox, "crm.contact.userfield.get", id=uf_id)
    assert (got["ENTITY_ID"], got["FIELD_NAME"], got["MULTIPLE"]) == ("CRM_CONTACT", "UF_CRM_SEGMENT", "Y")
    fields = ok(sandbox, "crm.contact.fields")
    assert fields["PHONE"]["type"] == "crm_multifield" and fields["PHONE"]["isMultiple"] is True
    assert fields["NAME"]["isRequired"] is True and fields["UF_CRM_SEGMENT"]["isMultiple"] is True
    contact_id = ok(sandbox, "crm.contact.add", fields={"NAME": "Vip", "UF_CRM_SEGMENT": ["vip", "loyal"]})
    assert ok(sandbox, "crm.contact.get", id=contact_id)["UF_CRM_SEGMENT"] == ["vip", "loyal"]
    ok(sandbox, "crm.contact.update", id=contact_id, fields={"UF_CRM_SEGMENT": ["lapsed"]})
    assert ok(sandbox, "crm.contact.list", filter={"UF_CRM_SEGMENT": "lapsed"}, select=["UF_*"]) == [
        {"ID": str(contact_id), "UF_CRM_SEGMENT": ["lapsed"]}]
    assert [f["FIELD_NAME"] for f in ok(sandbox, "crm.contact.userfield.list")] == ["UF_CRM_SEGMENT"]
    assert ok(sandbox, "crm.contact.userfield.update", id=uf_id, fields={"LABEL": "Segments"}) is True
    assert ok(sandbox, "crm.contact.userfield.get", id=uf_id)["LIST_COLUMN_LABEL"]["en"] == "Segments"
    assert rejected(sandbox, "crm.contact.userfield.get", id=999)["error"] == "ERROR_NOT_FOUND"
    assert ok(sandbox, "crm.deal.userfield.list") == []  # contact fields stay with contacts


def test_duplicates_by_differently_formatted_phones(sandbox):
    ann = ok(sandbox, "crm.contact.add", fields={"NAME": "Ann", "PHONE": [{"VALUE": "+7 (916) 100-67-33"}],
                                                 "EMAIL": [{"VALUE": "Ann@Shop.test"}]})
    bob = ok(sandbox, "crm.contact.add", fields={"NAME": "Bob", "PHONE": [{"VALUE": "8 916 100 67 33"}]})
    ok(sandbox, "crm.contact.add", fields={"NAME": "Other", "PHONE": [{"VALUE": "+7 916 000 00 00"}]})
    for variant in ("79161006733", "8-916-100-67-33", "+7 916 1006733 доб. 12", "+7(916)100 67 33 ext. 5"):
        assert ok(sandbox, "crm.duplicate.findbycomm", type="PHONE", values=[variant]) == {"CONTACT": [ann, bob]}
    assert ok(sandbox, "crm.duplicate.findbycomm", type="EMAIL", values=["ann@shop.TEST"],
              entity_type="CONTACT") == {"CONTACT": [ann]}
    assert ok(sandbox, "crm.duplicate.findbycomm", type="PHONE", values=["+7 999 999 99 99"]) == []
    assert ok(sandbox, "crm.duplicate.findbycomm", type="PHONE", values=["79161006733"], entity_type="LEAD") == []


def test_duplicate_search_follows_changed_and_deleted_contacts(sandbox):
    """The search reuses what it normalized for unchanged contacts; a changed phone and a deleted contact are
    seen by the very next search."""
    ann = ok(sandbox, "crm.contact.add", fields={"NAME": "Ann", "PHONE": [{"VALUE": "+7 916 111 11 11"}]})
    assert ok(sandbox, "crm.duplicate.findbycomm", type="PHONE", values=["79161111111"]) == {"CONTACT": [ann]}
    item = ok(sandbox, "crm.contact.get", id=ann)["PHONE"][0]
    ok(sandbox, "crm.contact.update", id=ann, fields={"PHONE": [{"ID": item["ID"], "VALUE": "+7 916 222 22 22"}]})
    assert ok(sandbox, "crm.duplicate.findbycomm", type="PHONE", values=["79161111111"]) == []
    assert ok(sandbox, "crm.duplicate.findbycomm", type="PHONE", values=["79162222222"]) == {"CONTACT": [ann]}
    ok(sandbox, "crm.contact.delete", id=ann)
    assert ok(sandbox, "crm.duplicate.findbycomm", type="PHONE", values=["79162222222"]) == []


def test_duplicate_search_errors(sandbox):
    assert rejected(sandbox, "crm.duplicate.findbycomm", values=["1"])["error_description"] == \
        "Communication type is not defined."
    assert rejected(sandbox, "crm.duplicate.findbycomm", type="FAX", values=["1"])["error_description"] == \
        "Communication type 'FAX' is not supported in current context."
    assert rejected(sandbox, "crm.duplicate.findbycomm", type="EMAIL")["error_description"] == \
        "Communication values is not defined."
    too_many = [f"user{i}@shop.test" for i in range(21)]
    assert rejected(sandbox, "crm.duplicate.findbycomm", type="EMAIL", values=too_many)["error"] == ""
    assert ok(sandbox, "crm.duplicate.findbycomm", type="EMAIL", values=too_many[:20]) == []


def test_contact_events(sandbox, receiver, installed):
    contact_id, got = crud_events(sandbox, receiver, installed["access_token"], "contact", {"NAME": "E"},
                                  {"NAME": "F"})
    assert got == [
        ("ONCRMCONTACTADD", str(contact_id)), ("ONCRMCONTACTUPDATE", str(contact_id)),
        ("ONCRMCONTACTDELETE", str(contact_id))]
