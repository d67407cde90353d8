"""Choose a channel per message and hand the messages over, in batches per channel."""
from __future__ import annotations

from types import MappingProxyType

from . import crm_email
from .message import LATER, UNREACHABLE, Delivery, Message

# name -> channel module: refusal(message) -> reason | None, deliver(ctx, messages) -> {key: Delivery}
CHANNELS = MappingProxyType({crm_email.NAME: crm_email})


def send(ctx, message: Message) -> Delivery:
    return send_many(ctx, [message])[message.key]


def send_many(ctx, messages: list[Message]) -> dict[str, Delivery]:
    """Deliveries by message key. Nothing is sent to customers in the portal's quiet hours."""
    if not messages:
        return {}
    quiet_until = ctx.settings.in_quiet_hours(ctx.clock.now())
    if quiet_until is not None:
        return {m.key: Delivery(m.key, LATER, until=quiet_until, detail="quiet hours") for m in messages}
    out: dict[str, Delivery] = {}
    routed: dict[str, list[Message]] = {}
    for message in messages:
        reasons = []
        for name in message.channels:
            channel = CHANNELS.get(name)
            reason = f"{name}: no such channel" if channel is None else channel.refusal(message)
            if reason is None:
                routed.setdefault(name, []).append(message)
                break
            reasons.append(reason)
        else:
            out[message.key] = Delivery(message.key, UNREACHABLE, detail="; ".join(reasons) or "no channel")
    for name, batch in routed.items():
        out.update(CHANNELS[name].deliver(ctx, batch))
    return out
