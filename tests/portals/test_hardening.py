"""What an employee who sees the app's payloads must not be able to do, and inputs that must not crash."""
from __future__ import annotations

import requests
from sqlalchemy import select

from webedge import services
from bitrix_app.portals.tokens import TokenManager
from bitrix_app.rest.errors import PortalError, PortalUnavailable
from bitrix_app.portals.clients import client_for
from bitrix_app.store.db import transaction
from bitrix_app.store.models import PortalRecord


def _employee_tokens(env, user_id: int = 2) -> dict:
    """A manager's genuine tokens for our app, as any employee opening an app page receives them."""
    code = env.control("oauth/code", {"client_id": "local.test.app", "user_id": user_id})["code"]
    res = requests.get(f"{env.base}/oauth/token/", params={
        "grant_type": "authorization_code", "client_id": "local.test.app", "client_secret": "s3cret", "code": code,
    }, timeout=10)
    return res.json()


def _record(env, member_id):
    with transaction(env.app.extensions["bitrix_app"]["sessions"]) as s:
        rec = s.scalar(select(PortalRecord).where(PortalRecord.member_id == member_id))
        return (rec.status, rec.domain, rec.client_endpoint, rec.application_token_enc, rec.token_version)


def test_an_employee_cannot_reinstall_over_the_portal(installed):
    env, ans = installed
    before = _record(env, ans["member_id"])
    tok = _employee_tokens(env)
    form = {"event": "ONAPPINSTALL", "auth[member_id]": ans["member_id"], "auth[application_token]": "mine",
            "auth[access_token]": tok["access_token"], "auth[refresh_token]": tok["refresh_token"],
            "auth[domain]": "evil.example", "auth[client_endpoint]": "http://evil.example/rest/"}
    res = requests.post(f"{env.live.url}/install", data=form, timeout=10)
    assert res.status_code == 401 and "administrator" in res.json()["message"]
    assert _record(env, ans["member_id"]) == before


def test_an_admin_reinstall_takes_the_portal_address_from_the_oauth_server(installed):
    env, ans = installed
    tok = _employee_tokens(env, user_id=1)
    form = {"event": "ONAPPINSTALL", "auth[member_id]": ans["member_id"], "auth[application_token]": ans["application_token"],
            "auth[access_token]": tok["access_token"], "auth[refresh_token]": tok["refresh_token"],
            "auth[domain]": "evil.example", "auth[client_endpoint]": "http://evil.example/rest/"}
    assert requests.post(f"{env.live.url}/install", data=form, timeout=10).status_code == 200
    status, domain, endpoint, *_ = _record(env, ans["member_id"])
    assert domain == ans["domain"] and endpoint == ans["client_endpoint"]


def test_uninstall_with_the_real_token_is_refused_while_the_app_is_installed(installed):
    env, ans = installed
    form = {"event": "ONAPPUNINSTALL", "data[CLEAN]": "1", "auth[member_id]": ans["member_id"],
            "auth[application_token]": ans["application_token"]}
    res = requests.post(f"{env.live.url}/events", data=form, timeout=10)
    assert res.status_code == 401
    assert _record(env, ans["member_id"])[0] == "active"


def test_our_own_rejected_credentials_block_no_portal(installed):
    env, ans = installed
    with env.app.app_context():
        s = services.settings()
        wrong = TokenManager(services.session_factory(), services.redis(), services.cipher(), services.clock(),
                             s.B24_OAUTH_URL, s.B24_CLIENT_ID, "wrong-secret", ca_bundle=s.B24_CA_BUNDLE)
        stored = wrong.current(ans["member_id"])
        try:
            wrong.refresh(ans["member_id"], stored.version)
            raised = None
        except PortalUnavailable as exc:
            raised = exc
    assert raised is not None
    assert _record(env, ans["member_id"])[0] == "active"


def test_errors_answered_with_http_200_are_raised(installed):
    env, ans = installed
    with env.app.app_context():
        try:
            client_for(ans["member_id"]).call("placement.bind", {"PLACEMENT": "", "HANDLER": ""})
            raised = None
        except PortalError as exc:
            raised = exc
    assert raised is not None and raised.code == "ERROR_ARGUMENT"


def test_hostile_forms_get_422_not_500(portal_env):
    env = portal_env()
    ans = env.install(run_jobs=False)
    base = {"event": "ONCRMDEALADD", "auth[member_id]": ans["member_id"], "auth[application_token]": ans["application_token"]}
    hostile = [
        "&".join(["a[]=1"] * 6000),
        "a" + "[x]" * 3000 + "=1",
        "event=ONCRMDEALADD&auth[member_id]=" + "m" * 500 + "&auth[application_token]=t",
        "event=ONCRMDEALADD&auth[member_id]=a.b:c&auth[application_token]=t",
        "event=ONCRMDEALADD&data=x&auth[member_id]=m&auth[application_token]=t",
    ]
    for body in hostile:
        res = requests.post(f"{env.live.url}/events", data=body, timeout=30,
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert res.status_code == 422, (body[:60], res.status_code)
    overflow = {**base, "auth[expires_in]": "99999999999999"}
    assert requests.post(f"{env.live.url}/events", data=overflow, timeout=10).status_code == 422
