"""`flask segments ...` and the admin JSON API /api/v1/portals/<member_id>/segments."""
from __future__ import annotations

import csv
import io
import json

from tests.fixtures.segment_portal import AUTH, portal  # noqa: F401
from tests.segments.history import History

LAPSED_45 = {"code": "LAPSED_45", "kind": "lapsed", "name_en": "No purchase for 45+ days",
             "name_ru": "Без покупок 45+ дней", "params": {"days": 45}}


def _cli(hist: History, *args: str):
    return hist.app.test_cli_runner().invoke(args=["segments", *args])


def _url(hist: History, tail: str = "") -> str:
    return f"/api/v1/portals/{hist.member_id}/segments{tail}"


def test_cli_rebuild_list_export_explain(portal, tmp_path):
    loyal = portal.buyer(4, 200, total="120.00")
    fresh = portal.buyer(1, 2, total="30.00")
    res = _cli(portal, "rebuild", "--member-id", portal.member_id)
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["customers"] == 2 and summary["baseline"] and summary["counts"]["LOYAL_LOST"] == 1
    assert "customers" in res.stderr  # the progress bar

    listed = [json.loads(line) for line in _cli(portal, "list", "--member-id", portal.member_id).stdout.splitlines()]
    counts = {row["code"]: row["count"] for row in listed}
    assert counts["LOYAL_LOST"] == 1 and counts["NEW_ACTIVE"] == 1 and counts["GENDER_MALE"] == 0
    assert next(r for r in listed if r["code"] == "NEW_ACTIVE")["name_ru"] == "Новые активные"

    res = _cli(portal, "export", "--member-id", portal.member_id, "--segment", "loyal_lost", "--format", "jsonl")
    assert res.exit_code == 0, res.output
    assert [json.loads(line)["customer_id"] for line in res.stdout.splitlines()] == [loyal]
    target = tmp_path / "new.csv"
    res = _cli(portal, "export", "--member-id", portal.member_id, "--segment", "NEW_ACTIVE", "--output", str(target))
    assert res.exit_code == 0 and "1 customer(s) in NEW_ACTIVE" in res.stderr
    assert [row["customer_id"] for row in csv.DictReader(target.open())] == [str(fresh)]
    res = _cli(portal, "export", "--member-id", portal.member_id, "--segment", "NOPE")
    assert res.exit_code == 2 and "no segment 'NOPE'" in res.output

    res = _cli(portal, "explain", "--member-id", portal.member_id, "--customer-id", str(loyal))
    assert res.exit_code == 0
    assert "LOYAL_LOST" in {m["code"] for m in json.loads(res.stdout)["memberships"]}
    assert _cli(portal, "explain", "--member-id", portal.member_id, "--customer-id", "999999").exit_code == 1
    assert _cli(portal, "rebuild", "--member-id", "nobody").exit_code == 2


def test_cli_define_delete_and_settings(portal):
    cid = portal.buyer(1, 50)
    res = _cli(portal, "define", "--member-id", portal.member_id, "--json", json.dumps(LAPSED_45))
    assert res.exit_code == 0, res.output and json.loads(res.stdout)["created"]
    again = _cli(portal, "define", "--member-id", portal.member_id, "--json",
                 json.dumps({**LAPSED_45, "params": {"days": 40}}))
    assert json.loads(again.stdout)["created"] is False and json.loads(again.stdout)["params"] == {"days": 40}
    bad = _cli(portal, "define", "--member-id", portal.member_id, "--json", json.dumps({**LAPSED_45, "params": {}}))
    assert bad.exit_code == 2 and "days" in bad.output
    assert _cli(portal, "define", "--member-id", portal.member_id, "--json", "{").exit_code == 2
    _cli(portal, "rebuild", "--member-id", portal.member_id)
    assert "LAPSED_45" in portal.segments(cid)
    assert json.loads(_cli(portal, "delete", "--member-id", portal.member_id, "--code", "lapsed_45").stdout) == {
        "deleted": "LAPSED_45"}
    assert _cli(portal, "delete", "--member-id", portal.member_id, "--code", "LAPSED_45").exit_code == 2
    shown = json.loads(_cli(portal, "settings", "--member-id", portal.member_id, "--set",
                            '{"birthday_days": 10}').stdout)
    assert shown["birthday_days"] == 10 and shown["lifecycle"]["active_days"] == 60
    assert _cli(portal, "settings", "--member-id", portal.member_id, "--set", '{"birthday_days": 0}').exit_code == 2


def test_the_api_needs_the_admin_token(portal):
    web = portal.app.test_client()
    for method, tail in (("get", ""), ("get", "/NEW_ACTIVE/members"), ("get", "/customers/1/explain"),
                         ("post", "/rebuild"), ("post", "/definitions"), ("put", "/definitions/X"),
                         ("delete", "/definitions/X"), ("get", "/settings"), ("put", "/settings"),
                         ("get", "/snapshot"), ("get", "/trend")):
        res = getattr(web, method)(_url(portal, tail))
        assert res.status_code == 401 and res.json["error"] == "unauthorized", (method, tail)
    assert web.get(_url(portal), headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert web.get("/api/v1/portals/nobody/segments", headers=AUTH).status_code == 404


def test_api_definitions_members_explain_settings_and_snapshot(portal):
    web = portal.app.test_client()
    ids = [portal.buyer(1, 2 + n, total="10.00") for n in range(3)]
    assert web.get(_url(portal, "/snapshot"), headers=AUTH).status_code == 404
    bad = web.post(_url(portal, "/definitions"), json={**LAPSED_45, "code": "lapsed 45", "params": {"days": -1}},
                   headers=AUTH)
    assert bad.status_code == 422 and set(bad.json["details"]["fields"]) == {"code", "params"}
    created = web.post(_url(portal, "/definitions"), json=LAPSED_45, headers=AUTH)
    assert created.status_code == 201 and created.json["code"] == "LAPSED_45"
    assert web.put(_url(portal, "/definitions/lapsed_45"), json={"params": {"days": 50}}, headers=AUTH).json[
        "params"] == {"days": 50}
    assert web.put(_url(portal, "/definitions/NOPE"), json={}, headers=AUTH).status_code == 404
    assert web.put(_url(portal, "/definitions/LAPSED_45"), data="[", headers={
        **AUTH, "Content-Type": "application/json"}).status_code == 400
    portal.rebuild()

    listed = web.get(_url(portal), headers=AUTH).json["segments"]
    assert {r["code"]: r["count"] for r in listed}["NEW_ACTIVE"] == 3
    page = web.get(_url(portal, "/new_active/members?limit=2"), headers=AUTH)
    assert [r["customer_id"] for r in page.json["members"]] == ids[:2] and page.json["next_after"] == ids[1]
    rest = web.get(_url(portal, f"/NEW_ACTIVE/members?limit=2&after={ids[1]}&format=jsonl"), headers=AUTH)
    assert rest.mimetype == "application/x-ndjson" and rest.headers["X-Next-After"] == ""
    assert [json.loads(line)["customer_id"] for line in rest.text.splitlines()] == ids[2:]
    as_csv = web.get(_url(portal, "/NEW_ACTIVE/members?format=csv"), headers=AUTH)
    assert as_csv.mimetype == "text/csv" and len(list(csv.DictReader(io.StringIO(as_csv.text)))) == 3
    assert web.get(_url(portal, "/NEW_ACTIVE/members?format=xml"), headers=AUTH).status_code == 422
    assert web.get(_url(portal, "/NOPE/members"), headers=AUTH).status_code == 404

    explained = web.get(_url(portal, f"/customers/{ids[0]}/explain"), headers=AUTH)
    assert "NEW_ACTIVE" in {m["code"] for m in explained.json["memberships"]}
    assert web.get(_url(portal, "/customers/999999/explain"), headers=AUTH).status_code == 404

    assert web.get(_url(portal, "/settings"), headers=AUTH).json["lapsed_days"] == [90, 180, 360]
    bad = web.put(_url(portal, "/settings"), json={"lifecycle": {"active_days": 500}}, headers=AUTH)
    assert bad.status_code == 422 and "lifecycle" in bad.json["details"]["fields"]
    assert web.put(_url(portal, "/settings"), json={"active_target_share": 0.4}, headers=AUTH).json[
        "active_target_share"] == 0.4

    snap = web.get(_url(portal, "/snapshot"), headers=AUTH).json
    assert snap["buyers"] == 3 and snap["active"] == 3 and snap["active_share"] == 1.0
    trend = web.get(_url(portal, "/trend"), headers=AUTH).json
    assert len(trend["points"]) == 1 and trend["meets_target"] is True
    assert web.get(_url(portal, "/trend?limit=0"), headers=AUTH).status_code == 422
    assert web.delete(_url(portal, "/definitions/LAPSED_45"), headers=AUTH).json == {"deleted": "LAPSED_45"}
    assert web.delete(_url(portal, "/definitions/LAPSED_45"), headers=AUTH).status_code == 404


def test_api_rebuild_enqueues_one_job_per_portal(portal):
    from rq import Queue

    web = portal.app.test_client()
    first = web.post(_url(portal, "/rebuild"), headers=AUTH)
    second = web.post(_url(portal, "/rebuild"), headers=AUTH)
    assert first.status_code == 202 and first.json["job_id"] == "segments-rebuild-seg-portal"
    assert second.json["job_id"] == first.json["job_id"]
    queue = Queue("bulk", connection=portal.app.extensions["bitrix_app"]["redis"])
    assert queue.job_ids == [first.json["job_id"]]


def test_the_nightly_cron_rebuilds_every_usable_portal(portal):
    from bitrix_app.jobs.cron import cron_table
    from bitrix_app.jobs.worker import run_burst
    from bitrix_app.segments.jobs import rebuild_all

    assert "bitrix_app.segments.jobs.rebuild_all" in {entry.func for entry in cron_table()}
    cid = portal.buyer(2, 3)
    gone = History(portal.app, member_id="gone-portal")
    gone.install_portal()
    with gone.session() as s:
        from sqlalchemy import update

        from bitrix_app.store.models import PortalRecord

        s.execute(update(PortalRecord).where(PortalRecord.member_id == "gone-portal").values(status="deleted"))
    with portal.app.app_context():
        assert rebuild_all() == {"enqueued": 1}
    run_burst(portal.app, portal.app.extensions["bitrix_app"]["redis"], ["bulk"])
    assert portal.row(cid)["lifecycle"] == "PROMISING_ACTIVE" and portal.state()["rebuilt_at"] is not None
