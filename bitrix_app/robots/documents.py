"""The CRM document a robot runs on, a deal (`DEAL_5`) or a lead (`LEAD_7`), and the shop customer behind a lead.

A lead has no shop order; its customer is the one linked to the lead's contact, else the one whose phone or
e-mail (normalised the way the shop sync keys customers: E.164 phones, lower-cased e-mails) the lead carries.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from bitrix_app.orders.normalise import email_key, phone_e164
from bitrix_app.store.shop_models import Customer, CustomerKey


@dataclass(frozen=True)
class Kind:
    name: str  # DEAL, LEAD: the prefix of the document id
    owner_type_id: int  # CRM object type id (D api-reference/crm/data-types.md): 1 lead, 2 deal
    entity: str  # crm.<entity>.get / .update
    noun: str  # for messages managers read

    @property
    def get_method(self) -> str:
        return f"crm.{self.entity}.get"

    @property
    def update_method(self) -> str:
        return f"crm.{self.entity}.update"


DEAL = Kind("DEAL", 2, "deal", "deal")
LEAD = Kind("LEAD", 1, "lead", "lead")
KINDS = {k.name: k for k in (DEAL, LEAD)}


def parse(document_id: Any) -> tuple[Kind, int] | None:
    """(kind, id) of `['crm', 'CCrmDocumentLead', 'LEAD_7']` or `LEAD_7`; None for any other document."""
    last = document_id[-1] if isinstance(document_id, (list, tuple)) and document_id else document_id
    prefix, _, number = str(last or "").rpartition("_")
    kind = KINDS.get(prefix.upper())
    if kind is None or not number.isdigit() or int(number) <= 0:
        return None
    return kind, int(number)


def first_value(item: dict, field: str, normalise) -> str | None:
    """The first usable value of a multi-field (PHONE, EMAIL), normalised; None when there is none."""
    values = (normalise(str(v.get("VALUE") or "")) for v in item.get(field) or [] if isinstance(v, dict))
    return next((v for v in values if v), None)


def match_keys(item: dict) -> list[str]:
    """`phone:<E.164>` and `email:<address>` keys of an item's phones and e-mails, phones first."""
    phones = [p for p in (phone_e164(str(v.get("VALUE") or "")) for v in _items(item, "PHONE")) if p]
    emails = [e for e in (email_key(str(v.get("VALUE") or "")) for v in _items(item, "EMAIL")) if e]
    return list(dict.fromkeys([f"phone:{p}" for p in phones] + [f"email:{e}" for e in emails]))


def _items(item: dict, field: str) -> list[dict]:
    return [v for v in item.get(field) or [] if isinstance(v, dict)]


def customer_by_contact(session, member_id: str, contact_id: int | None) -> int | None:
    if not contact_id:
        return None
    return session.scalar(select(Customer.id).where(Customer.member_id == member_id, Customer.contact_id == contact_id)
                          .order_by(Customer.id).limit(1))


def customer_by_keys(session, member_id: str, keys: list[str]) -> int | None:
    """The customer owning the first of these keys that any customer owns (keys in order of preference)."""
    if not keys:
        return None
    owners = dict(session.execute(select(CustomerKey.key, CustomerKey.customer_id).where(
        CustomerKey.member_id == member_id, CustomerKey.key.in_(keys))).all())
    return next((owners[k] for k in keys if k in owners), None)
