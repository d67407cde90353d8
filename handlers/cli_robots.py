"""`flask --app app robots calls|replay|sweep|rules`: audit robot calls, run one again, queue the ones never run,
edit recommendation rules."""
from __future__ import annotations

import json

import click

from webedge import services
from bitrix_app.robots import calls
from bitrix_app.robots.rules import get_rules, set_rules
from bitrix_app.scope import app_services
from bitrix_app.store.db import transaction

from .cli_common import CliError, OperatorGroup, member_id_option, parse_json


@click.group(cls=OperatorGroup)
def robots():
    """Robot (automation-rule action) calls."""


@robots.command("calls")
@member_id_option(required=False, allow_deleted=True)
@click.option("--status", type=click.Choice(calls.STATUSES), default=None)
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
def calls_(member_id: str | None, status: str | None, limit: int):
    """One JSON object per call, newest first: inputs, outcome, return values, timings, errors."""
    for row in calls.list_calls(app_services(), member_id, status, limit):
        click.echo(json.dumps(row, ensure_ascii=False))


@robots.command("replay")
@click.argument("call_id", type=int)
def replay(call_id: int):
    """Run a stored call again (and answer its workflow again if it still waits); prints the call."""
    row = calls.replay(app_services(), call_id)
    if row is None:
        raise CliError(f"no robot call {call_id}")
    click.echo(json.dumps(row, ensure_ascii=False))


@robots.command("sweep")
def sweep():
    """Queue stored calls that never ran (what cron does every minute); prints the queued call ids."""
    from bitrix_app.robots.sweeper import sweep_job

    click.echo(json.dumps({"queued": sweep_job()}))


@robots.command("rules")
@member_id_option()
@click.option("--set", "rules", metavar="JSON", help='e.g. [{"if_category": "bikes", "offer": ["TYRE-2"]}]')
def rules_(member_id: str, rules: str | None):
    """Show (and with --set, replace) the portal's recommendation rules."""
    rules = parse_json(rules, "--set") if rules else None
    with transaction(services.session_factory()) as s:
        current = set_rules(s, member_id, rules, services.clock().now()) if rules is not None \
            else get_rules(s, member_id)
    click.echo(json.dumps(current, ensure_ascii=False))
