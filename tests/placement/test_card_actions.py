"""Staff actions of the card: issue a promo code, schedule a call, send a templated message. Each answers what
happened; a manager's tab token may; another portal's token is a 401; bad input a 422 with nothing done; a retry
answers the first outcome again without doing it twice."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bitrix_app.portals import STAFF, issue_page_token
from bitrix_app.store.message_models import MessageRecord
from bitrix_app.store.promo_models import PromoCode
from tests.fixtures.shop_env import T0
from tests.placement.placement_env import NOW, placement_env


def _portal(portal_env):
    env = placement_env(portal_env)
    env.sync_order("A1", T0 - timedelta(days=40), status="paid")
    env.sync_order("A2", T0, status="pending_payment")
    return env


@pytest.fixture
def pe(shared_portal):
    return shared_portal(_portal)


def _count(pe, model) -> int:
    with pe.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def _todos(pe, deal_id: int) -> list[dict]:
    return pe.env.rest("crm.activity.list", {"filter": {"OWNER_TYPE_ID": 2, "OWNER_ID": deal_id,
                                                        "PROVIDER_ID": "CRM_TODO"}})


def test_a_manager_issues_a_promo_code_and_sees_it_on_the_card(pe):
    deal = pe.order("A1").deal_id
    token = pe.tab_token()
    res = pe.api("POST", f"/cards/deal/{deal}/promo-code?lang=ru", token, json={"discount_percent": "15"})
    assert res.status_code == 200, res.text
    ans = res.json()
    assert ans["outcome"] == "issued" and ans["discount_percent"] == "15.00" and ans["repeated"] is False
    assert ans["text"] == f"Выдан промокод {ans['code']}."
    assert ans["expires_at"].startswith((NOW + timedelta(days=30)).date().isoformat())
    listed = pe.card("deal", deal, token=token)["customer"]["promo_codes"]
    assert [(p["code"], p["state"]["name"], p["discount_percent"]) for p in listed] == [(ans["code"], "active", "15.00")]
    # a retry (same request) answers the same; a second press of the button shows the still-valid code
    again = pe.api("POST", f"/cards/deal/{deal}/promo-code?lang=ru", token, json={"discount_percent": "15"}).json()
    assert again["code"] == ans["code"] and again["repeated"] is True
    other = pe.api("POST", f"/cards/deal/{deal}/promo-code", token, json={"valid_days": 7}).json()
    assert other["code"] == ans["code"] and other["outcome"] == "reused"
    assert _count(pe, PromoCode) == 1


def test_scheduling_a_call_adds_one_todo_for_the_manager_even_on_retry(pe):
    deal = pe.order("A1").deal_id
    when = (NOW + timedelta(days=1)).isoformat()
    headers = {"Idempotency-Key": "call-1"}
    first = pe.api("POST", f"/cards/deal/{deal}/call", json={"when": when, "note": "Ask about the bike"},
                   headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["outcome"] == "scheduled" and first.json()["text"].startswith("Звонок запланирован")  # ru by default
    again = pe.api("POST", f"/cards/deal/{deal}/call", json={"when": when, "note": "Ask about the bike"},
                   headers=headers)
    assert again.json()["repeated"] is True and again.json()["todo_id"] == first.json()["todo_id"]
    todos = _todos(pe, deal)
    assert len(todos) == 1 and todos[0]["RESPONSIBLE_ID"] == "2" and todos[0]["SUBJECT"] == "Позвонить покупателю"
    assert todos[0]["DESCRIPTION"] == "Ask about the bike"


def test_sending_a_payment_reminder_goes_through_the_policy_once(pe):
    deal = pe.order("A2").deal_id
    body = {"template": "payment_reminder", "channel": "email"}
    first = pe.api("POST", f"/cards/deal/{deal}/message?lang=en", json=body, headers={"Idempotency-Key": "m-1"})
    assert first.status_code == 200, first.text
    ans = first.json()
    assert ans["outcome"] == "sent" and ans["status"]["name"] == "sent" and ans["channel"]["code"] == "email"
    again = pe.api("POST", f"/cards/deal/{deal}/message?lang=en", json=body, headers={"Idempotency-Key": "m-1"})
    assert again.json()["repeated"] is True and _count(pe, MessageRecord) == 1
    listed = pe.card("deal", deal)["customer"]["messages"]
    assert [(m["template"]["name"], m["status"]["name"]) for m in listed] == [("Payment reminder", "sent")]


def test_a_message_without_consent_is_not_sent_and_says_why(pe):
    deal = pe.order("A1").deal_id
    res = pe.api("POST", f"/cards/deal/{deal}/message?lang=ru", json={"template": "we_miss_you", "channel": "sms"})
    ans = res.json()
    assert res.status_code == 200 and ans["outcome"] == "skipped" and ans["status"]["name"] == "не отправлено"
    assert ans["reason"] and "_" not in ans["reason"]  # words, not a code
    listed = pe.card("deal", deal, lang="ru")["customer"]["messages"]
    assert listed[0]["status"]["name"] == "не отправлено" and listed[0]["reason"] == ans["reason"]


@pytest.mark.parametrize("path, body", [
    ("promo-code", {"discount_percent": "0"}), ("promo-code", {"discount_percent": "101"}),
    ("promo-code", {"valid_days": 0}), ("promo-code", {"surprise": 1}),
    ("call", {}), ("call", {"when": "tomorrow"}), ("call", {"when": "2026-11-13T10:00:00"}),  # no zone
    ("call", {"when": "2026-11-01T10:00:00+00:00"}),  # in the past
    ("call", {"when": "2026-11-13T10:00:00+00:00", "note": "x" * 1001}),
    ("message", {}), ("message", {"template": "make_it_up"}),
    ("message", {"template": "we_miss_you", "channel": "pigeon"}),
])
def test_bad_input_is_a_422_and_nothing_is_done(pe, path, body):
    deal = pe.order("A1").deal_id
    token = pe.tab_token()
    calls = len(pe.env.calls())
    res = pe.api("POST", f"/cards/deal/{deal}/{path}", token, json=body)
    assert res.status_code == 422 and res.json()["details"]["fields"], res.text
    assert _count(pe, PromoCode) == 0 and _count(pe, MessageRecord) == 0 and _todos(pe, deal) == []
    assert [c for c in pe.env.calls()[calls:] if c["method"] != "crm.activity.list"] == []


def test_a_bad_idempotency_key_is_a_422(pe):
    res = pe.api("POST", f"/cards/deal/{pe.order('A1').deal_id}/promo-code", json={},
                 headers={"Idempotency-Key": "no spaces allowed"})
    assert res.status_code == 422 and _count(pe, PromoCode) == 0


def test_another_portals_token_is_a_401_and_a_record_without_customer_a_404(pe):
    deal = pe.order("A1").deal_id
    secret = pe.env.app.extensions["bitrix_app"]["settings"].SECRET_KEY
    foreign = issue_page_token(secret, "another-portal", 2, STAFF, NOW.timestamp())
    for path, body in (("promo-code", {}), ("message", {"template": "we_miss_you"})):
        res = pe.api("POST", f"/cards/deal/{deal}/{path}", foreign, json=body)
        assert res.status_code == 401, res.text
    res = pe.api("POST", "/cards/deal/987654/promo-code", json={})
    assert res.status_code == 404
    assert _count(pe, PromoCode) == 0 and _count(pe, MessageRecord) == 0


def test_the_card_sends_a_template_with_the_product_block_filled(pe):
    from bitrix_app.messaging import templates

    items = [{"sku": "BIKE-1", "name": "City bike", "price": "500.00", "quantity": 1},
             {"sku": "HELMET-3", "name": "Helmet", "price": "40.00", "quantity": 1}]
    pe.sync_order("B1", T0 - timedelta(days=10), status="paid", email="bob@example.com", phone="+7 999 000-00-02",
                  items=items)  # another customer bought a helmet with the bike Ann has
    with pe.session() as s:
        templates.save(s, pe.member_id, "payment_reminder", "en", T0,
                       text="Order #{order_number} awaits payment.\n\nGoes with it:\n{products}")
        s.commit()
    deal = pe.order("A2").deal_id
    res = pe.api("POST", f"/cards/deal/{deal}/message?lang=en", json={"template": "payment_reminder",
                                                                      "channel": "email"})
    assert res.status_code == 200 and res.json()["outcome"] == "sent", res.text
    [mail] = pe.env.rest("crm.activity.list", {"filter": {"OWNER_ID": deal, "TYPE_ID": 4},
                                               "select": ["ID", "DESCRIPTION"]})
    assert "Goes with it:\n- Helmet: 40.00 EUR" in mail["DESCRIPTION"].replace("\r", "")
