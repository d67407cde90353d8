"""Orders become deals in the sandbox portal: one per order, right contact, rows, stage, versions."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.fixtures.shop_env import T0, connect_shop, order_event


def _shop(portal_env):
    return connect_shop(portal_env())


@pytest.fixture
def shop(shared_portal):
    return shared_portal(_shop)


def _app_calls(shop) -> int:
    return sum(1 for c in shop.env.calls() if c.get("auth") == "oauth")


def test_an_order_becomes_a_deal_with_contact_rows_stage_and_utm(shop):
    assert shop.post(order_event("A1", status="paid")).status_code == 202
    shop.work()
    [deal] = shop.deals()
    assert deal["TITLE"] == "Order #N-A1 (Bike shop)"
    assert deal["STAGE_ID"] == shop.stage("PAID")
    assert float(deal["OPPORTUNITY"]) == 551.0 and deal["CURRENCY_ID"] == "EUR"
    assert (deal["ORIGINATOR_ID"], deal["ORIGIN_ID"]) == (shop.shop_id, "A1")
    assert deal["UTM_SOURCE"] == "newsletter" and deal["UTM_CAMPAIGN"] == "autumn"
    rows = shop.rows(deal["ID"])
    assert [(r["PRODUCT_NAME"], float(r["PRICE"]), float(r["QUANTITY"])) for r in rows] == [
        ("City bike [BIKE-1]", 500.0, 1.0), ("Tyre [TYRE-2]", 25.5, 2.0)]
    [contact] = shop.contacts()
    assert deal["CONTACT_ID"] == contact["ID"]
    assert (contact["NAME"], contact["LAST_NAME"]) == ("Ann", "Lee")
    assert [p["VALUE"] for p in contact["PHONE"]] == ["+79991234567"]
    assert [e["VALUE"] for e in contact["EMAIL"]] == ["ann@example.com"]


def test_status_updates_move_the_stage_and_leave_a_timeline_comment(shop):
    shop.post(order_event("A2", status="new"))
    shop.work()
    shop.post(order_event("A2", kind="order.updated", status="shipped", version=T0 + timedelta(hours=2)))
    shop.work()
    [deal] = shop.deals()
    assert deal["STAGE_ID"] == shop.stage("SHIPPED") and deal["UF_CRM_SHOP_ORDER_STATUS"] == "shipped"
    comments = shop.env.rest("crm.timeline.comment.list", {"filter": {"ENTITY_ID": deal["ID"], "ENTITY_TYPE": "deal"}})
    assert [c["COMMENT"] for c in comments] == ["Order #N-A2: new → shipped"]


def test_an_older_update_after_a_newer_one_changes_nothing(shop):
    shop.post(order_event("A3", status="new"))
    shop.post(order_event("A3", kind="order.updated", status="delivered", version=T0 + timedelta(hours=5)))
    shop.work()
    writes_before = _app_calls(shop)
    late = order_event("A3", kind="order.updated", status="paid", version=T0 + timedelta(hours=1))
    assert shop.post(late).status_code == 202
    shop.work()
    [deal] = shop.deals()
    assert deal["STAGE_ID"] == shop.stage("DELIVERED")
    assert _app_calls(shop) == writes_before  # the stale event never reached the portal
    with shop.session() as s:
        from bitrix_app.inbox.admin import listing

        [row] = [r for r in listing(s, None, None, None, 10) if r["event_id"] == late["event_id"]]
    assert row["status"] == "skipped" and "stale" in row["last_error"]


def test_a_returning_customer_with_a_differently_written_phone_is_one_contact(shop):
    shop.post(order_event("B1", phone="+7 (999) 123-45-67", email=None))
    shop.work()
    shop.post(order_event("B2", phone="8 999 123 45 67", email="ANN@Example.com "))
    shop.work()
    deals = shop.deals()
    assert len(deals) == 2 and len({d["CONTACT_ID"] for d in deals}) == 1
    [contact] = shop.contacts()
    assert [e["VALUE"] for e in contact.get("EMAIL", [])] == ["ann@example.com"]  # the new e-mail was added


def test_a_customer_already_in_the_crm_is_matched_there_and_keeps_their_name(shop):
    existing = shop.env.rest("crm.contact.add", {"fields": {
        "NAME": "Anna", "LAST_NAME": "Staff-Edited", "PHONE": [{"VALUE": "89991234567", "VALUE_TYPE": "MOBILE"}]}})
    shop.post(order_event("C1"))
    shop.work()
    [deal] = shop.deals()
    assert int(deal["CONTACT_ID"]) == int(existing)
    [contact] = shop.contacts()
    assert (contact["NAME"], contact["LAST_NAME"]) == ("Anna", "Staff-Edited")


def test_staff_edits_survive_unrelated_shop_updates(shop):
    shop.post(order_event("D1", status="paid"))
    shop.work()
    [deal] = shop.deals()
    shop.env.rest("crm.deal.update", {"id": deal["ID"], "fields": {
        "STAGE_ID": shop.stage("DELIVERED"), "TITLE": "VIP order, call first"}})
    tracking = order_event("D1", kind="order.updated", status="paid", version=T0 + timedelta(hours=1),
                           delivery={"method": "Courier", "tracking": "TRK-1"})
    shop.post(tracking)
    shop.work()
    [deal] = shop.deals()
    assert deal["STAGE_ID"] == shop.stage("DELIVERED") and deal["TITLE"] == "VIP order, call first"
    got = shop.env.rest("crm.deal.get", {"id": deal["ID"]})
    assert got["UF_CRM_SHOP_DELIVERY"] == "Courier; tracking: TRK-1"


def test_a_backfill_shares_batch_requests(shop):
    events = [order_event(f"F{n}", phone=f"+7999000{n:04d}", email=f"c{n}@example.com") for n in range(120)]
    assert shop.post({"events": events}).status_code == 202
    before = _app_calls(shop)
    shop.work()
    requests = _app_calls(shop) - before
    portal = shop.env.sandbox.portal
    assert len(portal.table("crm_deal")) == 120 and len(portal.table("crm_contact")) == 120
    # 120 orders x 3 writes + lookups, 50 commands per request (at most 12), then the segment write-back of the
    # 120 new customers: one read of the field's list items and 3 batches of contact updates
    assert requests <= 16
