"""Install, setup and uninstall against the sandbox portal over HTTP."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bitrix_app.portals import desired
from bitrix_app.store.db import transaction
from bitrix_app.store.models import PortalRecord


def _record(env, member_id):
    with transaction(env.app.extensions["bitrix_app"]["sessions"]) as s:
        return s.scalar(select(PortalRecord).where(PortalRecord.member_id == member_id))


@pytest.mark.parametrize("mode", ["callback", "ui"])
def test_install_registers_everything_once_and_activates(portal_env, mode):
    env = portal_env()
    ans = env.install(mode=mode)
    assert ans["installed"] is True
    rec = _record(env, ans["member_id"])
    assert rec.status == "active" and rec.setup_version == 1
    assert rec.access_token_enc and "access" not in rec.access_token_enc  # stored encrypted
    portal = env.sandbox.portal
    ours = [b for b in portal.event_bindings if b["client_id"] == "local.test.app"]
    assert sorted(b["event"] for b in ours) == sorted(desired.EVENTS)
    assert all(b["handler"] == f"{env.live.url}/events" for b in ours)
    assert sorted(p["placement"] for p in portal.placements) == ["CRM_CONTACT_DETAIL_TAB", "CRM_DEAL_DETAIL_TAB"]
    cats = env.rest("crm.category.list", {"entityTypeId": 2})["categories"]
    shop = [c for c in cats if c["name"] == desired.PIPELINE_NAME]
    assert len(shop) == 1 and shop[0]["id"] == rec.shop_category_id
    stages = env.rest("crm.status.list", {"filter": {"ENTITY_ID": f"DEAL_STAGE_{rec.shop_category_id}"}})
    codes = {s["STATUS_ID"].split(":")[-1] for s in stages}
    assert {code for code, *_ in desired.STAGES} <= codes
    fields = {f["FIELD_NAME"] for f in env.rest("crm.contact.userfield.list")}
    assert {f"UF_CRM_{f['FIELD_NAME']}" for f in desired.CONTACT_FIELDS} <= fields


def test_reinstall_and_version_update_change_nothing(portal_env):
    env = portal_env()
    first = env.install()
    snapshot = _portal_state(env)
    writes_before = _writes(env)
    env.install()  # same version again
    assert _portal_state(env) == snapshot
    assert _writes(env) == writes_before  # converged: the second setup only read
    env.install(version=2)  # an app update drops event bindings; setup binds them again
    assert _portal_state(env) == snapshot
    assert _record(env, first["member_id"]).setup_version == 2


def _portal_state(env):
    p = env.sandbox.portal
    return (
        sorted((b["event"], b["handler"]) for b in p.event_bindings),
        sorted((x["placement"], x["handler"]) for x in p.placements),
        json.dumps(env.rest("crm.category.list", {"entityTypeId": 2}), sort_keys=True),
        len(env.rest("crm.contact.userfield.list")),
        len(env.rest("crm.deal.userfield.list")),
    )


WRITE_METHODS = ("event.bind", "placement.bind", "crm.contact.userfield.add", "crm.category.add", "crm.status.add")


def _writes(env):
    return [c for c in env.calls() if c.get("method") in WRITE_METHODS]


def test_setup_uses_few_http_requests(portal_env):
    env = portal_env()
    env.install()
    rest_calls = [c for c in env.calls() if c.get("auth") == "oauth"]
    assert len(rest_calls) <= 5  # reads batch, writes batch, stage list, stage batch


def test_uninstall_with_clean_marks_deleted_and_forgets_tokens(installed):
    env, ans = installed
    env.control("uninstall", {"client_id": "local.test.app", "clean": 1})
    env.control("outbox/drain")
    rec = _record(env, ans["member_id"])
    assert rec.status == "deleted" and rec.access_token_enc is None and rec.refresh_token_enc is None


def test_install_after_uninstall_starts_again(installed):
    env, ans = installed
    env.control("uninstall", {"client_id": "local.test.app", "clean": 0})
    env.control("outbox/drain")
    again = env.install()
    assert again["application_token"] != ans["application_token"]
    assert _record(env, ans["member_id"]).status == "active"
