"""Write customers' segment figures to their CRM contacts: only changed fields, 50 updates per batch request.

`customer_stats.written` holds what the contact last received (`{"ID": contact id, field: value, ...}`);
a row is sent the fields whose value differs from it. A row leaves `dirty` only when its update succeeded
and its figures did not change meanwhile (the clearing UPDATE repeats the figures it read).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update

from bitrix_app.jobs.queues import BULK
from bitrix_app.jobs.registry import enqueue_job, job
from bitrix_app.portals import LIFECYCLE_CELLS, NOT_INSTALLED, portal_installed
from bitrix_app.rest.batching import MAX_COMMANDS, chunks
from bitrix_app.scope import PortalScope, portal_scope
from bitrix_app.store.db import transaction
from bitrix_app.store.models import utc
from bitrix_app.store.segment_models import CustomerFigures as CF

log = logging.getLogger(__name__)
PAGE = 500  # rows per round: ten batch requests sent together
SEGMENT = "UF_CRM_SHOP_SEGMENT"
FIELDS = (SEGMENT, "UF_CRM_SHOP_RFM", "UF_CRM_SHOP_LTV", "UF_CRM_SHOP_ORDERS", "UF_CRM_SHOP_LAST_ORDER",
          "UF_CRM_SHOP_SEGMENTS")
# the figures a row's field values come from: the clearing UPDATE insists they are still the same
_SOURCE = (CF.contact_id, CF.lifecycle, CF.r, CF.f, CF.m, CF.ltv, CF.orders, CF.last_order_at, CF.segments)
MAX_REPORTED = 20
SLICE_SECONDS = 120.0  # a job stops taking new pages after this long (app config WRITEBACK_SLICE_SECONDS)
TIMEOUT = 1800


@dataclass
class _Report:
    checked: int = 0
    updated: int = 0  # contacts that received an update
    fields_sent: int = 0
    unchanged: int = 0  # dirty rows whose contact already held every value
    failed: int = 0
    deleted: list[int] = field(default_factory=list)  # contacts the portal no longer has
    unresolved: int = 0  # lifecycle codes without a list item in the portal's field
    errors: dict[str, str] = field(default_factory=dict)

    def fail(self, customer_id: int, reason: str) -> None:
        self.failed += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors[str(customer_id)] = reason


@job(BULK, timeout=TIMEOUT)
def write_back(member_id: str, limit: int = 5000, after: int = 0) -> dict:
    """RQ job: write up to `limit` dirty customers (by customer id above `after`) within one time slice
    (`SLICE_SECONDS` on the app clock, well under the job timeout); re-enqueues itself for the rest."""
    scope = portal_scope(member_id, lane="bulk")
    return write_back_slice(scope, limit, after, float(scope.config.get("WRITEBACK_SLICE_SECONDS", SLICE_SECONDS)))


def write_back_slice(scope: PortalScope, limit: int = 5000, after: int = 0, budget: float = SLICE_SECONDS) -> dict:
    """`write_back` on a portal's scope: at most `budget` seconds of the scope's clock."""
    member_id, factory, clock = scope.member_id, scope.sessions, scope.clock
    with transaction(factory) as s:
        if not portal_installed(s, member_id, "segment write-back"):
            return {"skipped": NOT_INSTALLED}
    client, report, items = scope.on_lane("bulk").client, _Report(), None
    last, done, started = after, 0, clock.now()
    sliced = False
    while done < limit:
        if done and (clock.now() - started).total_seconds() >= budget:
            sliced = True  # the next slice continues from `last`
            break
        rows = _dirty(factory, member_id, last, min(PAGE, limit - done))
        if not rows:
            break
        if items is None:  # read once per run, only when there is something to write
            items = segment_items(client)
        _round(client, factory, rows, items, report)
        done, last = done + len(rows), rows[-1]["customer_id"]
    more = (done >= limit or sliced) and bool(_dirty(factory, member_id, last, 1))
    if more:
        enqueue_write_back(member_id, after=last, limit=limit, connection=scope.redis)
    out = {"status": "more" if more else "done", "after": last, "segment_field": items is not None and bool(items)}
    out.update({k: getattr(report, k) for k in report.__dataclass_fields__})
    return out


def enqueue_write_back(member_id: str, after: int = 0, limit: int = 5000, *, connection):
    """Queue a write-back of the portal's dirty customers (one queued job per portal and starting point)."""
    return enqueue_job(connection, write_back, member_id, limit=limit, after=after,
                       job_id=f"segments-writeback-{member_id}-{after}")


def segment_items(client) -> dict[str, str]:
    """Lifecycle code -> list item ID of the contact field UF_CRM_SHOP_SEGMENT ({} when the field is missing).

    Items are matched by XML_ID (setup sends the code), else by their English or Russian name."""
    defs = client.call("crm.contact.userfield.list", {"filter": {"FIELD_NAME": SEGMENT}}) or []
    defn = next((d for d in defs if str(d.get("FIELD_NAME", "")).upper() == SEGMENT), None)
    if defn is None:
        return {}
    by_name = {name.casefold(): code for code, en, ru in LIFECYCLE_CELLS for name in (en, ru)}
    items: dict[str, str] = {}
    for item in defn.get("LIST") or []:
        code = str(item.get("XML_ID") or "")
        if code not in {c for c, _, _ in LIFECYCLE_CELLS}:
            code = by_name.get(str(item.get("VALUE") or "").casefold(), "")
        if code:
            items.setdefault(code, str(item["ID"]))
    return items


def contact_values(row: dict, items: dict[str, str]) -> tuple[dict[str, Any], bool]:
    """The contact field values of one customer_stats row, and whether its lifecycle cell had no list item."""
    rfm = (row["r"], row["f"], row["m"])
    last = utc(row["last_order_at"])
    values: dict[str, Any] = {
        "UF_CRM_SHOP_RFM": "".join(str(x) for x in rfm) if None not in rfm else "",
        "UF_CRM_SHOP_LTV": round(float(row["ltv"] or 0), 2),
        "UF_CRM_SHOP_ORDERS": int(row["orders"] or 0),
        "UF_CRM_SHOP_LAST_ORDER": last.date().isoformat() if last is not None else "",
        "UF_CRM_SHOP_SEGMENTS": [code for code in (row["segments"] or "|").split("|") if code],
    }
    code = row["lifecycle"]
    if not code:
        values[SEGMENT] = ""
    elif code in items:
        values[SEGMENT] = items[code]
    return values, bool(code) and code not in items


def changed_fields(values: dict[str, Any], written: dict, contact_id: int) -> dict[str, Any]:
    """Fields whose value the contact does not hold yet (all of them for a contact never written to)."""
    if written.get("ID") != contact_id:
        written = {}
    return {k: v for k, v in values.items() if k not in written or written[k] != v}


def _wire(value: Any) -> Any:
    """An empty value travels as "" (clears the field); an empty list would not travel at all."""
    if value is None or value == []:
        return ""
    return value


def _dirty(factory, member_id: str, after: int, size: int) -> list[dict]:
    with transaction(factory) as s:
        rows = s.execute(select(CF.customer_id, CF.written, *_SOURCE).where(
            CF.member_id == member_id, CF.dirty.is_(True), CF.contact_id.is_not(None), CF.customer_id > after,
        ).order_by(CF.customer_id).limit(size)).mappings().all()
    return [dict(r) for r in rows]


def _round(client, factory, rows: list[dict], items: dict[str, str], report: _Report) -> None:
    """One page of rows: diff, send the changes in batches, record what the portal took."""
    commands, pending, settled = {}, {}, []
    for row in rows:
        report.checked += 1
        written = row["written"] or {}
        values, unresolved = contact_values(row, items)
        report.unresolved += unresolved
        changes = changed_fields(values, written, row["contact_id"])
        if not changes:
            report.unchanged += 1
            settled.append((row, None, False))
            continue
        label = f"c{row['customer_id']}"
        commands[label] = ("crm.contact.update", {"id": row["contact_id"],
                                                  "fields": {k: _wire(v) for k, v in changes.items()}})
        base = written if written.get("ID") == row["contact_id"] else {"ID": row["contact_id"]}
        pending[label] = (row, {**base, **changes})
    if commands:
        labels = list(commands)
        result = client.batch_groups([{l: commands[l] for l in part} for part in chunks(labels, MAX_COMMANDS)],
                                     writes=True)
        for label, (row, new_written) in pending.items():
            settled.extend(_outcome(result, label, row, new_written, len(commands[label][1]["fields"]), report))
    _persist(factory, settled)


def _outcome(result, label: str, row: dict, new_written: dict, sent: int, report: _Report) -> list:
    if result.ok(label):
        report.updated += 1
        report.fields_sent += sent
        return [(row, new_written, True)]
    if _not_found(result.errors.get(label)):
        report.deleted.append(row["contact_id"])
        return [(row, None, True)]  # nothing left to write to: dirty clears, the next contact gets everything
    reason = result.problem(label, "crm.contact.update") or "no answer"
    log.warning("segment write-back: customer %s, contact %s: %s", row["customer_id"], row["contact_id"], reason)
    report.fail(row["customer_id"], reason)
    return []


def _not_found(error: dict | None) -> bool:
    """Legacy CRM methods answer a missing row with an empty code and "Not found"."""
    if not error:
        return False
    code, text = str(error.get("error") or "").upper(), str(error.get("error_description") or "").lower()
    return code in ("", "NOT_FOUND", "ERROR_NOT_FOUND") and "not found" in text


def _persist(factory, settled: list) -> None:
    """Record `written` and clear `dirty` where the row's figures are still the ones that were sent."""
    with transaction(factory) as s:
        for row, new_written, replace in settled:
            same = [col.is_not_distinct_from(row[col.key]) for col in _SOURCE]
            values: dict[str, Any] = {"dirty": False}
            if replace:
                values["written"] = new_written
            hit = s.execute(update(CF).where(CF.customer_id == row["customer_id"], *same).values(**values))
            if hit.rowcount == 0 and replace and new_written is not None:
                # the figures moved while we wrote: keep what the contact holds, stay dirty for the new ones
                s.execute(update(CF).where(CF.customer_id == row["customer_id"]).values(written=values["written"]))
