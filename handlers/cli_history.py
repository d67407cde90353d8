"""`flask --app app history import-deals|ltv|write-back`: deal history, lifetime value, contact fields."""
from __future__ import annotations

import json
from datetime import datetime

import click

from webedge import services
from bitrix_app.scope import portal_scope

from .cli_common import OperatorGroup, member_id_option


@click.group(cls=OperatorGroup)
def history():
    """Order history from the portal's deals and what it is worth."""


def _progress(stage: str, done: int, total: int) -> None:
    click.echo(f"{stage}: {done}/{total}", err=True)


@history.command("import-deals")
@member_id_option()
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="Only deals closed on or after this day.")
@click.option("--no-rebuild", is_flag=True, help="Do not rebuild the segments afterwards.")
def import_deals(member_id: str, since: datetime | None, no_rebuild: bool):
    """Import the portal's won deals as orders (re-runs import nothing twice); JSON summary on stdout."""
    from bitrix_app.segments import import_deals as run

    summary = run(portal_scope(member_id), since.date() if since else None, progress=_progress, rebuild=not no_rebuild)
    if isinstance(summary.get("rebuild"), str):
        click.echo(f"segments: {summary['rebuild']}", err=True)
    click.echo(json.dumps({"member_id": member_id, **summary}, default=str))


@history.command("ltv")
@member_id_option()
def ltv(member_id: str):
    """Lifetime value: overall, by first-purchase cohort, new vs repeat, by acquisition channel (JSON)."""
    from bitrix_app.segments import ltv_report

    click.echo(json.dumps(ltv_report(portal_scope(member_id), services.clock().now()), ensure_ascii=False))


@history.command("write-back")
@member_id_option()
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=5000, show_default=True)
def write_back(member_id: str, limit: int):
    """Write changed segment figures to the portal's contacts now (the rest is queued); JSON summary."""
    from bitrix_app.segments import write_back as run

    click.echo(json.dumps(run(member_id, limit=limit)))
