"""One person, one contact: match shop customers by phone and e-mail, locally and in the portal.

Matching order: the local key index (phone first), then `crm.duplicate.findbycomm` in the portal; what is
still unknown becomes a new contact. Known contacts get only the fields that changed since we last wrote
them; contacts we did not create keep their names.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from bitrix_app.orders.normalise import email_key, phone_e164
from bitrix_app.rest.batching import MAX_COMMANDS
from bitrix_app.store.db import transaction
from bitrix_app.store.models import utc
from bitrix_app.store.shop_models import Customer, CustomerKey

from . import fields as crm_fields
from .context import SyncContext

FIND_CHUNK = 20
_NOT_TRACKED = ("PHONE", "EMAIL", "SOURCE_ID", "OPENED", "ASSIGNED_BY_ID")


@dataclass
class Person:
    """A customer as one event names them; resolving fills contact_id or error."""

    keys: tuple[str, ...]
    profile: dict
    version: datetime
    customer_id: int | None = None
    contact_id: int | None = None
    error: str | None = None
    held_until: float | None = None  # epoch seconds: the error is only a spent method budget, over then


@dataclass
class _Group:
    members: list[Person]
    keys: list[str] = field(default_factory=list)
    customer: Customer | None = None
    contact_id: int | None = None
    have: set[str] = field(default_factory=set)  # keys the contact already holds
    error: str | None = None
    held_until: float | None = None
    written: tuple[str, dict] | None = None  # ("add"|"update", fields) once the portal took them

    @property
    def newest(self) -> Person:
        return max(self.members, key=lambda p: p.version)


def keys_of(profile: dict) -> tuple[str, ...]:
    keys = []
    if profile.get("phone"):
        keys.append(f"phone:{profile['phone']}")
    if profile.get("email"):
        keys.append(f"email:{profile['email']}")
    return tuple(keys)


def _groups(people: list[Person]) -> list[_Group]:
    """People sharing any key are one person (union of keys)."""
    groups: list[_Group] = []
    by_key: dict[str, _Group] = {}
    for person in people:
        hits = {id(by_key[k]): by_key[k] for k in person.keys if k in by_key}
        if hits:
            target, *others = hits.values()
            for other in others:
                target.members.extend(other.members)
                groups.remove(other)
        else:
            target = _Group([])
            groups.append(target)
        target.members.append(person)
        for group_key in {k for m in target.members for k in m.keys}:
            by_key[group_key] = target
    for group in groups:
        group.keys = sorted({k for m in group.members for k in m.keys}, key=lambda k: (not k.startswith("phone:"), k))
    return groups


def resolve(ctx: SyncContext, people: list[Person]) -> None:
    groups = _groups([p for p in people if p.keys])
    if not groups:
        return
    _local(ctx, groups)
    _portal_lookup(ctx, [g for g in groups if g.contact_id is None and not g.error])
    _write(ctx, [g for g in groups if not g.error])
    _persist(ctx, groups)
    for group in groups:
        for person in group.members:
            person.contact_id, person.error, person.held_until = group.contact_id, group.error, group.held_until
            person.customer_id = group.customer.id if group.customer is not None else None


def _local(ctx: SyncContext, groups: list[_Group]) -> None:
    wanted = [k for g in groups for k in g.keys]
    with transaction(ctx.sessions) as s:
        owners = dict(s.execute(select(CustomerKey.key, CustomerKey.customer_id).where(
            CustomerKey.member_id == ctx.member_id, CustomerKey.key.in_(wanted))).all())
        rows = {c.id: c for c in s.scalars(select(Customer).where(Customer.id.in_(set(owners.values()))))}
        held: dict[int, set[str]] = {}
        for key, cid in s.execute(select(CustomerKey.key, CustomerKey.customer_id).where(
                CustomerKey.customer_id.in_(list(rows)))).all():
            held.setdefault(cid, set()).add(key)
    for group in groups:
        match = next((owners[k] for k in group.keys if k in owners), None)
        if match is not None:
            group.customer = rows[match]
            group.contact_id = group.customer.contact_id
            group.have = held.get(match, set())


def _portal_lookup(ctx: SyncContext, groups: list[_Group]) -> None:
    if not groups:
        return
    phones = sorted({k[6:] for g in groups for k in g.keys if k.startswith("phone:")})
    emails = sorted({k[6:] for g in groups for k in g.keys if k.startswith("email:")})
    reads = {}
    for kind, values in (("PHONE", phones), ("EMAIL", emails)):
        for n in range(0, len(values), FIND_CHUNK):
            reads[f"dup_{kind}_{n}"] = ("crm.duplicate.findbycomm", {
                "entity_type": "CONTACT", "type": kind, "values": values[n:n + FIND_CHUNK]})
    found = ctx.client.batch(reads)
    if found.failed or found.errors:
        for group in groups:
            group.error = "contact lookup failed: " + json.dumps(found.errors or found.failed)[:300]
        return
    ids = sorted({int(i) for r in found.results.values() if isinstance(r, dict) for i in r.get("CONTACT") or []})
    if not ids:
        return
    reads = {f"contacts_{n}": ("crm.contact.list", {"filter": {"@ID": ids[n:n + MAX_COMMANDS]},
                                                     "select": ["ID", "PHONE", "EMAIL"]})
             for n in range(0, len(ids), MAX_COMMANDS)}
    listed = ctx.client.batch(reads)
    if listed.failed or listed.errors:
        for group in groups:
            group.error = "contact lookup failed"
        return
    holder: dict[str, int] = {}
    held: dict[int, set[str]] = {}
    for rows in listed.results.values():
        for row in rows or []:
            cid = int(row["ID"])
            for item in row.get("PHONE") or []:
                key = phone_e164(item.get("VALUE"))
                if key:
                    holder.setdefault(f"phone:{key}", cid)
                    held.setdefault(cid, set()).add(f"phone:{key}")
            for item in row.get("EMAIL") or []:
                key = email_key(item.get("VALUE"))
                if key:
                    holder.setdefault(f"email:{key}", cid)
                    held.setdefault(cid, set()).add(f"email:{key}")
    for group in groups:
        match = next((holder[k] for k in group.keys if k in holder), None)
        if match is not None:
            group.contact_id, group.have = match, held.get(match, set())


def _synced(group: _Group) -> dict:
    return dict(group.customer.synced or {}) if group.customer is not None else {}


def _write(ctx: SyncContext, groups: list[_Group]) -> None:
    commands: dict[str, tuple[str, dict]] = {}
    for n, group in enumerate(groups):
        newest, synced = group.newest, _synced(group)
        stored = utc(group.customer.version) if group.customer is not None else None
        if stored is not None and newest.version < stored and group.contact_id:
            continue  # older customer data never overwrites newer
        profile = newest.profile
        extra = crm_fields.comms(profile.get("phone"), profile.get("email"), group.have)
        if group.contact_id is None:
            fields = {**crm_fields.contact_values(profile, owned=True), **extra, "SOURCE_ID": "STORE",
                      "OPENED": "Y"}
            if ctx.responsible_id:
                fields["ASSIGNED_BY_ID"] = ctx.responsible_id
            commands[f"c{n}"] = ("crm.contact.add", {"fields": fields})
            continue
        owned = synced.get("owned", False)
        changes = crm_fields.contact_changes(crm_fields.contact_values(profile, owned), synced.get("values"))
        if changes or extra:
            commands[f"c{n}"] = ("crm.contact.update", {"id": group.contact_id, "fields": {**changes, **extra}})
    if not commands:
        return
    labels = list(commands)
    result = ctx.client.batch_groups(
        [{l: commands[l] for l in labels[i:i + MAX_COMMANDS]} for i in range(0, len(labels), MAX_COMMANDS)],
        writes=True)
    for n, group in enumerate(groups):
        label = f"c{n}"
        if label not in commands:
            continue
        if label in result.held:
            group.error, group.held_until = "contact write waits: the portal's time budget for it is spent", \
                result.held[label]
        elif label in result.failed:
            group.error = f"contact write outcome unknown: {result.failed[label]}"
        elif label in result.errors:
            err = result.errors[label]
            group.error = f"contact write failed: {err.get('error')}: {err.get('error_description')}"
            if commands[label][0] == "crm.contact.update":
                group.contact_id = None  # deleted or merged in the portal: look it up again next time
        else:
            if commands[label][0] == "crm.contact.add":
                group.contact_id = int(result.results[label])
                group.written = ("add", commands[label][1]["fields"])
            else:
                group.written = ("update", commands[label][1]["fields"])
            group.have |= set(group.keys)


def _persist(ctx: SyncContext, groups: list[_Group]) -> None:
    with transaction(ctx.sessions) as s:
        for group in groups:
            if group.contact_id is None and group.customer is None:
                continue
            row = s.get(Customer, group.customer.id) if group.customer is not None else None
            if row is None:
                row = Customer(member_id=ctx.member_id, profile={})
                s.add(row)
            row.contact_id = group.contact_id
            newest = group.newest
            if group.error is None and (row.version is None or utc(row.version) <= newest.version):
                row.profile = dict(newest.profile)  # applied, even if nothing changed
                row.version = newest.version
            written = group.written
            if written is not None:
                synced = dict(row.synced) if row.synced is not None else {"owned": False, "values": {}}
                if written[0] == "add":
                    synced["owned"] = True
                synced["values"] = {**synced.get("values", {}),
                                    **{k: v for k, v in written[1].items() if k not in _NOT_TRACKED}}
                row.synced = synced  # a new object: see store.db.JsonDoc
            s.flush()
            group.customer = row
            taken = set(s.scalars(select(CustomerKey.key).where(
                CustomerKey.member_id == ctx.member_id, CustomerKey.key.in_(group.keys))))
            for key in group.keys:
                if key not in taken:
                    s.add(CustomerKey(member_id=ctx.member_id, key=key, customer_id=row.id))
