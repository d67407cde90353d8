"""The CRM e-mail channel: an outgoing, completed e-mail activity, which the portal sends (crm.activity.add
with TYPE_ID=4, DIRECTION=2, COMPLETED=Y). The activity carries ORIGINATOR_ID/ORIGIN_ID = source/key, so an
attempt whose answer was lost is found again instead of sending a second e-mail."""
from __future__ import annotations

import json

from bitrix_app.rest.batching import MAX_COMMANDS

from .message import ERROR, SENT, Delivery, Message

NAME = "email"
OWNER_CONTACT = 3
TEXT = 1  # DESCRIPTION_TYPE: plain text


def deliver(ctx, messages: list[Message]) -> dict[str, Delivery]:
    reads, owners = _lookups(messages)
    if ctx.responsible_id:
        reads["sender"] = ("user.get", {"ID": ctx.responsible_id})
    found = ctx.client.batch(reads)
    out: dict[str, Delivery] = {}
    todo: list[Message] = []
    for label, part in owners.items():
        if label not in found.results:
            reason = found.failed.get(label) or json.dumps(found.errors.get(label))
            out.update({m.key: Delivery(m.key, ERROR, NAME, detail=f"lookup failed: {reason}") for m in part})
            continue
        sent = {str(row["ORIGIN_ID"]): str(row["ID"]) for row in found.results[label] or []}
        for m in part:
            if m.key in sent:
                out[m.key] = Delivery(m.key, SENT, NAME, reference=sent[m.key], detail="sent by an earlier attempt")
            else:
                todo.append(m)
    if not todo:
        return out
    sender = _sender(found.results.get("sender"))
    commands = {f"e{n}": ("crm.activity.add", {"fields": _fields(ctx, m, sender)}) for n, m in enumerate(todo)}
    labels = list(commands)
    result = ctx.client.batch_groups(
        [{label: commands[label] for label in labels[i:i + MAX_COMMANDS]} for i in range(0, len(labels), MAX_COMMANDS)],
        writes=True)
    for label, m in zip(labels, todo):
        if label in result.failed:
            out[m.key] = Delivery(m.key, ERROR, NAME, detail=f"outcome unknown: {result.failed[label]}")
        elif label in result.errors:
            err = result.errors[label]
            out[m.key] = Delivery(m.key, ERROR, NAME, detail=f"{err.get('error')}: {err.get('error_description')}")
        elif label in result.results:
            out[m.key] = Delivery(m.key, SENT, NAME, reference=str(result.results[label]))
        else:
            out[m.key] = Delivery(m.key, ERROR, NAME, detail="no answer")
    return out


def _lookups(messages: list[Message]) -> tuple[dict, dict[str, list[Message]]]:
    by_source: dict[str, list[Message]] = {}
    for m in messages:
        by_source.setdefault(m.source, []).append(m)
    reads, owners = {}, {}
    for source, group in by_source.items():
        for n in range(0, len(group), MAX_COMMANDS):
            part = group[n:n + MAX_COMMANDS]
            label = f"sent_{len(reads)}"
            reads[label] = ("crm.activity.list", {
                "filter": {"ORIGINATOR_ID": source, "@ORIGIN_ID": [m.key for m in part]},
                "select": ["ID", "ORIGIN_ID"], "order": {"ID": "ASC"}})
            owners[label] = part
    return reads, owners


def _sender(users) -> dict | None:
    if isinstance(users, list) and users and isinstance(users[0], dict) and users[0].get("EMAIL"):
        return users[0]
    return None


def _fields(ctx, m: Message, sender: dict | None) -> dict:
    now = ctx.clock.now().isoformat()
    fields = {
        "OWNER_TYPE_ID": m.owner_type_id, "OWNER_ID": m.owner_id, "TYPE_ID": 4, "DIRECTION": 2, "COMPLETED": "Y",
        "SUBJECT": m.subject[:255], "DESCRIPTION": m.text, "DESCRIPTION_TYPE": TEXT,
        "RESPONSIBLE_ID": ctx.responsible_id or 1, "START_TIME": now, "END_TIME": now,
        "ORIGINATOR_ID": m.source, "ORIGIN_ID": m.key,
        "COMMUNICATIONS": [{"VALUE": m.recipient.email, "TYPE": "EMAIL", **(
            {"ENTITY_ID": m.recipient.contact_id, "ENTITY_TYPE_ID": OWNER_CONTACT} if m.recipient.contact_id else {})}],
    }
    if sender is not None:
        name = m.sender_name or " ".join(p for p in (sender.get("NAME"), sender.get("LAST_NAME")) if p)
        address = sender["EMAIL"]
        fields["SETTINGS"] = {"MESSAGE_FROM": f"{_quote(name)} <{address}>" if name else address}
    return fields


def _quote(name: str) -> str:
    return name.replace('"', "").replace("<", "").replace(">", "").strip()
