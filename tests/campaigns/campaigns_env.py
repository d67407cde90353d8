"""An installed sandbox portal with a shop and a frozen clock; customers, memberships, transitions and orders are
written straight into the tables (the segment engine is not needed), campaigns run in the app's context."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bitrix_app.campaigns import definitions
from bitrix_app.campaigns.jobs import context_for
from bitrix_app.campaigns.runner import run
from bitrix_app.clock import FrozenClock
from bitrix_app.scope import portal_scope
from bitrix_app.store.campaign_models import CampaignEntry
from bitrix_app.store.db import transaction
from bitrix_app.store.message_models import MessageRecord
from bitrix_app.store.models import PortalRecord
from bitrix_app.store.segment_models import CustomerFigures, SegmentTransition
from bitrix_app.store.shop_models import Customer, OrderRecord
from tests.fixtures.shop_env import T0, ShopEnv, connect_shop

CAMPAIGN = {"code": "WIN_BACK", "name_en": "Win back", "name_ru": "Возврат", "segment": "PROMISING_SLEEPING",
            "trigger": "enter", "holdout_percent": 0,
            "actions": [{"type": "promo_code", "discount_percent": 15, "prefix": "BACK"},
                        {"type": "deal"},
                        {"type": "message", "template": "we_miss_you", "channel": "email"},
                        {"type": "todo", "days": 1},
                        {"type": "notify"}]}


@dataclass
class CampaignsEnv:
    shop: ShopEnv
    clock: FrozenClock

    @property
    def env(self):
        return self.shop.env

    @property
    def member_id(self) -> str:
        return self.shop.member_id

    def factory(self):
        return self.env.app.extensions["bitrix_app"]["sessions"]

    def repeat_category(self) -> int:
        with transaction(self.factory()) as s:
            return s.scalar(select(PortalRecord.repeat_category_id).where(PortalRecord.member_id == self.member_id))

    def customer(self, first: str, segments: tuple = ("PROMISING_SLEEPING",), email: str | None = None,
                 consent_email: bool = True, phone: str | None = None, consent_sms: bool = False) -> int:
        """A shop customer with a CRM contact in the sandbox and its memberships."""
        email = email if email is not None else f"{first.lower()}@example.com"
        contact = self.env.rest("crm.contact.add", {"fields": {"NAME": first, "LAST_NAME": "Lee",
                                                               "EMAIL": [{"VALUE": email, "VALUE_TYPE": "WORK"}]}})
        profile = {"first_name": first, "last_name": "Lee", "email": email, "phone": phone,
                   "consent_email": consent_email, "consent_sms": consent_sms}
        with transaction(self.factory()) as s:
            row = Customer(member_id=self.member_id, contact_id=int(contact), profile=profile)
            s.add(row)
            s.flush()
            s.add(CustomerFigures(customer_id=row.id, member_id=self.member_id, contact_id=int(contact), orders=2,
                                  revenue=100.0, paid_revenue=100.0, ltv=100.0, dirty=False,
                                  segments="|" + "".join(f"{c}|" for c in segments)))
            return row.id

    def contact_of(self, customer_id: int) -> int:
        with transaction(self.factory()) as s:
            return s.get(Customer, customer_id).contact_id

    def set_segments(self, customer_id: int, *segments: str) -> None:
        with transaction(self.factory()) as s:
            s.get(CustomerFigures, customer_id).segments = "|" + "".join(f"{c}|" for c in segments)

    def transition(self, customer_id: int, segment: str = "PROMISING_SLEEPING", change: str = "enter") -> int:
        with transaction(self.factory()) as s:
            row = SegmentTransition(member_id=self.member_id, customer_id=customer_id, segment=segment, change=change,
                                    at=self.clock.now(), handled=False)
            s.add(row)
            s.flush()
            return row.id

    def order(self, customer_id: int, at: datetime, total: str, status: str = "paid", order_id: str | None = None):
        with transaction(self.factory()) as s:
            n = order_id or f"o-{customer_id}-{at:%Y%m%d%H%M%S}-{status}"
            s.add(OrderRecord(shop_id=self.shop.shop_id, member_id=self.member_id, order_id=n, number=n,
                              status=status, total=total, currency="EUR", customer_id=customer_id, items=[],
                              ordered_at=at, version=at))

    def campaign(self, **changes) -> dict:
        with transaction(self.factory()) as s:
            row = definitions.create(s, self.member_id, {**CAMPAIGN, **changes}, self.clock.now())
            return definitions.as_json(row)

    def run(self, code: str | None = None) -> dict:
        with self.env.app.app_context():
            return run(context_for(portal_scope(self.member_id)), code)

    def entries(self) -> list[CampaignEntry]:
        with transaction(self.factory()) as s:
            return list(s.scalars(select(CampaignEntry).order_by(CampaignEntry.id)))

    def open_transitions(self) -> int:
        with transaction(self.factory()) as s:
            return len(list(s.scalars(select(SegmentTransition.id).where(SegmentTransition.handled.is_(False)))))

    def messages(self, channel: str | None = None) -> list[MessageRecord]:
        with transaction(self.factory()) as s:
            q = select(MessageRecord).order_by(MessageRecord.id)
            return list(s.scalars(q.where(MessageRecord.channel == channel) if channel else q))

    def deals(self) -> list[dict]:
        return self.env.rest("crm.deal.list", {"filter": {"CATEGORY_ID": self.repeat_category()}, "select": [
            "ID", "TITLE", "STAGE_ID", "CONTACT_ID", "ORIGINATOR_ID", "ORIGIN_ID", "ASSIGNED_BY_ID", "CATEGORY_ID"]})

    def emails(self) -> list[dict]:
        return self.env.rest("crm.activity.list", {"filter": {"TYPE_ID": 4}, "select": [
            "ID", "OWNER_ID", "OWNER_TYPE_ID", "SUBJECT", "DESCRIPTION", "ORIGIN_ID"]})

    def calls(self, method: str) -> list[dict]:
        return self.env.calls(method)


def campaigns_env(portal_env, start: datetime = T0, **overrides) -> CampaignsEnv:
    clock = FrozenClock(start)
    return CampaignsEnv(connect_shop(portal_env(CLOCK=clock, **overrides)), clock)
