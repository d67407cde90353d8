"""Setup converges robots to the registry (add, update changed, delete retired); list_all; keep-alive."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from webedge import services
from bitrix_app.portals import setup
from bitrix_app.portals.keepalive import keep_alive
from bitrix_app.portals.clients import client_for
from bitrix_app.store.db import transaction
from bitrix_app.store.models import PortalRecord

ROBOT = {
    "CODE": "customer_profile", "NAME": {"en": "Customer profile", "ru": "Профиль покупателя"},
    "DOCUMENT_TYPE": ["crm", "CCrmDocumentDeal", "DEAL"], "USE_SUBSCRIPTION": "Y", "AUTH_USER_ID": 1,
    "RETURN_PROPERTIES": {"segment": {"Name": {"en": "Segment", "ru": "Сегмент"}, "Type": "string"}},
}


def _robots(env) -> dict:
    return {code: reg for (client, code), reg in env.sandbox.portal.robots.items()}


def test_robots_are_added_updated_and_retired(portal_env, monkeypatch):
    env = portal_env()
    monkeypatch.setattr(setup, "ROBOTS", (ROBOT,))
    ans = env.install()
    assert set(_robots(env)) == {"customer_profile"}
    assert _robots(env)["customer_profile"]["HANDLER"] == f"{env.live.url}/robots/customer_profile"

    renamed = {**ROBOT, "NAME": {"en": "Customer card", "ru": "Карточка покупателя"}}
    monkeypatch.setattr(setup, "ROBOTS", (renamed,))
    with env.app.app_context():
        setup.setup_portal(ans["member_id"])
    assert "card" in str(_robots(env)["customer_profile"]["NAME"]).lower()
    updates = [c for c in env.calls() if c.get("method") == "batch"]
    assert updates  # the change went out as part of a batch

    monkeypatch.setattr(setup, "ROBOTS", ())
    with env.app.app_context():
        setup.setup_portal(ans["member_id"])
    assert _robots(env) == {}


def test_a_robot_someone_else_registered_is_left_alone(portal_env, monkeypatch):
    env = portal_env()
    monkeypatch.setattr(setup, "ROBOTS", ())
    ans = env.install()
    with env.app.app_context():
        client_for(ans["member_id"]).call("bizproc.robot.add", {**ROBOT, "CODE": "admins_own",
                                                                "HANDLER": f"{env.live.url}/robots/x"})
        setup.setup_portal(ans["member_id"])
    assert "admins_own" in _robots(env)


def test_list_all_reads_every_row_with_id_paging(installed):
    env, ans = installed
    with env.app.app_context():
        client = client_for(ans["member_id"], lane="bulk")
        made = client.batch({f"d{i}": ("crm.deal.add", {"fields": {"TITLE": f"Deal {i}"}}) for i in range(120)})
        assert len(made.results) == 120 and not made.errors
        mark = len(env.calls("crm.deal.list"))
        rows = client.list_all("crm.deal.list", {"select": ["ID", "TITLE"]})
    assert sorted(r["TITLE"] for r in rows) == sorted(f"Deal {i}" for i in range(120))
    assert len({r["ID"] for r in rows}) == 120
    assert len(env.calls("crm.deal.list")) - mark == 3  # 50 + 50 + 20, no COUNT


def test_keep_alive_refreshes_only_idle_portals(installed):
    env, ans = installed
    with env.app.app_context():
        assert keep_alive() == {"refreshed": 0, "blocked": 0, "failed": 0}
        with transaction(services.session_factory()) as s:
            rec = s.scalar(select(PortalRecord).where(PortalRecord.member_id == ans["member_id"]))
            rec.refreshed_at = services.clock().now() - timedelta(days=31)
        before = len(env.calls("oauth/token"))
        assert keep_alive()["refreshed"] == 1
        assert len(env.calls("oauth/token")) == before + 1
