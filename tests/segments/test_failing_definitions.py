"""A stored definition the engine cannot evaluate fails alone: it is marked failed with its error and keeps its
members; the rebuild and the order sync's incremental update compute everything else; fixing it makes it
active again."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import BigInteger, func, literal

from bitrix_app.segments.kinds import definitions
from bitrix_app.segments.kinds import rules
from tests.fixtures.segment_portal import AUTH, definition_views, force_definition, portal  # noqa: F401
from tests.segments.history import NOW, History

POISON = {"field": "revenue", "op": ">", "value": 10**30}  # stored before the schema refused it
BIG = {"field": "revenue", "op": ">", "value": 500}


def define(hist: History, code: str, params: dict, kind: str = "custom") -> None:
    with hist.session() as s:
        definitions.create(s, hist.member_id, {"code": code, "kind": kind, "name_en": f"{code} en",
                                               "name_ru": f"{code} ru", "params": params}, hist.now)


def strings(hist: History) -> dict[int, str]:
    return {cid: row["segments"] for cid, row in hist.rows().items()}


def without(segments: str, code: str) -> str:
    return segments.replace(f"|{code}|", "|")


def test_a_poisoned_definition_fails_alone_and_the_rebuild_computes_the_rest(portal):
    big = portal.buyer(3, 5, total="300.00")
    lapsed = portal.buyer(1, 200, total="20.00")
    define(portal, "BIG_SPENDERS", BIG)
    define(portal, "LAPSED_150", {"days": 150}, kind="lapsed")
    force_definition(portal, "A_POISON", POISON, NOW)  # first in code order: every other stored one comes after
    summary = portal.rebuild()
    assert summary["failed_definitions"] == ["A_POISON"] and summary["customers"] == 2
    assert {"BIG_SPENDERS", portal.row(big)["lifecycle"]} <= portal.segments(big)
    assert {"LAPSED_150", "NEW_LOST"} <= portal.segments(lapsed) and "A_POISON" not in portal.segments(big)
    with_poison = strings(portal)

    views = definition_views(portal)
    assert views["BIG_SPENDERS"]["status"] == views["LAPSED_150"]["status"] == "active"
    failed = views["A_POISON"]
    assert failed["status"] == "failed" and failed["error"]["reason"] == "invalid_rule"
    assert failed["error"]["failed_at"] == NOW.isoformat()
    assert "revenue is compared with numbers from" in failed["error"]["detail"]
    assert failed["error"]["message_en"].startswith("The rule no longer passes the checks")
    assert failed["error"]["message_ru"].startswith("Правило больше не проходит проверку")
    assert "Traceback" not in json.dumps(failed)

    with portal.session() as s:  # the same portal without it: every other membership is the same
        definitions.delete(s, portal.member_id, "A_POISON")
    portal.rebuild()
    assert strings(portal) == {cid: without(value, "A_POISON") for cid, value in with_poison.items()}


def _exploding(monkeypatch, *codes: str) -> None:
    """Rules whose SQL fails when it runs (an integer overflow on SQLite and PostgreSQL alike)."""
    real = rules.predicate

    def predicate(defn, env):
        if defn.code in codes:
            return func.abs(literal(-2**63, BigInteger)) > 0
        return real(defn, env)

    monkeypatch.setattr(rules, "predicate", predicate)


def test_a_definition_whose_sql_fails_keeps_its_members_until_it_runs_again(portal, monkeypatch):
    big = portal.buyer(3, 5, total="300.00")
    small = portal.buyer(1, 3, total="20.00")
    for n in range(5):
        define(portal, f"RULE_{n}", {"field": "orders", "op": ">=", "value": n})
    define(portal, "BIG_SPENDERS", BIG)
    portal.rebuild()
    before, moved = strings(portal), len(portal.transitions())
    assert "BIG_SPENDERS" in portal.segments(big) and "RULE_2" not in portal.segments(small)

    _exploding(monkeypatch, "BIG_SPENDERS", "RULE_2")
    portal.order(small, 1, total="900.00")  # small now has 2 orders and 920 of revenue
    summary = portal.rebuild(now=NOW.replace(hour=11))
    assert summary["failed_definitions"] == ["BIG_SPENDERS", "RULE_2"]
    views = definition_views(portal)
    assert views["RULE_2"]["status"] == views["BIG_SPENDERS"]["status"] == "failed"
    error = views["RULE_2"]["error"]  # SQLite says "integer overflow", PostgreSQL "bigint out of range"
    assert error["reason"] in ("calculation", "number_range")
    assert "overflow" in error["detail"].lower() or "out of range" in error["detail"].lower()
    assert {views[f"RULE_{n}"]["status"] for n in (0, 1, 3, 4)} == {"active"}
    # the failed ones keep their members as they were; the rest moved with the data
    assert "BIG_SPENDERS" in portal.segments(big) and "BIG_SPENDERS" not in portal.segments(small)
    assert "RULE_2" not in portal.segments(small) and "RULE_1" in portal.segments(small)
    assert "RULE_2" in portal.segments(big) and "|RULE_2|" in before[big]
    assert all(seg not in ("BIG_SPENDERS", "RULE_2") for _, seg, _ in portal.transitions()[moved:])

    monkeypatch.undo()  # the database can compute them again: active again, and up to date
    portal.rebuild(now=NOW.replace(hour=12))
    views = definition_views(portal)
    assert views["RULE_2"]["status"] == views["BIG_SPENDERS"]["status"] == "active"
    assert views["RULE_2"]["error"] is None
    assert {"BIG_SPENDERS", "RULE_2"} <= portal.segments(small)


def test_listing_api_cli_and_fixing_the_definition(portal):
    cid = portal.buyer(3, 5, total="300.00")
    define(portal, "BIG_SPENDERS", BIG)
    force_definition(portal, "POISONED", POISON, NOW)
    portal.rebuild()
    web = portal.app.test_client()
    listed = {r["code"]: r for r in web.get(f"/api/v1/portals/{portal.member_id}/segments", headers=AUTH).json[
        "segments"]}
    assert listed["NEW_ACTIVE"]["status"] == "active" and listed["NEW_ACTIVE"]["error"] is None
    assert listed["BIG_SPENDERS"]["status"] == "active" and listed["BIG_SPENDERS"]["count"] == 1
    assert listed["POISONED"]["status"] == "failed" and listed["POISONED"]["count"] == 0
    assert listed["POISONED"]["error"]["reason"] == "invalid_rule"
    res = portal.app.test_cli_runner().invoke(args=["segments", "list", "--member-id", portal.member_id])
    cli = {row["code"]: row for row in map(json.loads, res.stdout.splitlines())}
    assert cli["POISONED"]["status"] == "failed" and "Правило" in cli["POISONED"]["error"]["message_ru"]

    fixed = web.put(f"/api/v1/portals/{portal.member_id}/segments/definitions/POISONED",
                    json={"params": {"field": "revenue", "op": ">", "value": 100}}, headers=AUTH)
    assert fixed.status_code == 200 and fixed.json["status"] == "active" and fixed.json["error"] is None
    portal.rebuild()
    assert definition_views(portal)["POISONED"]["status"] == "active" and "POISONED" in portal.segments(cid)


def test_explain_says_what_a_failed_definition_is(portal):
    cid = portal.buyer(1, 5)
    force_definition(portal, "POISONED", POISON, NOW)
    portal.rebuild()
    web = portal.app.test_client()
    res = web.get(f"/api/v1/portals/{portal.member_id}/segments/customers/{cid}/explain?all=1", headers=AUTH)
    assert res.status_code == 200
    [entry] = [e for e in res.json["not_in"] if e["code"] == "POISONED"]
    assert entry["reasons"][0].startswith("The rule no longer passes the checks")


def _refresh_quietly(hist: History, *customer_ids: int, now=None) -> None:
    """The order sync's refresh: a failure is logged, never raised."""
    from bitrix_app.segments.engine import core as engine

    with hist.session() as s:
        engine.refresh_quietly(s, hist.member_id, list(customer_ids), now or hist.now)


def _no_isolation(monkeypatch) -> None:
    from bitrix_app.segments.kinds import isolation

    def refused(*args, **kwargs):
        raise AssertionError("isolation ran")

    monkeypatch.setattr(isolation, "screen", refused)
    monkeypatch.setattr(isolation, "isolate", refused)


def test_a_refresh_leaves_a_failed_definition_alone(portal, monkeypatch):
    rich, cid = portal.buyer(3, 5, total="300.00"), portal.buyer(1, 5)
    define(portal, "TWO_ORDERS", {"field": "orders", "op": ">=", "value": 2})
    define(portal, "POISONED", BIG)
    portal.rebuild()
    force_definition(portal, "POISONED", POISON, NOW)
    failed_at = NOW.replace(hour=11)
    portal.rebuild(now=failed_at)
    assert definition_views(portal)["POISONED"]["error"]["failed_at"] == failed_at.isoformat()
    assert "POISONED" in portal.segments(rich) and "POISONED" not in portal.segments(cid)

    _no_isolation(monkeypatch)  # the failed definition is not evaluated: nothing to isolate
    moved = len(portal.transitions())
    portal.order(cid, 1, total="900.00")  # cid would now be a big spender
    portal.order(rich, 1, status="cancelled")
    _refresh_quietly(portal, cid, rich, now=NOW.replace(hour=12))
    assert "TWO_ORDERS" in portal.segments(cid)  # the rest moved with the data
    assert "POISONED" in portal.segments(rich) and "POISONED" not in portal.segments(cid)  # frozen members
    failed = definition_views(portal)["POISONED"]
    assert failed["status"] == "failed" and failed["error"]["failed_at"] == failed_at.isoformat()
    assert ("TWO_ORDERS" in {seg for _, seg, _ in portal.transitions()[moved:]}
            and "POISONED" not in {seg for _, seg, _ in portal.transitions()[moved:]})


def _broken_refresh(monkeypatch) -> list:
    """The incremental statement fails whatever the definitions (say, the database is out of disk)."""
    from bitrix_app.segments.engine import incremental

    calls = []

    def write(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("disk full")

    monkeypatch.setattr(incremental, "write", write)
    return calls


def _engine_records(caplog) -> list:
    return [r for r in caplog.records if r.name == "bitrix_app.segments.engine.core"]


def test_a_failed_refresh_without_a_definition_to_blame_is_logged_once_and_not_isolated(portal, monkeypatch,
                                                                                          caplog):
    cid = portal.buyer(1, 5)
    force_definition(portal, "POISONED", POISON, NOW)
    portal.rebuild()  # the only stored definition is failed: frozen from now on
    calls = _broken_refresh(monkeypatch)
    _refresh_quietly(portal, cid)
    assert len(calls) == 1
    [record] = _engine_records(caplog)
    assert record.levelname == "ERROR" and "disk full" in caplog.text and record.exc_info is not None


def test_a_failed_refresh_is_isolated_when_a_definition_may_be_to_blame_and_logged_once(portal, monkeypatch,
                                                                                        caplog):
    cid = portal.buyer(1, 5)
    define(portal, "TWO_ORDERS", {"field": "orders", "op": ">=", "value": 2})
    portal.rebuild()
    calls = _broken_refresh(monkeypatch)
    _refresh_quietly(portal, cid)
    assert len(calls) == 2  # the refresh, then isolation's trial with every stored definition frozen
    [record] = _engine_records(caplog)
    assert record.levelname == "ERROR" and record.exc_info is not None
    assert definition_views(portal)["TWO_ORDERS"]["status"] == "active"  # not the definition's fault


def _defs(n: int):
    from bitrix_app.segments.kinds.contract import SegmentDef

    return [SegmentDef(f"S{i:03d}", "custom", {"en": "", "ru": ""}, {"field": "orders"}) for i in range(n)]


def test_halving_finds_the_failing_definitions_in_few_trials():
    from bitrix_app.segments.kinds import isolation

    defs, bad, runs = _defs(200), {"S017", "S150"}, []

    def trial(variant):
        runs.append(1)
        active = {d.code for d in variant if not isolation.is_frozen(d)}
        return OverflowError("Python int too large") if active & bad else None

    ready, failed = isolation.isolate(trial, defs, {d.code for d in defs})
    assert set(failed) == bad and {d.code for d in ready if isolation.is_frozen(d)} == bad
    assert failed["S017"] == isolation.Failure("number_range", "OverflowError: Python int too large")
    assert len(runs) <= 2 + 2 * len(bad) * 8  # base and final run, two halves per level per culprit
    assert [d.code for d in ready] == [d.code for d in defs]


def test_a_failure_of_the_statement_itself_is_raised_and_a_joint_one_freezes_from_the_end():
    from bitrix_app.segments.kinds import isolation

    defs = _defs(4)
    with pytest.raises(RuntimeError, match="engine bug"):
        isolation.isolate(lambda variant: RuntimeError("engine bug"), defs, {d.code for d in defs})

    def too_large(variant):  # fails only with three or more active at once
        active = [d for d in variant if not isolation.is_frozen(d)]
        return RuntimeError("Expression tree is too large") if len(active) >= 3 else None

    ready, failed = isolation.isolate(too_large, defs, {d.code for d in defs})
    assert list(failed) == ["S003", "S002"] and failed["S003"].reason == "calculation"
    assert [isolation.is_frozen(d) for d in ready] == [False, False, True, True]
