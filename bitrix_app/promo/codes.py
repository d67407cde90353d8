"""Issue one code per customer and campaign, check a code for a shop, mark a code used by an order."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bitrix_app.store.db import transaction
from bitrix_app.store.models import utc
from bitrix_app.store.promo_models import PromoCode

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and typed
RANDOM_LENGTH = 8
VALID, UNKNOWN, EXPIRED, USED = None, "unknown", "expired", "used"


@dataclass(frozen=True)
class PromoRequest:
    member_id: str
    customer_key: str  # customer:<local id>, contact:<CRM contact id> or lead:<CRM lead id>
    campaign: str
    discount_percent: Decimal
    valid_days: int
    prefix: str
    deal_id: int | None = None


@dataclass(frozen=True)
class Issued:
    code: str
    discount_percent: Decimal
    expires_at: datetime
    reused: bool


def issue(factory, redis, req: PromoRequest, now: datetime) -> Issued:
    """The customer's still-valid code of this campaign, else a new unique one (one issuer at a time per pair)."""
    pair = hashlib.sha256(f"{req.customer_key}\n{req.campaign}".encode()).hexdigest()[:24]
    with redis.lock(f"bitrix_app:promo:issue:{req.member_id}:{pair}", timeout=30, blocking_timeout=30):
        with transaction(factory) as s:
            known = _valid_for(s, req, now)
            if known is not None:
                return Issued(known.code, Decimal(known.discount_percent), utc(known.expires_at), True)
        for _ in range(5):
            row = PromoCode(member_id=req.member_id, code=new_code(req.prefix), customer_key=req.customer_key,
                            campaign=req.campaign, discount_percent=str(req.discount_percent), created_at=now,
                            expires_at=now + timedelta(days=req.valid_days), deal_id=req.deal_id)
            try:
                with transaction(factory) as s:
                    s.add(row)
                    s.flush()
                    return Issued(row.code, req.discount_percent, utc(row.expires_at), False)
            except IntegrityError:  # the random part collided with an existing code: draw again
                continue
    raise RuntimeError("could not draw a unique promo code")


def _valid_for(session: Session, req: PromoRequest, now: datetime) -> PromoCode | None:
    return session.scalar(select(PromoCode).where(
        PromoCode.member_id == req.member_id, PromoCode.customer_key == req.customer_key,
        PromoCode.campaign == req.campaign, PromoCode.used_at.is_(None), PromoCode.expires_at > now)
        .order_by(PromoCode.expires_at.desc()).limit(1))


def new_code(prefix: str) -> str:
    random_part = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return f"{prefix}-{random_part}" if prefix else random_part


def normalise(code: str) -> str:
    return (code or "").strip().upper()


def check(session: Session, member_id: str, code: str, now: datetime) -> dict:
    """The check answer (PromoCodeSchema): codes of other portals are as unknown as made-up ones."""
    code = normalise(code)
    row = session.scalar(select(PromoCode).where(PromoCode.member_id == member_id, PromoCode.code == code))
    if row is None:
        return {"code": code, "valid": False, "reason": UNKNOWN, "discount_percent": None, "expires_at": None}
    expires_at = utc(row.expires_at)
    reason = USED if row.used_at is not None else EXPIRED if expires_at <= now else VALID
    return {"code": row.code, "valid": reason is None, "reason": reason,
            "discount_percent": Decimal(row.discount_percent), "expires_at": expires_at}


def mark_used(session: Session, member_id: str, shop_id: str, order: dict, now: datetime) -> bool:
    """An order of this portal names the code: record its first use (later orders change nothing)."""
    code = normalise(order.get("promo_code") or "")
    if not code:
        return False
    row = session.scalar(select(PromoCode).where(PromoCode.member_id == member_id, PromoCode.code == code))
    if row is None or row.used_at is not None:
        return False
    row.used_at, row.shop_id, row.order_id = now, shop_id, str(order["order_id"])
    return True
