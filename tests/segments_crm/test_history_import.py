"""Import of a portal's won deals: orders, lines and customers once, our own deals skipped, changes followed."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from bitrix_app.segments.crm.history import import_deals
from bitrix_app.store.segment_models import OrderLine
from bitrix_app.store.shop_models import Customer, CustomerKey, OrderRecord
from tests.fixtures.shop_env import connect_shop, order_event
from tests.segments_crm.crm_env import add_contact, in_app, in_scope

MSK_MIDNIGHT = 21  # a CLOSEDATE day starts at 00:00 Moscow time, 21:00 UTC the day before


def _portal(portal_env):
    return connect_shop(portal_env())


@pytest.fixture
def shop(shared_portal):
    return shared_portal(_portal)


def won_deal(shop, contact_id: int | None, close: str, rows: list[tuple[str, float, float]], **fields) -> int:
    """A deal staff closed as won in the general pipeline, with product rows (name, price, quantity)."""
    deal = int(shop.env.rest("crm.deal.add", {"fields": {
        "TITLE": "Staff deal", "CONTACT_ID": contact_id, "CURRENCY_ID": "RUB", "CLOSEDATE": close, **fields}}))
    shop.env.rest("crm.deal.productrows.set", {"id": deal, "rows": [
        {"PRODUCT_NAME": name, "PRICE": price, "QUANTITY": qty} for name, price, qty in rows]})
    shop.env.rest("crm.deal.update", {"id": deal, "fields": {"STAGE_ID": fields.get("STAGE_ID", "WON")}})
    return deal


def orders(shop) -> dict[int, OrderRecord]:
    with shop.session() as s:
        return {r.deal_id: r for r in s.scalars(select(OrderRecord).where(OrderRecord.shop_id == "crm"))}


def lines(shop, order_ref: int) -> list[tuple]:
    with shop.session() as s:
        return [(l.sku, l.quantity, l.amount, l.counted) for l in s.scalars(
            select(OrderLine).where(OrderLine.order_ref == order_ref).order_by(OrderLine.id))]


def count(shop, model) -> int:
    with shop.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def advance(shop, seconds: int = 120) -> None:
    shop.env.control("clock", {"advance": seconds})


def run(shop, **kwargs) -> dict:
    return in_scope(shop, import_deals, shop.member_id, rebuild=False, **kwargs)


def test_won_deals_become_orders_with_lines_and_customers(shop):
    ann = add_contact(shop, LAST_NAME="Lee", PHONE=[{"VALUE": "+7 999 123-45-67", "VALUE_TYPE": "WORK"}],
                      EMAIL=[{"VALUE": "Ann@Example.com", "VALUE_TYPE": "HOME"}], BIRTHDATE="1990-05-17")
    bob = add_contact(shop, NAME="Bob", EMAIL=[{"VALUE": "bob@example.com", "VALUE_TYPE": "WORK"}])
    d1 = won_deal(shop, ann, "2025-03-10", [("City bike [BIKE-1]", 500, 1), ("Bell", 10, 2)], UTM_SOURCE="ads")
    d2 = won_deal(shop, ann, "2025-06-01", [("Tyre [TYRE-2]", 25.5, 2)])
    d3 = won_deal(shop, bob, "2025-07-01", [("Helmet", 40, 1)])
    open_deal = won_deal(shop, bob, "2025-08-01", [("Lock", 15, 1)], STAGE_ID="NEW")
    lost_deal = won_deal(shop, bob, "2025-08-02", [("Lock", 15, 1)], STAGE_ID="LOSE")
    nobody = won_deal(shop, None, "2025-08-03", [("Lock", 15, 1)])

    summary = run(shop)
    assert {k: summary[k] for k in ("won_deals", "imported", "no_contact", "customers_created", "failed")} == {
        "won_deals": 4, "imported": 3, "no_contact": 1, "customers_created": 2, "failed": 0}
    got = orders(shop)
    assert sorted(got) == [d1, d2, d3] and not {open_deal, lost_deal, nobody} & set(got)
    first = got[d1]
    assert (first.order_id, first.number, first.status) == (f"{shop.member_id}:{d1}", str(d1), "completed")
    assert (first.total, first.currency, first.utm_source) == ("520.00", "RUB", "ads")
    assert first.ordered_at.replace(tzinfo=timezone.utc) == datetime(2025, 3, 9, MSK_MIDNIGHT, tzinfo=timezone.utc)
    assert lines(shop, first.id) == [("BIKE-1", 1.0, 500.0, True), ("Bell", 2.0, 20.0, True)]
    assert got[d1].customer_id == got[d2].customer_id != got[d3].customer_id
    with shop.session() as s:
        customer = s.get(Customer, got[d1].customer_id)
        keys = set(s.scalars(select(CustomerKey.key).where(CustomerKey.customer_id == customer.id)))
    assert customer.contact_id == ann and keys == {"phone:+79991234567", "email:ann@example.com"}
    profile = customer.profile
    assert (profile["first_name"], profile["last_name"], profile["birthday"]) == ("Ann", "Lee", "1990-05-17")


def test_a_second_run_imports_nothing_and_reads_no_rows(shop):
    ann = add_contact(shop, PHONE=[{"VALUE": "+79990000001", "VALUE_TYPE": "WORK"}])
    won_deal(shop, ann, "2025-03-10", [("Bike", 500, 1)])
    won_deal(shop, ann, "2025-04-10", [("Bell", 10, 1)])
    run(shop)
    before = (count(shop, OrderRecord), count(shop, OrderLine), count(shop, Customer), count(shop, CustomerKey))
    calls = len(shop.env.calls())
    summary = run(shop)
    assert (summary["imported"], summary["updated"], summary["unchanged"]) == (0, 0, 2)
    assert (count(shop, OrderRecord), count(shop, OrderLine), count(shop, Customer), count(shop, CustomerKey)) == before
    assert [c["method"] for c in shop.env.calls()[calls:]] == ["crm.deal.list"]  # one page, nothing else


def test_changed_and_no_longer_won_deals_are_updated(shop):
    ann = add_contact(shop, PHONE=[{"VALUE": "+79990000002", "VALUE_TYPE": "WORK"}])
    kept = won_deal(shop, ann, "2025-03-10", [("Bike", 500, 1)])
    lost = won_deal(shop, ann, "2025-04-10", [("Bell", 10, 1)])
    run(shop)
    advance(shop)
    shop.env.rest("crm.deal.productrows.set", {"id": kept, "rows": [{"PRODUCT_NAME": "Bike", "PRICE": 450,
                                                                    "QUANTITY": 2}]})
    shop.env.rest("crm.deal.update", {"id": kept, "fields": {"TITLE": "Two bikes"}})
    shop.env.rest("crm.deal.update", {"id": lost, "fields": {"STAGE_ID": "LOSE"}})
    summary = run(shop)
    assert (summary["updated"], summary["imported"], summary["no_longer_won"]) == (1, 0, 1)
    got = orders(shop)
    assert got[kept].total == "900.00" and lines(shop, got[kept].id) == [("Bike", 2.0, 900.0, True)]
    assert got[lost].status == "cancelled" and lines(shop, got[lost].id) == [("Bell", 1.0, 10.0, False)]
    advance(shop)
    shop.env.rest("crm.deal.update", {"id": lost, "fields": {"STAGE_ID": "WON"}})
    assert run(shop)["updated"] == 1 and orders(shop)[lost].status == "completed"


def test_our_own_deals_are_skipped_and_customers_are_shared_with_the_shop(shop):
    assert shop.post(order_event("A1", status="completed")).status_code == 202
    shop.work()  # the shop order became a deal (ORIGINATOR_ID = shop id) and a contact
    [synced] = shop.deals()
    shop_contact = int(synced["CONTACT_ID"])
    ours = won_deal(shop, shop_contact, "2025-01-05", [("Bike", 1, 1)], ORIGINATOR_ID="shop_loop_app")
    staff = won_deal(shop, shop_contact, "2025-02-01", [("Service", 30, 1)])
    same_phone = add_contact(shop, NAME="Ann L.", PHONE=[{"VALUE": "8 999 123 45 67", "VALUE_TYPE": "MOBILE"}])
    staff2 = won_deal(shop, same_phone, "2025-02-02", [("Bell", 10, 1)])
    # a shop deal moved to won by staff must not count twice either
    shop.env.rest("crm.deal.update", {"id": synced["ID"], "fields": {"STAGE_ID": shop.stage("WON")}})
    summary = run(shop)
    assert summary["skipped_own"] == 2 and summary["imported"] == 2 and summary["customers_created"] == 0
    got = orders(shop)
    assert sorted(got) == [staff, staff2] and ours not in got
    with shop.session() as s:
        shop_customer = s.scalar(select(OrderRecord.customer_id).where(OrderRecord.order_id == "A1"))
    assert got[staff].customer_id == got[staff2].customer_id == shop_customer


def test_since_limits_the_read_to_deals_closed_from_that_day(shop):
    ann = add_contact(shop, EMAIL=[{"VALUE": "old@example.com", "VALUE_TYPE": "WORK"}])
    won_deal(shop, ann, "2024-12-31", [("Old", 5, 1)])
    recent = won_deal(shop, ann, "2025-01-02", [("New", 7, 1)])
    summary = run(shop, since=date(2025, 1, 1))
    assert (summary["won_deals"], summary["no_longer_won"]) == (1, 0)
    assert sorted(orders(shop)) == [recent]


def test_the_cli_prints_progress_to_stderr_and_a_json_summary(shop):
    ann = add_contact(shop, EMAIL=[{"VALUE": "cli@example.com", "VALUE_TYPE": "WORK"}])
    won_deal(shop, ann, "2025-03-10", [("Bike", 500, 1)])
    runner = shop.env.app.test_cli_runner()
    res = runner.invoke(args=["history", "import-deals", "--member-id", shop.member_id, "--since", "2025-01-01"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout.strip().splitlines()[-1])
    assert summary["imported"] == 1 and summary["member_id"] == shop.member_id and "rebuild" in summary
    assert "deals read: 1/1" in res.stderr
    res = runner.invoke(args=["history", "import-deals", "--member-id", "nope"])
    assert res.exit_code == 2 and "no installed portal" in res.output


def test_a_deal_whose_contact_was_deleted_is_counted_not_stored(shop):
    gone = add_contact(shop, EMAIL=[{"VALUE": "gone@example.com", "VALUE_TYPE": "WORK"}])
    deal = won_deal(shop, gone, "2025-03-10", [("Bike", 500, 1)])
    shop.env.rest("crm.contact.delete", {"id": gone})
    shop.env.rest("crm.deal.update", {"id": deal, "fields": {"CONTACT_ID": gone}})  # a stale link, as old data has
    summary = run(shop)
    assert (summary["imported"], summary["failed"]) == (0, 0)
    assert orders(shop) == {}


def test_imported_history_reaches_the_contact_fields_after_a_rebuild(shop):
    pytest.importorskip("bitrix_app.segments.engine")
    from bitrix_app.segments.crm.writeback import write_back

    ann = add_contact(shop, PHONE=[{"VALUE": "+79990000009", "VALUE_TYPE": "WORK"}])
    for day in ("2025-01-10", "2025-02-10", "2025-03-10", "2025-04-10"):
        won_deal(shop, ann, day, [("Coffee [BEAN-1]", 12, 1)])
    summary = in_scope(shop, import_deals, shop.member_id, now=datetime(2025, 4, 20, tzinfo=timezone.utc))
    assert summary["imported"] == 4 and isinstance(summary["rebuild"], dict)
    report = in_app(shop, write_back, shop.member_id)
    assert report["updated"] == 1
    [contact] = [c for c in shop.env.rest("crm.contact.list", {"filter": {"ID": ann}, "select": ["UF_*"]})]
    assert contact["UF_CRM_SHOP_ORDERS"] == "4" and "LOYAL_ACTIVE" in contact["UF_CRM_SHOP_SEGMENTS"]
