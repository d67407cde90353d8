"""`flask --app app campaigns list|add|update|disable|enable|presets|run|report`: client campaigns of a portal."""
from __future__ import annotations

import json

import click

from webedge import services
from bitrix_app.campaigns import definitions, presets
from bitrix_app.campaigns.report import report as campaign_report
from bitrix_app.store.db import transaction

from .cli_common import CliError, OperatorGroup, member_id_option, parse_json


@click.group(cls=OperatorGroup)
def campaigns():
    """Client campaigns: segment -> actions, with cooldown, holdout and a report."""


def _echo(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False))


def _change(work):
    """Run a change in a transaction; a known refusal becomes one line (field errors: see OperatorGroup)."""
    try:
        with transaction(services.session_factory()) as s:
            return work(s)
    except (definitions.CampaignExists, definitions.CampaignNotFound) as err:
        raise CliError(str(err)) from err
    except KeyError as err:  # an unknown preset
        raise CliError(str(err.args[0])) from err


@campaigns.command("list")
@member_id_option(allow_deleted=True)
def list_(member_id: str):
    """One JSON line per campaign."""
    with transaction(services.session_factory()) as s:
        for row in definitions.list_campaigns(s, member_id):
            _echo(definitions.as_json(row))


@campaigns.command("add")
@member_id_option()
@click.option("--json", "raw", required=True, metavar="JSON", help="The definition (see README, Client campaigns).")
def add(member_id: str, raw: str):
    """Add a campaign; prints it."""
    data = parse_json(raw, "--json")
    _echo(_change(lambda s: definitions.as_json(definitions.create(s, member_id, data, services.clock().now()))))


@campaigns.command("update")
@member_id_option()
@click.option("--code", required=True)
@click.option("--json", "raw", required=True, metavar="JSON", help="The fields to change.")
def update(member_id: str, code: str, raw: str):
    """Change a campaign (the whole definition is checked again); prints it."""
    changes = parse_json(raw, "--json")
    _echo(_change(lambda s: definitions.as_json(
        definitions.update(s, member_id, code, changes, services.clock().now()))))


@campaigns.command("disable")
@member_id_option()
@click.option("--code", required=True)
@click.option("--enable", is_flag=True, help="Enable it again instead.")
def disable(member_id: str, code: str, enable: bool):
    """Stop (or with --enable, resume) a campaign; its entries and report stay."""
    _echo(_change(lambda s: definitions.as_json(
        definitions.set_enabled(s, member_id, code, enable, services.clock().now()))))


@campaigns.command("presets")
@click.argument("action", type=click.Choice(["show", "install"]), default="show")
@member_id_option(required=False, help="Required for install.")
@click.option("--code", "codes", multiple=True, help="Only these presets (default: all).")
@click.option("--cross-sell-segment", help=f"The portal's cross-sell segment (default {presets.CROSS_SELL_SEGMENT}).")
def presets_(action: str, member_id: str | None, codes: tuple, cross_sell_segment: str | None):
    """Show the preset campaigns, or install the ones the portal does not have yet."""
    if action == "show":
        for code in codes or presets.PRESETS:
            _echo(presets.definition(code, cross_sell_segment))
        return
    if not member_id:
        raise CliError("presets install needs --member-id")
    _echo(_change(lambda s: presets.install(s, member_id, services.clock().now(), list(codes) or None,
                                            cross_sell_segment)))


@campaigns.command("run")
@member_id_option()
@click.option("--code", default=None, help="Run this campaign now (a scheduled one: everyone in its segment).")
def run_(member_id: str, code: str | None):
    """Run the portal's campaigns here: transitions, due schedules, pending actions; prints the counts."""
    from bitrix_app.campaigns.jobs import context_for
    from bitrix_app.campaigns.runner import run
    from bitrix_app.scope import portal_scope

    ctx = context_for(portal_scope(member_id))
    if ctx is None:
        raise CliError(f"no installed portal with member_id {member_id}")
    try:
        _echo(run(ctx, code))
    except definitions.CampaignNotFound as err:
        raise CliError(str(err)) from err


@campaigns.command("report")
@member_id_option(allow_deleted=True)
@click.option("--code", default=None, help="Only this campaign.")
def report_(member_id: str, code: str | None):
    """One JSON line per campaign: entered, holdout, reached, converted, revenue, uplift."""
    with transaction(services.session_factory()) as s:
        try:
            rows = campaign_report(s, member_id, services.clock().now(), code)
        except definitions.CampaignNotFound as err:
            raise CliError(str(err)) from err
    for row in rows:
        _echo(row)
