"""Campaigns through the admin JSON API and the CLI, the repeat-sales pipeline at setup, and the cron entry."""
from __future__ import annotations

import json

import pytest

from bitrix_app.campaigns.jobs import run_all_due
from bitrix_app.campaigns.presets import PRESETS
from bitrix_app.portals import REPEAT_PIPELINE_NAME, REPEAT_STAGES
from tests.campaigns.campaigns_env import CAMPAIGN, campaigns_env

TOKEN = "operator-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _portal(portal_env):
    return campaigns_env(portal_env, ADMIN_API_TOKEN=TOKEN)


@pytest.fixture
def ce(shared_portal):
    return shared_portal(_portal)


def _url(ce, tail: str = "") -> str:
    return f"/api/v1/portals/{ce.member_id}/campaigns{tail}"


def test_the_api_needs_the_admin_token(ce):
    web = ce.env.app.test_client()
    assert web.get(_url(ce)).status_code == 401
    assert web.get(_url(ce), headers={"Authorization": "Bearer nope"}).json["error"] == "unauthorized"
    other = web.post(f"/api/v1/portals/{ce.member_id}x/campaigns", json=CAMPAIGN,
                     headers={"Authorization": f"Bearer {ce.member_id}.9999999999.0000"})
    assert other.status_code == 401
    assert web.post(_url(ce), json=CAMPAIGN).status_code == 401
    assert ce.entries() == [] and web.get(_url(ce), headers=AUTH).json == {"campaigns": []}
    assert web.get("/api/v1/portals/nobody/campaigns", headers=AUTH).status_code == 404


def test_a_bad_definition_is_a_422_with_clear_errors(ce):
    web = ce.env.app.test_client()
    bad = {**CAMPAIGN, "trigger": "daily", "holdout_percent": 90, "colour": "red",
           "actions": [{"type": "message", "template": "we_miss_you", "days": 2}, {"type": "fax"}]}
    res = web.post(_url(ce), json=bad, headers=AUTH)
    assert res.status_code == 422 and res.json["error"] == "validation_error"
    fields = res.json["details"]["fields"]
    assert fields["trigger"] == ["Must be one of: enter, weekly, monthly."]
    assert fields["holdout_percent"] == ["Must be greater than or equal to 0 and less than or equal to 50."]
    assert fields["colour"] == ["Unknown field."]
    assert fields["actions"]["0"]["days"][0].startswith("Not used by a message action")
    assert fields["actions"]["1"]["type"][0].startswith("Must be one of: deal, todo")
    promo = web.post(_url(ce), json={**CAMPAIGN, "actions": [{"type": "message", "template": "we_miss_you"}]},
                     headers=AUTH)
    assert promo.json["details"]["fields"]["actions"]["0"]["template"] == [
        "we_miss_you shows a promo code: put a promo_code action before this message."]
    weekly = web.post(_url(ce), json={**CAMPAIGN, "trigger": "weekly"}, headers=AUTH)
    assert weekly.json["details"]["fields"] == {"weekday": ["Required when trigger is weekly: 0 Monday .. 6 Sunday."]}
    assert web.post(_url(ce), data="{", headers={**AUTH, "Content-Type": "application/json"}).status_code == 400
    assert web.get(_url(ce), headers=AUTH).json == {"campaigns": []}


def test_create_update_run_report_and_delete_through_the_api(ce):
    web = ce.env.app.test_client()
    made = web.post(_url(ce), json={**CAMPAIGN, "actions": [{"type": "deal"}]}, headers=AUTH)
    assert made.status_code == 201 and made.json["code"] == "WIN_BACK" and made.json["cooldown_days"] == 30
    assert web.post(_url(ce), json=CAMPAIGN, headers=AUTH).status_code == 409
    changed = web.patch(_url(ce, "/win_back"), json={"cooldown_days": 7, "name_ru": "Вернуть"}, headers=AUTH)
    assert changed.status_code == 200 and (changed.json["cooldown_days"], changed.json["name_ru"]) == (7, "Вернуть")
    assert web.patch(_url(ce, "/WIN_BACK"), json={"code": "OTHER"}, headers=AUTH).status_code == 422
    assert web.patch(_url(ce, "/WIN_BACK"), json={"hour": 25}, headers=AUTH).status_code == 422
    assert web.patch(_url(ce, "/NOPE"), json={"hour": 5}, headers=AUTH).status_code == 404
    ann = ce.customer("Ann")
    ce.transition(ann)
    queued = web.post(_url(ce, "/WIN_BACK/run"), headers=AUTH)
    assert queued.status_code == 202 and queued.json["status"] == "queued"
    ce.env.work()
    assert [e.status for e in ce.entries()] == ["done"] and len(ce.deals()) == 1
    one = web.get(_url(ce, "/WIN_BACK/report"), headers=AUTH).json
    assert (one["entered"], one["reached"], one["treated"]["entered"], one["holdout"]["entered"]) == (1, 1, 1, 0)
    assert [r["campaign"] for r in web.get(_url(ce, "/report"), headers=AUTH).json["campaigns"]] == ["WIN_BACK"]
    assert web.post(_url(ce, "/run"), headers=AUTH).status_code == 202
    ce.env.work()
    gone = web.delete(_url(ce, "/WIN_BACK"), headers=AUTH)
    assert gone.json == {"deleted": "WIN_BACK", "entries": 1} and ce.entries() == []
    assert web.get(_url(ce, "/WIN_BACK"), headers=AUTH).status_code == 404


def test_presets_install_once_and_the_cli_manages_campaigns(ce):
    cli = ce.env.app.test_cli_runner()
    cli.invoke(args=["segments", "define", "--member-id", ce.member_id, "--json", json.dumps(
        {"code": "BOUGHT_BIKE_NO_TYRES", "kind": "cross_sell", "name_en": "Bike, no tyres", "name_ru": "Без шин",
         "params": {"bought": {"categories": ["bikes"]}, "not_bought": {"categories": ["tyres"]}}})])
    shown = cli.invoke(args=["campaigns", "presets"])
    assert [json.loads(line)["code"] for line in shown.output.strip().splitlines()] == list(PRESETS)
    first = cli.invoke(args=["campaigns", "presets", "install", "--member-id", ce.member_id,
                             "--cross-sell-segment", "BOUGHT_BIKE_NO_TYRES"])
    installable = [code for code in PRESETS if code != "REPLENISH"]  # its products are chosen on the screen
    assert json.loads(first.output) == {"installed": installable, "kept": [], "skipped": {"REPLENISH": (
        "needs the segment REPLENISH_DUE: enable it on the campaigns screen and choose its products")}}
    again = ce.env.app.test_client().post(_url(ce, "/presets"), json={}, headers=AUTH)
    assert again.json["installed"] == [] and again.json["kept"] == installable
    listed = {row["code"]: row for row in map(json.loads, cli.invoke(
        args=["campaigns", "list", "--member-id", ce.member_id]).output.strip().splitlines())}
    assert listed["CROSS_SELL"]["segment"] == "BOUGHT_BIKE_NO_TYRES"
    assert listed["BIRTHDAY_GREETING"]["trigger"] == "monthly" and listed["REACTIVATE_LOYAL"]["segment"] == "LOYAL_LOST"
    assert listed["WIN_BACK_PROMISING"]["name_ru"] == "Возврат перспективных спящих"
    off = cli.invoke(args=["campaigns", "disable", "--member-id", ce.member_id, "--code", "WELCOME_NEW"])
    assert json.loads(off.output)["enabled"] is False
    bad = cli.invoke(args=["campaigns", "add", "--member-id", ce.member_id, "--json", json.dumps(
        {**CAMPAIGN, "segment": "no spaces please"})])
    assert bad.exit_code == 2 and "segment" in bad.output and "letters, digits or underscores" in bad.output
    added = cli.invoke(args=["campaigns", "add", "--member-id", ce.member_id, "--json", json.dumps(CAMPAIGN)])
    assert added.exit_code == 0 and json.loads(added.output)["segment"] == "PROMISING_SLEEPING"
    updated = cli.invoke(args=["campaigns", "update", "--member-id", ce.member_id, "--code", "WIN_BACK",
                               "--json", '{"holdout_percent": 10}'])
    assert json.loads(updated.output)["holdout_percent"] == 10
    cli.invoke(args=["campaigns", "disable", "--member-id", ce.member_id, "--code", "SECOND_PURCHASE"])
    ann = ce.customer("Ann", segments=("NEW_ACTIVE",))
    ce.transition(ann, "NEW_ACTIVE")  # the new-active campaigns are disabled: nobody enters
    ran = cli.invoke(args=["campaigns", "run", "--member-id", ce.member_id])
    assert ran.exit_code == 0 and json.loads(ran.output)["transitions"] == 1 and ce.entries() == []


def test_setup_registers_the_repeat_sales_pipeline_once(ce):
    category = ce.repeat_category()
    cats = [c for c in ce.env.rest("crm.category.list", {"entityTypeId": 2})["categories"]
            if c["name"] == REPEAT_PIPELINE_NAME]
    assert [int(c["id"]) for c in cats] == [category] and category != ce.shop.category_id
    stages = ce.env.rest("crm.status.list", {"filter": {"ENTITY_ID": f"DEAL_STAGE_{category}"}})
    assert {code for code, *_ in REPEAT_STAGES} <= {s["STATUS_ID"].split(":")[-1] for s in stages}
    ce.env.install(version=2)
    assert len([c for c in ce.env.rest("crm.category.list", {"entityTypeId": 2})["categories"]
                if c["name"] == REPEAT_PIPELINE_NAME]) == 1 and ce.repeat_category() == category


def test_cron_queues_a_run_for_every_active_portal(ce):
    ce.campaign(actions=[{"type": "deal"}])
    ce.transition(ce.customer("Ann"))
    with ce.env.app.app_context():
        assert run_all_due() == [ce.member_id]
    ce.env.work()
    assert [e.status for e in ce.entries()] == ["done"] and ce.open_transitions() == 0
