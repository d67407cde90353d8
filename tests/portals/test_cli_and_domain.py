"""`portals list|sync`, the form parser and batch commands, and following a portal's new domain."""
from __future__ import annotations

import json

from sqlalchemy import select

from webedge import services
from bitrix_app.phpform import flat, nest
from bitrix_app.portals import repository
from bitrix_app.rest.batching import command
from bitrix_app.portals.clients import build_tokens, client_for
from bitrix_app.scope import app_services
from bitrix_app.store.db import transaction
from bitrix_app.store.models import PortalRecord


def test_php_bracket_forms_nest_and_flatten_back():
    pairs = [("auth[member_id]", "m"), ("document_id[0]", "crm"), ("document_id[1]", "CCrmDocumentDeal"),
             ("properties[a][]", "1"), ("properties[a][]", "2"), ("event", "E")]
    data = nest(pairs)
    assert data == {"auth": {"member_id": "m"}, "document_id": ["crm", "CCrmDocumentDeal"],
                    "properties": {"a": ["1", "2"]}, "event": "E"}
    assert nest(flat(data)) == data


def test_batch_commands_use_php_queries():
    cmd = command("crm.deal.list", {"filter": {">ID": 5, "STAGE_ID": "C1:NEW"}, "select": ["ID", "TITLE"]})
    assert cmd == "crm.deal.list?filter[%3EID]=5&filter[STAGE_ID]=C1%3ANEW&select[0]=ID&select[1]=TITLE"


def test_portals_list_and_sync(installed):
    env, ans = installed
    runner = env.app.test_cli_runner()
    out = runner.invoke(args=["portals", "list"])
    rows = [json.loads(line) for line in out.output.splitlines()]
    assert rows[0]["member_id"] == ans["member_id"] and rows[0]["status"] == "active"
    assert {"domain", "installed_at", "token_expires_at"} <= set(rows[0])
    env.sandbox.portal.placements.clear()  # an admin removed our tab by hand
    out = runner.invoke(args=["portals", "sync", "--member-id", ans["member_id"], "--now"])
    assert out.exit_code == 0, out.output
    assert {p["placement"] for p in env.sandbox.portal.placements} == {"CRM_DEAL_DETAIL_TAB", "CRM_CONTACT_DETAIL_TAB"}


def test_a_new_domain_from_the_oauth_server_is_followed(installed):
    env, ans = installed
    with env.app.app_context():
        with transaction(services.session_factory()) as s:
            rec = s.scalar(select(PortalRecord).where(PortalRecord.member_id == ans["member_id"]))
            rec.domain, rec.client_endpoint = "old-name.example", f"{env.base}/rest/"
            version = rec.token_version
        build_tokens(app_services()).refresh(ans["member_id"], version)
        with transaction(services.session_factory()) as s:
            rec = repository.get(s, ans["member_id"])
            assert rec.domain == ans["domain"] and rec.token_version == version + 1
        assert client_for(ans["member_id"]).call("app.info")
