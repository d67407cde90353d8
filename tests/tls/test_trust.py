"""Trust is the B24_CA_BUNDLE setting: without it the sandbox's certificate is refused with an error that
names the setting, at once (no retries), for the REST seam, the OAuth refresh and the install probes."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bitrix_app.portals import refresh_pair
from bitrix_app.rest import probe
from bitrix_app.rest.errors import CertificateUntrusted
from bitrix_app.portals import client_for
from bitrix_app.store.db import transaction
from bitrix_app.store.models import PortalRecord
from config.settings import ConfigError, load_config
from tests.conftest import APP_ENV


@pytest.fixture
def stranger_ca(sandbox_factory):
    """A CA file that signs nothing the portal serves."""
    return sandbox_factory(tls=True).ca_file


def test_the_seam_refuses_an_untrusted_portal_at_once_naming_the_setting(portal_env, make_app, stranger_ca):
    env = portal_env()
    member_id = env.install()["member_id"]
    distrustful = make_app(B24_CA_BUNDLE=stranger_ca, B24_OAUTH_URL=f"{env.base}/oauth/token/")
    before = len(env.calls())
    with distrustful.app_context():
        with pytest.raises(CertificateUntrusted) as err:  # not RateLimited: fast-bitrix24 did not retry it
            client_for(member_id).call("app.info")
    assert "B24_CA_BUNDLE" in str(err.value) and env.base in str(err.value)
    assert len(env.calls()) == before  # nothing reached the portal
    with env.app.app_context():  # the app that trusts the CA still works
        assert client_for(member_id).call("app.info")


def test_oauth_refresh_and_probes_refuse_an_untrusted_server(portal_env, make_app, stranger_ca):
    env = portal_env()
    env.install()
    distrustful = make_app(B24_CA_BUNDLE=stranger_ca)
    grant = next(g for g in env.sandbox.portal.refresh_grants.values() if not g.used)
    with distrustful.app_context():
        with pytest.raises(CertificateUntrusted, match="B24_CA_BUNDLE"):
            refresh_pair(f"{env.base}/oauth/token/", APP_ENV["B24_CLIENT_ID"], APP_ENV["B24_CLIENT_SECRET"],
                         grant.refresh_token, ca_bundle=stranger_ca)
        with pytest.raises(CertificateUntrusted, match="B24_CA_BUNDLE"):
            probe.token_works(env.sandbox.portal.client_endpoint, "any-token", ca_bundle=stranger_ca)
    assert not grant.used  # the refresh never reached the server
    with env.app.app_context():
        pair = refresh_pair(f"{env.base}/oauth/token/", APP_ENV["B24_CLIENT_ID"], APP_ENV["B24_CLIENT_SECRET"],
                            grant.refresh_token, ca_bundle=env.app.extensions["bitrix_app"]["settings"].B24_CA_BUNDLE)
        assert pair.client_endpoint == env.sandbox.portal.client_endpoint and pair.client_endpoint.startswith("https://")


def test_an_install_the_app_cannot_verify_stores_nothing(portal_env, stranger_ca):
    env = portal_env(B24_CA_BUNDLE=stranger_ca)
    ans = env.install()
    assert ans["app_status"] >= 500
    with transaction(env.app.extensions["bitrix_app"]["sessions"]) as s:
        assert s.scalar(select(func.count()).select_from(PortalRecord)) == 0


def test_the_setting_must_name_a_file(tmp_path):
    env = {**APP_ENV, "B24_CA_BUNDLE": str(tmp_path / "missing.pem")}
    with pytest.raises(ConfigError, match="B24_CA_BUNDLE"):
        load_config(env)
    (tmp_path / "ca.pem").write_text("")
    assert load_config({**env, "B24_CA_BUNDLE": str(tmp_path / "ca.pem")}).B24_CA_BUNDLE == str(tmp_path / "ca.pem")
    assert load_config(APP_ENV).B24_CA_BUNDLE is None
