"""What every operator command shares: errors as one line (`Error: ...`, exit status 2), the `--member-id`
option that refuses unknown portals, marshmallow messages flattened to `path: message`, JSON option values, and
the group class that turns a database without its tables into "run db upgrade" and any ValidationError into
one readable line."""
from __future__ import annotations

import json
from contextlib import nullcontext
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup, ScriptInfo
from marshmallow import ValidationError
from sqlalchemy.exc import DBAPIError

from webedge import services
from bitrix_app.portals import PORTAL_DELETED, portal_record
from bitrix_app.store.db import transaction

NOT_SET_UP = "the database is not set up: run flask --app app db upgrade"
UNDEFINED_TABLE = "42P01"  # PostgreSQL's SQLSTATE for a missing relation


class CliError(click.ClickException):
    """A mistake the operator can fix: printed as one line, `Error: <message>`, exit status 2."""

    exit_code = 2


def flatten(messages: Any, path: str = "") -> list[str]:
    """marshmallow's nested messages as `path: message` strings (dict keys and list indexes joined by dots)."""
    if isinstance(messages, dict):
        out: list[str] = []
        for key, value in messages.items():
            name = path if key == "_schema" else f"{path}.{key}" if path else str(key)
            out += flatten(value, name)
        return out
    if isinstance(messages, (list, tuple)):
        return [line for item in messages for line in flatten(item, path)]
    return [f"{path}: {messages}" if path else str(messages)]


def readable(err: ValidationError) -> str:
    """One line for every field error of a ValidationError."""
    return " | ".join(flatten(err.messages)) or "invalid input"


def parse_json(raw: str, option: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError as err:
        raise CliError(f"{option} is not valid JSON: {err}") from err


def missing_table(err: DBAPIError) -> bool:
    """The statement failed because a table does not exist (SQLite or PostgreSQL)."""
    orig = getattr(err, "orig", None)
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return code == UNDEFINED_TABLE or "no such table" in str(orig)


def _app_context(ctx: click.Context):
    """The app's context: pushed already under `flask --app app`, built here under a test runner."""
    if current_app:
        return nullcontext()
    return ctx.ensure_object(ScriptInfo).load_app().app_context()


def _portal_check(allow_deleted: bool):
    def check(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value is None:
            return None
        with _app_context(ctx), transaction(services.session_factory()) as s:
            rec = portal_record(s, value)
            status = rec.status if rec is not None else None
        if status is None:
            raise CliError(f"no installed portal with member_id {value}")
        if status == PORTAL_DELETED and not allow_deleted:
            raise CliError(f"no installed portal with member_id {value} (it was uninstalled)")
        return value
    return check


def member_id_option(required: bool = True, allow_deleted: bool = False, help: str | None = None):
    """`--member-id` of an installed portal; allow_deleted: an uninstalled one too (to read what it left)."""
    return click.option("--member-id", "member_id", required=required, help=help,
                        callback=_portal_check(allow_deleted), expose_value=True)


class OperatorGroup(AppGroup):
    """A command group whose commands fail in one line instead of a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ValidationError as err:
            raise CliError(readable(err)) from err
        except DBAPIError as err:
            if missing_table(err):
                raise CliError(NOT_SET_UP) from err
            raise
