"""The segments screen's admin API: the list with kinds and changes, the rule builder's schema, the dry run that
counts what a saved definition then holds (computed at once by its job), sorted member pages and the export with
contact fields (the same rows as the CLI's), product pickers, the thresholds' matrix preview, roles."""
from __future__ import annotations

import csv
import io
import json

from rq import Queue
from sqlalchemy import func, select

from bitrix_app.jobs.worker import run_burst
from bitrix_app.store.segment_models import SegmentDefinition
from bitrix_app.store.shop_models import PortalSettings
from tests.fixtures.segment_portal import AUTH, portal  # noqa: F401
from tests.segments.history import History

BIG_SPENDERS = {"all": [{"field": "orders", "op": ">=", "value": 2},
                        {"not": {"field": "revenue", "op": "<", "value": 150}}]}
DEFINITION = {"code": "BIG_SPENDERS", "kind": "custom", "name_en": "Big spenders", "name_ru": "Крупные покупатели",
              "params": BIG_SPENDERS}


def _url(hist: History, tail: str = "") -> str:
    return f"/api/v1/portals/{hist.member_id}/segments{tail}"


def _people(portal: History) -> dict[str, int]:
    """Four buyers with names and e-mails: two big spenders (2+ orders, 150+ revenue)."""
    ids = {"ann": portal.buyer(3, 5, total="100.00"), "bob": portal.buyer(2, 20, total="80.00"),
           "cid": portal.buyer(1, 3, total="500.00"), "dan": portal.buyer(2, 400, total="60.00")}
    for name, cid in ids.items():
        portal.set_profile(cid, first_name=name.title(), last_name="Smith", email=f"{name}@example.com",
                           phone=f"+7900000000{cid % 10}")
    portal.rebuild()
    return ids


def _work(portal: History) -> None:
    run_burst(portal.app, portal.app.extensions["bitrix_app"]["redis"], ["bulk"])


def test_the_preview_counts_what_the_saved_definition_holds_at_once(portal):
    ids = _people(portal)
    web = portal.app.test_client()
    preview = web.post(_url(portal, "/preview"), json={"kind": "custom", "params": BIG_SPENDERS}, headers=AUTH)
    assert preview.status_code == 200, preview.text
    assert preview.json["count"] == 2 and preview.json["customers"] == 4
    assert preview.json["sample_ids"] == sorted([ids["ann"], ids["bob"]])

    created = web.post(_url(portal, "/definitions"), json=DEFINITION, headers=AUTH)
    assert created.status_code == 201 and created.json["job_id"]
    waiting = {r["code"]: r for r in web.get(_url(portal), headers=AUTH).json["segments"]}["BIG_SPENDERS"]
    assert waiting["pending"] is True and waiting["computed_at"] is None
    _work(portal)  # the definition's own job, not a full rebuild
    listed = {r["code"]: r for r in web.get(_url(portal, "?lang=en"), headers=AUTH).json["segments"]}
    mine = listed["BIG_SPENDERS"]
    assert mine["count"] == preview.json["count"] == 2
    assert mine["kind_name"] == "Custom rule" and mine["name"] == "Big spenders" and mine["computed_at"]
    assert mine["pending"] is False
    assert mine["change"] is None  # the last snapshot did not count it
    assert listed["NEW_ACTIVE"]["change"] == 0 and listed["NEW_ACTIVE"]["kind_name"] == "Lifecycle cell"
    assert "BIG_SPENDERS" in portal.segments(ids["ann"]) and "BIG_SPENDERS" not in portal.segments(ids["cid"])

    wider = {"any": [BIG_SPENDERS, {"field": "revenue", "op": ">=", "value": 500}]}
    again = web.post(_url(portal, "/preview"), json={"kind": "custom", "params": wider, "code": "BIG_SPENDERS"},
                     headers=AUTH)
    assert again.json["count"] == 3
    assert web.put(_url(portal, "/definitions/BIG_SPENDERS"), json={"params": wider}, headers=AUTH).status_code == 200
    _work(portal)
    ru = {r["code"]: r for r in web.get(_url(portal), headers=AUTH).json["segments"]}["BIG_SPENDERS"]
    assert ru["count"] == 3 and ru["name"] == "Крупные покупатели" and ru["kind_name"] == "Своё правило"


def test_the_editor_reads_a_stored_definition_back_saves_it_whole_and_deletes_it(portal):
    """The list carries what the screen's editor opens (names, params, built-in or not); a whole-body PUT (what the
    screen sends) is computed again at once; a stored segment is deleted, a built-in one is not."""
    ids = _people(portal)
    web = portal.app.test_client()
    assert web.post(_url(portal, "/definitions"), json=DEFINITION, headers=AUTH).status_code == 201
    _work(portal)
    listed = {r["code"]: r for r in web.get(_url(portal), headers=AUTH).json["segments"]}
    mine = listed["BIG_SPENDERS"]
    assert mine["builtin"] is False and mine["params"] == BIG_SPENDERS and mine["name_en"] == "Big spenders"
    assert listed["NEW_ACTIVE"]["builtin"] is True

    only_ann = {"all": [{"field": "orders", "op": ">=", "value": 3}]}
    body = {"kind": "custom", "name_ru": "Частые покупатели", "name_en": "Frequent buyers", "params": only_ann}
    saved = web.put(_url(portal, "/definitions/BIG_SPENDERS"), json=body, headers=AUTH)
    assert saved.status_code == 200 and saved.json["job_id"] and saved.json["code"] == "BIG_SPENDERS"
    _work(portal)
    mine = {r["code"]: r for r in web.get(_url(portal), headers=AUTH).json["segments"]}["BIG_SPENDERS"]
    assert mine["count"] == 1 and mine["name"] == "Частые покупатели" and mine["params"] == only_ann
    assert "BIG_SPENDERS" in portal.segments(ids["ann"]) and "BIG_SPENDERS" not in portal.segments(ids["bob"])

    assert web.delete(_url(portal, "/definitions/NEW_ACTIVE"), headers=AUTH).status_code == 404
    assert web.delete(_url(portal, "/definitions/BIG_SPENDERS"), headers=AUTH).json == {"deleted": "BIG_SPENDERS"}
    codes = {r["code"] for r in web.get(_url(portal), headers=AUTH).json["segments"]}
    assert "BIG_SPENDERS" not in codes and "NEW_ACTIVE" in codes


def test_a_bad_rule_is_a_422_and_nothing_is_stored_or_queued(portal):
    _people(portal)
    web = portal.app.test_client()
    bad = {"all": [{"field": "orders", "op": "includes", "value": 2}]}
    res = web.post(_url(portal, "/preview"), json={"kind": "custom", "params": bad}, headers=AUTH)
    assert res.status_code == 422 and "params" in res.json["details"]["fields"]
    assert web.post(_url(portal, "/preview"), json={"kind": "nope"}, headers=AUTH).status_code == 422
    res = web.post(_url(portal, "/definitions"), json={**DEFINITION, "params": bad}, headers=AUTH)
    assert res.status_code == 422
    with portal.session() as s:
        assert s.scalar(select(func.count()).select_from(SegmentDefinition)) == 0
    assert Queue("bulk", connection=portal.app.extensions["bitrix_app"]["redis"]).job_ids == []


def test_the_rule_schema_comes_from_the_rule_language_with_names(portal):
    from bitrix_app.segments.kinds.rules_schema import FIELDS

    web = portal.app.test_client()
    ru = web.get(_url(portal, "/rule-schema?lang=ru"), headers=AUTH).json
    assert [f["field"] for f in ru["fields"]] == list(FIELDS)
    for field in ru["fields"]:
        assert [o["op"] for o in field["ops"]] == list(FIELDS[field["field"]].ops)
        assert field["name"] and all(o["name"] for o in field["ops"])
    by = {f["field"]: f for f in ru["fields"]}
    assert by["orders"]["name"] == "Покупок" and by["revenue"]["money"] is True
    assert {c["value"]: c["name"] for c in by["lifecycle"]["choices"]}["LOYAL_LOST"] == "Лояльные потерянные"
    assert "NEW_ACTIVE" in {c["value"] for c in by["segment"]["choices"]}
    assert {g["group"] for g in ru["groups"]} == {"all", "any", "not"}
    en = web.get(_url(portal, "/rule-schema?lang=en"), headers=AUTH).json
    assert {f["field"]: f for f in en["fields"]}["orders"]["name"] == "Purchases"


def test_members_sort_and_carry_contact_fields(portal):
    ids = _people(portal)
    web = portal.app.test_client()
    page = web.get(_url(portal, "/NEW_ACTIVE/members?sort=revenue&order=desc&limit=10"), headers=AUTH).json
    assert page["total"] == 1 and page["members"][0]["name"] == "Cid Smith"
    assert page["members"][0]["email"] == "cid@example.com" and page["members"][0]["currency"] == "EUR"
    rfm_all = [r["code"] for r in web.get(_url(portal), headers=AUTH).json["segments"] if r["code"] == "LAPSED_90"]
    assert rfm_all == ["LAPSED_90"]
    web.post(_url(portal, "/definitions"), json={**DEFINITION, "params": {"field": "orders", "op": ">=",
                                                                         "value": 1}}, headers=AUTH)
    _work(portal)
    by_revenue = web.get(_url(portal, "/BIG_SPENDERS/members?sort=revenue&order=desc"), headers=AUTH).json
    assert [r["customer_id"] for r in by_revenue["members"]] == [ids["cid"], ids["ann"], ids["bob"], ids["dan"]]
    by_name = web.get(_url(portal, "/BIG_SPENDERS/members?sort=name&limit=2&offset=1"), headers=AUTH).json
    assert [r["name"] for r in by_name["members"]] == ["Bob Smith", "Cid Smith"] and by_name["total"] == 4
    assert web.get(_url(portal, "/BIG_SPENDERS/members?sort=secret"), headers=AUTH).status_code == 422


def test_the_api_export_and_the_cli_export_are_the_same_rows_with_names_and_emails(portal, tmp_path):
    ids = _people(portal)
    web = portal.app.test_client()
    res = web.get(_url(portal, "/PROMISING_ACTIVE/export?format=csv"), headers=AUTH)
    assert res.status_code == 200 and res.mimetype == "text/csv"
    assert "promising_active.csv" in res.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(res.get_data(as_text=True))))
    assert [(r["name"], r["email"], r["currency"]) for r in rows] == [("Ann Smith", "ann@example.com", "EUR"),
                                                                       ("Bob Smith", "bob@example.com", "EUR")]
    target = tmp_path / "out.csv"
    cli = portal.app.test_cli_runner().invoke(args=["segments", "export", "--member-id", portal.member_id,
                                                    "--segment", "PROMISING_ACTIVE", "--output", str(target)])
    assert cli.exit_code == 0 and list(csv.DictReader(target.open())) == rows
    lines = web.get(_url(portal, "/NEW_ACTIVE/export?format=jsonl"), headers=AUTH).get_data(as_text=True)
    found = [json.loads(line) for line in lines.splitlines()]
    assert [(r["customer_id"], r["name"], r["email"]) for r in found] == [(ids["cid"], "Cid Smith", "cid@example.com")]
    assert web.get(_url(portal, "/NOPE/export"), headers=AUTH).status_code == 404


def test_a_formula_in_a_name_is_quoted_in_the_csv(portal):
    cid = portal.buyer(1, 3)
    portal.set_profile(cid, first_name="=HYPERLINK(1)", last_name="", phone="+7 900 000-00-00")
    portal.rebuild()
    text = portal.app.test_client().get(_url(portal, "/NEW_ACTIVE/export"), headers=AUTH).get_data(as_text=True)
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["name"] == "'=HYPERLINK(1)" and row["phone"] == "+7 900 000-00-00"


def test_products_and_categories_for_the_pickers(portal):
    cid = portal.customer()
    portal.order(cid, 3, items=[{"sku": "BIKE-1", "name": "Mountain bike", "category": "bikes", "price": "500"}])
    other = portal.customer()
    portal.order(other, 4, items=[{"sku": "HELM-2", "name": "Helmet", "category": "helmets", "price": "50"},
                                  {"sku": "BIKE-1", "name": "Mountain bike", "category": "bikes", "price": "500"}])
    web = portal.app.test_client()
    found = web.get(_url(portal, "/products"), headers=AUTH).json
    assert found["products"][0] == {"sku": "BIKE-1", "name": "Mountain bike", "buyers": 2}
    assert {c["category"] for c in found["categories"]} == {"bikes", "helmets"}
    named = web.get(_url(portal, "/products?q=helm"), headers=AUTH).json
    assert [p["sku"] for p in named["products"]] == ["HELM-2"] and [c["category"] for c in named["categories"]] == [
        "helmets"]
    assert web.get(_url(portal, "/products?limit=0"), headers=AUTH).status_code == 422


def _stored_settings(portal: History):
    with portal.session() as s:
        row = s.get(PortalSettings, portal.member_id)
        return None if row is None else json.dumps(row.data, sort_keys=True)


def test_the_thresholds_preview_shows_the_matrix_change_and_stores_nothing(portal):
    _people(portal)  # ann 3 orders 5 days ago, bob 2 / 20, cid 1 / 3, dan 2 / 400
    web = portal.app.test_client()
    before = _stored_settings(portal)
    res = web.post(_url(portal, "/settings/preview?lang=en"), json={"lifecycle": {"promising_from": 3,
                                                                                  "active_days": 10}},
                   headers=AUTH)
    assert res.status_code == 200, res.text
    cells = {c["code"]: c for row in res.json["rows"] for c in row["cells"]}
    assert cells["PROMISING_ACTIVE"]["current"] == 2 and cells["PROMISING_ACTIVE"]["proposed"] == 1  # ann
    assert cells["NEW_SLEEPING"]["proposed"] == 1 and cells["NEW_SLEEPING"]["change"] == 1  # bob: 2 < 3, 20 > 10
    assert cells["NEW_LOST"]["proposed"] == 1 and cells["PROMISING_LOST"]["proposed"] == 0  # dan
    assert res.json["buyers"] == 4 and res.json["moved"] == 2 and cells["NEW_ACTIVE"]["name"] == "New active"
    assert res.json["rows"][0]["name"] == "New" and res.json["columns"][2]["name"] == "Lost"
    bad = web.post(_url(portal, "/settings/preview"), json={"lifecycle": {"loyal_from": 2}}, headers=AUTH)
    assert bad.status_code == 422 and "lifecycle" in bad.json["details"]["fields"]
    assert _stored_settings(portal) == before
    assert web.get(_url(portal, "/settings"), headers=AUTH).json["lifecycle"]["promising_from"] == 2


def test_staff_get_a_403_on_the_workspace_routes_and_may_explain(portal):
    from webedge.admin_auth import issue_token

    ids = _people(portal)
    with portal.app.app_context():
        staff = {"Authorization": f"Bearer {issue_token(portal.member_id, 2, 'staff')}"}
    web = portal.app.test_client()
    for method, tail, body in (("get", "", None), ("get", "/rule-schema", None), ("get", "/products", None),
                               ("post", "/preview", {"kind": "custom", "params": BIG_SPENDERS}),
                               ("get", "/NEW_ACTIVE/members?sort=name", None), ("get", "/NEW_ACTIVE/export", None),
                               ("post", "/settings/preview", {}), ("post", "/definitions", DEFINITION)):
        res = getattr(web, method)(_url(portal, tail), json=body, headers=staff)
        assert res.status_code == 403 and res.json["error"] == "forbidden", (method, tail)
    with portal.session() as s:
        assert s.scalar(select(func.count()).select_from(SegmentDefinition)) == 0
    explained = web.get(_url(portal, f"/customers/{ids['ann']}/explain"), headers=staff)
    assert explained.status_code == 200 and "PROMISING_ACTIVE" in {m["code"] for m in explained.json["memberships"]}
