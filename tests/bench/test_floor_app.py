"""The ingest bench's floors (bench/floor_app.py) answer like the product's events endpoint."""
from __future__ import annotations

import json

from bench.floor_app import empty_app, hmac_app
from bitrix_app.orders.adapters.signatures import sign_generic

SECRET = "floor-secret-0123456789"
BODY = json.dumps({"event_id": "order.created:F1", "type": "order.created"}).encode()
ACCEPTED = {"status": "accepted", "accepted": 1, "duplicates": 0}


def _post(app, body: bytes, signature: str | None = None, shop_id: str = "shp_1"):
    headers = {"X-Signature": signature} if signature is not None else {}
    return app.test_client().post(f"/shop/v1/{shop_id}/events", data=body, headers=headers,
                                  content_type="application/json")


def test_the_empty_floor_answers_202_with_the_products_body_for_one_accepted_event():
    res = _post(empty_app(), BODY)
    assert res.status_code == 202 and res.get_json() == ACCEPTED


def test_the_hmac_floor_refuses_a_bad_or_missing_signature_and_accepts_a_good_one(monkeypatch):
    monkeypatch.setenv("BENCH_SHOP_SECRET", SECRET)
    app = hmac_app()
    for signature in (None, sign_generic(BODY, "another-secret-0123456"), sign_generic(BODY + b" ", SECRET)):
        res = _post(app, BODY, signature)
        assert res.status_code == 401 and res.get_json()["error"] == "bad_signature"
    res = _post(app, BODY, sign_generic(BODY, SECRET))
    assert res.status_code == 202 and res.get_json() == ACCEPTED


def test_the_hmac_floor_knows_only_its_shop_when_told_one():
    app = hmac_app(secret=SECRET, shop_id="shp_1")
    assert _post(app, BODY, sign_generic(BODY, SECRET), shop_id="shp_2").status_code == 404
    assert _post(app, BODY, sign_generic(BODY, SECRET), shop_id="shp_1").status_code == 202
