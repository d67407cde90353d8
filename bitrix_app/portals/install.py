"""Install and uninstall use cases: store the installation, start setup, purge on request."""
from __future__ import annotations

from sqlalchemy.orm import Session
from rq import Retry

from bitrix_app import services
from bitrix_app.jobs.queues import DEFAULT, enqueue
from bitrix_app.rest.probe import token_works
from bitrix_app.store.db import Base, transaction

from . import lifecycle, repository
from .verify import CallbackRejected

SETUP_JOB = "bitrix_app.portals.setup.setup_portal"


def from_callback(data: dict) -> repository.Installation:
    """The ONAPPINSTALL form (already validated) as an Installation."""
    auth = data["auth"]
    return repository.Installation(
        member_id=auth["member_id"], domain=auth["domain"], client_endpoint=auth["client_endpoint"],
        server_endpoint=auth.get("server_endpoint"), scope=auth.get("scope") or "",
        application_token=auth["application_token"], access_token=auth["access_token"],
        refresh_token=auth["refresh_token"], expires_in=auth.get("expires_in") or 3600,
        language=(data.get("data") or {}).get("LANGUAGE_ID") or "en", user_id=auth.get("user_id"),
        app_version=_version((data.get("data") or {}).get("VERSION")),
    )


def from_page(data: dict) -> repository.Installation:
    """The install page's POST + query (already validated) as an Installation."""
    scheme = "https" if data.get("PROTOCOL", "1") == "1" else "http"
    return repository.Installation(
        member_id=data["member_id"], domain=data["DOMAIN"], client_endpoint=f"{scheme}://{data['DOMAIN']}/rest/",
        server_endpoint=data.get("SERVER_ENDPOINT"), scope=data.get("APPLICATION_SCOPE") or "",
        application_token=data["APPLICATION_TOKEN"], access_token=data["AUTH_ID"], refresh_token=data["REFRESH_ID"],
        expires_in=data.get("AUTH_EXPIRES") or 3600, language=data.get("LANG") or "en",
    )


def _version(raw) -> int:
    try:
        return int(str(raw).split(".")[0])
    except (TypeError, ValueError):
        return 1


def install(inst: repository.Installation) -> str:
    """Store the installation and enqueue setup; returns the portal's status."""
    cipher, now = services.cipher(), services.clock().now()
    with transaction(services.session_factory()) as s:
        rec = repository.get(s, inst.member_id)
        if rec is not None and rec.status != lifecycle.DELETED:
            _check_takeover(rec, cipher, inst)
        rec = repository.save_installation(s, cipher, inst, now, services.settings().B24_DEFAULT_PLAN)
        status = rec.status
    start_setup(inst.member_id)
    return status


def _check_takeover(rec, cipher, inst: repository.Installation) -> None:
    """A live portal's application_token only changes on a genuine reinstall: prove it with the token."""
    if repository.application_token(cipher, rec) == inst.application_token:
        return
    if not token_works(rec.client_endpoint, inst.access_token):
        raise CallbackRejected("application_token differs and the offered token does not work on the portal")


def start_setup(member_id: str):
    return enqueue(
        services.redis(), DEFAULT, SETUP_JOB, member_id,
        job_id=f"setup-{member_id}", retry=Retry(max=5, interval=[10, 30, 120, 600, 1800]),
    )


def uninstall(member_id: str, clean: bool) -> None:
    """ONAPPUNINSTALL: the portal is gone for us; with CLEAN its data is purged too."""
    with transaction(services.session_factory()) as s:
        rec = repository.get(s, member_id)
        if rec is None:
            return
        repository.set_status(s, member_id, lifecycle.DELETED, "uninstalled", services.clock().now())
        if clean:
            purge(s, rec.id)


def purge(session: Session, portal_id: int) -> int:
    """Delete every row that belongs to the portal, in every table that has a portal_id."""
    removed = 0
    for table in reversed(Base.metadata.sorted_tables):
        if "portal_id" in table.c:
            removed += session.execute(table.delete().where(table.c.portal_id == portal_id)).rowcount
    return removed
