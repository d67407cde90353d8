"""`flask --app app segments rebuild|export|explain|list|define|delete|settings`: the segment engine."""
from __future__ import annotations

import json
import sys

import click

from webedge import services
from bitrix_app.scope import portal_scope
from bitrix_app.store.db import transaction

from .cli_common import CliError, OperatorGroup, member_id_option, parse_json


@click.group(cls=OperatorGroup)
def segments():
    """Customer segments: rebuild, export, explain, definitions and thresholds."""


class _Bar:
    """A progress bar on stderr that learns its length from the first report."""

    def __init__(self):
        self.bar, self.done = None, 0

    def __call__(self, label: str, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=max(total, 1), label=label, file=click.get_text_stream("stderr"))
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@segments.command("rebuild")
@member_id_option()
def rebuild(member_id: str):
    """Full rebuild now (progress on stderr); JSON summary on stdout."""
    from bitrix_app.segments import rebuild as run

    bar = _Bar()
    try:
        summary = run(portal_scope(member_id), services.clock().now(), progress=bar)
    finally:
        bar.close()
    click.echo(json.dumps(summary, default=str))


@segments.command("export")
@member_id_option()
@click.option("--segment", "code", required=True, help="A segment code, e.g. LOYAL_LOST.")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="A file (default: stdout).")
def export(member_id: str, code: str, fmt: str, output: str | None):
    """Every member of a segment with its figures."""
    from bitrix_app.segments import WRITERS, UnknownSegment, export_rows, require_code

    with transaction(services.session_factory()) as s:
        try:
            code = require_code(s, member_id, code)
        except UnknownSegment as err:
            raise CliError(str(err)) from err
    out = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        rows = WRITERS[fmt](export_rows(portal_scope(member_id), code), out)
    finally:
        if output:
            out.close()
    click.echo(f"{rows} customer(s) in {code}", err=True)


@segments.command("explain")
@member_id_option()
@click.option("--customer-id", required=True, type=int)
@click.option("--all", "everything", is_flag=True, help="Also explain the segments the customer is not in.")
@click.option("--lang", type=click.Choice(["en", "ru"]), default="en", show_default=True,
              help="The language of the reasons and names.")
def explain(member_id: str, customer_id: int, everything: bool, lang: str):
    """Why the customer is in each of their segments (JSON), in words of the chosen language."""
    from bitrix_app.segments import explain_customer as run

    try:
        answer = run(portal_scope(member_id), customer_id, services.clock().now(), everything, lang)
    except LookupError as err:  # an unknown customer: one line, exit status 1
        raise click.ClickException(str(err)) from err
    click.echo(json.dumps(answer, ensure_ascii=False))


@segments.command("list")
@member_id_option()
def list_(member_id: str):
    """One JSON object per definition (built-in and stored) with its member count."""
    from bitrix_app.segments import listing_with_counts

    with transaction(services.session_factory()) as s:
        for row in listing_with_counts(s, member_id):
            click.echo(json.dumps(row, ensure_ascii=False))


@segments.command("define")
@member_id_option()
@click.option("--json", "raw", required=True, metavar="JSON",
              help='e.g. {"code": "LAPSED_45", "kind": "lapsed", "name_en": "...", "name_ru": "...", '
                   '"params": {"days": 45}}')
def define(member_id: str, raw: str):
    """Create a stored segment, or replace the one with this code; its members are computed at once."""
    from bitrix_app.segments import define as run
    from bitrix_app.segments import recompute_definition

    data, now = parse_json(raw, "--json"), services.clock().now()
    with transaction(services.session_factory()) as s:
        view, created = run(s, member_id, data, now)
    with transaction(services.session_factory()) as s:
        computed = recompute_definition(s, member_id, view["code"], now)
    click.echo(json.dumps({**view, "created": created, "members": computed["members"]}, ensure_ascii=False))


@segments.command("delete")
@member_id_option()
@click.option("--code", required=True)
def delete(member_id: str, code: str):
    """Delete a stored segment (built-in ones follow the settings)."""
    from bitrix_app.segments import delete_definition

    with transaction(services.session_factory()) as s:
        if not delete_definition(s, member_id, code.strip().upper()):
            raise CliError(f"the portal has no stored segment {code.strip().upper()}")
    click.echo(json.dumps({"deleted": code.strip().upper()}))


@segments.command("settings")
@member_id_option()
@click.option("--set", "changes", metavar="JSON", help='e.g. {"lifecycle": {"active_days": 45}, "birthday_days": 14}')
def settings_(member_id: str, changes: str | None):
    """Show (and with --set, change) the segment thresholds."""
    from bitrix_app.segments import get_settings, update_settings

    changes = parse_json(changes, "--set") if changes else None
    with transaction(services.session_factory()) as s:
        current = update_settings(s, member_id, changes, services.clock().now()) \
            if changes is not None else get_settings(s, member_id)
    click.echo(json.dumps(current))
