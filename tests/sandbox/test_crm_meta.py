"""Funnels (crm.category.*), directories and stages (crm.status.*) and currencies over HTTP."""
from __future__ import annotations

import requests

from tests.sandbox.app_support import user_token
from tests.sandbox.crm_support import call, envelope, ok

# The General funnel as D api-reference/crm/status/crm-status-list.md shows it
GENERAL_STAGES = [
    ("NEW", "New", "New", "10", "Y", "#39A8EF", None, "process"),
    ("PREPARATION", "Document preparation", "", "20", "N", "#2FC6F6", None, "process"),
    ("PREPAYMENT_INVOICE", "Prepayment invoice", "", "30", "N", "#55D0E0", None, "process"),
    ("EXECUTING", "In progress", "", "40", "N", "#47E4C2", None, "process"),
    ("FINAL_INVOICE", "Final invoice", "", "50", "N", "#FFA900", None, "process"),
    ("WON", "Deal successful", "Deal successful", "60", "Y", "#7BD500", "S", "success"),
    ("LOSE", "Deal failed", "Deal failed", "70", "Y", "#FF5752", "F", "failure"),
    ("APOLOGY", "Failure reason analysis", "", "80", "N", "#FF5752", "F", "apology"),
]


def test_default_funnel_and_its_stages(sandbox):
    answer = envelope(sandbox, "crm.category.list", entityTypeId=2)
    assert answer["result"] == {"categories": [{"id": 0, "name": "General", "sort": 300, "entityTypeId": 2,
                                                "isDefault": "Y"}]}
    assert answer["total"] == 1
    rows = envelope(sandbox, "crm.status.list", order={"SORT": "ASC"}, filter={"ENTITY_ID": "DEAL_STAGE"})
    assert rows["total"] == 8
    got = [(r["STATUS_ID"], r["NAME"], r["NAME_INIT"], r["SORT"], r["SYSTEM"], r["COLOR"], r["SEMANTICS"],
            r["EXTRA"]["SEMANTICS"]) for r in rows["result"]]
    assert got == GENERAL_STAGES
    first = rows["result"][0]
    assert list(first) == ["ID", "ENTITY_ID", "STATUS_ID", "NAME", "NAME_INIT", "SORT", "SYSTEM", "CATEGORY_ID",
                           "COLOR", "SEMANTICS", "EXTRA"]
    assert first["CATEGORY_ID"] is None and first["ID"].isdigit()
    types = [r["STATUS_ID"] for r in ok(sandbox, "crm.status.list", filter={"ENTITY_ID": "DEAL_TYPE"})]
    sources = [r["STATUS_ID"] for r in ok(sandbox, "crm.status.list", filter={"ENTITY_ID": "SOURCE"})]
    assert types[0] == "SALE" and "COMPLEX" in types and {"CALL", "WEB", "CALLBACK", "STORE"} <= set(sources)


def test_new_funnel_gets_prefixed_default_stages(sandbox):
    added = ok(sandbox, "crm.category.add", entityTypeId=2, fields={"name": "Shop orders", "sort": 50})
    category = added["category"]
    assert category == {"id": category["id"], "name": "Shop orders", "sort": 50, "entityTypeId": 2,
                        "isDefault": "N", "originId": "", "originatorId": ""}
    n = category["id"]
    stages = ok(sandbox, "crm.status.list", filter={"ENTITY_ID": f"DEAL_STAGE_{n}"})
    assert [s["STATUS_ID"] for s in stages] == [f"C{n}:{code}" for code, *_ in GENERAL_STAGES]
    assert {s["CATEGORY_ID"] for s in stages} == {str(n)}
    listed = ok(sandbox, "crm.category.list", entityTypeId=2)["categories"]
    assert [c["id"] for c in listed] == [n, 0]  # by sort
    assert ok(sandbox, "crm.category.get", entityTypeId=2, id=n) == {"category": category}
    renamed = envelope(sandbox, "crm.category.update", entityTypeId=2, id=n, fields={"name": "Shop", "sort": -5})
    assert renamed["result"]["category"]["name"] == "Shop" and renamed["result"]["category"]["sort"] == 0


def test_category_errors_and_delete_rules(sandbox, installed):
    assert call(sandbox, "crm.category.list", entityTypeId=1).json()["error"] == "ENTITY_TYPE_NOT_SUPPORTED"
    assert call(sandbox, "crm.category.list", entityTypeId=1234).json() == {"error": "NOT_FOUND", "error_description":
                                                                           "Smart process not found"}
    assert call(sandbox, "crm.category.get", entityTypeId=2, id=42).json() == {"error": "NOT_FOUND",
                                                                              "error_description": "Element not found"}
    assert call(sandbox, "crm.category.add", entityTypeId=2, fields={"name": " "}).json()["error_description"] == \
        "Field 'NAME' is required"
    denied = requests.post(f"{sandbox.base_url}/rest/crm.category.add", timeout=10, json={
        "auth": user_token(sandbox, 2), "entityTypeId": 2, "fields": {"name": "X"}})
    assert (denied.status_code, denied.json()["error"]) == (403, "ACCESS_DENIED")
    n = ok(sandbox, "crm.category.add", entityTypeId=2, fields={"name": "Busy"})["category"]["id"]
    deal_id = ok(sandbox, "crm.deal.add", fields={"CATEGORY_ID": n})
    assert call(sandbox, "crm.category.delete", entityTypeId=2, id=n).json()["error_description"] == \
        "Deals related to the funnel Busy found"
    assert call(sandbox, "crm.category.delete", entityTypeId=2, id=0).json()["error_description"] == \
        "Default deal category cannot be deleted"
    ok(sandbox, "crm.deal.delete", id=deal_id)
    assert ok(sandbox, "crm.category.delete", entityTypeId=2, id=n) is None
    assert ok(sandbox, "crm.status.list", filter={"ENTITY_ID": f"DEAL_STAGE_{n}"}) == []


def test_status_add_prefixes_funnel_stages(sandbox):
    n = ok(sandbox, "crm.category.add", entityTypeId=2, fields={"name": "B2B"})["category"]["id"]
    new_id = ok(sandbox, "crm.status.add", fields={"ENTITY_ID": f"DEAL_STAGE_{n}", "STATUS_ID": "DECISION",
                                                   "NAME": "Decision making", "SORT": 55, "COLOR": "#FFA900"})
    row = ok(sandbox, "crm.status.get", id=new_id)
    got = (row["STATUS_ID"], row["CATEGORY_ID"], row["SORT"], row["SEMANTICS"])
    assert got == (f"C{n}:DECISION", str(n), "55", None)
    kept = ok(sandbox, "crm.status.add", fields={"ENTITY_ID": f"DEAL_STAGE_{n}", "STATUS_ID": f"C{n}:LOST_TO_RIVAL",
                                                 "NAME": "Lost", "SEMANTICS": "F", "SORT": 90})
    lost = ok(sandbox, "crm.status.get", id=kept)
    assert (lost["STATUS_ID"], lost["EXTRA"]["SEMANTICS"]) == (f"C{n}:LOST_TO_RIVAL", "failure")
    deal_id = ok(sandbox, "crm.deal.add", fields={"CATEGORY_ID": n, "STAGE_ID": f"C{n}:DECISION"})
    assert ok(sandbox, "crm.deal.get", id=deal_id)["STAGE_SEMANTIC_ID"] == "P"
    ok(sandbox, "crm.deal.update", id=deal_id, fields={"STAGE_ID": f"C{n}:LOST_TO_RIVAL"})
    assert ok(sandbox, "crm.deal.get", id=deal_id)["CLOSED"] == "Y"
    errors = [
        ({"STATUS_ID": "X", "NAME": "x"}, "The field ENTITY_ID is required."),
        ({"ENTITY_ID": "DEAL_STAGE", "NAME": "x"}, "The field STATUS_ID is required."),
        ({"ENTITY_ID": "NOPE", "STATUS_ID": "X", "NAME": "x"}, "Specified entity type is not supported."),
        ({"ENTITY_ID": f"DEAL_STAGE_{n}", "STATUS_ID": "DECISION", "NAME": "x"}, "Duplicate STATUS_ID."),
    ]
    for fields, text in errors:
        resp = call(sandbox, "crm.status.add", fields=fields)
        assert (resp.status_code, resp.json()) == (400, {"error": "", "error_description": text})


def test_status_update_delete_and_fields(sandbox):
    source = ok(sandbox, "crm.status.add", fields={"ENTITY_ID": "SOURCE", "STATUS_ID": "MARKETPLACE",
                                                   "NAME": "Marketplace"})
    assert ok(sandbox, "crm.status.update", id=source, fields={"NAME": "Marketplaces", "SORT": 5}) is True
    assert ok(sandbox, "crm.status.list", filter={"ENTITY_ID": "SOURCE"})[0]["NAME"] == "Marketplaces"
    assert ok(sandbox, "crm.status.delete", id=source) is True
    assert call(sandbox, "crm.status.get", id=source).status_code == 400
    won = ok(sandbox, "crm.status.list", filter={"ENTITY_ID": "DEAL_STAGE", "STATUS_ID": "WON"})[0]
    assert call(sandbox, "crm.status.delete", id=won["ID"]).status_code == 400  # system items need FORCED
    fields = ok(sandbox, "crm.status.fields")
    assert fields["ENTITY_ID"]["isRequired"] is True and fields["STATUS_ID"]["isImmutable"] is True
    assert fields["EXTRA"]["type"] == "crm_status_extra"


def test_currency_list(sandbox):
    rows = ok(sandbox, "crm.currency.list")
    assert [(r["CURRENCY"], r["BASE"]) for r in rows] == [("RUB", "Y"), ("USD", "N"), ("EUR", "N")]
