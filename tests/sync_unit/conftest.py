"""Fast unit tests of the sync's planning: an in-memory database, a frozen clock and a scripted portal
client (no sandbox, no HTTP, no Redis)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.pool import StaticPool

from bitrix_app.clock import FrozenClock
from bitrix_app.crm.context import SyncContext
from bitrix_app.rest.batching import BatchResult
from bitrix_app.scope import AppServices
from bitrix_app.shops.settings import ShopSettings
from bitrix_app.store.db import make_session_factory
from bitrix_app.store.tables import all_tables

MEMBER = "unit-portal"
SHOP = "shop-1"


class FakeClient:
    """Answers batch reads and writes from `answer(method, params) -> result | Exception-like dict`.

    A dict with an "error" key is the portal's error answer for that command; `failing` makes whole
    requests fail (outcome unknown). Every command sent is kept in `sent` as (label, method, params)."""

    def __init__(self):
        self.sent: list[tuple[str, str, dict]] = []
        self.handlers: dict[str, object] = {}
        self.failing: set[str] = set()
        self.next_id = 100

    def on(self, method: str, handler) -> None:
        self.handlers[method] = handler

    def methods(self) -> list[str]:
        return [method for _, method, _ in self.sent]

    def _run(self, commands: dict) -> BatchResult:
        result = BatchResult()
        for label, (method, params) in commands.items():
            self.sent.append((label, method, params))
            if method in self.failing:
                result.failed[label] = "connection reset"
                continue
            handler = self.handlers.get(method)
            if handler is None and method.endswith(".add"):
                self.next_id += 1
                answer = self.next_id
            elif handler is None:
                answer = True
            else:
                answer = handler(params)
            if isinstance(answer, dict) and "error" in answer:
                result.errors[label] = answer
            else:
                result.results[label] = answer
        return result

    def batch(self, reads: dict) -> BatchResult:
        return self._run(reads)

    def batch_groups(self, groups: list[dict], writes: bool = False) -> BatchResult:
        return self._run({label: cmd for group in groups for label, cmd in group.items()})


@pytest.fixture(scope="module")
def engine():
    built = create_engine("sqlite://", poolclass=StaticPool)
    event.listen(built, "connect", lambda conn, _: conn.execute("PRAGMA foreign_keys=ON"))
    all_tables().create_all(built)
    yield built
    built.dispose()


@pytest.fixture
def factory(engine):
    yield make_session_factory(engine)
    with engine.begin() as conn:
        for table in reversed(all_tables().sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def client():
    return FakeClient()


@pytest.fixture
def ctx(factory, client):
    services = AppServices(factory, FrozenClock(), None, None, None, lambda member_id, lane="normal": client)
    return SyncContext(scope=services.for_portal(MEMBER), portal_status="installed", category_id=3, responsible_id=7,
                       settings=ShopSettings(), shop_names={SHOP: "Demo shop"})


def at(hour: int) -> datetime:
    return datetime(2026, 1, 15, hour, 0, tzinfo=timezone.utc)
