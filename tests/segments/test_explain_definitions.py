"""Explanations of memberships, stored definitions (validation, CRUD) and exports."""
from __future__ import annotations

import csv
import io
import json

import pytest
from marshmallow import ValidationError

from bitrix_app.scope import portal_scope
from bitrix_app.segments.kinds import definitions
from bitrix_app.segments import export
from bitrix_app.segments.explain import explain_in


def _explain(hist, cid, everything=False) -> dict:
    with hist.session() as s:
        return explain_in(s, hist.member_id, cid, hist.now, everything)


def _reasons(answer: dict) -> dict:
    return {m["code"]: m["reasons"] for m in answer["memberships"]}


def test_explain_lists_the_facts_and_thresholds_of_each_membership(hist):
    cid = hist.buyer(3, 95, total="80.00", birthday="1990-11-06", gender="female")
    for n in range(4):
        hist.buyer(1 + n, 10 * n, total="20.00")
    hist.rebuild()
    answer = _explain(hist, cid)
    reasons = _reasons(answer)
    assert answer["figures"]["orders"] == 3 and answer["figures"]["rfm"] == "{r}{f}{m}".format(**hist.row(cid))
    assert set(reasons) == hist.segments(cid)
    assert reasons["PROMISING_SLEEPING"][:2] == [
        "3 purchases: promising (new: 1, promising: 2 to 3, loyal: 4 or more).",
        "Last purchase 95 days ago: sleeping (active: up to 60 days, sleeping: up to 180 days, lost: longer)."]
    assert reasons["LAPSED_90"] == ["Last purchase 95 days ago (30 July 2026): at least 90 days without a purchase."]
    assert reasons["BIRTHDAY_NEXT_7"] == ["Birthday 6 November, in 4 days: within today and the next 7 days."]
    assert reasons["GENDER_FEMALE"] == ["Gender: female (the segment takes female)."]
    rfm_code = next(code for code in reasons if code.startswith("RFM_"))
    assert any(line.startswith("Recency ") and "the cut points are" in line for line in reasons[rfm_code])
    assert reasons["AGE_35_44"] == ["Age: 35 years (the segment takes 35–44)."]


def test_explain_everything_and_an_unknown_customer(hist):
    cid = hist.buyer(1, 5)
    hist.rebuild()
    answer = _explain(hist, cid, everything=True)
    outside = {m["code"]: m["reasons"] for m in answer["not_in"]}
    assert outside["LAPSED_90"] == [
        "Last purchase 5 days ago (28 October 2026): fewer than 90 days without a purchase."]
    assert outside["BIRTHDAY_MONTH"] == ["The birthday is not known."]
    with pytest.raises(LookupError):
        _explain(hist, 999_999)


def test_stored_definitions_are_validated_with_clear_errors(hist):
    bad = [
        ({"code": "x", "kind": "lapsed", "name_en": "X", "name_ru": "Х", "params": {"days": 5}}, "code"),
        ({"code": "NEW_ACTIVE", "kind": "lapsed", "name_en": "X", "name_ru": "Х", "params": {"days": 5}}, "code"),
        ({"code": "SOON", "kind": "telepathy", "name_en": "X", "name_ru": "Х"}, "kind"),
        ({"code": "SOON", "kind": "lapsed", "name_en": "X", "name_ru": "Х", "params": {"days": 0}}, "params"),
        ({"code": "SOON", "kind": "birthday", "name_en": "X", "name_ru": "Х", "params": {"window": "days"}}, "params"),
        ({"code": "SOON", "kind": "rfm", "name_en": "X", "name_ru": "Х", "params": {"groups": ["vip"]}}, "params"),
        ({"code": "SOON", "kind": "lapsed", "params": {"days": 5}}, "name_en"),
    ]
    with hist.session() as s:
        for data, field in bad:
            with pytest.raises(ValidationError) as caught:
                definitions.create(s, hist.member_id, data, hist.now)
            assert field in caught.value.messages, (data, caught.value.messages)


def test_a_custom_rule_cannot_test_a_custom_segment(hist):
    vip = {"code": "VIP", "kind": "custom", "name_en": "VIP", "name_ru": "VIP",
           "params": {"field": "revenue", "op": ">", "value": 1000}}
    fans = {"code": "FANS", "kind": "custom", "name_en": "Fans", "name_ru": "Фанаты",
            "params": {"all": [{"field": "segment", "op": "in", "value": ["VIP"]}]}}
    with hist.session() as s:
        definitions.create(s, hist.member_id, vip, hist.now)
        with pytest.raises(ValidationError) as caught:
            definitions.create(s, hist.member_id, fans, hist.now)
        assert "custom segments (VIP)" in str(caught.value.messages["params"])
        fans["params"] = {"field": "segment", "op": "in", "value": ["LOYAL_LOST"]}  # a built-in one is fine
        assert definitions.create(s, hist.member_id, fans, hist.now)["code"] == "FANS"


def test_define_update_disable_and_delete(hist):
    cid = hist.buyer(1, 50)
    data = {"code": "QUIET_45", "kind": "lapsed", "name_en": "Quiet", "name_ru": "Тихие", "params": {"days": 45}}
    with hist.session() as s:
        created = definitions.create(s, hist.member_id, data, hist.now)
        assert created["params"] == {"days": 45} and not created["builtin"]
        with pytest.raises(ValidationError):
            definitions.create(s, hist.member_id, data, hist.now)  # the code is taken
    hist.rebuild()
    assert "QUIET_45" in hist.segments(cid)
    with hist.session() as s:
        assert definitions.update(s, hist.member_id, "QUIET_45", {"params": {"days": 55}}, hist.now)["params"] == {
            "days": 55}
        assert definitions.update(s, hist.member_id, "NOPE", {}, hist.now) is None
    hist.rebuild()
    assert "QUIET_45" not in hist.segments(cid)
    with hist.session() as s:
        definitions.update(s, hist.member_id, "QUIET_45", {"params": {"days": 30}, "enabled": False}, hist.now)
        assert "QUIET_45" not in {d.code for d in definitions.for_portal(s, hist.member_id)}
        assert definitions.delete(s, hist.member_id, "QUIET_45") and not definitions.delete(s, hist.member_id,
                                                                                           "QUIET_45")


def test_export_rows_in_csv_and_json_lines(hist):
    first, second = hist.buyer(1, 10, total="10.50"), hist.buyer(1, 20, total="99.99")
    hist.buyer(4, 10)
    hist.rebuild()
    with hist.app.app_context():
        rows = list(export.export_rows(portal_scope(hist.member_id), "NEW_ACTIVE"))
    assert [r["customer_id"] for r in rows] == [first, second]
    assert rows[1]["revenue"] == 99.99 and rows[1]["lifecycle"] == "NEW_ACTIVE" and "NEW_ACTIVE" in rows[1]["segments"]
    out = io.StringIO()
    assert export.write_csv(rows, out) == 2
    parsed = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert parsed[0]["customer_id"] == str(first) and parsed[0]["revenue"] == "10.5"
    out = io.StringIO()
    export.write_jsonl(rows, out)
    assert [json.loads(line)["customer_id"] for line in out.getvalue().splitlines()] == [first, second]
    with hist.session() as s:
        page, cursor = export.page(s, hist.member_id, "NEW_ACTIVE", 0, 1)
        assert [r["customer_id"] for r in page] == [first] and cursor == first
        page, cursor = export.page(s, hist.member_id, "NEW_ACTIVE", cursor, 1)
        assert [r["customer_id"] for r in page] == [second] and cursor is None


def test_exports_and_explanations_count_days_to_the_last_rebuild(hist):
    from datetime import timedelta

    cid = hist.buyer(2, 10)
    hist.rebuild()
    hist.now += timedelta(days=5)
    hist.rebuild()  # nothing but the day count changed: the row is not rewritten
    assert hist.row(cid)["days_since"] == 10
    with hist.app.app_context():
        [row] = list(export.export_rows(portal_scope(hist.member_id), "PROMISING_ACTIVE"))
    assert row["days_since"] == 15 and row["as_of"] == hist.now.isoformat()
    answer = _explain(hist, cid)
    assert answer["figures"]["days_since"] == 15 and answer["as_of"] == hist.now.isoformat()
    assert _reasons(answer)["PROMISING_ACTIVE"][1].startswith("Last purchase 15 days ago")
