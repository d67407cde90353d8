"""`flask --app app portals list|sync|keepalive`."""
from __future__ import annotations

import json

import click
from sqlalchemy import select

from webedge import services
from bitrix_app.store.db import transaction
from bitrix_app.store.models import PortalRecord, utc

from .cli_common import OperatorGroup, member_id_option


@click.group(cls=OperatorGroup)
def portals():
    """Installations of the app in Bitrix24 portals."""


def _iso(value):
    value = utc(value)
    return value.isoformat() if value else None


@portals.command("list")
def list_portals():
    """One JSON object per line: member_id, domain, status, installed_at, token_expires_at."""
    with transaction(services.session_factory()) as s:
        for rec in s.scalars(select(PortalRecord).order_by(PortalRecord.id)):
            click.echo(json.dumps({
                "member_id": rec.member_id, "domain": rec.domain, "status": rec.status,
                "status_reason": rec.status_reason, "installed_at": _iso(rec.installed_at),
                "token_expires_at": _iso(rec.token_expires_at), "plan": rec.plan, "setup_at": _iso(rec.setup_at),
            }))


@portals.command("sync")
@member_id_option()
@click.option("--now", "inline", is_flag=True, help="Run setup in this process instead of enqueuing it.")
def sync(member_id: str, inline: bool):
    """Re-run setup for a portal (handlers, placements, robots, fields, pipeline)."""
    from bitrix_app.portals import start_setup
    from bitrix_app.portals import setup_portal
    from bitrix_app.scope import app_services

    if inline:
        click.echo(json.dumps(setup_portal(member_id)))
    else:
        job = start_setup(app_services(), member_id)
        click.echo(json.dumps({"member_id": member_id, "job_id": job.id}))


@portals.command("keepalive")
def keepalive():
    """Refresh the tokens of portals idle long enough that their refresh token could age out."""
    from bitrix_app.portals import keep_alive

    click.echo(json.dumps(keep_alive()))


@portals.command("admins")
@member_id_option()
@click.option("--set", "users", default=None, help="Comma-separated user ids allowed to administer the app.")
@click.option("--clear", is_flag=True, help="Allow nobody but the portal's administrators.")
def admins(member_id: str, users: str | None, clear: bool):
    """Users who may administer the app without being portal administrators (shown; or --set / --clear)."""
    from bitrix_app.portals import app_admin_ids, set_app_admins

    with transaction(services.session_factory()) as s:
        if users is not None or clear:
            ids = [] if clear else [int(u) if u.strip().isdigit() else u.strip() for u in users.split(",") if u.strip()]
            current = set_app_admins(s, member_id, {"user_ids": ids}, services.clock().now())
        else:
            current = app_admin_ids(s, member_id)
    click.echo(json.dumps({"member_id": member_id, "user_ids": list(current)}))
