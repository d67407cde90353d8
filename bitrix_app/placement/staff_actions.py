"""What staff do from the customer card: issue a promo code, schedule a call (a to-do on the deal or contact), send
a templated message through the messaging policy. Each answers what happened, in words and raw values.

A retry of the same action does not do it twice: the answer is kept in Redis under the action's key (the caller's
idempotency key, else the request itself), built under a lock; an action that failed keeps nothing, so its retry
runs again (a message's own key still stops a second send). Promo codes are also one valid code per customer and
campaign (`promo.codes.issue`)."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Callable

from bitrix_app.promo.codes import PromoRequest, issue
from bitrix_app.scope import PortalScope
from bitrix_app.store.shop_models import Customer

from . import labels
from .customer import crm_id, customer_of

TTL = 86400  # a retry comes within the day
STAFF_CAMPAIGN = "staff"
OWNER_TYPES = {"deal": 2, "contact": 3}
CALL_TITLE = ("Call the customer", "Позвонить покупателю")


class NoCustomer(LookupError):
    """The deal or contact has no shop customer: nothing to act on (a 404)."""


@dataclass(frozen=True)
class Target:
    kind: str  # deal | contact
    entity_id: int
    customer_id: int
    contact_id: int | None
    profile: dict

    @property
    def deal_id(self) -> int | None:
        return self.entity_id if self.kind == "deal" else None

    @property
    def owner(self) -> tuple[int, int]:
        """The CRM item to-dos and messages are logged on: (owner type id, id)."""
        return OWNER_TYPES[self.kind], self.entity_id


def target_of(scope: PortalScope, kind: str, entity_id: int) -> Target:
    with scope.transaction() as s:
        customer_id = customer_of(s, scope.member_id, kind, entity_id)
        row = s.get(Customer, customer_id) if customer_id is not None else None
        if row is None or row.member_id != scope.member_id:
            raise NoCustomer(f"no shop customer behind this {kind}")
        profile = dict(row.profile) if isinstance(row.profile, dict) else {}
        return Target(kind, crm_id(entity_id), customer_id, row.contact_id, profile)


def once(scope: PortalScope, action: str, target: Target, idempotency_key: str | None, request: dict,
         do: Callable[[], dict], keep: Callable[[dict], bool] = lambda answer: True) -> dict:
    """`do()`'s answer, the first time for this key; a repeat answers the same with `repeated: true`."""
    basis = idempotency_key or json.dumps(request, sort_keys=True, default=str)
    digest = hashlib.sha256(f"{target.kind}{target.entity_id}\n{action}\n{basis}".encode()).hexdigest()[:32]
    key = f"bitrix_app:cards:action:{scope.member_id}:{digest}"
    with scope.redis.lock(f"{key}:lock", timeout=120, blocking_timeout=60):
        known = scope.redis.get(key)
        if known is not None:
            return {**json.loads(known), "repeated": True}
        answer = {**do(), "key": digest}
        if keep(answer):
            scope.redis.set(key, json.dumps(answer), ex=TTL)
    return {**answer, "repeated": False}


def issue_promo(scope: PortalScope, target: Target, body: dict, now: datetime, lang: str) -> dict:
    """A promo code for the customer (the still-valid one of the card's campaign, when there is one)."""
    req = PromoRequest(member_id=scope.member_id, customer_key=f"customer:{target.customer_id}",
                       campaign=STAFF_CAMPAIGN, discount_percent=Decimal(body["discount_percent"]).quantize(
                           Decimal("0.01")), valid_days=body["valid_days"], prefix=body.get("prefix") or "",
                       deal_id=target.deal_id)
    issued = issue(scope.sessions, scope.redis, req, now)
    percent, until = f"{issued.discount_percent:.2f}", issued.expires_at
    if issued.reused:
        text = labels.pick((f"The customer already has a valid code {issued.code}: it is shown again.",
                            f"У покупателя уже есть действующий промокод {issued.code}: показан он."), lang)
    else:
        text = labels.pick((f"Promo code {issued.code} issued.", f"Выдан промокод {issued.code}."), lang)
    return {"outcome": "reused" if issued.reused else "issued", "code": issued.code, "discount_percent": percent,
            "expires_at": until.isoformat(), "text": text}


def schedule_call(scope: PortalScope, target: Target, body: dict, user_id: int | None, lang: str) -> dict:
    """A call to-do on the deal or contact at `when`, for the user who asked (else the record's responsible)."""
    owner_type, owner_id = target.owner
    responsible = user_id or _responsible(scope, target)
    title = labels.pick(CALL_TITLE, lang)
    params = {"ownerTypeId": owner_type, "ownerId": owner_id, "deadline": body["when"].isoformat(), "title": title,
              "description": body.get("note") or "", "responsibleId": responsible}
    answer = scope.client.call("crm.activity.todo.add", {k: v for k, v in params.items() if v is not None}) or {}
    text = labels.pick(("The call is scheduled: a to-do was added.", "Звонок запланирован: добавлено дело."), lang)
    return {"outcome": "scheduled", "todo_id": int(answer.get("id") or 0) or None,
            "when": body["when"].isoformat(), "title": title, "note": body.get("note") or "", "text": text}


def _responsible(scope: PortalScope, target: Target) -> int | None:
    method = "crm.deal.get" if target.kind == "deal" else "crm.contact.get"
    found = scope.client.call(method, {"id": target.entity_id}) or {}
    raw = str(found.get("ASSIGNED_BY_ID") or "")
    return int(raw) if raw.isdigit() else None
