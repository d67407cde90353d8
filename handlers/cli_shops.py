"""`flask --app app shops add|list|import|settings` and `inbox list|retry|sweep`."""
from __future__ import annotations

import json

import click

from webedge import services
from bitrix_app.inbox import admin, dispatch
from bitrix_app.inbox.accept import accept
from bitrix_app.shops import connections, importer, settings
from bitrix_app.store.db import transaction

from .cli_common import CliError, OperatorGroup, member_id_option, parse_json

CHUNK = 500


@click.group(cls=OperatorGroup)
def shops():
    """Shops connected to portals."""


@shops.command("add")
@member_id_option()
@click.option("--name", required=True)
@click.option("--platform", type=click.Choice(connections.PLATFORM_NAMES), default="generic", show_default=True)
@click.option("--secret", default=None, help="Use this signing key instead of a generated one (Shopify signs "
                                             "webhooks with the key its admin shows; paste it here).")
def add(member_id: str, name: str, platform: str, secret: str | None):
    """Connect a shop; prints shop_id, secret (shown once) and the events_url to configure in the shop."""
    now = services.clock().now()
    try:
        with transaction(services.session_factory()) as s:
            shop, secret = connections.add_shop(s, services.cipher(), member_id, name, platform, now, secret)
            settings.ensure_settings(s, member_id, now)
    except connections.ShopError as err:
        raise CliError(str(err)) from err
    click.echo(json.dumps({"shop_id": shop.shop_id, "secret": secret, "name": shop.name, "platform": shop.platform,
                           "events_url": shop.events_url(services.settings().APP_BASE_URL)}))


@shops.command("list")
@member_id_option(allow_deleted=True)
def list_(member_id: str):
    """One JSON object per line (secrets are never shown again)."""
    base = services.settings().APP_BASE_URL
    with transaction(services.session_factory()) as s:
        for shop in connections.list_shops(s, member_id):
            click.echo(json.dumps({"shop_id": shop.shop_id, "name": shop.name, "platform": shop.platform,
                                   "status": shop.status, "events_url": shop.events_url(base),
                                   "created_at": shop.created_at.isoformat()}))


@shops.command("settings")
@member_id_option()
@click.option("--set", "changes", metavar="JSON", help='e.g. {"cart_delay_minutes": 90, "stage_map": {"paid": "SHIPPED"}}')
def settings_(member_id: str, changes: str | None):
    """Show (and with --set, change) the portal's shop settings."""
    now, changes = services.clock().now(), parse_json(changes, "--set") if changes else None
    with transaction(services.session_factory()) as s:
        current = settings.update_settings(s, member_id, changes, now) if changes is not None \
            else settings.get_settings(s, member_id)
    out = {k: getattr(current, k) for k in current.__dataclass_fields__}
    out["carts_enabled_at"] = current.carts_enabled_at.isoformat() if current.carts_enabled_at else None
    click.echo(json.dumps(out, default=list))


@shops.command("import")
@click.option("--shop-id", required=True)
@click.option("--sync", "inline", is_flag=True, help="Apply the events in this process before returning.")
@click.argument("file", type=click.File("r", encoding="utf-8"))
def import_(shop_id: str, inline: bool, file):
    """Backfill order history from JSON Lines; the whole file is checked before anything is stored."""
    with transaction(services.session_factory()) as s:
        shop = connections.get_shop(s, shop_id)
    if shop is None:
        raise CliError(f"no shop {shop_id!r}")
    events, errors = [], []
    for number, event, problems in importer.read(file):
        if problems:
            errors.append({"line": number, "errors": problems})
        else:
            events.append(event)
    if errors:
        for err in errors[:20]:
            click.echo(json.dumps(err), err=True)
        raise CliError(f"{len(errors)} invalid line(s); nothing was imported")
    accepted = duplicates = 0
    with click.progressbar(length=len(events), label="storing", file=click.get_text_stream("stderr")) as bar:
        for n in range(0, len(events), CHUNK):
            part = events[n:n + CHUNK]
            with transaction(services.session_factory()) as s:
                result = accept(s, shop.shop_id, shop.member_id, part, services.clock().now())
            accepted, duplicates = accepted + result.accepted, duplicates + result.duplicates
            bar.update(len(part))
    summary = {"shop_id": shop_id, "accepted": accepted, "duplicates": duplicates}
    if inline:
        from bitrix_app.scope import portal_scope
        from bitrix_app.sync.progress import drain_with_progress

        summary["sync"] = drain_with_progress(portal_scope(shop.member_id))
    elif accepted:
        dispatch.kick(services.redis(), shop.member_id)
    click.echo(json.dumps(summary))


@click.group(cls=OperatorGroup)
def inbox():
    """Accepted shop events: what is pending, what failed, replaying dead letters."""


@inbox.command("list")
@click.option("--status", type=click.Choice(admin.STATUSES))
@member_id_option(required=False, allow_deleted=True)
@click.option("--shop-id")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
def inbox_list(status, member_id, shop_id, limit):
    """Newest first, one JSON object per line; the last line counts events by status."""
    with transaction(services.session_factory()) as s:
        for row in admin.listing(s, status, member_id, shop_id, limit):
            click.echo(json.dumps(row))
        click.echo(json.dumps({"counts": admin.counts(s, member_id)}))


@inbox.command("retry")
@click.option("--id", "ids", type=int, multiple=True, help="Only these inbox ids (repeatable).")
@member_id_option(required=False)
def inbox_retry(ids, member_id):
    """Replay failed events (dead letters): back to pending with fresh attempts, drains queued."""
    with transaction(services.session_factory()) as s:
        portals = admin.replay(s, services.clock().now(), list(ids) or None, member_id)
    for member in portals:
        dispatch.kick(services.redis(), member)
    click.echo(json.dumps({"portals": portals}))


@inbox.command("sweep")
def inbox_sweep():
    """Queue drains for portals with overdue events (what cron does every minute)."""
    click.echo(json.dumps({"kicked": dispatch.sweep_job()}))
