"""An installed sandbox portal with a shop, a frozen app clock, and helpers to run robots on deals and leads."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from bitrix_app.clock import FrozenClock
from bitrix_app.robots import calls
from bitrix_app.scope import app_services
from bitrix_app.store.robot_models import RobotCall
from bitrix_app.store.shop_models import OrderRecord
from tests.fixtures.shop_env import T0, ShopEnv, connect_shop, iso, order_event


@dataclass
class RobotsEnv:
    shop: ShopEnv
    clock: FrozenClock

    @property
    def env(self):
        return self.shop.env

    def orders(self, *specs: tuple) -> dict[str, int]:
        """Post orders (order_id, status, days before now[, items[, phone, email]]); answer order id -> deal id."""
        events = []
        for order_id, status, days, *rest in specs:
            created = iso(self.clock.now() - timedelta(days=days))
            extra = {"items": rest[0]} if rest and rest[0] else {}
            if len(rest) > 1:
                extra.update(phone=rest[1], email=rest[2])
            events.append(order_event(order_id, status=status, created_at=created, **extra))
        res = self.shop.post({"events": events})
        assert res.status_code in (200, 202), res.text
        self.shop.work()
        with self.shop.session() as s:
            rows = s.execute(select(OrderRecord.order_id, OrderRecord.deal_id).where(
                OrderRecord.member_id == self.shop.member_id)).all()
        return {order_id: deal_id for order_id, deal_id in rows}

    def start(self, code: str, deal_id: int, properties: dict | None = None, document: str = "DEAL") -> dict:
        """Run a robot in the sandbox on `<document>_<id>` (a deal unless told); its call reaches the app (the
        outbox is drained), jobs not run yet."""
        run = self.env.control("robots/run", {"code": code, "document_id": f"{document}_{deal_id}",
                                              "properties": properties or {}})
        assert self.env.control("outbox/drain")["drained"]
        return run

    def run(self, code: str, deal_id: int, properties: dict | None = None, document: str = "DEAL") -> dict:
        """Run a robot to the end; answer the sandbox's workflow."""
        run = self.start(code, deal_id, properties, document)
        self.env.work()
        return self.workflow(run["workflow_id"])

    def lead(self, **fields) -> int:
        """A lead added in the portal (crm.lead.add through the webhook)."""
        return self.env.rest("crm.lead.add", {"fields": fields})

    def run_on_lead(self, code: str, lead_id: int, properties: dict | None = None) -> dict:
        return self.run(code, lead_id, properties, document="LEAD")

    def workflow(self, workflow_id: str) -> dict:
        return self.env.control(f"workflows/{workflow_id}", method="GET")

    def robot_posts(self) -> list[dict]:
        return self.env.control("outbound?kind=robot", method="GET")["outbound"]

    def calls(self) -> list[RobotCall]:
        with self.shop.session() as s:
            return list(s.scalars(select(RobotCall).order_by(RobotCall.id)))

    def call_views(self, **filters) -> list[dict]:
        with self.env.app.app_context():
            return calls.list_calls(app_services(), **filters)


def robots_env(portal_env, start: datetime = T0) -> RobotsEnv:
    clock = FrozenClock(start)
    return RobotsEnv(connect_shop(portal_env(CLOCK=clock)), clock)
