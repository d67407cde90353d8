"""A sandbox portal with a connected shop and a frozen clock; the placement shells opened as the portal opens them,
and the card API called with the page token a tab carries.

Orders go through the real sync (signed shop events -> inbox -> deals); customer_stats rows, snapshots and
stored segment definitions are written straight into the tables, as the segment engine would leave them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from sqlalchemy import delete, select

from bitrix_app.clock import FrozenClock
from bitrix_app.segments import create_definition
from bitrix_app.store.segment_models import CustomerFigures, SegmentSnapshot
from bitrix_app.store.shop_models import Customer, OrderRecord
from tests.fixtures.shell_page import token_of
from tests.fixtures.shop_env import T0, ShopEnv, connect_shop, iso, order_event

MANAGER = 2  # the sandbox portal's user 2 is no administrator: the staff role
NOW = T0 + timedelta(days=10)  # 2026-11-12 10:00 UTC
CROSS_SELL = {"code": "BIKE_NO_HELMET", "kind": "cross_sell", "name_en": "Bike without a helmet",
              "name_ru": "Велосипед без шлема",
              "params": {"bought": {"categories": ["bikes"]}, "not_bought": {"categories": ["helmets"]},
                         "within_days": 365}}


@dataclass
class PlacementEnv:
    shop: ShopEnv
    clock: FrozenClock

    @property
    def env(self):
        return self.shop.env

    @property
    def member_id(self) -> str:
        return self.shop.member_id

    def session(self):
        return self.shop.session()

    def sync_order(self, order_id: str, at: datetime, status: str = "paid", **kwargs) -> None:
        """One order through the real sync: the shop posts it, the worker makes the deal."""
        ev = order_event(order_id, status=status, version=at, created_at=iso(at), **kwargs)
        assert self.shop.post(ev).status_code == 202
        self.shop.work()

    def order(self, order_id: str) -> OrderRecord:
        with self.session() as s:
            row = s.scalar(select(OrderRecord).where(OrderRecord.order_id == order_id))
            s.expunge(row)
            return row

    def contact_of(self, customer_id: int) -> int:
        with self.session() as s:
            return s.get(Customer, customer_id).contact_id

    def define_cross_sell(self) -> None:
        with self.session() as s:
            create_definition(s, self.member_id, CROSS_SELL, self.clock.now())

    def set_figures(self, customer_id: int, segments: tuple = (), **fields) -> None:
        """Replace the customer's customer_stats row (as a rebuild would leave it)."""
        values = {"orders": 0, "revenue": 0.0, "paid_revenue": 0.0, "ltv": 0.0, "dirty": False,
                  "computed_at": self.clock.now(), **fields}
        with self.session() as s:
            s.execute(delete(CustomerFigures).where(CustomerFigures.customer_id == customer_id))
            s.add(CustomerFigures(customer_id=customer_id, member_id=self.member_id,
                                  segments="|" + "".join(f"{c}|" for c in segments), **values))

    def drop_figures(self, customer_id: int) -> None:
        with self.session() as s:
            s.execute(delete(CustomerFigures).where(CustomerFigures.customer_id == customer_id))

    def snapshot(self, at: datetime, **data) -> None:
        with self.session() as s:
            s.add(SegmentSnapshot(member_id=self.member_id, taken_at=at, data=data))

    def open(self, placement: str, entity_id=None, lang: str = "en", user_id: int = 1) -> dict:
        """The portal opens a widget (or the app's main page for DEFAULT) for a user (1 admin, 2 manager)."""
        body = {"placement": placement, "lang": lang, "user_id": user_id}
        if entity_id is not None:
            body["options"] = {"ID": str(entity_id)}
        return self.env.control("placements/open", body)

    def tab_token(self, user_id: int = MANAGER, placement: str = "CRM_DEAL_DETAIL_TAB") -> str:
        """The page token a deal tab's shell carries for this user (a manager: the staff role)."""
        ans = self.open(placement, 1, user_id=user_id)
        assert ans["status"] == 200, ans
        return token_of(ans["body"])

    def api(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        """/api/v1/portals/<member_id><path> with a bearer token (a manager's tab token unless given)."""
        token = token or self.tab_token()
        return requests.request(method, f"{self.env.live.url}/api/v1/portals/{self.member_id}{path}",
                                headers={"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})},
                                timeout=30, **kwargs)

    def card(self, kind: str, entity_id, lang: str = "en", token: str | None = None) -> dict:
        res = self.api("GET", f"/cards/{kind}/{entity_id}", token, params={"lang": lang})
        assert res.status_code == 200, res.text
        return res.json()

    def post_page(self, path: str, token: str, lang: str = "en") -> requests.Response:
        """Post a page form directly (a caller that may not know the application token)."""
        domain = self.env.control("placements/open", {"placement": "DEFAULT"})["query"]["DOMAIN"]
        form = {"AUTH_ID": "a", "REFRESH_ID": "r", "member_id": self.member_id, "APPLICATION_TOKEN": token,
                "PLACEMENT": "DEFAULT", "PLACEMENT_OPTIONS": json.dumps({"ID": "1"})}
        return requests.post(f"{self.env.live.url}{path}?DOMAIN={domain}&LANG={lang}", data=form, timeout=10)


def placement_env(portal_env) -> PlacementEnv:
    clock = FrozenClock(NOW)
    return PlacementEnv(connect_shop(portal_env(CLOCK=clock)), clock)


def section(html: str, element_id: str, end: str) -> str:
    """The markup from the element with this id up to the closing tag `end` (good enough for asserts)."""
    start = html.index(f'id="{element_id}"')
    return html[start:html.index(end, start)]
