"""Hand-built purchase histories for the engine: customers and orders inserted directly."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, select

from bitrix_app.store.db import transaction
from bitrix_app.store.segment_models import CustomerFigures, OrderLine
from bitrix_app.store.shop_models import Customer, OrderRecord

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)
MEMBER = "seg-portal"


@dataclass
class History:
    """Customers and orders of one portal, written straight to the tables."""

    app: object
    member_id: str = MEMBER
    now: datetime = NOW
    _orders: int = field(default=0)

    @property
    def sessions(self):
        return self.app.extensions["bitrix_app"]["sessions"]

    def session(self):
        return transaction(self.sessions)

    def customer(self, birthday: str | None = None, gender: str | None = None, contact_id: int | None = None,
                 member_id: str | None = None) -> int:
        profile = {"first_name": "Ann", "birthday": birthday, "gender": gender, "email": None, "phone": None}
        with self.session() as s:
            return s.execute(insert(Customer).values(member_id=member_id or self.member_id, contact_id=contact_id,
                                                     profile=profile)).inserted_primary_key[0]

    def order(self, customer_id: int, days_ago: float, total: str = "100.00", status: str = "completed",
              utm: str | None = None, items: list | None = None, at: datetime | None = None,
              member_id: str | None = None) -> int:
        self._orders += 1
        moment = at or self.now - timedelta(days=days_ago)
        items = items or [{"sku": "SKU-1", "category": "misc", "price": total, "quantity": 1}]
        with self.session() as s:
            oid = s.execute(insert(OrderRecord).values(
                shop_id="shop-1", member_id=member_id or self.member_id, order_id=f"o{self._orders}", status=status,
                total=total, currency="EUR", customer_id=customer_id, items=items, ordered_at=moment,
                version=moment, utm_source=utm)).inserted_primary_key[0]
            s.execute(insert(OrderLine), [{
                "member_id": member_id or self.member_id, "order_ref": oid, "customer_id": customer_id,
                "sku": i["sku"], "category": i.get("category"), "quantity": float(i.get("quantity", 1)),
                "amount": float(i["price"]) * float(i.get("quantity", 1)), "ordered_at": moment,
                "counted": status not in ("cancelled", "refunded")} for i in items])
        return oid

    def buyer(self, purchases: int, days_ago: float, total: str = "100.00", **profile) -> int:
        """A customer with `purchases` orders, the last one `days_ago` days back (one day apart)."""
        cid = self.customer(**profile)
        for n in range(purchases):
            self.order(cid, days_ago + purchases - 1 - n, total)
        return cid

    def rows(self) -> dict[int, dict]:
        cs = CustomerFigures.__table__
        with self.session() as s:
            found = s.execute(select(cs).where(cs.c.member_id == self.member_id)).mappings().all()
        return {r["customer_id"]: dict(r) for r in found}

    def row(self, customer_id: int) -> dict:
        return self.rows()[customer_id]

    def segments(self, customer_id: int) -> set[str]:
        return {c for c in self.row(customer_id)["segments"].split("|") if c}

    def rebuild(self, now: datetime | None = None, **kwargs) -> dict:
        from bitrix_app.scope import portal_scope
        from bitrix_app.segments.engine import core as engine

        with self.app.app_context():
            return engine.rebuild(portal_scope(self.member_id), now or self.now, **kwargs)

    def refresh(self, *customer_ids: int, now: datetime | None = None) -> dict:
        from bitrix_app.segments.engine import core as engine

        with self.session() as s:
            return engine.refresh_customers(s, self.member_id, list(customer_ids), now or self.now)

    def set_profile(self, customer_id: int, **changes) -> None:
        with self.session() as s:
            row = s.get(Customer, customer_id)
            row.profile = {**row.profile, **changes}

    def settings(self, changes: dict) -> dict:
        from bitrix_app.segments.settings import update_settings

        with self.session() as s:
            return update_settings(s, self.member_id, changes, self.now)

    def transitions(self) -> list[tuple[int, str, str]]:
        from bitrix_app.store.segment_models import SegmentTransition as T

        with self.session() as s:
            rows = s.execute(select(T.customer_id, T.segment, T.change).where(T.member_id == self.member_id)
                             .order_by(T.id)).all()
        return [tuple(r) for r in rows]

    def state(self) -> dict:
        from bitrix_app.segments.engine.core import load_state

        with self.session() as s:
            return load_state(s, self.member_id)

    def clear_dirty(self) -> None:
        from sqlalchemy import update

        with self.session() as s:
            s.execute(update(CustomerFigures).where(CustomerFigures.member_id == self.member_id).values(dirty=False))

    def install_portal(self) -> None:
        """A portal row, so the CLI and the admin API accept the member_id."""
        from bitrix_app.store.models import PortalRecord

        with self.session() as s:
            s.execute(insert(PortalRecord).values(
                member_id=self.member_id, domain="seg.bitrix24.ru", client_endpoint="https://seg.bitrix24.ru/rest/",
                scope="crm", status="active", application_token_enc="-", installed_at=self.now,
                updated_at=self.now))

    def set_status(self, order_ref: int, status: str) -> None:
        """An order moved to another status (its lines follow, as the order sync keeps them)."""
        from sqlalchemy import update

        with self.session() as s:
            s.execute(update(OrderRecord).where(OrderRecord.id == order_ref).values(status=status))
            s.execute(update(OrderLine).where(OrderLine.order_ref == order_ref)
                      .values(counted=status not in ("cancelled", "refunded")))
