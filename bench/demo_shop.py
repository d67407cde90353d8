"""The demo's shop: connect one to the installed portal, post sample orders over the signed API, wait for deals."""
from __future__ import annotations

import json
import random
import time
from datetime import datetime, timedelta, timezone

import requests

from bitrix_app.orders.adapters.signatures import sign_generic

FIRST = ("Anna", "Boris", "Vera", "Gleb", "Daria", "Egor", "Zoya", "Ivan")
CATALOG = (("BIKE-CITY", "City bike", "bikes", "420.00"), ("TYRE-28", "Tyre 28\"", "tyres", "24.90"),
           ("HELMET-M", "Helmet M", "helmets", "59.00"), ("LOCK-U", "U-lock", "locks", "35.50"),
           ("LAMP-SET", "Lamp set", "lights", "19.90"))
STATUSES = ("new", "pending_payment", "paid", "shipped", "delivered", "completed", "cancelled")


def connect(stack) -> dict:
    """A generic shop of the demo portal (the same use case as `flask shops add`)."""
    from webedge import services
    from bitrix_app.shops.connections import add_shop
    from bitrix_app.shops.settings import ensure_settings
    from bitrix_app.store.db import transaction

    with stack.app.app_context():
        now = services.clock().now()
        with transaction(services.session_factory()) as s:
            shop, secret = add_shop(s, services.cipher(), stack.member_id, "Demo bike shop", "generic", now)
            ensure_settings(s, stack.member_id, now)
        return {"shop_id": shop.shop_id, "secret": secret, "events_url": shop.events_url(stack.live.url)}


def sample_events(count: int = 20, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    events = []
    for n in range(count):
        person = rng.randrange(len(FIRST) * 2)  # some customers come back
        items = [{"sku": sku, "name": name, "category": cat, "price": price, "quantity": rng.randrange(1, 3)}
                 for sku, name, cat, price in rng.sample(CATALOG, rng.randrange(1, 4))]
        total = sum(float(i["price"]) * i["quantity"] for i in items)
        created = now - timedelta(days=rng.randrange(1, 400))
        data = {"order_id": f"D{1000 + n}", "number": f"{1000 + n}", "status": rng.choice(STATUSES),
                "customer": {"first_name": FIRST[person % len(FIRST)], "last_name": "Demo",
                             "phone": f"+7 900 555-{person:02d}-00", "email": f"customer{person}@example.com",
                             "consent": {"email": True, "sms": False}},
                "items": items, "total": f"{total:.2f}", "currency": "RUB",
                "created_at": created.isoformat(), "updated_at": created.isoformat(),
                "utm": {"source": rng.choice(["google", "newsletter", "instagram"]), "medium": "cpc",
                        "campaign": "demo"}}
        events.append({"event_id": f"demo-{n}", "type": "order.created", "occurred_at": data["updated_at"],
                       "data": data})
    return events


def post(shop: dict, body: dict) -> requests.Response:
    raw = json.dumps(body).encode()
    return requests.post(shop["events_url"], data=raw, timeout=30, headers={
        "Content-Type": "application/json", "X-Signature": sign_generic(raw, shop["secret"])})


def wait_synced(stack, timeout: float = 120) -> dict:
    """Poll the inbox until nothing is pending (a demo, not a test)."""
    from bitrix_app.inbox.admin import counts
    from bitrix_app.store.db import transaction

    deadline = time.monotonic() + timeout
    while True:
        with transaction(stack.app.extensions["bitrix_app"]["sessions"]) as s:
            found = counts(s, stack.member_id)
        if found["pending"] == 0 or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


def segments(stack) -> dict:
    """Rebuild the portal's segments (the nightly job, run now) and answer the lifecycle matrix."""
    from datetime import datetime, timezone

    from sqlalchemy import func, select

    from bitrix_app.scope import portal_scope
    from bitrix_app.segments import rebuild
    from bitrix_app.store.db import transaction
    from bitrix_app.store.segment_models import CustomerFigures

    with stack.app.app_context():
        summary = rebuild(portal_scope(stack.member_id), datetime.now(timezone.utc))
        with transaction(stack.app.extensions["bitrix_app"]["sessions"]) as s:
            cells = dict(s.execute(select(CustomerFigures.lifecycle, func.count()).where(
                CustomerFigures.member_id == stack.member_id, CustomerFigures.lifecycle.is_not(None))
                .group_by(CustomerFigures.lifecycle)).all())
    return {"rebuild": summary, "lifecycle_matrix": cells}
