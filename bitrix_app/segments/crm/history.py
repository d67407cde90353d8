"""Import a portal's existing won deals as order history, so a portal with years of deals gets segments on day one.

Won deals (STAGE_SEMANTIC_ID = S) are read with the large-read pattern (`>ID` pages, no COUNT); deals the app
made itself (shop orders, abandoned carts) are skipped. Each deal becomes an order of the pseudo-shop "crm"
(order_id "<member_id>:<deal id>": shop order ids are unique across portals), with its product rows as lines,
for the customer its contact is (matched by contact, then by the phone/e-mail key index of the shop sync).
A deal whose DATE_MODIFY is the one imported before is not read again.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Callable

from bitrix_app.rest.batching import MAX_COMMANDS
from bitrix_app.rest.client import AUTH_CONNECTOR

from ..engine.core import rebuild as rebuild_segments
from . import history_store as store

if TYPE_CHECKING:
    from bitrix_app.scope import PortalScope

ROUND = 500  # deals per round: at most ten batch requests of contacts and ten of product rows
DEAL_SELECT = ["ID", "TITLE", "CONTACT_ID", "OPPORTUNITY", "CURRENCY_ID", "CLOSEDATE", "DATE_MODIFY",
               "ORIGINATOR_ID", "UTM_SOURCE"]
CONTACT_SELECT = ["ID", "NAME", "LAST_NAME", "BIRTHDATE", "PHONE", "EMAIL"]
Progress = Callable[[str, int, int], None]


def import_deals(scope: "PortalScope", since: date | None = None, progress: Progress | None = None,
                 rebuild: bool = True, now: datetime | None = None) -> dict:
    """Import (or update) the portal's won deals; returns counts; then (with `rebuild`) rebuilds the segments."""
    member_id, factory = scope.member_id, scope.sessions
    now = now or scope.now()
    tell = progress or (lambda stage, done, total: None)
    client = scope.on_lane("bulk").client
    flt: dict = {"STAGE_SEMANTIC_ID": "S"}
    if since is not None:
        flt[">=CLOSEDATE"] = since.isoformat()
    deals = client.list_all("crm.deal.list", {"filter": flt, "select": DEAL_SELECT})
    tell("deals read", len(deals), len(deals))
    originators, own_ids = store.own_deals(factory, member_id)
    originators.add(AUTH_CONNECTOR)
    imported = store.imported_versions(factory, member_id)
    summary = {"won_deals": len(deals), "skipped_own": 0, "unchanged": 0, "imported": 0, "updated": 0,
               "no_contact": 0, "failed": 0, "no_longer_won": 0, "customers_created": 0}
    todo = []
    for deal in deals:
        if str(deal.get("ORIGINATOR_ID") or "") in originators or int(deal["ID"]) in own_ids:
            summary["skipped_own"] += 1
        elif imported.get(store.order_key(member_id, deal["ID"])) == store.deal_version(deal):
            summary["unchanged"] += 1
        elif not _contact_id(deal):
            summary["no_contact"] += 1
        else:
            todo.append(deal)
    for n in range(0, len(todo), ROUND):
        part = todo[n:n + ROUND]
        _round(client, factory, member_id, part, imported, summary)
        tell("deals imported", min(n + ROUND, len(todo)), len(todo))
    if since is None:
        summary["no_longer_won"] = store.mark_unwon(factory, member_id, {int(d["ID"]) for d in deals})
    summary["rebuild"] = _rebuild(scope, now) if rebuild else "not requested"
    return summary


def _round(client, factory, member_id: str, deals: list[dict], imported: dict, summary: dict) -> None:
    contacts, contact_errors = read_contacts(client, sorted({_contact_id(d) for d in deals}))
    rows, row_errors = read_product_rows(client, [int(d["ID"]) for d in deals])
    ready = []
    for deal in deals:
        if _contact_id(deal) in contact_errors or int(deal["ID"]) in row_errors:
            summary["failed"] += 1  # read again next run: nothing of it was stored
        elif _contact_id(deal) not in contacts:
            summary["no_contact"] += 1  # its contact was deleted
        else:
            ready.append(deal)
    if not ready:
        return
    created = store.save(factory, member_id, ready, contacts, rows)
    summary["customers_created"] += created
    for deal in ready:
        summary["updated" if store.order_key(member_id, deal["ID"]) in imported else "imported"] += 1


def read_contacts(client, ids: list[int]) -> tuple[dict[int, dict], set[int]]:
    """Contacts by ID (pages of 50 IDs, one batch command each); the IDs whose page could not be read."""
    reads = {f"contacts_{n}": ("crm.contact.list", {"filter": {"@ID": ids[n:n + MAX_COMMANDS]},
                                                     "select": CONTACT_SELECT, "start": -1})
             for n in range(0, len(ids), MAX_COMMANDS)}
    if not reads:
        return {}, set()
    result = client.batch(reads)
    found: dict[int, dict] = {}
    failed: set[int] = set()
    for n in range(0, len(ids), MAX_COMMANDS):
        label = f"contacts_{n}"
        if not result.ok(label):
            failed.update(ids[n:n + MAX_COMMANDS])
            continue
        for row in result.results[label] or []:
            found[int(row["ID"])] = row
    return found, failed


def read_product_rows(client, deal_ids: list[int]) -> tuple[dict[int, list[dict]], set[int]]:
    """Each deal's product rows (crm.deal.productrows.get, 50 per batch request); the deals that failed."""
    reads = {f"rows_{deal_id}": ("crm.deal.productrows.get", {"id": deal_id}) for deal_id in deal_ids}
    if not reads:
        return {}, set()
    result = client.batch(reads)
    rows: dict[int, list[dict]] = {}
    failed: set[int] = set()
    for deal_id in deal_ids:
        label = f"rows_{deal_id}"
        if result.ok(label):
            answer = result.results[label]
            rows[deal_id] = list(answer.values()) if isinstance(answer, dict) else list(answer or [])
        else:
            failed.add(deal_id)
    return rows, failed


def _contact_id(deal: dict) -> int:
    try:
        return int(deal.get("CONTACT_ID") or 0)
    except (TypeError, ValueError):
        return 0


def _rebuild(scope: "PortalScope", now: datetime) -> dict:
    """The segment engine's full rebuild."""
    return rebuild_segments(scope, now.astimezone(timezone.utc))
