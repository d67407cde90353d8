"""What the placement views render: one read transaction on the scope's clock per page (the caller verified the
portal's callback first)."""
from __future__ import annotations

from bitrix_app.scope import PortalScope

from . import labels
from .customer import ORDER_LIMIT, tab_card
from .overview import admin_overview


def tab_page(scope: PortalScope, kind: str, entity_id: str, lang: str) -> dict:
    now = scope.now()
    with scope.transaction() as s:
        found = tab_card(s, scope.member_id, kind, entity_id, now, lang)
    return {"card": found, "t": labels.translator(lang), "order_limit": ORDER_LIMIT}


def admin_page(scope: PortalScope, lang: str) -> dict:
    now = scope.now()
    with scope.transaction() as s:
        data = admin_overview(s, scope.member_id, now, lang)
    return {"data": data, "t": labels.translator(lang)}
