"""Find deals the app may have created before without hearing back: by ORIGINATOR_ID + ORIGIN_ID."""
from __future__ import annotations

import json

from bitrix_app.rest.batching import MAX_COMMANDS

Key = tuple[str, str]  # (shop_id = ORIGINATOR_ID, ORIGIN_ID)


def deals_by_origin(client, keys: list[Key]) -> tuple[dict[Key, int], dict[Key, str]]:
    """(found deal id per key, lookup error per key); one list command per shop and 50 origins."""
    by_shop: dict[str, list[str]] = {}
    for shop_id, origin in dict.fromkeys(keys):
        by_shop.setdefault(shop_id, []).append(origin)
    reads, owners = {}, {}
    for shop_id, origins in by_shop.items():
        for n in range(0, len(origins), MAX_COMMANDS):
            part = origins[n:n + MAX_COMMANDS]
            label = f"deals_{len(reads)}"
            reads[label] = ("crm.deal.list", {"filter": {"ORIGINATOR_ID": shop_id, "@ORIGIN_ID": part},
                                              "select": ["ID", "ORIGIN_ID"], "order": {"ID": "ASC"}})
            owners[label] = (shop_id, part)
    found: dict[Key, int] = {}
    failed: dict[Key, str] = {}
    if not reads:
        return found, failed
    result = client.batch(reads)
    for label, (shop_id, part) in owners.items():
        if label not in result.results:
            reason = result.failed.get(label) or json.dumps(result.errors.get(label))
            failed.update({(shop_id, origin): f"deal lookup failed: {reason}" for origin in part})
            continue
        for row in result.results[label] or []:
            found.setdefault((shop_id, str(row["ORIGIN_ID"])), int(row["ID"]))
    return found, failed
