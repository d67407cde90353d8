"""What a message is, and what became of it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

SENT = "sent"  # handed to the channel (or found sent by an earlier attempt)
LATER = "later"  # quiet hours: try again at `until`
UNREACHABLE = "unreachable"  # no channel may carry it (no consent, no address): do not retry
SKIPPED = "skipped"  # policy stopped it for good (frequency cap, duplicate, an earlier unknown outcome)
ERROR = "error"  # the channel failed or its outcome is unknown: retry (the key prevents a double send)


@dataclass(frozen=True)
class Recipient:
    contact_id: int | None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    consent_email: bool = False
    consent_sms: bool = False
    unsubscribed: tuple[str, ...] = ()  # channels whose marketing messages the address left (set by `send_many`)


@dataclass(frozen=True)
class Message:
    """One message to one customer.

    `key` is the idempotency key: at most one message per key ever reaches the customer. `source` names
    who sends (the shop id); `owner_type_id`/`owner_id` is the CRM item the message is logged on (2 deal,
    3 contact). `channels` lists the acceptable channels in order of preference; `marketing` messages need
    the recipient's consent for the channel and count towards the frequency caps. `template` names the
    template it was made from (the duplicate rule: one template per customer within a window); `sms_text` is
    the short form for SMS (else `text`); `unsubscribe_url` is the recipient's preference page."""

    key: str
    source: str
    recipient: Recipient
    subject: str
    text: str
    owner_type_id: int
    owner_id: int
    sender_name: str | None = None
    channels: tuple[str, ...] = ("email",)
    marketing: bool = True
    template: str | None = None
    sms_text: str | None = None
    unsubscribe_url: str | None = None  # set by `send_many` on marketing messages (the text carries it too)


@dataclass(frozen=True)
class Delivery:
    key: str
    status: str
    channel: str | None = None
    reference: str | None = None  # the channel's id of the sent message (a CRM activity id)
    until: datetime | None = None
    detail: str | None = None
    reason_code: str | None = None  # a statuses.ReasonCode when policy or reachability stopped or deferred it
