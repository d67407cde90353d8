"""The presets (a strategy for each of the 9 lifecycle cells, and the others) through the admin API: each resolves
its segment and its templates, enabling and running one does what its actions say, the offer and text adjust,
a preset that brings its segment asks for its products; the editor's options, the report with its interval and
weeks; staff are refused; the CLI refuses a campaign for a segment the portal does not have."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from bitrix_app.campaigns import definitions, presets
from bitrix_app.campaigns.preset_catalog import CELL_PRESETS, PRESETS
from bitrix_app.messaging.template_defaults import DEFAULTS, PLACEHOLDERS
from bitrix_app.portals import LIFECYCLE_CELLS
from bitrix_app.segments import definitions_listing
from bitrix_app.store.campaign_models import Campaign
from bitrix_app.store.db import transaction
from bitrix_app.store.segment_models import SegmentDefinition
from tests.campaigns.campaigns_env import CAMPAIGN, campaigns_env

TOKEN = "operator-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CELLS = [code for code, _, _ in LIFECYCLE_CELLS]


def _portal(portal_env):
    return campaigns_env(portal_env, ADMIN_API_TOKEN=TOKEN)


@pytest.fixture
def ce(shared_portal):
    return shared_portal(_portal)


def _url(ce, tail: str = "") -> str:
    return f"/api/v1/portals/{ce.member_id}/campaigns{tail}"


def _segments(ce) -> set[str]:
    with transaction(ce.factory()) as s:
        return {v["code"] for v in definitions_listing(s, ce.member_id)}


def test_every_cell_has_its_own_preset_and_no_preset_points_at_a_missing_segment(ce):
    assert sorted(CELL_PRESETS) == sorted(CELLS) and len(set(CELL_PRESETS.values())) == 9
    builtin = _segments(ce)
    for code, spec in PRESETS.items():
        data = presets.definition(code)  # a valid campaign definition
        assert data["segment"] in builtin or "brings" in spec, code
        for action in data["actions"]:
            if action["type"] == "message":
                template = DEFAULTS[action["template"]]
                assert template["marketing"] and action["template"] in definitions.TEMPLATES
                for lang in ("ru", "en"):
                    names = {n for part in template[lang] for n in part.replace("}", "{").split("{")[1::2]}
                    assert names <= set(PLACEHOLDERS), (code, lang, names)
    assert {PRESETS[c]["cell"] for c in CELL_PRESETS.values()} == set(CELLS)


def test_the_presets_list_shows_each_cells_strategy_in_the_page_language(ce):
    web = ce.env.app.test_client()
    ru = web.get(_url(ce, "/presets?lang=ru"), headers=AUTH).json
    cells = {p["cell"]: p for p in ru["presets"] if p["cell"]}
    assert list(cells) == CELLS
    new_active = cells["NEW_ACTIVE"]
    assert (new_active["code"], new_active["installed"], new_active["enabled"]) == ("SECOND_PURCHASE", False, False)
    assert new_active["segment_name"]["ru"] == "Новые активные" and new_active["segment_exists"] is True
    assert new_active["discount_percent"] == 10.0 and new_active["actions"] == ["promo_code", "message"]
    # the text in the language the portal's messages go out in, whatever the page's
    assert new_active["text_language"] == "en" and new_active["subject"] == "A gift for your second order at {shop}"
    en = web.get(_url(ce, "/presets?lang=en"), headers=AUTH).json
    assert en["presets"][0]["subject"] == new_active["subject"] and en["presets"][0]["aim"]["en"] == \
        "Second purchase offer"
    replenish = next(p for p in en["presets"] if p["code"] == "REPLENISH")
    assert replenish["segment_exists"] is False and replenish["choose"] == ["categories"]
    assert web.get(_url(ce, "/presets?lang=de"), headers=AUTH).status_code == 422


def test_enabling_the_nine_cell_strategies_and_running_them_does_what_each_says(ce):
    web = ce.env.app.test_client()
    people = {cell: ce.customer(f"P{n}", segments=(cell,)) for n, cell in enumerate(CELLS)}
    for cell in CELLS:
        code = CELL_PRESETS[cell]
        res = web.patch(_url(ce, f"/presets/{code}?lang=en"), json={"enabled": True}, headers=AUTH)
        assert res.status_code == 200 and res.json["enabled"] and res.json["segment_created"] is False
        assert web.patch(_url(ce, f"/{code}"), json={"holdout_percent": 0}, headers=AUTH).status_code == 200
        assert web.post(_url(ce, f"/{code}/run"), headers=AUTH).status_code == 202
    ce.env.work()
    with transaction(ce.factory()) as s:
        campaign_of = {c.id: c.code for c in s.scalars(select(Campaign))}
    entered = {campaign_of[e.campaign_id]: e for e in ce.entries()}
    assert sorted(entered) == sorted(CELL_PRESETS.values())
    for cell, code in CELL_PRESETS.items():
        entry = entered[code]
        assert entry.customer_id == people[cell] and entry.status == "done", (code, entry.results)
        kinds = [r["type"] for r in entry.results.values()]
        assert kinds == [a["type"] for a in PRESETS[code]["actions"]]
    deals = ce.deals()
    assert len(deals) == sum("deal" in [a["type"] for a in p["actions"]] for p in map(PRESETS.get,
                                                                                    CELL_PRESETS.values()))
    assert {int(d["CONTACT_ID"]) for d in deals} == {ce.contact_of(people[c]) for c in
                                                     ("PROMISING_SLEEPING", "LOYAL_SLEEPING", "LOYAL_LOST")}
    todos = [e for e in entered.values() if any(r["type"] == "todo" and r["status"] == "done"
                                                for r in e.results.values())]
    assert len(todos) == 2
    sent = [m for m in ce.messages() if m.status == "sent" and m.channel in ("email", "sms")]
    assert len(sent) == 9 and {m.template for m in sent} == {
        PRESETS[c]["actions"][[a["type"] for a in PRESETS[c]["actions"]].index("message")]["template"]
        for c in CELL_PRESETS.values()}
    report = web.get(_url(ce, "/SECOND_PURCHASE/report"), headers=AUTH).json
    assert (report["entered"], report["reached"]) == (1, 1)


def test_offer_and_text_adjust_and_bad_changes_are_422_per_field(ce):
    web = ce.env.app.test_client()
    url = _url(ce, "/presets/SECOND_PURCHASE?lang=ru")
    bad = web.patch(url, json={"discount_percent": 0, "text": "Привет, {first_nam}", "colour": "red"}, headers=AUTH)
    assert bad.status_code == 422
    assert set(bad.json["details"]["fields"]) == {"discount_percent", "colour"}
    unknown = web.patch(url, json={"text": "Hello, {first_nam}!"}, headers=AUTH)
    assert unknown.status_code == 422 and "first_nam" in unknown.json["details"]["fields"]["text"][0]
    assert web.get(_url(ce), headers=AUTH).json == {"campaigns": []}  # nothing installed by the refused changes
    done = web.patch(url, json={"enabled": True, "discount_percent": 12.5,
                                "text": "{first_name}, {discount} off with {promo_code}"}, headers=AUTH).json
    assert (done["installed"], done["enabled"], done["discount_percent"], done["custom_text"]) == (
        True, True, 12.5, True)
    assert done["text"] == "{first_name}, {discount} off with {promo_code}"
    off = web.patch(url, json={"enabled": False}, headers=AUTH).json
    assert (off["installed"], off["enabled"]) == (True, False)
    welcome = web.patch(_url(ce, "/presets/WELCOME_NEW"), json={"discount_percent": 5}, headers=AUTH)
    assert welcome.status_code == 200  # not installed and not enabled: nothing to change yet
    welcome = web.patch(_url(ce, "/presets/WELCOME_NEW"), json={"enabled": True, "discount_percent": 5},
                        headers=AUTH)
    assert welcome.status_code == 422 and welcome.json["details"]["fields"] == {
        "discount_percent": ["This campaign gives no promo code."]}
    assert web.patch(_url(ce, "/presets/NOPE"), json={"enabled": True}, headers=AUTH).status_code == 404


def test_a_preset_that_brings_its_segment_asks_for_its_products(ce):
    web = ce.env.app.test_client()
    url = _url(ce, "/presets/REPLENISH?lang=en")
    asked = web.patch(url, json={"enabled": True}, headers=AUTH)
    assert asked.status_code == 422 and list(asked.json["details"]["fields"]) == ["segment_params"]
    wrong = web.patch(url, json={"enabled": True, "segment_params": {"categories": "coffee"}}, headers=AUTH)
    assert wrong.status_code == 422 and "categories" in wrong.json["details"]["fields"]["segment_params"]
    assert "REPLENISH_DUE" not in _segments(ce)
    made = web.patch(url, json={"enabled": True, "segment_params": {"categories": ["coffee"]}}, headers=AUTH)
    assert made.status_code == 200 and made.json["segment_created"] is True and made.json["segment_exists"]
    with transaction(ce.factory()) as s:
        row = s.scalar(select(SegmentDefinition).where(SegmentDefinition.code == "REPLENISH_DUE"))
        assert (row.kind, row.params["categories"], row.params["default_interval_days"]) == (
            "replenishment", ["coffee"], 30)
    lapsed = web.patch(_url(ce, "/presets/LAPSED_180"), json={"enabled": True}, headers=AUTH).json
    assert lapsed["segment"] == "LAPSED_180" and lapsed["segment_created"] is False  # a built-in of the settings


def test_the_editor_options_and_the_report_with_its_interval_and_weeks(ce):
    web = ce.env.app.test_client()
    options = web.get(_url(ce, "/options?lang=ru"), headers=AUTH).json
    assert {"code": "LOYAL_LOST", "name": "Лояльные потерянные", "kind": "lifecycle"} in options["segments"]
    assert options["triggers"] == ["enter", "weekly", "monthly"]
    assert {"code": "we_miss_you", "subject": "Мы скучаем по вам в {shop}", "needs_promo_code": True} in \
        options["templates"]
    assert options["actions"]["todo"] == ["title", "description", "days", "responsible_id"]
    ce.campaign(holdout_percent=50, actions=[{"type": "deal"}])
    people = [ce.customer(f"C{n}") for n in range(12)]
    assert ce.run("WIN_BACK")["entered"] + ce.run("WIN_BACK").get("holdout", 0) >= 0
    for n, customer in enumerate(people[:6]):
        ce.order(customer, ce.clock.now() + timedelta(days=1 + n % 3), "25.00")
    ce.clock.advance(days=2)
    report = web.get(_url(ce, "/WIN_BACK/report"), headers=AUTH).json
    assert report["entered"] == 12 and report["currency"] == "EUR"
    assert report["revenue_by_currency"] == [{"currency": "EUR", "amount": report["revenue"]}]
    low, high = report["uplift"]["ci95"]
    assert low <= report["uplift"]["absolute"] <= high
    weeks = report["weeks"]
    assert len(weeks) == 12 and weeks[-1]["entered"] + weeks[-1]["holdout"] == 12
    assert weeks[-1]["converted"] == report["treated"]["converted"]
    assert weeks[-1]["holdout_converted"] == report["holdout"]["converted"]
    assert weeks[-1]["revenue"] == report["treated"]["revenue"]
    assert all(w["entered"] == 0 for w in weeks[:-1])


def test_staff_are_refused_every_campaign_route(ce):
    from webedge.admin_auth import issue_token

    with ce.env.app.app_context():
        staff = {"Authorization": f"Bearer {issue_token(ce.member_id, 2, 'staff')}"}
    web = ce.env.app.test_client()
    for method, tail in (("get", "/presets"), ("patch", "/presets/SECOND_PURCHASE"), ("get", "/options"),
                         ("get", ""), ("post", ""), ("get", "/report")):
        res = getattr(web, method)(_url(ce, tail), json={"enabled": True}, headers=staff)
        assert res.status_code == 403 and res.json["error"] == "forbidden", tail
    assert web.get(_url(ce), headers=AUTH).json == {"campaigns": []}


def test_the_cli_refuses_a_campaign_for_a_missing_segment(ce):
    cli = ce.env.app.test_cli_runner()
    res = cli.invoke(args=["campaigns", "add", "--member-id", ce.member_id, "--json", json.dumps(
        {**CAMPAIGN, "segment": "NO_SUCH_SEGMENT"})])
    assert res.exit_code == 2 and "NO_SUCH_SEGMENT" in res.output
    assert cli.invoke(args=["campaigns", "list", "--member-id", ce.member_id]).output == ""
