"""The operator CLI: unknown portals, misspelled settings and unknown segments are refused in one line (exit 2)."""
from __future__ import annotations

import json

import click
import pytest
from sqlalchemy import select

from bitrix_app.store.campaign_models import Campaign
from bitrix_app.store.db import transaction
from bitrix_app.store.message_models import MessagingSettings
from bitrix_app.store.models import PortalRecord
from bitrix_app.store.shop_models import PortalSettings
from handlers.cli_common import flatten
from tests.fixtures.segment_portal import AUTH, portal  # noqa: F401
from tests.segments.history import NOW, History

NOSUCH = "Error: no installed portal with member_id nosuch\n"
CROSS_SELL = {"code": "CROSS_SELL", "kind": "cross_sell", "name_en": "Bike, no tyres", "name_ru": "Велосипед без шин",
              "params": {"bought": {"categories": ["bikes"]}, "not_bought": {"categories": ["tyres"]}}}
CAMPAIGN = {"code": "WIN_BACK", "name_en": "Win back", "name_ru": "Возврат", "segment": "PROMISING_SLEEPING",
            "trigger": "enter", "actions": [{"type": "deal"}]}


def cli(hist: History, *args: str):
    return hist.app.test_cli_runner().invoke(args=list(args))


def _sample(param: click.Parameter, tmp_path) -> str:
    kind = param.type
    if isinstance(kind, click.Choice):
        return str(kind.choices[0])
    if isinstance(kind, click.DateTime):
        return "2025-01-01"
    if isinstance(kind, click.File):
        target = tmp_path / "input.jsonl"
        target.write_text("")
        return str(target)
    if kind.name in ("integer", "integer range", "float", "float range"):
        return "1"
    return "X"


def _commands_with_member_id(app):
    for group_name, group in sorted(app.cli.commands.items()):
        for name, command in sorted(getattr(group, "commands", {}).items()):
            if any(p.name == "member_id" for p in command.params):
                yield group_name, name, command


def _args(group_name: str, name: str, command: click.Command, tmp_path) -> list[str]:
    args = [group_name, name, "--member-id", "nosuch"]
    for param in command.params:
        if param.name == "member_id" or not param.required:
            continue
        if isinstance(param, click.Argument):
            args.append(_sample(param, tmp_path))
        else:
            args += [param.opts[0], _sample(param, tmp_path)]
    return args


def test_every_command_with_a_member_id_refuses_an_unknown_portal_in_one_line(portal, tmp_path):
    found = list(_commands_with_member_id(portal.app))
    groups = {group for group, _, _ in found}
    assert {"portals", "shops", "inbox", "messages", "robots", "segments", "history", "campaigns"} <= groups
    assert len(found) >= 30
    for group_name, name, command in found:
        res = cli(portal, *_args(group_name, name, command, tmp_path))
        assert (res.exit_code, res.output, res.stdout) == (2, NOSUCH, ""), (group_name, name, res.output)
    assert portal.app.extensions["bitrix_app"]["redis"].keys("rq:job:*") == []  # `portals sync` queued nothing


def test_an_uninstalled_portal_is_refused_where_it_would_act_and_listed_where_it_is_read(portal):
    with portal.session() as s:
        s.execute(PortalRecord.__table__.update().values(status="deleted"))
    res = cli(portal, "portals", "sync", "--member-id", portal.member_id, "--now")
    assert res.exit_code == 2
    assert res.output == f"Error: no installed portal with member_id {portal.member_id} (it was uninstalled)\n"
    assert cli(portal, "campaigns", "report", "--member-id", portal.member_id).exit_code == 0
    assert cli(portal, "messages", "list", "--member-id", portal.member_id).exit_code == 0


def test_nested_messages_flatten_to_paths():
    messages = {"lifecycle": {"activ_days": ["unknown setting"]}, "_schema": ["Whole thing."],
                "actions": {0: {"days": ["Too many.", "Not used."]}}}
    assert flatten(messages) == ["lifecycle.activ_days: unknown setting", "Whole thing.", "actions.0.days: Too many.",
                                 "actions.0.days: Not used."]


def _stored_settings(hist: History) -> dict:
    with hist.session() as s:
        raw = s.scalar(select(PortalSettings.data).where(PortalSettings.member_id == hist.member_id))
    return raw or {}


@pytest.mark.parametrize("command,changes,line", [
    ("segments", {"lifecycle": {"activ_days": 45}},
     "Error: lifecycle.activ_days: unknown setting; known: active_days, sleeping_days, promising_from, loyal_from"),
    ("shops", {"cart_delay_minutes": 90, "no_such_key": 1},
     "Error: no_such_key: unknown setting; known: stage_map, cart_delay_minutes, reminder_minutes, quiet_hours, "
     "timezone, carts_enabled, responsible_id"),
    ("shops", {"quiet_hours": {"start": "21:00", "end": "09:00", "tz": "UTC"}},
     "Error: quiet_hours.tz: unknown setting; known: start, end"),
    ("messages", {"smtp": {"host": "smtp.example.com", "from_address": "shop@example.com", "pasword": "x"}},
     "Error: smtp.pasword: unknown setting; known: host, port, security, username, password, from_address, "
     "from_name, timeout"),
    ("messages", {"duplicate_hour": 5},
     "Error: duplicate_hour: unknown setting; known: smtp, sms, caps_hours, duplicate_hours, customer_timezone, "
     "consent_for, language"),
])
def test_misspelled_settings_are_refused_naming_the_known_ones(portal, command, changes, line):
    before = cli(portal, command, "settings", "--member-id", portal.member_id).stdout
    stored = _stored_settings(portal)
    res = cli(portal, command, "settings", "--member-id", portal.member_id, "--set", json.dumps(changes))
    assert (res.exit_code, res.output) == (2, line + "\n")
    assert cli(portal, command, "settings", "--member-id", portal.member_id).stdout == before
    assert _stored_settings(portal) == stored
    with portal.session() as s:
        assert s.get(MessagingSettings, portal.member_id) is None


def test_the_admin_api_refuses_unknown_segment_settings_with_field_errors(portal):
    web = portal.app.test_client()
    url = f"/api/v1/portals/{portal.member_id}/segments/settings"
    res = web.put(url, json={"lifecycle": {"activ_days": 45}, "birthday_days": 10}, headers=AUTH)
    assert res.status_code == 422 and res.json["error"] == "validation_error"
    assert res.json["details"]["fields"] == {"lifecycle": {"activ_days": [
        "unknown setting; known: active_days, sleeping_days, promising_from, loyal_from"]}}
    assert web.get(url, headers=AUTH).json["birthday_days"] == 7


def test_settings_stored_by_an_older_version_still_load_and_update(portal):
    old = {"retired_flag": True, "cart_delay_minutes": 45, "quiet_hours": {"start": "22:00", "end": "08:00", "x": 1},
           "segments": {"birthday_days": 10, "retired": 3, "lifecycle": {"active_days": 30, "gone_days": 5}}}
    with portal.session() as s:
        s.add(PortalSettings(member_id=portal.member_id, data=old, updated_at=NOW))
        s.add(MessagingSettings(member_id=portal.member_id, data={"duplicate_hours": 12, "fax": {"n": 1},
                                                                  "smtp": None}, updated_at=NOW))
    shown = json.loads(cli(portal, "segments", "settings", "--member-id", portal.member_id).stdout)
    assert shown["birthday_days"] == 10 and shown["lifecycle"]["active_days"] == 30 and "retired" not in shown
    res = cli(portal, "segments", "settings", "--member-id", portal.member_id, "--set", '{"lifecycle": {"loyal_from": 5}}')
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["lifecycle"] == {"promising_from": 2, "loyal_from": 5, "active_days": 30,
                                                   "sleeping_days": 180}
    res = cli(portal, "shops", "settings", "--member-id", portal.member_id, "--set", '{"cart_delay_minutes": 50}')
    assert res.exit_code == 0 and json.loads(res.stdout)["cart_delay_minutes"] == 50
    shown = json.loads(cli(portal, "shops", "settings", "--member-id", portal.member_id).stdout)
    assert cli(portal, "shops", "settings", "--member-id", portal.member_id, "--set", json.dumps(shown)).exit_code == 0
    res = cli(portal, "messages", "settings", "--member-id", portal.member_id, "--set", '{"duplicate_hours": 24}')
    assert res.exit_code == 0 and json.loads(res.stdout)["duplicate_hours"] == 24


def _campaign_codes(hist: History) -> list[str]:
    with transaction(hist.app.extensions["bitrix_app"]["sessions"]) as s:
        return list(s.scalars(select(Campaign.code).where(Campaign.member_id == hist.member_id).order_by(Campaign.code)))


def test_a_campaign_for_a_segment_the_portal_lacks_is_refused(portal):
    res = cli(portal, "campaigns", "add", "--member-id", portal.member_id, "--json",
              json.dumps({**CAMPAIGN, "segment": "NO_SUCH_SEGMENT"}))
    assert res.exit_code == 2 and res.output.count("\n") == 1
    assert res.output.startswith("Error: segment: The portal has no segment NO_SUCH_SEGMENT: define it first")
    assert "LOYAL_LOST" in res.output and _campaign_codes(portal) == []
    web = portal.app.test_client()
    url = f"/api/v1/portals/{portal.member_id}/campaigns"
    bad = web.post(url, json={**CAMPAIGN, "segment": "NO_SUCH_SEGMENT"}, headers=AUTH)
    assert bad.status_code == 422 and list(bad.json["details"]["fields"]) == ["segment"]
    assert web.post(url, json=CAMPAIGN, headers=AUTH).status_code == 201
    moved = web.patch(f"{url}/WIN_BACK", json={"segment": "NOPE"}, headers=AUTH)
    assert moved.status_code == 422 and "NOPE" in moved.json["details"]["fields"]["segment"][0]
    assert web.patch(f"{url}/WIN_BACK", json={"segment": "LOYAL_LOST"}, headers=AUTH).json["segment"] == "LOYAL_LOST"


def test_the_cross_sell_preset_needs_its_segment_defined_first(portal):
    asked = cli(portal, "campaigns", "presets", "install", "--member-id", portal.member_id, "--code", "CROSS_SELL",
                "--code", "WELCOME_NEW")
    assert asked.exit_code == 2 and asked.output.startswith(
        "Error: CROSS_SELL: needs the cross-sell segment CROSS_SELL: define a cross_sell segment with code CROSS_SELL")
    assert asked.output.count("\n") == 1 and _campaign_codes(portal) == []  # nothing installed
    web = portal.app.test_client()
    url = f"/api/v1/portals/{portal.member_id}/campaigns/presets"
    refused = web.post(url, json={"codes": ["CROSS_SELL"]}, headers=AUTH)
    assert refused.status_code == 422 and list(refused.json["details"]["fields"]) == ["CROSS_SELL"]
    every = json.loads(cli(portal, "campaigns", "presets", "install", "--member-id", portal.member_id).stdout)
    assert {"WELCOME_NEW", "WIN_BACK_PROMISING", "REACTIVATE_LOYAL", "BIRTHDAY_GREETING"} <= set(every["installed"])
    assert list(every["skipped"]) == ["CROSS_SELL", "REPLENISH"]
    assert cli(portal, "segments", "define", "--member-id", portal.member_id, "--json",
               json.dumps(CROSS_SELL)).exit_code == 0
    done = web.post(url, json={}, headers=AUTH).json
    assert done["installed"] == ["CROSS_SELL"] and list(done["skipped"]) == ["REPLENISH"]
    assert done["kept"] == every["installed"]


def test_bad_json_and_unknown_codes_are_one_line_too(portal):
    res = cli(portal, "segments", "settings", "--member-id", portal.member_id, "--set", "{lifecycle")
    assert res.exit_code == 2 and res.output.startswith("Error: --set is not valid JSON") and res.output.count("\n") == 1
    res = cli(portal, "campaigns", "update", "--member-id", portal.member_id, "--code", "NOPE", "--json", "{}")
    assert (res.exit_code, res.output) == (2, "Error: no campaign 'NOPE' in this portal\n")
    res = cli(portal, "segments", "delete", "--member-id", portal.member_id, "--code", "nope")
    assert (res.exit_code, res.output) == (2, "Error: the portal has no stored segment NOPE\n")
