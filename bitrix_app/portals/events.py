"""Portal events: uninstall now; CRM entity events are recorded for sync health and later reactions."""
from __future__ import annotations

from typing import TYPE_CHECKING

from bitrix_app.jobs.queues import DEFAULT
from bitrix_app.jobs.registry import enqueue_job, job

from . import install
from .verify import CallbackRejected, verify_callback

if TYPE_CHECKING:
    from bitrix_app.scope import AppServices


def receive(svc: "AppServices", event: dict) -> str:
    """Verify and dispatch one event; raises CallbackRejected for a forged one."""
    name, auth = event["event"].upper(), event["auth"]
    is_uninstall = name == "ONAPPUNINSTALL"
    with svc.transaction() as s:
        verify_callback(s, svc.cipher, auth["member_id"], auth["application_token"], allow_deleted=is_uninstall)
    if is_uninstall:
        if install.still_installed(svc, auth["member_id"]):
            raise CallbackRejected("the app is still installed in this portal")
        install.uninstall(svc, auth["member_id"], clean=str(event["data"].get("CLEAN", "0")) in ("1", "Y", "true"))
        return "uninstalled"
    entity_id = str((event["data"].get("FIELDS") or {}).get("ID", ""))
    enqueue_job(svc.redis, record_event, auth["member_id"], name, entity_id,
                event.get("ts") or "")
    return "accepted"


@job(DEFAULT)
def record_event(member_id: str, name: str, entity_id: str, ts: str) -> None:
    """Job: keep the latest event per portal and entity (sync health; reactions come with their features)."""
    from bitrix_app.scope import portal_scope

    remember_event(portal_scope(member_id), name, entity_id, ts)


def remember_event(scope, name: str, entity_id: str, ts: str) -> None:
    key = f"bitrix_app:portal-events:{scope.member_id}"
    scope.redis.hset(key, f"{name}:{entity_id}", ts or str(scope.clock.timestamp()))
    scope.redis.hset(key, "last", ts or str(scope.clock.timestamp()))
