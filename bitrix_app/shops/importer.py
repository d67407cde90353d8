"""Order history from a JSON Lines file: one canonical event, or one bare order, per line."""
from __future__ import annotations

import json
from typing import IO, Iterator

from marshmallow import ValidationError

from bitrix_app.orders.adapters.common import event_id
from bitrix_app.orders.schemas import load_events


def _event(obj) -> dict:
    """A bare order (has order_id, no type) becomes an order.created event with a stable id."""
    if isinstance(obj, dict) and "type" not in obj and "order_id" in obj:
        version = str(obj.get("updated_at") or "")
        return {"event_id": event_id("import", str(obj["order_id"]), version), "type": "order.created",
                "occurred_at": obj.get("updated_at"), "data": obj}
    return obj


def read(stream: IO[str]) -> Iterator[tuple[int, dict | None, dict | None]]:
    """(line number, loaded event, errors) per non-blank line."""
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as err:
            yield number, None, {"_line": [f"not JSON: {err}"]}
            continue
        try:
            yield number, load_events(_event(obj))[0], None
        except ValidationError as err:
            yield number, None, err.messages
