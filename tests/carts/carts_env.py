"""Cart events, a frozen clock and the helpers the abandoned-cart tests share."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from bitrix_app.carts import timers
from bitrix_app.clock import FrozenClock
from bitrix_app.inbox import dispatch
from bitrix_app.shops.settings import update_settings
from bitrix_app.store.shop_models import Cart, InboxEvent
from tests.fixtures.shop_env import T0, ShopEnv, connect_shop, iso

ITEMS = [{"sku": "BIKE-1", "name": "City bike", "category": "bikes", "price": "500.00", "quantity": 1},
         {"sku": "LAMP-3", "name": "Front lamp", "category": "parts", "price": "20.00", "quantity": 2}]


def cart_event(cart_id: str, version: datetime = T0, items: list | None = None, email: str | None = "ann@example.com",
               phone: str | None = "+7 999 123-45-67", consent_email: bool = True) -> dict:
    items = ITEMS if items is None else items
    total = sum(float(i["price"]) * float(i["quantity"]) for i in items)
    data = {"cart_id": cart_id, "items": items, "total": f"{total:.2f}", "currency": "EUR", "updated_at": iso(version),
            "customer": {"email": email, "phone": phone, "first_name": "Ann", "last_name": "Lee",
                         "consent": {"email": consent_email, "sms": False}}}
    return {"event_id": f"cart.updated:{cart_id}:{iso(version)}", "type": "cart.updated", "occurred_at": iso(version),
            "data": data}


def cleared_event(cart_id: str, version: datetime) -> dict:
    return {"event_id": f"cart.cleared:{cart_id}:{iso(version)}", "type": "cart.cleared", "occurred_at": iso(version),
            "data": {"cart_id": cart_id, "updated_at": iso(version)}}


@dataclass
class CartsEnv:
    shop: ShopEnv
    clock: FrozenClock

    @property
    def ext(self):
        return self.shop.env.app.extensions["bitrix_app"]

    def post(self, *events: dict) -> None:
        body = {"events": list(events)} if len(events) > 1 else events[0]
        res = self.shop.post(body)
        assert res.status_code in (200, 202), res.text
        self.shop.work()

    def tick(self, **delta) -> None:
        """Move the app clock on, then run what cron would: the cart sweeper and the inbox sweeper."""
        self.clock.advance(**delta)
        timers.sweep(self.ext["sessions"], self.ext["redis"], self.clock.now())
        with self.shop.session() as s:
            dispatch.sweep(s, self.ext["redis"], self.clock.now())
        self.shop.work()

    def settings(self, **changes) -> None:
        with self.shop.session() as s:
            update_settings(s, self.shop.member_id, changes, self.clock.now())

    def cart(self, cart_id: str) -> Cart:
        with self.shop.session() as s:
            return s.scalar(select(Cart).where(Cart.shop_id == self.shop.shop_id, Cart.cart_id == cart_id))

    def inbox(self, kind: str | None = None) -> list[InboxEvent]:
        with self.shop.session() as s:
            q = select(InboxEvent).where(InboxEvent.member_id == self.shop.member_id).order_by(InboxEvent.id)
            if kind:
                q = q.where(InboxEvent.type == kind)
            return list(s.scalars(q))

    def emails(self) -> list[dict]:
        return self.shop.env.rest("crm.activity.list", {"filter": {"TYPE_ID": 4}, "select": [
            "ID", "OWNER_ID", "OWNER_TYPE_ID", "SUBJECT", "DESCRIPTION", "DIRECTION", "COMPLETED", "ORIGIN_ID",
            "COMMUNICATIONS"]})

    def todos(self, deal_id=None) -> list[dict]:
        flt = {"PROVIDER_ID": "CRM_TODO"}
        if deal_id is not None:
            flt.update({"OWNER_TYPE_ID": 2, "OWNER_ID": deal_id})
        return self.shop.env.rest("crm.activity.list", {"filter": flt, "select": [
            "ID", "OWNER_ID", "SUBJECT", "DESCRIPTION", "RESPONSIBLE_ID", "DEADLINE"]})

    def payload(self, row: InboxEvent) -> dict:
        return json.loads(row.payload)


def carts_env(portal_env, start: datetime = T0) -> CartsEnv:
    clock = FrozenClock(start)
    shop = connect_shop(portal_env(CLOCK=clock))
    return CartsEnv(shop, clock)


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)
