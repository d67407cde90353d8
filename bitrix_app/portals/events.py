"""Portal events: uninstall now; CRM entity events are recorded for sync health and later reactions."""
from __future__ import annotations

from bitrix_app import services
from bitrix_app.jobs.queues import DEFAULT, enqueue
from bitrix_app.store.db import transaction

from . import install
from .verify import CallbackRejected, verify_callback


def receive(event: dict) -> str:
    """Verify and dispatch one event; raises CallbackRejected for a forged one."""
    name, auth = event["event"].upper(), event["auth"]
    is_uninstall = name == "ONAPPUNINSTALL"
    with transaction(services.session_factory()) as s:
        verify_callback(s, services.cipher(), auth["member_id"], auth["application_token"], allow_deleted=is_uninstall)
    if is_uninstall:
        if install.still_installed(auth["member_id"]):
            raise CallbackRejected("the app is still installed in this portal")
        install.uninstall(auth["member_id"], clean=str(event["data"].get("CLEAN", "0")) in ("1", "Y", "true"))
        return "uninstalled"
    entity_id = str((event["data"].get("FIELDS") or {}).get("ID", ""))
    enqueue(services.redis(), DEFAULT, "bitrix_app.portals.events.record_event", auth["member_id"], name, entity_id,
            event.get("ts") or "")
    return "accepted"


def record_event(member_id: str, name: str, entity_id: str, ts: str) -> None:
    """Job: keep the latest event per portal and entity (sync health; reactions come with their features)."""
    key = f"bitrix_app:portal-events:{member_id}"
    services.redis().hset(key, f"{name}:{entity_id}", ts or str(services.clock().timestamp()))
    services.redis().hset(key, "last", ts or str(services.clock().timestamp()))
