"""What the placement views render: one read transaction on the app clock per page (the caller verified the
portal's callback first)."""
from __future__ import annotations

from bitrix_app import services
from bitrix_app.store.db import transaction

from . import labels
from .customer import ORDER_LIMIT, tab_card
from .overview import admin_overview


def tab_page(member_id: str, kind: str, entity_id: str, lang: str) -> dict:
    now = services.clock().now()
    with transaction(services.session_factory()) as s:
        found = tab_card(s, member_id, kind, entity_id, now, lang)
    return {"card": found, "t": labels.translator(lang), "order_limit": ORDER_LIMIT}


def admin_page(member_id: str, lang: str) -> dict:
    now = services.clock().now()
    with transaction(services.session_factory()) as s:
        data = admin_overview(s, member_id, now, lang)
    return {"data": data, "t": labels.translator(lang)}
