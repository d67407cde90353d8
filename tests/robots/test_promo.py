"""issue_promo_code through the sandbox, the signed promo-code check, and use reported by order events."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from sqlalchemy import select

from bitrix_app.promo.codes import PromoRequest, issue
from bitrix_app.promo.signing import sign_request
from bitrix_app.shops.connections import add_shop
from bitrix_app.store.models import PortalRecord
from bitrix_app.store.promo_models import PromoCode
from tests.fixtures.shop_env import iso, order_event
from tests.robots.robots_env import robots_env

AUTUMN = {"campaign": "autumn", "discount_percent": "15", "valid_days": 7, "prefix": "aut"}


@pytest.fixture
def rb(shared_portal):
    return shared_portal(robots_env)  # built once per module, put back before each test


def _issue(rb, deal_id: int, properties: dict = AUTUMN) -> dict:
    wf = rb.run("issue_promo_code", deal_id, properties)
    assert wf["status"] == "completed" and wf["return_values"]["status"] == "ok", wf
    return wf["return_values"]


def _check(rb, code: str, shop_id: str | None = None, secret: str | None = None, stamp: int | None = None,
           signature: str | None = None, headers: dict | None = None) -> requests.Response:
    shop_id, secret = shop_id or rb.shop.shop_id, secret or rb.shop.secret
    path = f"/shop/v1/{shop_id}/promo-codes/{code}"
    stamp = str(int(rb.clock.now().timestamp()) if stamp is None else stamp)
    sent = {"X-Timestamp": stamp, "X-Signature": signature or sign_request("GET", path, stamp, secret)}
    sent.update(headers or {})
    return requests.get(f"{rb.env.live.url}{path}", headers={k: v for k, v in sent.items() if v is not None},
                        timeout=10)


def _state(rb, code: str, **kwargs) -> dict:
    res = _check(rb, code, **kwargs)
    assert res.status_code == 200, res.text
    return res.json()


def test_robot_issues_a_stored_code_with_discount_and_expiry_from_the_app_clock(rb):
    deals = rb.orders(("1", "completed", 10))
    values = _issue(rb, deals["1"])
    assert values["code"].startswith("AUT-") and len(values["code"]) == 12
    assert values["discount_percent"] == "15.00"
    assert values["expires_at"] == (rb.clock.now() + timedelta(days=7)).isoformat()
    assert _state(rb, values["code"]) == {"code": values["code"], "valid": True, "reason": None,
                                          "discount_percent": "15.00", "expires_at": values["expires_at"]}
    assert _state(rb, values["code"].lower())["valid"] is True  # typed in lower case
    [call] = [c for c in rb.calls() if c.code == "issue_promo_code"]
    assert call.status == "done" and call.reply_status == "sent"


def test_same_customer_and_campaign_get_the_same_code_another_campaign_a_new_one(rb):
    deals = rb.orders(("1", "completed", 30), ("2", "new", 1))  # two deals of the same customer
    first = _issue(rb, deals["1"])
    assert _issue(rb, deals["2"]) == first
    assert _issue(rb, deals["1"], {**AUTUMN, "discount_percent": "50"}) == first  # while valid, unchanged
    other = _issue(rb, deals["1"], {**AUTUMN, "campaign": "winter"})
    assert other["code"] != first["code"]
    with rb.shop.session() as s:
        assert sorted(s.scalars(select(PromoCode.campaign))) == ["autumn", "winter"]


def test_deal_without_a_customer_or_bad_properties_answer_an_error(rb):
    deal = rb.env.rest("crm.deal.add", {"fields": {"TITLE": "Phone enquiry"}})
    wf = rb.run("issue_promo_code", deal, AUTUMN)
    assert wf["return_values"]["status"] == "error" and "no customer or contact" in wf["return_values"]["error"]
    deals = rb.orders(("1", "completed", 10))
    wf = rb.run("issue_promo_code", deals["1"], {**AUTUMN, "discount_percent": "150"})
    assert wf["status"] == "completed" and "at most 100" in wf["return_values"]["error"]


def test_expired_code_is_not_valid_and_the_customer_then_gets_a_new_one(rb):
    deals = rb.orders(("1", "completed", 10))
    first = _issue(rb, deals["1"])
    rb.clock.advance(days=7)
    state = _state(rb, first["code"])
    assert (state["valid"], state["reason"], state["expires_at"]) == (False, "expired", first["expires_at"])
    assert _issue(rb, deals["1"])["code"] != first["code"]


def test_unknown_code_is_not_valid(rb):
    rb.orders(("1", "completed", 10))
    assert _state(rb, "NOPE-12345678") == {"code": "NOPE-12345678", "valid": False, "reason": "unknown",
                                          "discount_percent": None, "expires_at": None}


def test_order_with_the_code_marks_it_used(rb):
    deals = rb.orders(("1", "completed", 10))
    code = _issue(rb, deals["1"])["code"]
    event = order_event("2", status="paid", created_at=iso(rb.clock.now()), promo_code=code.lower())
    assert rb.shop.post(event).status_code == 202
    rb.shop.work()
    state = _state(rb, code)
    assert (state["valid"], state["reason"], state["discount_percent"]) == (False, "used", "15.00")
    with rb.shop.session() as s:
        row = s.scalar(select(PromoCode).where(PromoCode.code == code))
        assert (row.order_id, row.shop_id, row.used_at is not None) == ("2", rb.shop.shop_id, True)
    later = order_event("3", status="paid", created_at=iso(rb.clock.now()), promo_code=code)
    assert rb.shop.post(later).status_code == 202
    rb.shop.work()
    with rb.shop.session() as s:
        assert s.scalar(select(PromoCode.order_id).where(PromoCode.code == code)) == "2"  # the first use stays
    assert _issue(rb, deals["1"])["code"] != code  # a used code is not handed out again


@pytest.mark.parametrize("case", ["wrong secret", "missing signature", "missing timestamp", "stale timestamp",
                                  "future timestamp", "signed for another code", "not a number"])
def test_bad_or_stale_signature_is_refused(rb, case):
    deals = rb.orders(("1", "completed", 10))
    code = _issue(rb, deals["1"])["code"]
    now = int(rb.clock.now().timestamp())
    path_other = f"/shop/v1/{rb.shop.shop_id}/promo-codes/OTHER-CODE"
    kwargs = {
        "wrong secret": {"secret": "not-the-shop-secret-at-all"},
        "missing signature": {"headers": {"X-Signature": None}},
        "missing timestamp": {"headers": {"X-Timestamp": None}},
        "stale timestamp": {"stamp": now - 301},
        "future timestamp": {"stamp": now + 301},
        "signed for another code": {"signature": sign_request("GET", path_other, str(now), rb.shop.secret)},
        "not a number": {"headers": {"X-Timestamp": "soon"}},
    }[case]
    res = _check(rb, code, **kwargs)
    assert res.status_code == 401 and res.json()["error"] == "bad_signature", res.text


def test_a_request_signed_within_five_minutes_is_accepted_and_replayed_later_refused(rb):
    deals = rb.orders(("1", "completed", 10))
    code = _issue(rb, deals["1"])["code"]
    stamp = int(rb.clock.now().timestamp())
    assert _check(rb, code, stamp=stamp - 299).status_code == 200
    rb.clock.advance(minutes=6)
    assert _check(rb, code, stamp=stamp).status_code == 401


def test_unknown_shop_is_404(rb):
    res = _check(rb, "ANY-CODE", shop_id="shp_unknown")
    assert res.status_code == 404 and res.json()["error"] == "unknown_shop"


def test_a_code_of_another_portals_shop_is_not_valid_here_and_not_used_by_our_orders(rb):
    rb.orders(("1", "completed", 10))
    ext = rb.env.app.extensions["bitrix_app"]
    with rb.shop.session() as s:
        s.add(PortalRecord(member_id="other-portal", domain="other.example.com",
                           client_endpoint="https://other.example.com/rest/", status="installed",
                           application_token_enc=ext["cipher"].encrypt("other-token")))
        s.flush()
        other_shop, other_secret = add_shop(s, ext["cipher"], "other-portal", "Other shop", "generic",
                                            rb.clock.now())
    req = PromoRequest("other-portal", "customer:1", "autumn", Decimal("20.00"), 7, "OTH")
    code = issue(ext["sessions"], ext["redis"], req, rb.clock.now()).code
    assert _state(rb, code)["valid"] is False and _state(rb, code)["reason"] == "unknown"
    assert _state(rb, code, shop_id=other_shop.shop_id, secret=other_secret)["valid"] is True
    ours = order_event("2", status="paid", created_at=iso(rb.clock.now()), promo_code=code)
    assert rb.shop.post(ours).status_code == 202
    rb.shop.work()
    assert _state(rb, code, shop_id=other_shop.shop_id, secret=other_secret)["valid"] is True
