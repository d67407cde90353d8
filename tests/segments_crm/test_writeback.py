"""Write-back of segment figures to CRM contacts in the sandbox portal: only changes, batched, failures stay dirty."""
from __future__ import annotations

from datetime import timedelta

import pytest
from rq import Queue

from bitrix_app.segments.crm import writeback
from bitrix_app.segments.crm.writeback import contact_values, segment_items, write_back
from tests.fixtures.shop_env import connect_shop
from tests.segments_crm.crm_env import (
    NOW, add_contact, add_figures, app_batches, change, contact, figures, in_app, written,
)


def _portal(portal_env):
    return connect_shop(portal_env())


@pytest.fixture
def shop(shared_portal):
    return shared_portal(_portal)


def item_ids(shop) -> dict[str, str]:
    """XML_ID (lifecycle code) -> list item ID of the portal's UF_CRM_SHOP_SEGMENT, as setup created it."""
    [defn] = shop.env.rest("crm.contact.userfield.list", {"filter": {"FIELD_NAME": "UF_CRM_SHOP_SEGMENT"}})
    return {i["XML_ID"]: i["ID"] for i in defn["LIST"]}


def test_first_write_sets_every_field_then_a_second_run_sends_nothing(shop):
    cid = add_contact(shop)
    customer = add_figures(shop, cid, orders=3, ltv=1234.567, lifecycle="PROMISING_ACTIVE", r=4, f=3, m=5,
                           segments="|PROMISING_ACTIVE|RFM_LOYAL|", last_order_at=NOW - timedelta(days=3))
    report = in_app(shop, write_back, shop.member_id)
    assert (report["status"], report["updated"], report["fields_sent"], report["failed"]) == ("done", 1, 6, 0)
    got = contact(shop, cid)
    assert got["UF_CRM_SHOP_SEGMENT"] == item_ids(shop)["PROMISING_ACTIVE"]
    assert (got["UF_CRM_SHOP_RFM"], got["UF_CRM_SHOP_ORDERS"]) == ("435", "3")
    assert float(got["UF_CRM_SHOP_LTV"]) == 1234.57
    assert got["UF_CRM_SHOP_LAST_ORDER"].startswith("2026-10-30")
    assert got["UF_CRM_SHOP_SEGMENTS"] == ["PROMISING_ACTIVE", "RFM_LOYAL"]
    assert figures(shop, customer).dirty is False
    assert written(shop, customer)["ID"] == cid

    change(shop, customer)  # marked dirty again, but nothing the contact shows has changed
    batches = len(app_batches(shop))
    report = in_app(shop, write_back, shop.member_id)
    assert (report["checked"], report["unchanged"], report["updated"]) == (1, 1, 0)
    assert len(app_batches(shop)) == batches  # no write at all
    assert figures(shop, customer).dirty is False


def test_only_the_fields_that_changed_are_sent(shop):
    cid = add_contact(shop)
    customer = add_figures(shop, cid)
    in_app(shop, write_back, shop.member_id)
    # staff overwrite two of our fields; only fields whose values we change are written again
    shop.env.rest("crm.contact.update", {"id": cid, "fields": {"UF_CRM_SHOP_RFM": "999", "UF_CRM_SHOP_LTV": 1}})
    change(shop, customer, orders=2, lifecycle="PROMISING_ACTIVE", segments="|PROMISING_ACTIVE|LAPSED_90|")
    report = in_app(shop, write_back, shop.member_id)
    assert (report["updated"], report["fields_sent"]) == (1, 3)
    got = contact(shop, cid)
    assert got["UF_CRM_SHOP_ORDERS"] == "2"
    assert got["UF_CRM_SHOP_SEGMENT"] == item_ids(shop)["PROMISING_ACTIVE"]
    assert got["UF_CRM_SHOP_SEGMENTS"] == ["PROMISING_ACTIVE", "LAPSED_90"]
    assert (got["UF_CRM_SHOP_RFM"], got["UF_CRM_SHOP_LTV"]) == ("999", "1")  # untouched: never re-sent
    assert written(shop, customer)["UF_CRM_SHOP_ORDERS"] == 2


def test_emptied_values_clear_the_contact_fields(shop):
    cid = add_contact(shop)
    customer = add_figures(shop, cid)
    in_app(shop, write_back, shop.member_id)
    change(shop, customer, lifecycle=None, r=None, f=None, m=None, segments="|", last_order_at=None, orders=0)
    in_app(shop, write_back, shop.member_id)
    got = contact(shop, cid)
    assert got["UF_CRM_SHOP_SEGMENTS"] == [] and got["UF_CRM_SHOP_SEGMENT"] is None
    assert got["UF_CRM_SHOP_RFM"] is None and got["UF_CRM_SHOP_LAST_ORDER"] is None
    assert figures(shop, customer).dirty is False


def test_updates_travel_fifty_per_batch_request(shop):
    cmd = {f"c{n}": f"crm.contact.add?fields[NAME]=Guest{n}" for n in range(50)}
    ids = list(shop.env.rest("batch", {"cmd": cmd})["result"].values())
    cmd = {f"c{n}": f"crm.contact.add?fields[NAME]=Guest{n}" for n in range(50, 70)}
    ids += list(shop.env.rest("batch", {"cmd": cmd})["result"].values())
    for cid in ids:
        add_figures(shop, int(cid))
    before = len(app_batches(shop))
    report = in_app(shop, write_back, shop.member_id)
    assert (report["checked"], report["updated"]) == (70, 70)
    assert sorted(c["batch_size"] for c in app_batches(shop)[before:]) == [20, 50]
    assert contact(shop, int(ids[-1]))["UF_CRM_SHOP_ORDERS"] == "1"


def test_a_refused_update_stays_dirty_while_the_others_are_written(shop):
    good = add_contact(shop)
    ok_customer = add_figures(shop, good)
    bad_customer = add_figures(shop, 0)  # the portal refuses the id: "ID is not defined or invalid."
    report = in_app(shop, write_back, shop.member_id)
    assert (report["updated"], report["failed"]) == (1, 1)
    assert "ID is not defined or invalid" in report["errors"][str(bad_customer)]
    assert figures(shop, bad_customer).dirty is True and figures(shop, bad_customer).written is None
    assert figures(shop, ok_customer).dirty is False


def test_a_failed_request_leaves_every_row_dirty_for_the_next_run(shop, monkeypatch):
    cid = add_contact(shop)
    customer = add_figures(shop, cid)
    items = in_app(shop, segment_items, in_app(shop, _client, shop.member_id))
    monkeypatch.setattr(writeback, "segment_items", lambda client: items)  # the read before the write succeeds
    shop.env.control("faults", {"p_500": 1.0})
    report = in_app(shop, write_back, shop.member_id)
    assert (report["updated"], report["failed"]) == (0, 1)
    assert "outcome unknown" in report["errors"][str(customer)]
    assert figures(shop, customer).dirty is True and figures(shop, customer).written is None
    shop.env.control("faults", {})
    assert in_app(shop, write_back, shop.member_id)["updated"] == 1
    assert figures(shop, customer).dirty is False and contact(shop, cid)["UF_CRM_SHOP_ORDERS"] == "1"


def _client(member_id):
    from bitrix_app.portals import client_for

    return client_for(member_id)


def test_a_contact_deleted_in_the_portal_clears_dirty_and_is_reported(shop):
    cid = add_contact(shop)
    customer = add_figures(shop, cid)
    in_app(shop, write_back, shop.member_id)
    shop.env.rest("crm.contact.delete", {"id": cid})
    change(shop, customer, orders=5)
    report = in_app(shop, write_back, shop.member_id)
    assert (report["deleted"], report["failed"], report["updated"]) == ([cid], 0, 0)
    assert figures(shop, customer).dirty is False


def test_customers_without_a_contact_wait(shop):
    customer = add_figures(shop, None)
    report = in_app(shop, write_back, shop.member_id)
    assert report["checked"] == 0 and figures(shop, customer).dirty is True


def test_beyond_the_limit_the_job_queues_itself_for_the_rest(shop):
    ids = [add_contact(shop, NAME=f"C{n}") for n in range(3)]
    customers = [add_figures(shop, cid) for cid in ids]
    report = in_app(shop, write_back, shop.member_id, limit=2)
    assert (report["status"], report["updated"], report["after"]) == ("more", 2, customers[1])
    queued = Queue("bulk", connection=shop.env.redis).get_jobs()
    assert [j.id for j in queued] == [f"segments-writeback-{shop.member_id}-{customers[1]}"]
    assert queued[0].kwargs == {"limit": 2, "after": customers[1]}
    assert figures(shop, customers[2]).dirty is True
    shop.work()
    assert figures(shop, customers[2]).dirty is False
    assert contact(shop, ids[2])["UF_CRM_SHOP_ORDERS"] == "1"


def test_list_items_resolve_by_xml_id_else_by_name():
    class Portal:
        def call(self, method, params):
            assert (method, params) == ("crm.contact.userfield.list", {"filter": {"FIELD_NAME": "UF_CRM_SHOP_SEGMENT"}})
            return [{"FIELD_NAME": "UF_CRM_SHOP_SEGMENT", "LIST": [
                {"ID": "11", "XML_ID": "NEW_ACTIVE", "VALUE": "Fresh ones"},
                {"ID": "12", "XML_ID": "5f1d7a", "VALUE": "Loyal lost"},  # XML_ID not kept: matched by name
                {"ID": "13", "XML_ID": "a1b2c3", "VALUE": "Перспективные спящие"},
                {"ID": "14", "XML_ID": "zz", "VALUE": "Something else"}]}]

    assert segment_items(Portal()) == {"NEW_ACTIVE": "11", "LOYAL_LOST": "12", "PROMISING_SLEEPING": "13"}

    class NoField:
        def call(self, method, params):
            return []

    assert segment_items(NoField()) == {}


def test_a_cell_without_a_list_item_is_left_out_and_counted():
    row = {"r": 1, "f": 2, "m": 3, "ltv": 10.004, "orders": 4, "last_order_at": NOW, "segments": "|LOYAL_LOST|",
           "lifecycle": "LOYAL_LOST"}
    values, unresolved = contact_values(row, {"NEW_ACTIVE": "1"})
    assert unresolved and "UF_CRM_SHOP_SEGMENT" not in values
    assert values == {"UF_CRM_SHOP_RFM": "123", "UF_CRM_SHOP_LTV": 10.0, "UF_CRM_SHOP_ORDERS": 4,
                      "UF_CRM_SHOP_LAST_ORDER": "2026-11-02", "UF_CRM_SHOP_SEGMENTS": ["LOYAL_LOST"]}
    values, unresolved = contact_values({**row, "lifecycle": "LOYAL_LOST"}, {"LOYAL_LOST": "9"})
    assert not unresolved and values["UF_CRM_SHOP_SEGMENT"] == "9"


def test_figures_that_moved_during_the_write_stay_dirty(shop):
    cid = add_contact(shop)
    customer = add_figures(shop, cid)
    factory = shop.env.app.extensions["bitrix_app"]["sessions"]
    [row] = writeback._dirty(factory, shop.member_id, 0, 10)
    change(shop, customer, orders=7)  # the engine moved the customer after the row was read
    writeback._persist(factory, [(row, {"ID": cid, "UF_CRM_SHOP_ORDERS": 1}, True)])
    assert figures(shop, customer).dirty is True  # the new figures still need writing
    assert written(shop, customer) == {"ID": cid, "UF_CRM_SHOP_ORDERS": 1}  # what the contact holds is recorded
    report = in_app(shop, write_back, shop.member_id)
    assert report["fields_sent"] == 6  # five fields never written, and ORDERS now 7
    assert contact(shop, cid)["UF_CRM_SHOP_ORDERS"] == "7" and figures(shop, customer).dirty is False


def test_a_write_back_past_its_time_slice_hands_the_rest_to_the_next_job(portal_env, monkeypatch):
    from bitrix_app.clock import FrozenClock

    clock = FrozenClock(NOW)
    shop = connect_shop(portal_env(CLOCK=clock, WRITEBACK_SLICE_SECONDS=100))
    monkeypatch.setattr(writeback, "PAGE", 2)
    original = writeback._round

    def slow_round(*args):  # every page takes 60 s of the app's clock: a slice fits two
        original(*args)
        clock.advance(seconds=60)

    monkeypatch.setattr(writeback, "_round", slow_round)
    ids = [add_contact(shop, NAME=f"C{n}") for n in range(5)]
    customers = [add_figures(shop, cid) for cid in ids]
    report = in_app(shop, write_back, shop.member_id)
    assert (report["status"], report["updated"], report["after"]) == ("more", 4, customers[3])
    shop.work()  # the next slice, queued by the first
    assert all(figures(shop, c).dirty is False for c in customers)
    assert contact(shop, ids[4])["UF_CRM_SHOP_ORDERS"] == "1"
