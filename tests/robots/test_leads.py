"""The robots on leads, through the sandbox: registration for deals and leads, each robot's answer on a lead,
to-dos and e-mails owned by the lead, the customer behind a lead (contact, phone, e-mail), and refusals."""
from __future__ import annotations

import json

import pytest
import requests
from sqlalchemy import select

from bitrix_app.portals import setup_portal
from bitrix_app.store.message_models import MessageRecord
from bitrix_app.store.models import PortalRecord
from bitrix_app.store.shop_models import Customer
from tests.fixtures.receiver import Receiver
from tests.robots.robots_env import robots_env

DEALS_AND_LEADS = {"INCLUDE": [["crm", "CCrmDocumentDeal"], ["crm", "CCrmDocumentLead"]]}
BIKE = {"sku": "BIKE-1", "name": "City bike", "category": "bikes", "price": "500.00", "quantity": 1}
LAMP = {"sku": "LAMP-3", "name": "Front lamp", "category": "parts", "price": "20.00", "quantity": 1}
ANN_PHONE_AT_HOME = "8 (999) 123-45-67"  # Ann's shop phone is +7 999 123-45-67: the same number, dialled at home


@pytest.fixture
def rb(shared_portal):
    return shared_portal(robots_env)  # built once per module, put back before each test


def _values(wf: dict) -> dict:
    assert wf["status"] == "completed", wf
    assert wf["return_values"]["status"] == "ok", wf
    return wf["return_values"]


def _registrations(rb) -> dict:
    return {code: reg for (_, code), reg in rb.env.sandbox.portal.robots.items()}


def _ann(rb) -> Customer:
    with rb.shop.session() as s:
        return s.scalars(select(Customer).where(Customer.member_id == rb.shop.member_id)).one()


def test_every_robot_is_offered_on_deals_and_leads_and_setup_converges(rb):
    regs = _registrations(rb)
    assert len(regs) == 6
    for reg in regs.values():
        assert reg["FILTER"] == DEALS_AND_LEADS
        assert reg["DOCUMENT_TYPE"] == ["crm", "CCrmDocumentDeal", "DEAL"]  # only the property data types
    member = rb.shop.member_id
    with rb.env.app.app_context():
        assert setup_portal(member)["writes"] == 0  # converged: re-running changes nothing
    # a portal set up before robots were offered on leads: registered without FILTER, under older hashes
    for reg in regs.values():
        reg.pop("FILTER")
    with rb.shop.session() as s:
        rec = s.scalar(select(PortalRecord).where(PortalRecord.member_id == member))
        rec.registered_robots = {code: "older" for code in regs}
    with rb.env.app.app_context():
        assert setup_portal(member)["writes"] == 6  # one bizproc.robot.update each
        after = _registrations(rb)
        assert all(after[code] is reg and reg["FILTER"] == DEALS_AND_LEADS for code, reg in regs.items())
        assert setup_portal(member)["writes"] == 0


def test_a_lead_matched_by_phone_gets_the_customers_profile(rb):
    deals = rb.orders(("1", "completed", 100), ("2", "paid", 30), ("3", "cancelled", 10))
    lead = rb.lead(TITLE="Call from Ann", PHONE=[{"VALUE": ANN_PHONE_AT_HOME, "VALUE_TYPE": "MOBILE"}])
    values = _values(rb.run_on_lead("customer_profile", lead))
    assert values == {
        "status": "ok", "error": "", "segment": values["segment"], "rfm": values["rfm"], "orders": 2,
        "total_spent": "1102.00", "average_order": "551.00", "last_order_date": "2026-10-03",
        "days_since_last_order": 30, "lifetime_value": "1102.00", "repeat_buyer": "Y", "currency": "EUR"}
    assert values["segment"] and values["rfm"]
    by_deal = _values(rb.run("customer_profile", deals["1"]))
    assert by_deal == values  # the same customer as behind the shop's deal


def test_a_lead_is_matched_by_its_contact_or_its_email(rb):
    rb.orders(("1", "completed", 10))
    ann = _ann(rb)
    by_contact = rb.lead(TITLE="Ann again", CONTACT_ID=ann.contact_id)
    by_email = rb.lead(TITLE="Web form", EMAIL=[{"VALUE": " Ann@Example.COM "}], PHONE=[{"VALUE": "not a phone"}])
    assert _values(rb.run_on_lead("customer_profile", by_contact))["orders"] == 1
    assert _values(rb.run_on_lead("customer_profile", by_email))["orders"] == 1


def test_an_unknown_lead_gets_an_empty_profile(rb):
    rb.orders(("1", "completed", 10))
    lead = rb.lead(TITLE="Someone new", PHONE=[{"VALUE": "+44 20 7946 0958"}])
    wf = rb.run_on_lead("customer_profile", lead)
    values = _values(wf)
    assert (values["orders"], values["segment"], values["repeat_buyer"], values["total_spent"]) == (0, "", "N", "0.00")


def test_recommend_products_for_the_customer_behind_a_lead(rb):
    rb.orders(("ann-1", "completed", 10, [BIKE]),
              ("bob-1", "completed", 20, [BIKE, LAMP], "+7 999 000-00-02", "bob@example.com"))
    lead = rb.lead(TITLE="Ann", EMAIL=[{"VALUE": "ann@example.com"}])
    values = _values(rb.run_on_lead("recommend_products", lead, {"limit": 2}))
    assert (values["skus"], values["text"], values["count"]) == ("LAMP-3", "Front lamp", 1)


def test_schedule_call_puts_the_todo_on_the_lead_for_its_responsible(rb):
    lead = rb.lead(TITLE="Call back", ASSIGNED_BY_ID=2)
    values = _values(rb.run_on_lead("schedule_call", lead, {"days": 1, "time": "10:00", "title": "Call the lead"}))
    assert values["deadline"] == "2026-11-03T10:00:00+00:00" and values["responsible"] == "user_2"
    [todo] = rb.env.rest("crm.activity.list", {"filter": {"PROVIDER_ID": "CRM_TODO"},
                                               "select": ["ID", "OWNER_TYPE_ID", "OWNER_ID", "RESPONSIBLE_ID"]})
    assert (todo["OWNER_TYPE_ID"], todo["OWNER_ID"], todo["RESPONSIBLE_ID"]) == ("1", str(lead), "2")
    assert int(todo["ID"]) == values["todo_id"]
    [call] = rb.calls()
    out = rb.env.app.test_cli_runner().invoke(args=["robots", "replay", str(call.id)])
    assert out.exit_code == 0, out.output
    assert len(rb.env.rest("crm.activity.list", {"filter": {"PROVIDER_ID": "CRM_TODO"}})) == 1  # still one


def test_assign_responsible_updates_the_lead(rb):
    leads = [rb.lead(TITLE=f"Lead {n}") for n in range(3)]
    props = {"users": ["user_2", "user_3"]}
    turns = [_values(rb.run_on_lead("assign_responsible", lead, props))["assigned"] for lead in leads]
    assert turns == ["user_2", "user_3", "user_2"]
    assert [rb.env.rest("crm.lead.get", {"id": lead})["ASSIGNED_BY_ID"] for lead in leads] == ["2", "3", "2"]
    assert len(rb.env.calls("crm.lead.update")) == 3 and rb.env.calls("crm.deal.update") == []
    wf = rb.workflow(rb.calls()[-1].workflow_id)
    assert wf["log"][-1] == "Lead assigned to user 2 (round_robin)"


def test_a_promo_code_for_a_lead_is_the_customers_code_or_the_leads_own(rb):
    deal = rb.orders(("1", "completed", 10))["1"]
    props = {"campaign": "spring", "discount_percent": "10", "valid_days": 30}
    from_deal = _values(rb.run("issue_promo_code", deal, props))["code"]
    lead = rb.lead(TITLE="Ann", PHONE=[{"VALUE": ANN_PHONE_AT_HOME}])
    assert _values(rb.run_on_lead("issue_promo_code", lead, props))["code"] == from_deal  # one code per customer
    stranger = rb.lead(TITLE="New person")
    own = _values(rb.run_on_lead("issue_promo_code", stranger, props))["code"]
    assert own != from_deal
    assert _values(rb.run_on_lead("issue_promo_code", stranger, props))["code"] == own


def _pickup_without_order(rb) -> None:
    """The portal's own pickup reminder, which names no order (a lead has none)."""
    out = rb.env.app.test_cli_runner().invoke(args=[
        "messages", "template-set", "--member-id", rb.shop.member_id, "--template", "pickup_reminder",
        "--language", "en", "--subject", "Your order is ready",
        "--text", "Hello {first_name}, your order is waiting at {pickup_point}.",
        "--sms", "{shop}: your order is waiting at {pickup_point}"])
    assert out.exit_code == 0, out.output


def test_send_message_to_a_known_customer_is_an_email_owned_by_the_lead(rb):
    rb.orders(("1", "completed", 10))  # Ann agreed to e-mails
    lead = rb.lead(TITLE="Ann", PHONE=[{"VALUE": ANN_PHONE_AT_HOME}])
    values = _values(rb.run_on_lead("send_message", lead, {"template": "we_miss_you", "promo_code": "BACK-1",
                                                           "discount": "10%"}))
    assert values == {"status": "ok", "error": "", "result": "sent", "channel": "email"}
    [mail] = rb.env.rest("crm.activity.list", {"filter": {"TYPE_ID": 4},
                                               "select": ["OWNER_TYPE_ID", "OWNER_ID", "DESCRIPTION"]})
    assert (mail["OWNER_TYPE_ID"], mail["OWNER_ID"]) == ("1", str(lead))
    assert "Hello Ann," in mail["DESCRIPTION"] and "BACK-1" in mail["DESCRIPTION"]


def test_send_message_to_an_unknown_lead_uses_its_own_address_and_skips_marketing(rb):
    _pickup_without_order(rb)
    lead = rb.lead(TITLE="Walk-in", NAME="Carl", EMAIL=[{"VALUE": "carl@example.com"}])
    wf = rb.run_on_lead("send_message", lead, {"template": "we_miss_you", "promo_code": "X-1", "discount": "5%"})
    assert _values(wf)["result"] == "skipped:no_consent"  # nobody knows whether Carl agreed to marketing
    sent = _values(rb.run_on_lead("send_message", lead, {"template": "pickup_reminder", "pickup_point": "Main St. 1"}))
    assert sent["result"] == "sent"
    [mail] = rb.env.rest("crm.activity.list", {"filter": {"TYPE_ID": 4}, "select": ["OWNER_TYPE_ID", "OWNER_ID"]})
    assert (mail["OWNER_TYPE_ID"], mail["OWNER_ID"]) == ("1", str(lead))
    with rb.shop.session() as s:
        records = list(s.scalars(select(MessageRecord).order_by(MessageRecord.id)))
    assert [r.status for r in records] == ["skipped", "sent"] and "did not consent" in records[0].reason
    assert records[1].address == "carl@example.com"
    nobody = rb.lead(TITLE="No address")
    assert _values(rb.run_on_lead("send_message", nobody, {"template": "pickup_reminder",
                                                           "pickup_point": "Main St. 1"}))["result"] == \
        "skipped:no_contact"


def test_an_sms_to_an_unknown_lead_goes_to_its_own_phone(rb):
    gateway = Receiver().start()
    try:
        cli = rb.env.app.test_cli_runner()
        sms = {"sms": {"provider": "generic", "method": "GET", "url": f"{gateway.url}/send?to={{phone}}&text={{text}}"}}
        out = cli.invoke(args=["messages", "settings", "--member-id", rb.shop.member_id, "--set", json.dumps(sms)])
        assert out.exit_code == 0, out.output
        _pickup_without_order(rb)
        lead = rb.lead(TITLE="Phoned in", PHONE=[{"VALUE": "8 (999) 555-44-33"}])
        values = _values(rb.run_on_lead("send_message", lead, {"template": "pickup_reminder", "channel": "sms",
                                                               "pickup_point": "Main St. 1"}))
        assert (values["result"], values["channel"]) == ("sent", "sms")
        [req] = gateway.at("/send")
        assert req.query["to"] == "79995554433" and req.query["text"].endswith("waiting at Main St. 1")
    finally:
        gateway.stop()


def test_a_contact_is_not_a_document_these_robots_run_on(rb):
    with pytest.raises(requests.HTTPError) as refused:  # the portal does not offer them there
        rb.start("assign_responsible", 5, {"users": ["user_2"]}, document="CONTACT")
    assert refused.value.response.status_code == 409
    for reg in _registrations(rb).values():
        reg.pop("FILTER")  # registered without a FILTER (as before leads), so the portal runs it anywhere
    wf = rb.run("assign_responsible", 5, {"users": ["user_2"]}, document="CONTACT")
    assert wf["return_values"]["status"] == "error"
    assert wf["return_values"]["error"] == "this robot works on deals and leads, not on CONTACT_5"
    assert rb.env.calls("crm.contact.update") == [] and rb.env.calls("crm.deal.update") == []
    assert rb.env.redis.keys("bitrix_app:robots:round-robin:*") == []  # nobody's turn was used up
