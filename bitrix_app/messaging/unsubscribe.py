"""Unsubscribing: a signed link per recipient to the public preference page, and the addresses that left a channel.

The link carries the portal, the recipient's e-mail address and phone and the page's language, signed with an
HMAC (SHA-256, keyed with the app's SECRET_KEY), so it can change nobody's consent but its own recipient's.
An opt-out withdraws the consent for marketing on that channel at once: `send_many` treats the address as not
consenting, whatever the shop says later; transactional messages (payment, pickup) still go."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bitrix_app.store.message_models import MessageOptOut

CHANNELS = ("email", "sms")
PATH = "/unsubscribe/"


@dataclass(frozen=True)
class Subscriber:
    member_id: str
    email: str | None
    phone: str | None
    lang: str

    def address(self, channel: str) -> str | None:
        return self.email if channel == "email" else self.phone if channel == "sms" else None


def _mac(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), f"unsubscribe\n{payload}".encode(), hashlib.sha256).hexdigest()[:32]


def token(secret: str, who: Subscriber) -> str:
    raw = json.dumps([who.member_id, who.email, who.phone, who.lang], separators=(",", ":"), ensure_ascii=False)
    payload = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    return f"{payload}.{_mac(secret, payload)}"


def read(secret: str, text: str) -> Subscriber | None:
    """Whom a token names, or None when it is malformed or forged."""
    payload, dot, mac = (text or "").partition(".")
    if not dot or not payload or len(payload) > 1000:
        return None
    if not hmac.compare_digest(mac.encode("utf-8", "surrogatepass"), _mac(secret, payload).encode()):
        return None
    try:
        member_id, email, phone, lang = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, TypeError):
        return None
    if not isinstance(member_id, str) or not (email or phone):
        return None
    return Subscriber(member_id, email or None, phone or None, "ru" if lang == "ru" else "en")


def link(base_url: str, secret: str, who: Subscriber) -> str:
    return f"{base_url.rstrip('/')}{PATH}{token(secret, who)}"


def opted_out(session: Session, member_id: str, addresses: set[str]) -> set[tuple[str, str]]:
    """(channel, address) pairs among `addresses` that left marketing messages."""
    if not addresses:
        return set()
    rows = session.execute(select(MessageOptOut.channel, MessageOptOut.address).where(
        MessageOptOut.member_id == member_id, MessageOptOut.address.in_(sorted(addresses))))
    return {(channel, address) for channel, address in rows}


def state(session: Session, who: Subscriber) -> dict[str, bool]:
    """Per channel the recipient has an address on: True while subscribed."""
    out = opted_out(session, who.member_id, {a for a in (who.email, who.phone) if a})
    return {c: (c, who.address(c)) not in out for c in CHANNELS if who.address(c)}


def choose(session: Session, who: Subscriber, channel: str, subscribed: bool, now: datetime) -> bool:
    """Leave (or come back to) a channel's marketing messages; False when the recipient has no address on it."""
    address = who.address(channel) if channel in CHANNELS else None
    if address is None:
        return False
    row = session.scalar(select(MessageOptOut).where(MessageOptOut.member_id == who.member_id,
                                                     MessageOptOut.channel == channel,
                                                     MessageOptOut.address == address))
    if subscribed and row is not None:
        session.delete(row)
    elif not subscribed and row is None:
        session.add(MessageOptOut(member_id=who.member_id, channel=channel, address=address, created_at=now))
    session.flush()
    return True
