"""The `messages` table: every message, what policy decided and what the channel answered."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bitrix_app.store.message_models import MessageRecord
from bitrix_app.store.models import utc
from bitrix_app.store.statuses import MessageStatus, ReasonCode

from .message import Message
from .policy import History, Sent

SENDING, SENT, DEFERRED, SKIPPED, FAILED = (MessageStatus.SENDING, MessageStatus.SENT, MessageStatus.DEFERRED,
                                           MessageStatus.SKIPPED, MessageStatus.FAILED)
STATUSES = tuple(s.value for s in MessageStatus)  # plain strings: command-line choices, listings


def existing(session: Session, member_id: str, keys: list[str]) -> dict[str, MessageRecord]:
    if not keys:
        return {}
    rows = session.scalars(select(MessageRecord).where(MessageRecord.member_id == member_id,
                                                       MessageRecord.key.in_(keys)))
    return {r.key: r for r in rows}


def history(session: Session, member_id: str, addresses: set[str], since: datetime) -> History:
    """Messages sent to these addresses since `since` (caps and duplicates are counted from these)."""
    found = History()
    if not addresses:
        return found
    rows = session.execute(select(MessageRecord.channel, MessageRecord.address, MessageRecord.template,
                                  MessageRecord.marketing, MessageRecord.sent_at).where(
        MessageRecord.member_id == member_id, MessageRecord.status == SENT, MessageRecord.sent_at >= since,
        or_(*[MessageRecord.address.in_(sorted(addresses)[i:i + 500]) for i in range(0, len(addresses), 500)])))
    for channel, addr, template, marketing, at in rows:
        found.add(Sent(channel, addr, template, bool(marketing), utc(at)))
    return found


def write(session: Session, member_id: str, message: Message | None, status: str, now: datetime, *,
          key: str | None = None, channel: str | None = None, transport: str | None = None,
          address: str | None = None, reason: str | None = None, reason_code: str | None = None,
          until: datetime | None = None,
          reference: str | None = None, attempt: bool = False, source: str | None = None,
          subject: str | None = None, text: str | None = None) -> MessageRecord:
    """Create or update the record of one message (by key); `attempt` counts a hand-over to a transport;
    `reason_code` (a ReasonCode) says why a skipped or deferred message was not sent, beside the `reason` text."""
    key = key or message.key
    row = session.scalar(select(MessageRecord).where(MessageRecord.member_id == member_id, MessageRecord.key == key))
    if row is None:
        row = MessageRecord(member_id=member_id, key=key, created_at=now, attempts=0, status=status)
        session.add(row)
    row.channel = channel or row.channel
    if message is not None:
        row.source, row.template, row.marketing = message.source, message.template, message.marketing
        row.contact_id, row.subject = message.recipient.contact_id, (message.subject or "")[:255]
        row.text = message.sms_text if row.channel == "sms" and message.sms_text else message.text
    else:
        row.source, row.marketing = source or "app", False
        row.subject, row.text = (subject or "")[:255] or None, text or ""
    row.transport = transport or row.transport
    row.address = address or row.address
    row.status, row.reason, row.until, row.updated_at = status, reason, until, now
    row.reason_code = ReasonCode(reason_code) if reason_code else None
    if reference is not None:
        row.reference = reference
    if attempt:
        row.attempts = (row.attempts or 0) + 1
    if status == SENT and row.sent_at is None:
        row.sent_at = now
    session.flush()
    return row


def listing(session: Session, member_id: str | None = None, status: str | None = None,
            limit: int = 100) -> list[MessageRecord]:
    q = select(MessageRecord).order_by(MessageRecord.id.desc()).limit(limit)
    if member_id:
        q = q.where(MessageRecord.member_id == member_id)
    if status:
        q = q.where(MessageRecord.status == status)
    return list(session.scalars(q))


def as_json(row: MessageRecord) -> dict:
    moment = (lambda v: utc(v).isoformat() if v else None)  # noqa: E731
    return {"id": row.id, "member_id": row.member_id, "key": row.key, "source": row.source,
            "template": row.template, "marketing": row.marketing, "channel": row.channel,
            "transport": row.transport, "address": row.address, "contact_id": row.contact_id,
            "subject": row.subject, "status": row.status, "reason": row.reason, "reason_code": row.reason_code,
            "until": moment(row.until),
            "reference": row.reference, "attempts": row.attempts, "created_at": moment(row.created_at),
            "updated_at": moment(row.updated_at), "sent_at": moment(row.sent_at)}
