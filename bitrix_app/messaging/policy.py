"""The rules every message to a customer passes, as pure functions over what was sent before.

- consent per channel: marketing messages need the customer's consent for the channel, transactional ones
  (payment or pickup reminders) do not, unless the portal's `consent_for` is "all";
- quiet hours in the customer's local time (the portal's `quiet_hours`, default 21:00-09:00; the zone from
  the phone's calling code or the portal's `timezone`, see `zones.customer_zone`): the message is deferred
  to their end;
- a frequency cap per channel for marketing messages (default: e-mail 1 per 16 h, SMS 1 per 24 h): skipped;
- no duplicate of the same template to the same customer within `duplicate_hours` (default 7 days): skipped.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bitrix_app.store.statuses import ReasonCode

from .config import MessagingConfig
from .message import Message
from .zones import customer_zone

CONSENT_NAMES = {"email": "e-mails", "sms": "SMS"}


@dataclass(frozen=True)
class Verdict:
    action: str  # send | defer | skip
    reason: str | None = None
    until: datetime | None = None
    code: ReasonCode | None = None


SEND = Verdict("send")


@dataclass(frozen=True)
class Sent:
    channel: str
    address: str | None
    template: str | None
    marketing: bool
    at: datetime


@dataclass
class History:
    """Messages sent to the customers at hand within the longest window; grows as a batch is planned."""

    sent: list[Sent] = field(default_factory=list)

    def add(self, item: Sent) -> None:
        self.sent.append(item)

    def last_on(self, channel: str, address: str) -> datetime | None:
        return max((s.at for s in self.sent if s.marketing and s.channel == channel and s.address == address),
                   default=None)

    def last_template(self, template: str, addresses: set[str]) -> datetime | None:
        return max((s.at for s in self.sent if s.template == template and s.address in addresses), default=None)


def address(message: Message, channel: str) -> str | None:
    who = message.recipient
    return who.email if channel == "email" else who.phone if channel == "sms" else None


def refusal(message: Message, channel: str, consent_for: str = "marketing") -> tuple[ReasonCode, str] | None:
    """Why `channel` cannot carry the message to this customer (no address, unsubscribed, no consent), or None;
    `consent_for` "all" asks consent of transactional messages too."""
    if address(message, channel) is None:
        return (ReasonCode.NO_ADDRESS,
                f"{channel}: the customer has no {'e-mail address' if channel == 'email' else 'phone'}")
    if message.marketing and channel in message.recipient.unsubscribed:
        return (ReasonCode.UNSUBSCRIBED, f"{channel}: the customer unsubscribed from marketing messages")
    consented = message.recipient.consent_email if channel == "email" else message.recipient.consent_sms
    if (message.marketing or consent_for == "all") and not consented:
        return (ReasonCode.NO_CONSENT,
                f"{channel}: the customer did not consent to {CONSENT_NAMES.get(channel, channel)}")
    return None


def quiet_until(message: Message, settings, config: MessagingConfig, now: datetime) -> datetime | None:
    zone = customer_zone(message.recipient.phone, settings.timezone, config.customer_timezone)
    return replace(settings, timezone=zone).in_quiet_hours(now)


def check(message: Message, channel: str, settings, config: MessagingConfig, history: History,
          now: datetime) -> Verdict:
    """Send now, defer to a moment, or skip with a reason; `channel` is one `refusal` accepted."""
    until = quiet_until(message, settings, config, now)
    if until is not None:
        return Verdict("defer", "quiet hours in the customer's local time", until, ReasonCode.QUIET_HOURS)
    if message.template and message.marketing and config.duplicate_hours:
        addresses = {a for a in (message.recipient.email, message.recipient.phone) if a}
        last = history.last_template(message.template, addresses)
        if last is not None and now - last < timedelta(hours=config.duplicate_hours):
            return Verdict("skip", f"duplicate: {message.template} was sent to this customer at "
                                   f"{last.isoformat()} (window {config.duplicate_hours} h)",
                           code=ReasonCode.DUPLICATE)
    cap = config.caps_hours.get(channel) or 0
    if message.marketing and cap:
        last = history.last_on(channel, address(message, channel))
        if last is not None and now - last < timedelta(hours=cap):
            return Verdict("skip", f"frequency cap: one {channel} per {cap} h, the last at {last.isoformat()}",
                           code=ReasonCode.FREQUENCY_CAP)
    return SEND
