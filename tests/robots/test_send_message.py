"""send_message on deals through the sandbox: CRM e-mail, SMS gateway, consent, quiet hours, missing data."""
from __future__ import annotations

import json
import pytest
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select

from bitrix_app.jobs.queues import DEFAULT
from bitrix_app.store.message_models import MessageRecord
from bitrix_app.store.shop_models import Customer, OrderRecord
from tests.fixtures.receiver import Receiver
from tests.fixtures.shop_env import T0, order_event
from tests.robots.robots_env import robots_env

ANN = {"email": "ann@example.com", "phone": "+7 999 123-45-67", "first_name": "Ann", "last_name": "Lee",
       "consent": {"email": False, "sms": False}}


@pytest.fixture
def rb(shared_portal):
    return shared_portal(robots_env)  # built once per module, put back before each test


def _late_evening(portal_env):
    return robots_env(portal_env, start=T0.replace(hour=22))  # 22:00 in the shop's zone (UTC)


@pytest.fixture
def rb_at_ten_pm(shared_portal):
    return shared_portal(_late_evening)


@pytest.fixture
def sms_gateway():
    rec = Receiver().start()
    yield rec
    rec.stop()


def _result(wf: dict) -> dict:
    assert wf["status"] == "completed", wf
    assert wf["return_values"]["status"] == "ok", wf
    return wf["return_values"]


def _order(rb, order_id: str, customer: dict | None = None) -> int:
    """Post one order (optionally with its own customer) and answer its deal id."""
    extra = {"customer": customer} if customer else {}
    res = rb.shop.post({"events": [order_event(order_id, status="new", **extra)]})
    assert res.status_code in (200, 202), res.text
    rb.shop.work()
    with rb.shop.session() as s:
        return s.scalar(select(OrderRecord.deal_id).where(OrderRecord.order_id == order_id))


def _emails(rb, deal_id: int) -> list[dict]:
    return rb.env.rest("crm.activity.list", {"filter": {"OWNER_ID": deal_id, "TYPE_ID": 4},
                                             "select": ["ID", "SUBJECT", "DESCRIPTION", "DIRECTION", "ORIGIN_ID"]})


def _records(rb) -> list[MessageRecord]:
    with rb.shop.session() as s:
        return list(s.scalars(select(MessageRecord).order_by(MessageRecord.id)))


def test_a_payment_reminder_goes_out_as_a_crm_email_with_the_orders_details(rb):
    deal = _order(rb, "1")
    values = _result(rb.run("send_message", deal, {"template": "payment_reminder", "channel": "email"}))
    assert values == {"status": "ok", "error": "", "result": "sent", "channel": "email"}
    [mail] = _emails(rb, deal)
    assert mail["SUBJECT"] == "Order #N-1 at Bike shop is waiting for payment" and str(mail["DIRECTION"]) == "2"
    assert "Hello Ann," in mail["DESCRIPTION"] and "City bike × 1" in mail["DESCRIPTION"]
    assert "Total: 551.00 EUR" in mail["DESCRIPTION"]
    [record] = _records(rb)
    assert (record.status, record.template, record.marketing, record.address) == (
        "sent", "payment_reminder", False, "ann@example.com")


def test_marketing_needs_consent_but_a_transactional_message_does_not(rb):
    deal = _order(rb, "1", ANN)
    wf = rb.run("send_message", deal, {"template": "review_request", "channel": "email"})
    assert _result(wf)["result"] == "skipped:no_consent"
    assert "did not consent" in wf["log"][-1]
    assert _emails(rb, deal) == []
    assert _result(rb.run("send_message", deal, {"template": "payment_reminder"}))["result"] == "sent"
    # a rule cannot declare a marketing template transactional to get around consent
    forced = _result(rb.run("send_message", deal, {"template": "review_request", "kind": "transactional",
                                                   "link": "https://shop.example.com/review/1"}))
    assert forced["result"] == "skipped:no_consent"
    assert [r.status for r in _records(rb)] == ["skipped", "sent", "skipped"]
    assert len(_emails(rb, deal)) == 1


def test_quiet_hours_defer_the_message_and_a_job_sends_it_when_they_end(rb_at_ten_pm):
    rb = rb_at_ten_pm
    deal = _order(rb, "1")
    values = _result(rb.run("send_message", deal, {"template": "pickup_reminder", "pickup_point": "Main St. 1"}))
    assert values["result"] == "deferred:2026-11-03T09:00:00+00:00" and values["channel"] == "email"
    assert _emails(rb, deal) == []
    [record] = _records(rb)
    assert record.status == "deferred"
    registry = ScheduledJobRegistry(DEFAULT, connection=rb.env.redis)
    [job_id] = registry.get_job_ids()
    assert registry.get_scheduled_time(job_id) == T0.replace(day=3, hour=9)
    rb.env.work()  # fired early by the app's clock: still quiet, so it waits for the same moment again
    assert _emails(rb, deal) == [] and _records(rb)[0].status == "deferred"
    rb.clock.advance(hours=11)
    rb.env.work()
    [mail] = _emails(rb, deal)
    assert "Main St. 1" in mail["DESCRIPTION"] and _records(rb)[0].status == "sent"


def test_a_deferred_marketing_message_passes_the_policy_again_when_it_fires(rb_at_ten_pm):
    rb = rb_at_ten_pm
    deal = _order(rb, "1", {**ANN, "consent": {"email": True, "sms": False}})
    values = _result(rb.run("send_message", deal, {"template": "we_miss_you", "promo_code": "BACK-7Q2X",
                                                   "discount": "10%"}))
    assert values["result"].startswith("deferred:")
    with rb.shop.session() as s:  # the customer withdraws consent meanwhile
        customer = s.scalars(select(Customer)).one()
        customer.profile = {**customer.profile, "consent_email": False}
        s.commit()
    rb.clock.advance(hours=12)
    rb.env.work()
    assert _emails(rb, deal) == []
    [record] = _records(rb)
    assert record.status == "skipped" and "did not consent" in record.reason


def test_sms_goes_through_the_portals_gateway(rb, sms_gateway):
    deal = _order(rb, "1")
    cli = rb.env.app.test_cli_runner()
    sms = {"sms": {"provider": "generic", "method": "GET", "url": f"{sms_gateway.url}/send?to={{phone}}&text={{text}}"}}
    out = cli.invoke(args=["messages", "settings", "--member-id", rb.shop.member_id, "--set", json.dumps(sms)])
    assert out.exit_code == 0, out.output
    values = _result(rb.run("send_message", deal, {"template": "payment_reminder", "channel": "sms",
                                                   "link": "https://shop.example.com/pay/1"}))
    assert values["result"] == "sent" and values["channel"] == "sms"
    [req] = sms_gateway.at("/send")
    assert req.query == {"to": "79991234567",
                         "text": "Bike shop: order #N-1 awaits payment, 551.00 EUR. https://shop.example.com/pay/1"}
    # marketing by SMS needs the SMS consent this customer did not give
    assert _result(rb.run("send_message", deal, {"template": "review_request", "channel": "sms"}))[
        "result"] == "skipped:no_consent"


def test_a_contact_without_an_email_address_or_a_deal_without_contact_is_skipped(rb):
    contact = rb.env.rest("crm.contact.add", {"fields": {"NAME": "Bob", "PHONE": [{"VALUE": "+441234567890"}]}})
    deal = rb.env.rest("crm.deal.add", {"fields": {"TITLE": "Phone enquiry", "CONTACT_ID": contact}})
    wf = rb.run("send_message", deal, {"template": "we_miss_you", "channel": "email", "kind": "transactional",
                                       "promo_code": "X-1", "discount": "5%"})
    assert _result(wf)["result"] == "skipped:no_address" and "no e-mail address" in wf["log"][-1]
    lonely = rb.env.rest("crm.deal.add", {"fields": {"TITLE": "No one"}})
    assert _result(rb.run("send_message", lonely, {"template": "we_miss_you"}))["result"] == "skipped:no_contact"


def test_missing_placeholder_values_skip_and_bad_properties_fail(rb):
    deal = _order(rb, "1", {**ANN, "consent": {"email": True, "sms": False}})
    wf = rb.run("send_message", deal, {"template": "birthday_greeting"})
    assert _result(wf)["result"] == "skipped:missing_data" and "discount, promo_code" in wf["log"][-1]
    assert _records(rb)[0].status == "skipped"
    bad = rb.run("send_message", deal, {"template": "newsletter"})
    assert bad["return_values"]["status"] == "error" and "property template" in bad["return_values"]["error"]
    assert _emails(rb, deal) == []


def test_a_replayed_call_does_not_send_twice(rb):
    deal = _order(rb, "1")
    rb.run("send_message", deal, {"template": "payment_reminder"})
    [call] = rb.calls()
    out = rb.env.app.test_cli_runner().invoke(args=["robots", "replay", str(call.id)])
    assert out.exit_code == 0, out.output
    [view] = rb.call_views()
    assert view["runs"] == 2
    assert len(_emails(rb, deal)) == 1


def test_a_template_asking_for_the_product_block_is_sent_with_the_customers_recommendations(rb):
    from bitrix_app.messaging import templates
    from bitrix_app.store.db import transaction

    deal = _order(rb, "1")  # Ann: a city bike and tyres
    _order(rb, "2", {"email": "bob@example.com", "phone": "+7 999 000-00-02", "first_name": "Bob"})
    with rb.shop.session() as s:  # Bob bought the bike with a helmet: what goes with Ann's bike
        s.query(OrderRecord).filter(OrderRecord.order_id == "2").update({OrderRecord.items: [
            {"sku": "BIKE-1", "name": "City bike", "price": "500.00", "quantity": 1},
            {"sku": "HELMET-3", "name": "Helmet", "price": "40.00", "quantity": 1}]})
        s.commit()
    with transaction(rb.env.app.extensions["bitrix_app"]["sessions"]) as s:
        templates.save(s, rb.shop.member_id, "payment_reminder", "en", T0,
                       text="Hello {first_name}, order #{order_number} awaits payment.\n\n"
                            "You may also like:\n{products}")
    values = _result(rb.run("send_message", deal, {"template": "payment_reminder", "channel": "email"}))
    assert values["result"] == "sent"  # not skipped for a missing {products}
    [mail] = _emails(rb, deal)
    assert "You may also like:\n- Helmet: 40.00 EUR" in mail["DESCRIPTION"].replace("\r", "")
    assert "City bike" not in mail["DESCRIPTION"]  # never what she already bought
