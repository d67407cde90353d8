"""Deal planning (`sync.deals.build`): a new deal, an update of only what changed, stages from the map."""
from __future__ import annotations

from decimal import Decimal

from bitrix_app.crm import customers
from bitrix_app.crm.window import WindowEvent
from bitrix_app.sync import deals

from .conftest import SHOP, at


def order_event(status="new", total="100.00", items=None, **extra):
    data = {"order_id": "o-1", "number": "1001", "status": status, "total": Decimal(total), "currency": "RUB",
            "customer": {}, "items": items or [{"sku": "A", "name": "Tea", "price": Decimal("50.00"),
                                                "quantity": Decimal("2")}],
            "created_at": at(9), "updated_at": at(10), "utm": {}, "delivery": {}, "cart_id": None, **extra}
    return WindowEvent(1, SHOP, "order.created", {"type": "order.created", "data": data}, 0)


def job_for(ev, contact_id=None, **state):
    who = customers.Person(("phone:+79991234567",), {}, ev.version, contact_id=contact_id)
    return deals.OrderJob(ev, who, **state)


def test_a_new_order_adds_a_deal_and_its_product_rows(ctx):
    job = job_for(order_event(), contact_id=55)
    deals.build(ctx, job, 0)
    (add_method, add), (rows_method, rows) = job.commands["d0"], job.commands["r0"]
    assert (add_method, rows_method) == ("crm.deal.add", "crm.deal.productrows.set")
    fields = add["fields"]
    assert fields["STAGE_ID"] == "C3:NEW" and fields["CATEGORY_ID"] == 3
    assert fields["TITLE"] == "Order #1001 (Demo shop)"
    assert (fields["ORIGINATOR_ID"], fields["ORIGIN_ID"]) == (SHOP, "o-1")
    assert (fields["CONTACT_ID"], fields["ASSIGNED_BY_ID"]) == (55, 7)
    assert rows["id"] == "$result[d0]"
    assert rows["rows"] == [{"PRODUCT_NAME": "Tea [A]", "PRICE": "50.00", "QUANTITY": "2"}]


def test_the_stage_comes_from_the_portal_stage_map(ctx):
    ctx.settings.stage_map["paid"] = "WON"
    job = job_for(order_event(status="paid"))
    deals.build(ctx, job, 0)
    assert job.commands["d0"][1]["fields"]["STAGE_ID"] == "C3:WON"


def synced_after_first_write(ctx, ev, contact_id=55):
    first = job_for(ev, contact_id=contact_id)
    deals.build(ctx, first, 0)
    written = {"d0": 500, "r0": True}
    from bitrix_app.rest.batching import BatchResult
    deals.absorb(first, BatchResult(results=written))
    return first.synced


def test_an_update_sends_only_the_changed_fields_and_a_status_comment(ctx):
    synced = synced_after_first_write(ctx, order_event())
    job = job_for(order_event(status="shipped"), contact_id=55, deal_id=500, synced=synced)
    deals.build(ctx, job, 0)
    assert set(job.commands) == {"u0", "m0"}  # same items: no product rows; same contact: not resent
    assert job.commands["u0"][1] == {"id": 500, "fields": {"STAGE_ID": "C3:SHIPPED",
                                                           "UF_CRM_SHOP_ORDER_STATUS": "shipped"}}
    assert job.commands["m0"][1]["fields"]["COMMENT"] == "Order #1001: new → shipped"


def test_staff_edits_of_fields_the_order_does_not_drive_are_kept(ctx):
    synced = synced_after_first_write(ctx, order_event())
    job = job_for(order_event(), contact_id=55, deal_id=500, synced=synced)
    deals.build(ctx, job, 0)
    assert job.commands == {}  # nothing changed: no write at all, whatever staff did to the deal


def test_changed_items_resend_the_product_rows_only(ctx):
    synced = synced_after_first_write(ctx, order_event())
    items = [{"sku": "B", "name": "Coffee", "price": Decimal("100.00"), "quantity": Decimal("1")}]
    job = job_for(order_event(items=items), contact_id=55, deal_id=500, synced=synced)
    deals.build(ctx, job, 0)
    assert list(job.commands) == ["r0"]


def test_an_abandoned_cart_deal_is_taken_over(ctx):
    job = job_for(order_event(), contact_id=55, takeover_deal=321)
    deals.build(ctx, job, 0)
    update = job.commands["u0"][1]
    assert update["id"] == 321 and update["fields"]["ORIGIN_ID"] == "o-1"
    assert job.commands["m0"][1]["fields"]["COMMENT"].startswith("Abandoned cart recovered")


def test_a_refused_currency_fails_the_order_at_once_and_other_errors_retry(ctx):
    from bitrix_app.inbox.outcomes import Kind, retry
    from bitrix_app.rest.batching import BatchResult

    refused = job_for(order_event(currency="GBP"))
    deals.build(ctx, refused, 0)
    deals.absorb(refused, BatchResult(errors={"d0": {"error": "", "error_description":
                                                    'Invalid value for the "Currency" field'}}))
    out = deals.outcome(refused, at(12))
    assert out.kind is Kind.FAILED and out.error.startswith("the portal refused the currency")
    busy = job_for(order_event())
    deals.build(ctx, busy, 0)
    deals.absorb(busy, BatchResult(failed={"d0": "timeout", "r0": "timeout"}))
    assert deals.outcome(busy, at(12)).kind is Kind.RETRY
    # the inbox's retry is the same for every handler: no error text turns it into a dead letter
    assert retry('crm.contact.add: Invalid value for the "Currency" field').kind is Kind.RETRY


def test_an_order_held_back_by_a_spent_method_budget_waits_for_it_without_counting_an_attempt(ctx):
    import time

    from bitrix_app.inbox.outcomes import BUDGET_WAIT_FLOOR, Kind
    from bitrix_app.rest.batching import BatchResult

    now = at(12)
    job = job_for(order_event())
    deals.build(ctx, job, 0)
    # the deal was added; its rows were refused for the method's operating time, which frees in 200 s
    result = BatchResult(results={"d0": 501}, errors={"r0": {"error": "OPERATION_TIME_LIMIT"}},
                         held={"r0": time.time() + 200})
    deals.absorb(job, result)
    out = deals.outcome(job, now)
    assert job.deal_id == 501 and not job.complete
    assert out.kind is Kind.WAIT and 190 <= (out.at - now).total_seconds() <= 200
    assert "time budget" in out.error
    # a budget that is about to free still leaves the floor's pause; another failure beside it is a retry
    soon = job_for(order_event())
    deals.build(ctx, soon, 0)
    deals.absorb(soon, BatchResult(held={"d0": time.time(), "r0": time.time()}, failed={"d0": "x", "r0": "x"}))
    assert (deals.outcome(soon, now).at - now).total_seconds() == BUDGET_WAIT_FLOOR
    mixed = job_for(order_event())
    deals.build(ctx, mixed, 0)
    deals.absorb(mixed, BatchResult(failed={"d0": "timeout", "r0": "timeout"}, held={"r0": time.time() + 200}))
    assert deals.outcome(mixed, now).kind is Kind.RETRY
