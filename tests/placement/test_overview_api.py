"""The overview's admin API (the app's main page): the lifecycle matrix with shares and changes, the active share
and its trend from the snapshots, weekly revenue, buyers and carts, a cell's customers (JSON pages and CSV), the
stored segments' states; admins only.

(The sync figures the old server-rendered page showed belong to the sync health screen and its API.)"""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import requests
from sqlalchemy import delete

from bitrix_app.store.segment_models import CustomerFigures
from bitrix_app.store.shop_models import Cart
from tests.fixtures.shell_page import bootstrap_of, token_of
from tests.fixtures.shop_env import T0
from tests.placement.placement_env import NOW, placement_env

CELLS = {"NEW_ACTIVE": 2, "PROMISING_SLEEPING": 1, "LOYAL_ACTIVE": 1, "LOYAL_LOST": 3}
ALL_CELLS = ("NEW_ACTIVE", "NEW_SLEEPING", "NEW_LOST", "PROMISING_ACTIVE", "PROMISING_SLEEPING", "PROMISING_LOST",
             "LOYAL_ACTIVE", "LOYAL_SLEEPING", "LOYAL_LOST")


def _portal(portal_env):
    env = placement_env(portal_env)
    env.sync_order("A1", T0 - timedelta(days=100), status="paid")
    env.sync_order("A2", T0 - timedelta(days=40), status="delivered")
    with env.session() as s:  # the figures a rebuild left: only the rows below
        s.execute(delete(CustomerFigures).where(CustomerFigures.member_id == env.member_id))
    n = 1000
    for cell, count in CELLS.items():
        for _ in range(count):
            n += 1
            env.set_figures(n, (cell,), orders=1, lifecycle=cell)
    env.set_figures(2000, (), orders=0)  # a customer without purchases sits in no cell
    return env


@pytest.fixture
def pe(shared_portal):
    return shared_portal(_portal)


def _token(pe, user_id: int = 1) -> str:
    ans = pe.env.control("placements/open", {"placement": "DEFAULT", "user_id": user_id, "lang": "en"})
    return token_of(ans["body"])


def _get(pe, path: str = "", token: str | None = None, **query) -> requests.Response:
    return requests.get(f"{pe.env.live.url}/api/v1/portals/{pe.member_id}/overview{path}", params=query,
                        headers={"Authorization": f"Bearer {token or _token(pe)}"}, timeout=10)


def _overview(pe, lang: str = "en") -> dict:
    res = _get(pe, lang=lang)
    assert res.status_code == 200, res.text
    return res.json()


def _cells(answer: dict) -> dict:
    return {c["code"]: c for row in answer["matrix"]["rows"] for c in row["cells"]}


def test_the_lifecycle_matrix_counts_customers_per_cell_with_their_share(pe):
    grid = _overview(pe)["matrix"]
    cells = _cells({"matrix": grid})
    assert list(cells) == list(ALL_CELLS)  # rows New, Promising, Loyal; columns Active, Sleeping, Lost
    assert {code: c["count"] for code, c in cells.items()} == {c: CELLS.get(c, 0) for c in ALL_CELLS}
    assert cells["LOYAL_LOST"]["share"] == round(3 / 7, 4) and cells["NEW_LOST"]["share"] == 0.0
    assert cells["NEW_ACTIVE"]["name"] == "New active" and cells["NEW_ACTIVE"]["change"] is None
    assert [r["name"] for r in grid["rows"]] == ["New", "Promising", "Loyal"]
    assert [(c["name"], c["total"]) for c in grid["columns"]] == [("Active", 3), ("Sleeping", 1), ("Lost", 3)]
    assert grid["total"] == 7 and grid["since"] is None


def test_without_a_snapshot_the_share_is_counted_now_and_has_no_trend(pe):
    share = _overview(pe)["share"]
    assert share["share"] == round(3 / 7, 4) and share["target"] == 0.3 and share["meets_target"] is True
    assert share["trend"] is None and share["snapshots"] == 0 and share["points"] == []


def test_the_share_its_trend_and_the_cells_changes_come_from_the_snapshots(pe):
    pe.snapshot(NOW - timedelta(days=30), active_share=0.1, target=0.3, active=1, buyers=10)
    pe.snapshot(NOW - timedelta(days=8), active_share=0.25, target=0.3, active=5, buyers=20,
                counts={"LOYAL_LOST": 1, "NEW_ACTIVE": 2})
    pe.snapshot(NOW - timedelta(days=1), active_share=0.2857, target=0.3, active=6, buyers=21, trend=0.0357)
    answer = _overview(pe)
    share = answer["share"]
    assert share["share"] == 0.2857 and share["trend"] == 0.0357 and share["meets_target"] is False
    assert share["taken_at"].startswith("2026-11-11T10:00:00") and share["snapshots"] == 3
    assert [p["share"] for p in share["points"]] == [0.1, 0.25, 0.2857]  # oldest first
    cells = _cells(answer)
    # changes since the snapshot before the newest (the newest is the last rebuild, counted again live)
    assert cells["LOYAL_LOST"]["change"] == 2 and cells["NEW_ACTIVE"]["change"] == 0
    assert cells["PROMISING_SLEEPING"]["change"] is None  # the snapshot does not know the cell
    assert answer["matrix"]["since"].startswith("2026-11-04T10:00:00")


def test_a_single_snapshot_has_no_trend(pe):
    pe.snapshot(NOW - timedelta(days=1), active_share=0.35, target=0.3, active=7, buyers=20, trend=None)
    share = _overview(pe)["share"]
    assert share["share"] == 0.35 and share["trend"] is None and share["snapshots"] == 1 and share["meets_target"]


def test_weekly_revenue_orders_new_and_repeat_buyers(pe):
    pe.sync_order("B1", NOW - timedelta(days=1), status="paid", email="bo@example.com", phone="+7 999 000-00-01")
    pe.sync_order("C1", NOW - timedelta(days=2), status="cancelled", email="cy@example.com", phone=None)
    answer = _overview(pe)
    weeks = answer["weeks"]
    assert len(weeks) == 12 and weeks[0]["start"] == "2026-08-24" and weeks[-1]["start"] == "2026-11-09"
    by_start = {w["start"]: w for w in weeks}
    # A2 (2026-09-23) is Ann's second purchase: a repeat buyer; A1 (July) is before the window
    assert by_start["2026-09-21"]["orders"] == 1 and by_start["2026-09-21"]["revenue"] == {"EUR": 551.0}
    assert (by_start["2026-09-21"]["new_buyers"], by_start["2026-09-21"]["repeat_buyers"]) == (0, 1)
    # B1 is a first purchase; the cancelled C1 is no purchase
    assert weeks[-1]["orders"] == 1 and weeks[-1]["revenue"] == {"EUR": 551.0}
    assert (weeks[-1]["new_buyers"], weeks[-1]["repeat_buyers"]) == (1, 0)
    assert sum(w["orders"] for w in weeks) == 2 and answer["currency"] == "EUR"


def test_abandoned_carts_and_how_many_came_back(pe):
    with pe.session() as s:
        for n, (state, deal_id, days) in enumerate((("abandoned", 11, 3), ("ordered", 12, 2), ("ordered", None, 2),
                                                     ("ordered", 13, 200))):
            at = NOW - timedelta(days=days)
            s.add(Cart(shop_id=pe.shop.shop_id, member_id=pe.member_id, cart_id=f"cart-{n}", state=state,
                       data={}, version=at, first_seen_at=at, deal_id=deal_id))
    answer = _overview(pe)
    # an ordered cart without an abandoned-cart deal was never abandoned; the one from May is before the window
    assert answer["carts"] == {"abandoned": 2, "recovered": 1, "recovered_share": 0.5}
    assert (answer["weeks"][-1]["abandoned_carts"], answer["weeks"][-1]["recovered_carts"]) == (2, 1)


def test_a_portal_with_no_data_answers_zeros(portal_env):
    pe = placement_env(portal_env)
    answer = _overview(pe)
    assert answer["matrix"]["total"] == 0 and all(c["count"] == 0 and c["share"] == 0.0
                                                  for c in _cells(answer).values())
    assert answer["share"]["share"] is None and answer["share"]["points"] == []
    assert len(answer["weeks"]) == 12 and all(w["orders"] == 0 and w["revenue"] == {} for w in answer["weeks"])
    assert answer["currency"] is None and answer["carts"] == {"abandoned": 0, "recovered": 0, "recovered_share": None}
    assert answer["segments"] == []


def test_a_cells_customers_page_by_page_and_as_csv(pe):
    ann = pe.order("A1").customer_id
    contact = pe.contact_of(ann)
    pe.set_figures(ann, ("LOYAL_LOST",), orders=2, revenue=1102.0, lifecycle="LOYAL_LOST", contact_id=contact,
                   last_order_at=T0 - timedelta(days=40))
    first = _get(pe, "/cells/LOYAL_LOST/customers", limit=2)
    assert first.status_code == 200
    page = first.json()
    assert page["total"] == 4 and len(page["customers"]) == 2 and page["next_after"] is not None
    rest = _get(pe, "/cells/loyal_lost/customers", limit=2, after=page["next_after"]).json()
    assert rest["next_after"] is None and len(rest["customers"]) == 2
    assert ann == page["customers"][0]["customer_id"] < page["next_after"]  # by customer id
    row = page["customers"][0]
    assert row == {"customer_id": ann, "name": "Ann Lee", "phone": row["phone"], "email": "ann@example.com",
                   "orders": 2, "revenue": 1102.0, "currency": "EUR",
                   "last_order_at": (T0 - timedelta(days=40)).isoformat(), "contact_id": contact}
    assert row["phone"].startswith("+7") and contact
    ru = _get(pe, "/cells/LOYAL_LOST/customers", format="csv", lang="ru", limit=2)
    assert ru.status_code == 200 and ru.headers["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(ru.text)))
    assert lines[0] == ["Имя", "Телефон", "E-mail", "Заказов", "Выручка", "Валюта", "Последний заказ", "Контакт"]
    assert ["Ann Lee", row["phone"], "ann@example.com", "2", "1102.0", "EUR", "2026-09-23", str(contact)] in lines
    assert len(lines) == 3  # what the page shows: the header and two customers
    en = _get(pe, "/cells/LOYAL_LOST/customers", format="csv", lang="en", after=page["next_after"])
    assert next(csv.reader(io.StringIO(en.text)))[0] == "Name" and len(en.text.strip().splitlines()) == 3


def test_an_unknown_cell_is_a_404_and_bad_paging_a_422(pe):
    res = _get(pe, "/cells/VIP/customers")
    assert res.status_code == 404 and res.json()["error"] == "not_found"
    for query in ({"limit": 0}, {"after": -1}, {"format": "xml"}, {"lang": "de"}):
        res = _get(pe, "/cells/NEW_ACTIVE/customers", **query)
        assert res.status_code == 422 and res.json()["error"] == "validation_error", query
    assert _get(pe, lang="fr").status_code == 422


def test_names_in_russian(pe):
    pe.snapshot(NOW - timedelta(days=8), active_share=0.25, target=0.3, active=5, buyers=20)
    pe.snapshot(NOW - timedelta(days=1), active_share=0.2, target=0.3, active=4, buyers=20)
    answer = _overview(pe, lang="ru")
    grid = answer["matrix"]
    assert [r["name"] for r in grid["rows"]] == ["Новые", "Перспективные", "Лояльные"]
    assert [c["name"] for c in grid["columns"]] == ["Активные", "Спящие", "Потерянные"]
    assert _cells(answer)["LOYAL_LOST"]["name"] == "Лояльные потерянные" and answer["share"]["trend"] == -0.05
    assert _overview(pe)["matrix"]["rows"][0]["name"] == "New" and _get(pe).json()["matrix"]["rows"][0]["name"] == \
        "Новые"  # Russian unless asked otherwise


def test_stored_segments_with_a_failed_ones_error_in_the_pages_language(pe):
    pe.define_cross_sell()
    segments = _overview(pe)["segments"]
    assert segments == [{"code": "BIKE_NO_HELMET", "name": "Bike without a helmet", "state": "active",
                         "state_name": "calculated", "error": None, "failed_at": None}]
    assert _overview(pe, "ru")["segments"][0]["name"] == "Велосипед без шлема"


def test_a_failed_stored_segment_says_what_went_wrong_in_the_pages_language(portal_env):
    from bitrix_app.scope import portal_scope
    from bitrix_app.segments import create_definition, rebuild
    from tests.fixtures.segment_portal import force_definition

    pe = placement_env(portal_env)
    pe.sync_order("A1", T0 - timedelta(days=10), status="paid")
    with pe.session() as s:
        create_definition(s, pe.member_id, {"code": "QUIET", "kind": "lapsed", "name_en": "Quiet", "name_ru": "Тихие",
                                            "params": {"days": 45}, "enabled": False}, NOW)
    force_definition(pe, "POISONED", {"field": "age", "op": "<", "value": float("inf")}, NOW)
    with pe.env.app.app_context():
        assert rebuild(portal_scope(pe.member_id), pe.clock.now())["failed_definitions"] == ["POISONED"]
    views = {v["code"]: v for v in _overview(pe)["segments"]}
    assert (views["QUIET"]["state"], views["QUIET"]["state_name"], views["QUIET"]["error"]) == ("off", "off", None)
    failed = views["POISONED"]
    assert failed["state"] == "failed" and failed["name"] == "Poisoned" and failed["state_name"] == "failed"
    assert failed["error"].startswith("The rule no longer passes the checks (value: age is compared with numbers")
    assert failed["failed_at"].startswith(NOW.isoformat()[:16]) and "Traceback" not in failed["error"]
    ru = {v["code"]: v for v in _overview(pe, "ru")["segments"]}["POISONED"]
    assert ru["name"] == "Отравленный" and ru["state_name"] == "ошибка"
    assert ru["error"].startswith("Правило больше не проходит проверку")


def test_staff_get_a_403_and_nothing_without_a_token(pe):
    ans = pe.env.control("placements/open", {"placement": "DEFAULT", "user_id": 2, "lang": "en"})
    staff = bootstrap_of(ans["body"])["token"]
    for path in ("", "/cells/NEW_ACTIVE/customers"):
        res = _get(pe, path, token=staff)
        assert res.status_code == 403 and res.json()["error"] == "forbidden"
        assert requests.get(f"{pe.env.live.url}/api/v1/portals/{pe.member_id}/overview{path}",
                            timeout=10).status_code == 401
    other = requests.get(f"{pe.env.live.url}/api/v1/portals/other-portal/overview",
                         headers={"Authorization": f"Bearer {_token(pe)}"}, timeout=10)
    assert other.status_code == 401
