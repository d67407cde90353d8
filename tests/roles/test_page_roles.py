"""Who may administer a portal: the user's own AUTH_ID, proven against the portal, decides the role."""
from __future__ import annotations

import pytest
import requests

from bitrix_app.portals import ADMIN, STAFF, PageAccess, PortalUnreachable, UserRejected
from bitrix_app.rest.probe import ProbeAnswer
from tests.fixtures.shell_page import bootstrap_of, token_of

ADMIN_USER, MANAGER = 1, 2


def _installed(portal_env):
    e = portal_env()
    e.install()
    return e


@pytest.fixture
def env(shared_portal):
    return shared_portal(_installed)


@pytest.fixture
def own_env(portal_env):
    """A portal of the test's own: the test stops its sandbox."""
    return _installed(portal_env)


def _member(env) -> str:
    return env.control("placements/open", {"placement": "DEFAULT"})["fields"]["member_id"]


def _open(env, placement: str = "DEFAULT", user_id: int = ADMIN_USER, lang: str = "en") -> dict:
    body = {"placement": placement, "user_id": user_id, "lang": lang}
    if placement != "DEFAULT":
        body["options"] = {"ID": "1"}
    return env.control("placements/open", body)


def _token(html: str) -> str | None:
    return token_of(html)


def _api(env, member_id: str, token: str, path: str = "/segments", method: str = "GET", **kwargs):
    return requests.request(method, f"{env.live.url}/api/v1/portals/{member_id}{path}",
                            headers={"Authorization": f"Bearer {token}"}, timeout=10, **kwargs)


def _post_page(env, fields: dict, path: str = "/") -> requests.Response:
    domain = fields.get("DOMAIN", "127.0.0.1")
    return requests.post(f"{env.live.url}{path}?DOMAIN={domain}&LANG=en", data=fields, timeout=10)


def test_a_portal_admin_gets_the_main_page_with_an_admin_token(env):
    ans = _open(env)
    assert ans["status"] == 200, ans
    token = _token(ans["body"])
    assert token and f".{ADMIN_USER}.admin." in token
    assert _api(env, _member(env), token).status_code == 200


def test_a_manager_gets_a_403_main_page_with_a_staff_token_only(env):
    ans = _open(env, user_id=MANAGER)
    assert ans["status"] == 403
    assert "administrator" in ans["body"]
    boot = bootstrap_of(ans["body"])
    assert boot["role"] == "staff" and f".{MANAGER}.staff." in boot["token"]  # the front end shows why
    assert _api(env, _member(env), boot["token"]).status_code == 403
    ru = _open(env, user_id=MANAGER, lang="ru")
    assert ru["status"] == 403 and "администратор" in ru["body"]


def test_a_manager_gets_the_tabs_with_a_staff_token_that_the_admin_api_refuses(env):
    member_id = _member(env)
    ans = _open(env, "CRM_DEAL_DETAIL_TAB", user_id=MANAGER)
    assert ans["status"] == 200, ans
    assert bootstrap_of(ans["body"])["role"] == "staff"
    token = _token(ans["body"])
    assert token and f".{MANAGER}.staff." in token
    for method, path, body in (("GET", "/segments", None), ("GET", "/campaigns", None), ("GET", "/ltv", None),
                               ("POST", "/segments/rebuild", {}), ("PUT", "/access", {"user_ids": [2]}),
                               ("GET", "/segments/settings", None)):
        res = _api(env, member_id, token, path, method, json=body)
        assert res.status_code == 403, (method, path, res.text)
        assert res.json()["error"] == "forbidden"
    # what a manager working a deal may read
    res = _api(env, member_id, token, "/segments/customers/999/explain")
    assert res.status_code == 404


def test_a_forged_auth_id_is_refused(env):
    fields = dict(_open(env)["fields"])
    fields["AUTH_ID"] = "garbage"
    res = _post_page(env, fields)
    assert res.status_code == 401
    res = _post_page(env, fields, "/placement/deal")
    assert res.status_code == 401


def test_an_admin_of_another_portal_is_refused_with_this_portals_member_id(env, sandbox_factory, receiver):
    other = sandbox_factory()
    requests.post(f"{other.base_url}/_sandbox/install", json={
        "app_url": receiver.url, "client_id": "local.test.app", "client_secret": "s3cret", "mode": "callback",
    }, timeout=10).raise_for_status()
    other_admin_token = receiver.at("/install")[-1].form["auth"]["access_token"]
    fields = dict(_open(env)["fields"])  # this portal's member_id and APPLICATION_TOKEN, as any employee sees
    fields["AUTH_ID"] = other_admin_token
    assert _post_page(env, fields).status_code == 401


def test_a_page_token_works_only_for_its_own_portal(env):
    token = _token(_open(env)["body"])
    assert _api(env, "some-other-portal", token).status_code == 401
    assert _api(env, _member(env), token + "x").status_code == 401
    forged_role = token.replace(".admin.", ".staff.")
    assert _api(env, _member(env), forged_role).status_code == 401


@pytest.mark.parametrize("header", ["Bearer A.9999999999.\xe9", "Bearer \xff\xfe", "Bearer " + "é" * 300])
def test_a_non_ascii_bearer_token_is_a_401(env, header):
    res = requests.get(f"{env.live.url}/api/v1/portals/{_member(env)}/segments",
                       headers={"Authorization": header.encode("latin-1", "replace")}, timeout=10)
    assert res.status_code == 401


def test_an_admin_may_allow_a_non_admin_user_to_administer_the_app(env):
    member_id = _member(env)
    admin_token = _token(_open(env)["body"])
    assert _api(env, member_id, admin_token, "/access").json() == {"user_ids": []}
    res = _api(env, member_id, admin_token, "/access", "PUT", json={"user_ids": [MANAGER, MANAGER]})
    assert res.status_code == 200 and res.json() == {"user_ids": [MANAGER]}
    ans = _open(env, user_id=MANAGER)
    assert ans["status"] == 200
    token = _token(ans["body"])
    assert f".{MANAGER}.admin." in token and _api(env, member_id, token).status_code == 200
    _api(env, member_id, admin_token, "/access", "PUT", json={"user_ids": []})
    assert _open(env, user_id=MANAGER)["status"] == 403  # the cached verdict does not cache the role


@pytest.mark.parametrize("body", [{"user_ids": [0]}, {"user_ids": ["2"]}, {"user_ids": 2}, {"users": [2]},
                                  {"user_ids": list(range(1, 60))}])
def test_a_bad_user_list_is_a_422_and_changes_nothing(env, body):
    member_id = _member(env)
    admin_token = _token(_open(env)["body"])
    res = _api(env, member_id, admin_token, "/access", "PUT", json=body)
    assert res.status_code == 422, res.text
    assert _api(env, member_id, admin_token, "/access").json() == {"user_ids": []}


def test_the_verdict_is_cached_so_a_reopened_page_does_not_ask_the_portal_again(env):
    before = len(env.calls("profile"))
    fields = dict(_open(env)["fields"])  # the portal opens the page: its user is proven once
    assert len(env.calls("profile")) == before + 1
    assert _post_page(env, fields).status_code == 200
    assert _post_page(env, fields).status_code == 200
    assert len(env.calls("profile")) == before + 1


# --- the use case on its own: what the portal answers decides ------------------------------------------

class _Probe:
    def __init__(self, answer: ProbeAnswer):
        self.answer, self.asked = answer, []

    def __call__(self, endpoint: str, token: str) -> ProbeAnswer:
        self.asked.append((endpoint, token))
        return self.answer


def _access(env, probe) -> PageAccess:
    ext = env.app.extensions["bitrix_app"]
    return PageAccess(ext["sessions"], ext["cipher"], ext["redis"], probe)


def _app_token(env) -> tuple[str, str, str]:
    fields = _open(env)["fields"]
    return fields["member_id"], fields["APPLICATION_TOKEN"], fields["SERVER_ENDPOINT"]


def test_the_portal_is_asked_at_its_stored_address_never_one_from_the_form(env):
    member_id, app_token, _ = _app_token(env)
    probe = _Probe(ProbeAnswer("ok", {"ID": "1", "ADMIN": True}))
    viewer = _access(env, probe).viewer(member_id, app_token, "tok-1")
    assert viewer.role == ADMIN and viewer.user_id == 1
    assert probe.asked == [(f"{env.base}/rest/", "tok-1")]


def test_a_page_is_proven_in_one_short_transaction_and_carries_the_verified_record(env):
    member_id, app_token, _ = _app_token(env)
    ext = env.app.extensions["bitrix_app"]
    opened = []

    def sessions():
        opened.append(1)
        return ext["sessions"]()

    access = PageAccess(sessions, ext["cipher"], ext["redis"], _Probe(ProbeAnswer("ok", {"ID": "7", "ADMIN": False})))
    viewer = access.viewer(member_id, app_token, "tok-one")
    assert len(opened) == 1  # the callback check and the app-administrator list: one read, before the portal
    assert viewer.portal.member_id == member_id and viewer.portal.domain  # the overview needs no second check


def test_unreachable_portal_and_refused_token_are_told_apart(env):
    member_id, app_token, _ = _app_token(env)
    with pytest.raises(PortalUnreachable):
        _access(env, _Probe(ProbeAnswer("unreachable"))).viewer(member_id, app_token, "tok-2")
    with pytest.raises(UserRejected):
        _access(env, _Probe(ProbeAnswer("rejected"))).viewer(member_id, app_token, "tok-3")
    with pytest.raises(UserRejected):  # an answer without a user is no proof
        _access(env, _Probe(ProbeAnswer("ok", {"ADMIN": True}))).viewer(member_id, app_token, "tok-4")
    staff = _access(env, _Probe(ProbeAnswer("ok", {"ID": "7", "ADMIN": False}))).viewer(member_id, app_token, "t5")
    assert staff.role == STAFF and staff.user_id == 7


def test_an_unreachable_portal_makes_the_page_a_503(own_env):
    env = own_env
    fields = dict(_open(env)["fields"])
    env.app.extensions["bitrix_app"]["redis"].flushdb()  # no cached verdict
    env.sandbox.stop()
    res = _post_page(env, fields)
    assert res.status_code == 503


def test_the_operator_sets_the_allowed_users_from_the_command_line(env):
    member_id = _member(env)
    runner = env.app.test_cli_runner()
    out = runner.invoke(args=["portals", "admins", "--member-id", member_id, "--set", "5,7,5"])
    assert out.exit_code == 0, out.output
    assert '"user_ids": [5, 7]' in out.output
    assert '"user_ids": [5, 7]' in runner.invoke(args=["portals", "admins", "--member-id", member_id]).output
    bad = runner.invoke(args=["portals", "admins", "--member-id", member_id, "--set", "x"])
    assert bad.exit_code == 2 and "user_ids" in bad.output and "Traceback" not in bad.output
    assert '"user_ids": []' in runner.invoke(args=["portals", "admins", "--member-id", member_id, "--clear"]).output


@pytest.mark.parametrize("options", ["[" * 3000, '{"a":' * 3000, "\x00", '{"ID": "\\ud800"}', "5"])
def test_hostile_placement_options_open_the_tab_without_an_entity(env, options):
    fields = dict(_open(env, "CRM_DEAL_DETAIL_TAB")["fields"])
    fields["PLACEMENT_OPTIONS"] = options
    res = _post_page(env, fields, "/placement/deal")
    # never a 500: over 4,000 characters is a 422, a NUL is refused at the edge, anything else is ignored
    assert res.status_code in (200, 400, 422), res.text
    if res.status_code == 200:
        boot = bootstrap_of(res.text)
        assert boot["role"] == "admin" and boot["entity_id"] is None  # the tab, with no entity
