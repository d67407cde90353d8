"""Application-token calls shared by the sandbox tests: REST with `auth`, outbox drain, other users' tokens."""
from __future__ import annotations

import pytest
import requests


def rest(sandbox, token, method, **params):
    return requests.post(f"{sandbox.base_url}/rest/{method}", json={**params, "auth": token}, timeout=10)


def drain(sandbox):
    assert requests.post(f"{sandbox.base_url}/_sandbox/outbox/drain", json={}, timeout=40).json()["drained"]


def user_token(sandbox, user_id, client_id="local.test.app", secret="s3cret"):
    """An access token of another user of the installed app (authorization-code flow)."""
    code = requests.post(f"{sandbox.base_url}/_sandbox/oauth/code",
                         json={"client_id": client_id, "user_id": user_id}, timeout=10).json()["code"]
    return requests.get(f"{sandbox.base_url}/oauth/token/", timeout=10, params={
        "grant_type": "authorization_code", "client_id": client_id, "client_secret": secret, "code": code,
    }).json()["access_token"]


@pytest.fixture
def token(installed):
    return installed["access_token"]
