"""Choose a channel per message, apply the policy, hand the messages over and record every outcome.

Logical channels: `email` (the shop's SMTP server when configured, else a CRM e-mail activity sent by the
portal) and `sms` (the configured HTTP gateway). A message's `channels` are tried in order; the first that
can reach the customer (an address and, for marketing, consent) is used, then `policy.check` decides.
A marketing message carries its recipient's unsubscribe link (`unsubscribe`) when the context has the app's
settings (`ctx.scope.settings`: SECRET_KEY, APP_BASE_URL); an address that unsubscribed is refused on that
channel as `unsubscribed` (its own reason, told apart from a consent never given).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bitrix_app.store.db import transaction
from bitrix_app.store.statuses import ReasonCode

from . import config as messaging_config
from . import crm_email, journal, policy, smtp_email, sms, templates, unsubscribe
from .context import MessagingContext
from .message import ERROR, LATER, SENT, SKIPPED, UNREACHABLE, Delivery, Message

NO_RETRY = ("smtp", "sms")  # transports that cannot be asked afterwards whether they took a message


def send(ctx: MessagingContext, message: Message, config=None) -> Delivery:
    return send_many(ctx, [message], config)[message.key]


def load_config(ctx: MessagingContext):
    """The portal's messaging settings, its secrets decrypted with `ctx.cipher`."""
    with transaction(ctx.sessions) as s:
        return messaging_config.load(s, ctx.member_id, ctx.cipher)


def transport(channel: str, config) -> str | None:
    if channel == "email":
        return "smtp" if config.smtp else "crm"
    if channel == "sms":
        return config.sms["provider"] if config.sms else None
    return None


def send_many(ctx: MessagingContext, messages: list[Message], config=None) -> dict[str, Delivery]:
    """Deliveries by message key; every message ends in the `messages` table with its outcome.

    A context whose `sessions` is None (a pure caller) gets the policy and the default config, without records."""
    if not messages:
        return {}
    stored = ctx.sessions is not None
    config = config or (load_config(ctx) if stored else messaging_config.MessagingConfig())
    now = ctx.clock.now()
    known, history = _known(ctx, messages, config, now) if stored else ({}, policy.History())
    if stored:
        messages = _with_preferences(ctx, messages, config)
    out: dict[str, Delivery] = {}
    routed: dict[str, list[Message]] = {}
    records: list[tuple[Message, str, dict]] = []  # (message, status, journal fields)
    for m in messages:
        status, sent_by, reference = known.get(m.key, (None, None, None))
        if status == journal.SENT:
            out[m.key] = Delivery(m.key, SENT, reference=reference, detail="sent by an earlier attempt")
            continue
        if status == journal.SENDING and sent_by in NO_RETRY:
            detail = f"{sent_by}: an earlier attempt's outcome is unknown; not sent again"
            code = ReasonCode.OUTCOME_UNKNOWN
            records.append((m, journal.SKIPPED, {"reason": detail, "reason_code": code}))
            out[m.key] = Delivery(m.key, SKIPPED, detail=detail, reason_code=code)
            continue
        channel, reasons = _route(m, config)
        if channel is None:
            detail = "; ".join(text for _, text in reasons) or "no channel"
            code = reasons[0][0] if reasons else ReasonCode.NO_CHANNEL  # the first channel's refusal, as listed
            records.append((m, journal.SKIPPED, {"reason": detail, "reason_code": code}))
            out[m.key] = Delivery(m.key, UNREACHABLE, detail=detail, reason_code=code)
            continue
        verdict = policy.check(m, channel, ctx.settings, config, history, now)
        where = {"channel": channel, "address": policy.address(m, channel)}
        if verdict.action == "defer":
            records.append((m, journal.DEFERRED, {**where, "reason": verdict.reason, "reason_code": verdict.code,
                                                  "until": verdict.until}))
            out[m.key] = Delivery(m.key, LATER, channel, until=verdict.until, detail=verdict.reason,
                                  reason_code=verdict.code)
        elif verdict.action == "skip":
            records.append((m, journal.SKIPPED, {**where, "reason": verdict.reason, "reason_code": verdict.code}))
            out[m.key] = Delivery(m.key, SKIPPED, channel, detail=verdict.reason, reason_code=verdict.code)
        else:
            via = transport(channel, config)
            records.append((m, journal.SENDING, {**where, "transport": via, "attempt": True}))
            history.add(policy.Sent(channel, where["address"], m.template, m.marketing, now))
            routed.setdefault(via, []).append(m)
    if stored:
        _write(ctx, records, now)
    for via, batch in routed.items():
        out.update(_deliver(ctx, config, via, batch, now))
    if stored:
        _write(ctx, [(m, {SENT: journal.SENT, ERROR: journal.FAILED}.get(out[m.key].status, journal.SKIPPED),
                      {"reason": out[m.key].detail, "reason_code": out[m.key].reason_code,
                       "reference": out[m.key].reference})
                     for batch in routed.values() for m in batch], now)
    return out


def _known(ctx: MessagingContext, messages: list[Message], config, now) -> tuple[dict, policy.History]:
    longest = max([*config.caps_hours.values(), config.duplicate_hours, 0])
    addresses = {a for m in messages for a in (m.recipient.email, m.recipient.phone) if a}
    with transaction(ctx.sessions) as s:
        known = {k: (r.status, r.transport, r.reference) for k, r in
                 journal.existing(s, ctx.member_id, [m.key for m in messages]).items()}
        return known, journal.history(s, ctx.member_id, addresses, now - timedelta(hours=longest))


UNSUBSCRIBE_WORDS = {"en": ("Unsubscribe", "Unsubscribe"), "ru": ("Отписаться от рассылки", "Отписаться")}


def _with_preferences(ctx: MessagingContext, messages: list[Message], config) -> list[Message]:
    """Marketing messages: the channels their address unsubscribed from, and the unsubscribe link in the text."""
    marketing = [m for m in messages if m.marketing]
    if not marketing:
        return messages
    addresses = {a for m in marketing for a in (m.recipient.email, m.recipient.phone) if a}
    with transaction(ctx.sessions) as s:
        out = unsubscribe.opted_out(s, ctx.member_id, addresses)
        lang = templates.language_of(s, ctx.member_id, config.language)
    app = getattr(getattr(ctx, "scope", None), "settings", None)
    secret, base = getattr(app, "SECRET_KEY", None), getattr(app, "APP_BASE_URL", None)
    long_word, short_word = UNSUBSCRIBE_WORDS[lang]
    changed = []
    for m in messages:
        if m.marketing:
            who = m.recipient
            who = replace(who, unsubscribed=tuple(c for c, a in (("email", who.email), ("sms", who.phone))
                                                  if a and (c, a) in out))
            m = replace(m, recipient=who)
            if secret and base and (who.email or who.phone):
                url = unsubscribe.link(base, secret, unsubscribe.Subscriber(ctx.member_id, who.email, who.phone,
                                                                            lang))
                m = replace(m, unsubscribe_url=url, text=f"{m.text}\n\n--\n{long_word}: {url}",
                            sms_text=f"{m.sms_text or m.text} {short_word}: {url}")
        changed.append(m)
    return changed


def _write(ctx: MessagingContext, records: list[tuple[Message, str, dict]], now) -> None:
    if records:
        with transaction(ctx.sessions) as s:
            for m, status, fields in records:
                journal.write(s, ctx.member_id, m, status, now, **fields)


def _route(m: Message, config) -> tuple[str | None, list[tuple[ReasonCode, str]]]:
    """The first channel that can carry the message, else None; and why each channel before it could not."""
    reasons: list[tuple[ReasonCode, str]] = []
    for channel in m.channels:
        if channel not in ("email", "sms"):
            reasons.append((ReasonCode.NO_CHANNEL, f"{channel}: no such channel"))
            continue
        if transport(channel, config) is None:
            reasons.append((ReasonCode.NO_GATEWAY, f"{channel}: no gateway is configured for this portal"))
            continue
        reason = policy.refusal(m, channel, config.consent_for)
        if reason is None:
            return channel, reasons
        reasons.append(reason)
    return None, reasons


def _deliver(ctx: MessagingContext, config, via: str, messages: list[Message], now) -> dict[str, Delivery]:
    try:
        if via == "crm":
            return crm_email.deliver(ctx, messages)
        if via == "smtp":
            return smtp_email.deliver(config.smtp, messages, now)
        return sms.deliver(config.sms, messages)
    except Exception as exc:  # noqa: BLE001  (recorded; the caller decides on a retry)
        if via == "crm":
            raise
        return {m.key: Delivery(m.key, ERROR, detail=f"{via}: {type(exc).__name__}: {exc}") for m in messages}
