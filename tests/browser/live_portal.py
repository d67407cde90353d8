"""The real app in the browser: a sandbox portal with the app installed, served live, opened through the
sandbox's portal frame page exactly as Bitrix24 frames it (form POST into an iframe, the BX24 bridge)."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable

import requests

ADMIN_USER, MANAGER = 1, 2
MAIN = "iframe[data-placement=DEFAULT]"
DEAL_TAB = "iframe[data-placement=CRM_DEAL_DETAIL_TAB]"
POLL_MS = 2000  # the longest interval at which a screen polls for a job's outcome
DEBOUNCE_MS = 400  # the longest pause after typing before a form asks for its live preview


@dataclass
class LivePortal:
    env: Any  # tests.fixtures.portal_env.PortalEnv

    def frame_url(self, user_id: int = ADMIN_USER, lang: str = "ru", deal_id: int | None = None) -> str:
        url = f"{self.env.base}/_sandbox/portal?user_id={user_id}&lang={lang}"
        return url + (f"&deal_id={deal_id}" if deal_id else "")

    def work(self, page=None) -> None:
        """Run every queued job (see `off_the_loop`). With the page: then move its clock past the screens' polling
        interval, so a screen waiting for the job's outcome asks for it at once instead of in a few seconds."""
        off_the_loop(self.env.work)
        if page is not None:
            page.clock.fast_forward(POLL_MS)

    @staticmethod
    def typed(page) -> None:
        """Move the page's clock past the forms' typing pause: a live preview asks at once."""
        page.clock.fast_forward(DEBOUNCE_MS)

    def bx24_calls(self) -> list[dict]:
        return requests.get(f"{self.env.base}/_sandbox/bx24-calls", timeout=10).json()

    def open(self, page, user_id: int = ADMIN_USER, lang: str = "ru", deal_id: int | None = None):
        """Open the portal frame page; returns (main page frame, deal tab frame) locators. The page's timers run on
        a clock the test can move (`work(page)`); time flows as usual otherwise."""
        page.clock.install()
        page.goto(self.frame_url(user_id, lang, deal_id))
        return page.frame_locator(MAIN), page.frame_locator(DEAL_TAB)


def off_the_loop(work: Callable[[], Any]) -> Any:
    """Run `work` in a thread of its own: Playwright's sync API keeps an event loop running in the test's thread,
    and the REST client (asyncio.run) cannot start another one there."""
    out: dict = {}

    def run():
        try:
            out["value"] = work()
        except BaseException as exc:  # handed back to the test's thread
            out["error"] = exc

    thread = threading.Thread(target=run, name="off-the-loop")
    thread.start()
    thread.join()
    if "error" in out:
        raise out["error"]
    return out.get("value")


def installed(portal_env) -> LivePortal:
    """A portal with the app installed (a build for `shared_portal`; call it off Playwright's loop)."""
    env = portal_env()
    env.install()
    return LivePortal(env)


def shared_installed(shared_portal) -> LivePortal:
    """The module's installed portal, as `installed` left it."""
    return off_the_loop(lambda: shared_portal(installed))


def seed_customers(portal_env, now, orders, people):
    """A portal (clock frozen at `now`) with a connected shop whose customers placed `orders` ((order id, days
    before now, status, person key)), `people` giving each person's (first name, last name, phone); the segments
    rebuilt and every job run. Call it off Playwright's loop."""
    from datetime import timedelta

    from bitrix_app.clock import FrozenClock
    from bitrix_app.scope import portal_scope
    from bitrix_app.segments import rebuild
    from tests.fixtures.shop_env import connect_shop, iso, order_event

    shop = connect_shop(portal_env(CLOCK=FrozenClock(now)))
    for order_id, days, status, who in orders:
        first, last, phone = people[who]
        at = now - timedelta(days=days)
        shop.post(order_event(order_id, status=status, version=at, created_at=iso(at), phone=phone,
                              email=f"{who}@example.com", customer={"first_name": first, "last_name": last,
                                                                   "email": f"{who}@example.com", "phone": phone}))
        shop.work()
    with shop.env.app.app_context():
        rebuild(portal_scope(shop.member_id), now)
    shop.work()
    return shop
