"""The end-to-end fixtures over HTTPS: the sandbox serves TLS with its own CA, the app trusts that CA
through B24_CA_BUNDLE and nothing else (no trust-store variables from the environment)."""
from __future__ import annotations

import pytest
import requests

from tests.fixtures.portal_env import PortalEnv, serve_portal
from tests.fixtures.shared_portal import ModulePortals

TRUST_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR")


class TlsPortalEnv(PortalEnv):
    """PortalEnv whose own reads of the portal (control API, webhook) trust the sandbox's CA."""

    def control(self, path: str, body: dict | None = None, method: str = "POST") -> dict:
        res = requests.request(method, f"{self.base}/_sandbox/{path}", json=body, timeout=30,
                               verify=self.sandbox.ca_file)
        res.raise_for_status()
        return res.json()

    def rest(self, method: str, params: dict | None = None):
        body = requests.post(f"{self.sandbox.webhook_url}{method}", json=params or {}, timeout=30,
                             verify=self.sandbox.ca_file).json()
        if "error" in body:
            raise AssertionError(f"{method}: {body}")
        return body["result"]


@pytest.fixture(autouse=True)
def _only_the_setting_trusts(monkeypatch):
    """A CA reachable through the environment would hide a call that ignores B24_CA_BUNDLE."""
    for name in TRUST_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def portal_env(make_app, redis_conn):
    """The root `portal_env`, over HTTPS."""
    created = []

    def build(plan: str = "unlimited", **overrides) -> TlsPortalEnv:
        created.append(serve_portal(make_app, redis_conn, plan, tls=True, env_class=TlsPortalEnv, **overrides))
        return created[-1]

    yield build
    for env in created:
        env.stop()


@pytest.fixture(scope="module")
def module_portals(database_url, redis_server, tmp_path_factory):
    """The root `module_portals` (what `shared_portal` builds on), over HTTPS."""
    from tests.conftest import APP_ENV

    portals = ModulePortals(database_url, redis_server, str(tmp_path_factory.mktemp("module")), APP_ENV, tls=True,
                            env_class=TlsPortalEnv)
    yield portals
    portals.close()
