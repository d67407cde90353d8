"""An installed sandbox portal with a shop and a frozen clock, robots to run, and the admin API of sync health
called with the page tokens the portal's admin (user 1) and a manager (user 2) get."""
from __future__ import annotations

from dataclasses import dataclass

import requests

from bitrix_app.shops.cache import changed

from tests.fixtures.shell_page import token_of
from tests.fixtures.shop_env import order_event
from tests.robots.robots_env import RobotsEnv, robots_env

ADMIN_USER, MANAGER = 1, 2
GBP = {"CURRENCY": "GBP", "NAME": "Pound", "BASE": "N", "SORT": "900", "AMOUNT_CNT": "1", "AMOUNT": "110"}


@dataclass
class SyncEnv:
    rb: RobotsEnv
    tokens: dict

    @property
    def shop(self):
        return self.rb.shop

    @property
    def member_id(self) -> str:
        return self.shop.member_id

    def api(self, path: str, method: str = "GET", user: int = ADMIN_USER, **kwargs) -> requests.Response:
        if user not in self.tokens:
            page = self.shop.env.control("placements/open", {"placement": "DEFAULT", "user_id": user, "lang": "en"})
            self.tokens[user] = token_of(page["body"])
        return requests.request(method, f"{self.shop.env.live.url}/api/v1/portals/{self.member_id}/sync{path}",
                                headers={"Authorization": f"Bearer {self.tokens[user]}"}, timeout=30, **kwargs)

    def refused_order(self, order_id: str) -> None:
        """An order in a currency the portal does not have: the portal refuses the deal, a dead letter at once."""
        event = order_event(order_id)
        event["data"]["currency"] = "GBP"
        self.shop.env.redis.delete(f"bitrix_app:currencies:{self.member_id}")  # the edge cannot know yet
        changed(self.shop.env.redis)  # nor remember them with the shop
        res = self.shop.post(event)
        assert res.status_code == 202, res.text
        self.shop.work()

    def add_gbp(self) -> None:
        """The cause goes away: the portal's CRM gains the currency."""
        self.shop.env.sandbox.portal.table("crm_currency")[99] = dict(GBP)


def sync_env(portal_env) -> SyncEnv:
    return SyncEnv(robots_env(portal_env), {})
