"""One order -> the batch commands that bring its deal up to date, and what their answers mean."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bitrix_app.crm import fields as crm_fields
from bitrix_app.crm.context import SyncContext
from bitrix_app.crm.customers import Person
from bitrix_app.crm.window import WindowEvent
from bitrix_app.inbox.outcomes import DONE, Outcome, budget_wait, failed, retry
from bitrix_app.rest.batching import BatchResult


@dataclass
class OrderJob:
    ev: WindowEvent
    person: Person
    synced: dict = field(default_factory=dict)  # what we last wrote to the deal
    deal_id: int | None = None
    takeover_deal: int | None = None  # an abandoned-cart deal that becomes this order's deal
    commands: dict = field(default_factory=dict)
    error: str | None = None
    complete: bool = False
    held_until: float | None = None  # epoch seconds: only a spent method budget kept the job from completing

    @property
    def order(self) -> dict:
        return self.ev.data

    @property
    def key(self) -> tuple[str, str]:
        return self.ev.shop_id, self.order["order_id"]


def build(ctx: SyncContext, job: OrderJob, n: int) -> None:
    """Fill job.commands: add a deal, or update only what changed since we last wrote it."""
    order = job.order
    stage = crm_fields.stage_id(ctx.category_id or 0, ctx.settings.stage_code(order["status"]))
    values = crm_fields.deal_values(order, stage)
    rows = {"rows": crm_fields.product_rows(job.ev.items)}
    contact = job.person.contact_id
    if job.deal_id is None and job.takeover_deal is None:
        fields = {**values, "TITLE": crm_fields.order_title(order, ctx.shop_names.get(job.ev.shop_id, "shop")),
                  "CATEGORY_ID": ctx.category_id, "ORIGINATOR_ID": job.ev.shop_id, "ORIGIN_ID": order["order_id"],
                  "IS_MANUAL_OPPORTUNITY": "Y", "SOURCE_ID": "STORE", "OPENED": "Y",
                  "BEGINDATE": order["created_at"].isoformat()}
        if contact:
            fields["CONTACT_ID"] = contact
        if ctx.responsible_id:
            fields["ASSIGNED_BY_ID"] = ctx.responsible_id
        job.commands = {f"d{n}": ("crm.deal.add", {"fields": fields}),
                        f"r{n}": ("crm.deal.productrows.set", {"id": f"$result[d{n}]", **rows})}
        return
    deal = job.deal_id or job.takeover_deal
    synced = job.synced
    if job.takeover_deal and not job.deal_id:
        changes = {**values, "ORIGIN_ID": order["order_id"], "IS_MANUAL_OPPORTUNITY": "Y",
                   "TITLE": crm_fields.order_title(order, ctx.shop_names.get(job.ev.shop_id, "shop"))}
    else:
        last = synced.get("deal") or {}
        changes = {k: v for k, v in values.items() if last.get(k) != v}
    if contact and synced.get("contact") != contact:
        changes["CONTACT_ID"] = contact
    commands = {}
    if changes:
        commands[f"u{n}"] = ("crm.deal.update", {"id": deal, "fields": changes})
    if synced.get("items") != crm_fields.items_hash(job.ev.items):
        commands[f"r{n}"] = ("crm.deal.productrows.set", {"id": deal, **rows})
    before = synced.get("status")
    note = None
    if job.takeover_deal and not job.deal_id:
        note = f"Abandoned cart recovered: {crm_fields.status_comment(order, None)}"
    elif before is not None and before != order["status"]:
        note = crm_fields.status_comment(order, before)
    if note:
        commands[f"m{n}"] = ("crm.timeline.comment.add",
                             {"fields": {"ENTITY_ID": deal, "ENTITY_TYPE": "deal", "COMMENT": note}})
    job.commands = commands


def absorb(job: OrderJob, result: BatchResult) -> None:
    """Read the answers: remember what the deal now holds; any gap leaves the job incomplete."""
    order = job.order
    problems = []
    for label, (method, params) in job.commands.items():
        problem = result.problem(label, method)
        if problem:
            problems.append(problem)
            continue
        if method == "crm.deal.add":
            job.deal_id = int(result.results[label])
            _remember(job, params["fields"])
        elif method == "crm.deal.update":
            job.deal_id = job.deal_id or job.takeover_deal
            _remember(job, params["fields"])
        elif method == "crm.deal.productrows.set":
            job.synced["items"] = crm_fields.items_hash(job.ev.items)
    if not job.commands:
        job.synced.setdefault("status", order["status"])
    job.complete = not problems
    job.error = "; ".join(problems)[:2000] or None
    job.held_until = result.held_until(job.commands) if problems else None


def outcome(job: OrderJob, now: datetime) -> Outcome:
    """What the deal's answers make of the order event: done, a wait for a spent method budget, a retry, or a
    dead letter at once when the portal refused the order's currency (it refuses it on every attempt)."""
    if job.complete:
        return DONE
    if job.held_until is not None:  # not a failure: no attempt is counted, the event is due when the budget is
        return budget_wait(job.held_until, now, job.error or "waiting for the budget")
    refused = crm_fields.currency_refusal(job.error)
    return failed(refused) if refused else retry(job.error or "incomplete")


def _remember(job: OrderJob, fields: dict) -> None:
    deal = dict(job.synced.get("deal") or {})
    deal.update({k: v for k, v in fields.items() if k in crm_fields.deal_values(job.order, fields.get(
        "STAGE_ID", deal.get("STAGE_ID", "")))})
    job.synced["deal"] = deal
    if "STAGE_ID" in fields or "UF_CRM_SHOP_ORDER_STATUS" in fields:
        job.synced["status"] = job.order["status"]
    if "CONTACT_ID" in fields:
        job.synced["contact"] = fields["CONTACT_ID"]


def synced_doc(job: OrderJob) -> dict:
    """What the order's record keeps of its deal (a new object: see store.db.JsonDoc)."""
    return dict(job.synced)
