"""A harmless test event: the admin's "send a test event" builds one, signs it with the shop's own secret and
puts it through the same checks and store as a delivery from the shop (signature, schema, inbox); the drain
marks it done without any CRM work (`apply`, named in the event-type registry)."""
from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bitrix_app.orders.adapters import verify_generic
from bitrix_app.orders.adapters.signatures import sign_generic
from bitrix_app.orders.schemas import load_events

from .accept import Accepted, accept
from .outcomes import DONE, Outcome

TYPE = "shop.test"


def build(now: datetime) -> dict:
    """A test event as a shop would send it."""
    test_id = secrets.token_hex(6)
    stamp = now.isoformat()
    return {"event_id": f"{TYPE}:{test_id}", "type": TYPE, "occurred_at": stamp,
            "data": {"test_id": test_id, "note": "sent from the app's Shops screen", "updated_at": stamp}}


def send(session: Session, shop_id: str, member_id: str, secret: str, now: datetime) -> tuple[dict, Accepted]:
    """Sign the test event with the shop's secret, verify and load it as the events endpoint does, store it."""
    event = build(now)
    raw = json.dumps(event, separators=(",", ":")).encode()
    signature = sign_generic(raw, secret)
    if not verify_generic(raw, signature, secret):  # the endpoint's own check: the stored secret signs correctly
        raise RuntimeError("the shop's secret does not verify its own signature")
    loaded = load_events(json.loads(raw))
    return event, accept(session, shop_id, member_id, loaded, now, [event])


def apply(ctx: Any, events: list) -> dict[int, Outcome]:
    """The drain's handler of test events (see the event-type registry): each is done, nothing else happens."""
    return {ev.id: DONE for ev in events}
