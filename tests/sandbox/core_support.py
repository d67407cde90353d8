"""Test-only REST methods and fixtures for the transport/auth/limits/batch tests (never served in production)."""
from __future__ import annotations

import pytest
import requests

from sandbox.context import ListResult, MethodSpec, methods
from sandbox.errors import crm_error

ROWS = 120  # rows behind `test.list`
PAGE = 50


def _echo(ctx, params):
    return params


def _whoami(ctx, params):
    return {
        "user_id": ctx.user_id,
        "auth_kind": ctx.auth_kind,
        "client_id": ctx.app.client_id if ctx.app else None,
        "in_batch": ctx.in_batch,
        "auth_connector": ctx.auth_connector,
    }


def _list(ctx, params):
    start = int(params.get("start") or 0)
    rows = [{"ID": str(i), "TITLE": f"Row {i}"} for i in range(1, ROWS + 1)]
    if start < 0:
        return ListResult(rows[:PAGE], 0, None)
    page = rows[start : start + PAGE]
    nxt = start + PAGE if start + PAGE < ROWS else None
    return ListResult(page, ROWS, nxt)


def _get(ctx, params):
    ident = str(params.get("id") or params.get("ID") or "")
    if not ident.isdigit():
        raise crm_error("ID is not defined or invalid.")
    return {"ID": ident, "TITLE": f"Row {ident}", "CONTACT_IDS": [7, 9], "URL": "https://x.test/a/b"}


def _add(ctx, params):
    table = ctx.portal.table("test_rows")
    row_id = ctx.portal.next_id("test_rows")
    table[row_id] = {"ID": str(row_id), "TITLE": str(params.get("TITLE") or "")}
    return row_id


def _fail(ctx, params):
    raise crm_error("Not found")


def _ok(ctx, params):
    return True


TEST_METHODS = methods(
    MethodSpec("test.echo", _echo, scope=""),
    MethodSpec("test.whoami", _whoami, scope=""),
    MethodSpec("test.list", _list, scope=""),
    MethodSpec("test.get", _get, scope=""),
    MethodSpec("test.add", _add, scope=""),
    MethodSpec("test.fail", _fail, scope=""),
    MethodSpec("test.crm", _ok, scope="crm"),
    MethodSpec("test.apponly", _ok, scope="", app_only=True),
    MethodSpec("placement.sandboxtest", _ok, scope="placement", app_only=True),
    MethodSpec("test.admin", _ok, scope="", admin_only=True),
    MethodSpec("test.nobatch", _ok, scope="", batchable=False),
)


def with_test_methods(server):
    server.add_methods(TEST_METHODS)
    return server


@pytest.fixture
def core(sandbox):
    """The default sandbox serving the test-only methods."""
    return with_test_methods(sandbox)


def install_app(server, receiver, client_id="local.core.app", **extra) -> dict:
    """Install a callback-mode app; returns the control answer plus the tokens it was handed."""
    body = {"app_url": receiver.url, "client_id": client_id, "client_secret": "s3cret", "mode": "callback", **extra}
    ans = requests.post(f"{server.base_url}/_sandbox/install", json=body, timeout=10).json()
    auth = receiver.at("/install")[-1].form["auth"]
    return {**ans, "access_token": auth["access_token"], "refresh_token": auth["refresh_token"]}


DEAD_URL = "http://127.0.0.1:9"  # nothing listens there: the install callback fails at once


def oauth_install(server, client_id="local.core.app", user_id=1, **extra) -> dict:
    """Install an app whose server is down, then get its tokens through the OAuth code flow."""
    body = {"app_url": DEAD_URL, "client_id": client_id, "client_secret": "s3cret", "mode": "callback", **extra}
    ans = control(server, "install", body)
    code = control(server, "oauth/code", {"client_id": client_id, "user_id": user_id})["code"]
    data = {"grant_type": "authorization_code", "client_id": client_id, "client_secret": "s3cret", "code": code}
    tokens = requests.post(f"{server.base_url}/oauth/token/", data=data, timeout=10).json()
    return {**ans, "access_token": tokens["access_token"], "refresh_token": tokens["refresh_token"]}


@pytest.fixture
def app_tokens(core):
    return oauth_install(core)


def rest(server, method, token=None, **kwargs):
    """POST JSON to `/rest/<method>` with `auth` (or to the webhook when no token)."""
    body = dict(kwargs)
    if token is None:
        return requests.post(f"{server.webhook_url}{method}", json=body, timeout=10)
    body["auth"] = token
    return requests.post(f"{server.base_url}/rest/{method}", json=body, timeout=10)


def control(server, path, body=None):
    return requests.post(f"{server.base_url}/_sandbox/{path}", json=body or {}, timeout=30).json()
