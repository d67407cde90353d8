"""Install and uninstall use cases: store the installation, start setup, purge on request."""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from bitrix_app.jobs.registry import enqueue_job
from bitrix_app.rest import probe
from bitrix_app.rest.errors import PortalBlocked, PortalUnavailable
from bitrix_app.shops import cache as shop_cache
from bitrix_app.store.tables import all_tables

from . import lifecycle, repository
from .clients import build_tokens
from .oauth import refresh_pair
from .verify import CallbackRejected

if TYPE_CHECKING:
    from bitrix_app.scope import AppServices


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


def install(svc: "AppServices", inst: repository.Installation) -> str:
    """Verify the offered tokens, store the installation and enqueue setup; returns the portal's status."""
    inst = verified(svc, inst)
    now = svc.now()
    with svc.transaction() as s:
        rec = repository.save_installation(s, svc.cipher, inst, now, svc.settings.B24_DEFAULT_PLAN)
        status, version = rec.status, rec.token_version
    start_setup(svc, inst.member_id, version)
    return status


def verified(svc: "AppServices", inst: repository.Installation) -> repository.Installation:
    """Trust nothing in the form: the OAuth server must accept the refresh token for our app and this
    member_id, the portal address comes from its answer, and the installing user must be an admin."""
    s = svc.settings
    try:
        pair = refresh_pair(s.B24_OAUTH_URL, s.B24_CLIENT_ID, s.B24_CLIENT_SECRET, inst.refresh_token,
                            ca_bundle=s.B24_CA_BUNDLE)
    except (PortalBlocked, PortalUnavailable) as exc:
        raise CallbackRejected("the offered tokens are not valid for this app") from exc
    if pair.member_id != inst.member_id or not pair.client_endpoint:
        raise CallbackRejected("the offered tokens belong to another portal")
    if not probe.is_admin(pair.client_endpoint, pair.access_token, ca_bundle=s.B24_CA_BUNDLE):
        raise CallbackRejected("only a portal administrator can install the app")
    domain = pair.client_endpoint.split("://", 1)[-1].split("/", 1)[0]
    return replace(inst, access_token=pair.access_token, refresh_token=pair.refresh_token,
                   expires_in=pair.expires_in, client_endpoint=pair.client_endpoint, domain=domain,
                   user_id=pair.user_id or inst.user_id)


def start_setup(svc: "AppServices", member_id: str, token_version: int = 0):
    """One setup job per stored installation (a reinstall gets its own); setup_portal serialises them."""
    from .setup import setup_portal

    return enqueue_job(
        svc.redis, setup_portal, member_id, job_id=f"setup-{member_id}-{token_version}",
    )


def still_installed(svc: "AppServices", member_id: str) -> bool:
    """After a real uninstall the portal has revoked our access: a working token means a forged event."""
    manager = build_tokens(svc)
    try:
        stored = manager.current(member_id)
        if probe.token_works(stored.client_endpoint, stored.access_token, ca_bundle=svc.settings.B24_CA_BUNDLE):
            return True
        manager.refresh(member_id, stored.version)
    except PortalBlocked:
        return False
    return True


def uninstall(svc: "AppServices", member_id: str, clean: bool) -> None:
    """ONAPPUNINSTALL: the portal is gone for us; with CLEAN its data is purged too."""
    with svc.transaction() as s:
        rec = repository.get(s, member_id)
        if rec is None:
            return
        repository.set_status(s, member_id, lifecycle.DELETED, "uninstalled", svc.now())
        if clean:
            purge(s, rec.id, member_id)
    shop_cache.changed(svc.redis)  # its shops may not post any more


def purge(session: Session, portal_id: int, member_id: str) -> int:
    """Delete every row that belongs to the portal: tables keyed by portal_id or by member_id
    (shops, the inbox with its customer data, orders, customers, carts, settings, leases).
    The portal's own row stays, marked deleted, as the record of the uninstall."""
    removed = 0
    for table in reversed(all_tables().sorted_tables):
        if "portal_id" in table.c:
            removed += session.execute(table.delete().where(table.c.portal_id == portal_id)).rowcount
        elif "member_id" in table.c and table.name != "portals":
            removed += session.execute(table.delete().where(table.c.member_id == member_id)).rowcount
    return removed
