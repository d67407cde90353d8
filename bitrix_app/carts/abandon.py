"""cart.abandon_due -> the abandoned-cart deal (ABANDONED stage, cart items as product rows, contact bound)
and a call to-do for the responsible. Retries never duplicate either: the deal is looked up by
ORIGINATOR_ID = shop id and ORIGIN_ID = cart:<id>, the to-do among the deal's to-dos by its title."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bitrix_app.inbox.outcomes import DONE, Outcome, failed, retry, skipped, wait
from bitrix_app.orders.shapes import LineItem
from bitrix_app.rest.batching import pack
from bitrix_app.store.models import utc
from bitrix_app.store.shop_models import Cart
from bitrix_app.crm import customers, lookup
from bitrix_app.crm import fields as crm_fields
from bitrix_app.crm.context import SyncContext
from bitrix_app.crm.window import WindowEvent

from . import rules

OWNER_DEAL = 2
TODO_TITLE = "Call the customer about their abandoned cart"
CALL_WITHIN = timedelta(hours=1)


@dataclass
class AbandonJob:
    ev: WindowEvent
    cart: Cart
    data: dict
    person: customers.Person
    deal_id: int | None = None
    rows_set: bool = True  # False for a deal found by lookup: its rows may never have been written
    todo_done: bool = False
    commands: dict = field(default_factory=dict)
    error: str | None = None

    @property
    def complete(self) -> bool:
        """Deal, rows and to-do are all confirmed (what the cart row's todo_done records)."""
        return bool(self.deal_id) and self.todo_done and not self.error


def check(ctx: SyncContext, ev: WindowEvent, cart: Cart | None, now: datetime) -> Outcome | str | None:
    """Why this abandonment does not happen (an Outcome, or "ignore: <reason>" to mark the cart ignored);
    None when it should."""
    if cart is None:
        return skipped("unknown cart")
    if cart.state == "abandoned" and cart.todo_done:
        return skipped("already abandoned")
    if cart.state not in rules.LIVE:
        return skipped(f"cart is {cart.state}")
    if cart.state == "open":
        if ev.data.get("version") != utc(cart.version).isoformat():
            return skipped("superseded: the cart changed since")
        if not rules.eligible(ctx.settings, utc(cart.version)):
            return "ignore: abandoned carts are off, or the cart is older than the feature"
        data = rules.cart_data(cart)
        if not rules.keys_of_cart(data):
            return "ignore: no phone or e-mail to reach the customer by"
        if not rules.items_of(data):
            return "ignore: the cart is empty"
        due_at = rules.abandon_at(ctx.settings, cart.version)
        if now < due_at:
            return wait(due_at, "not abandoned yet")
    if not ctx.category_id:
        return retry("the portal's shop pipeline is not set up yet")
    return None


def job_for(ev: WindowEvent, cart: Cart) -> AbandonJob:
    data = rules.cart_data(cart)
    profile = crm_fields.profile_of(rules.customer_of(data))
    person = customers.Person(customers.keys_of(profile), profile, utc(cart.version))
    # a stored deal whose to-do is not confirmed: an earlier attempt broke off, so write its rows again
    return AbandonJob(ev, cart, data, person, deal_id=cart.deal_id, rows_set=cart.deal_id is None or cart.todo_done,
                      todo_done=cart.todo_done)


def run(ctx: SyncContext, jobs: list[AbandonJob]) -> dict[int, Outcome]:
    """Contacts, then deal and to-do lookups, then the writes; the jobs carry what the portal now holds."""
    customers.resolve(ctx, [j.person for j in jobs if j.deal_id is None])
    for job in jobs:
        if job.deal_id is None and job.person.error:
            job.error = job.person.error
    ready = [j for j in jobs if not j.error]
    _find_deals(ctx, [j for j in ready if j.deal_id is None])
    ready = [j for j in ready if not j.error]
    _find_todos(ctx, [j for j in ready if j.deal_id is not None and not j.todo_done])
    ready = [j for j in ready if not j.error]
    for n, job in enumerate(ready):
        _build(ctx, job, n)
    _send(ctx, [j for j in ready if j.commands])
    return {j.ev.id: _outcome(j) for j in jobs}


def _outcome(job: AbandonJob) -> Outcome:
    """Done, a retry, or a dead letter at once when the portal refused the cart's currency for the deal."""
    if job.complete:
        return DONE
    refused = crm_fields.currency_refusal(job.error)
    return failed(refused) if refused else retry(job.error or "incomplete")


def _find_deals(ctx: SyncContext, jobs: list[AbandonJob]) -> None:
    keys = {id(job): (job.cart.shop_id, rules.deal_origin(job.cart.cart_id)) for job in jobs}
    found, failed = lookup.deals_by_origin(ctx.client, list(keys.values()))
    for job in jobs:
        key = keys[id(job)]
        if key in failed:
            job.error = failed[key]
            continue
        job.deal_id = found.get(key)
        job.rows_set = job.deal_id is None


def _find_todos(ctx: SyncContext, jobs: list[AbandonJob]) -> None:
    if not jobs:
        return
    reads = {f"todo{n}": ("crm.activity.list", {
        "filter": {"OWNER_TYPE_ID": OWNER_DEAL, "OWNER_ID": job.deal_id, "PROVIDER_ID": "CRM_TODO"},
        "select": ["ID", "SUBJECT"]}) for n, job in enumerate(jobs)}
    result = ctx.client.batch(reads)
    for n, job in enumerate(jobs):
        label = f"todo{n}"
        if label not in result.results:
            job.error = f"to-do lookup failed: {result.failed.get(label) or json.dumps(result.errors.get(label))}"
            continue
        job.todo_done = any(row.get("SUBJECT") == TODO_TITLE for row in result.results[label] or [])


def deal_fields(ctx: SyncContext, job: AbandonJob) -> dict:
    data = job.data
    fields = {
        "TITLE": f"Abandoned cart ({ctx.shop_names.get(job.cart.shop_id, 'shop')})"[:255],
        "CATEGORY_ID": ctx.category_id, "STAGE_ID": crm_fields.stage_id(ctx.category_id or 0, "ABANDONED"),
        "ORIGINATOR_ID": job.cart.shop_id, "ORIGIN_ID": rules.deal_origin(job.cart.cart_id),
        "OPPORTUNITY": str(data["total"]), "CURRENCY_ID": data["currency"], "IS_MANUAL_OPPORTUNITY": "Y",
        "SOURCE_ID": "STORE", "OPENED": "Y", "BEGINDATE": utc(job.cart.version).isoformat(),
    }
    if job.person.contact_id:
        fields["CONTACT_ID"] = job.person.contact_id
    if ctx.responsible_id:
        fields["ASSIGNED_BY_ID"] = ctx.responsible_id
    return fields


def todo_params(ctx: SyncContext, job: AbandonJob, deal) -> dict:
    """Call within the hour; never at night for the customer: a deadline in quiet hours moves to their end."""
    now = ctx.clock.now()
    deadline = (ctx.settings.in_quiet_hours(now) or now) + CALL_WITHIN
    items = "\n".join(_item_line(i, job.data["currency"]) for i in rules.items_of(job.data))
    reach = ", ".join(rules.customer_of(job.data).reach)
    params = {"ownerTypeId": OWNER_DEAL, "ownerId": deal, "deadline": deadline.isoformat(), "title": TODO_TITLE,
              "description": f"The customer ({reach}) left a cart of {job.data['total']} "
                             f"{job.data['currency']}:\n{items}"}
    if ctx.responsible_id:
        params["responsibleId"] = ctx.responsible_id
    return params


def _item_line(item: LineItem, currency: str) -> str:
    return f"- {item.name} × {item.quantity}: {item.price} {currency}"


def _build(ctx: SyncContext, job: AbandonJob, n: int) -> None:
    rows = {"rows": crm_fields.product_rows(rules.items_of(job.data))}
    if job.deal_id is None:
        deal = f"$result[a{n}]"
        job.commands[f"a{n}"] = ("crm.deal.add", {"fields": deal_fields(ctx, job)})
        job.commands[f"r{n}"] = ("crm.deal.productrows.set", {"id": deal, **rows})
    else:
        deal = job.deal_id
        if not job.rows_set:
            job.commands[f"r{n}"] = ("crm.deal.productrows.set", {"id": deal, **rows})
    if not job.todo_done:
        job.commands[f"t{n}"] = ("crm.activity.todo.add", todo_params(ctx, job, deal))


def _send(ctx: SyncContext, jobs: list[AbandonJob]) -> None:
    groups = pack([job.commands for job in jobs])
    if not groups:
        return
    result = ctx.client.batch_groups(groups, writes=True)
    for job in jobs:
        problems = []
        for label, (method, _params) in job.commands.items():
            problem = result.problem(label, method)
            if problem:
                problems.append(problem)
            elif method == "crm.deal.add":
                job.deal_id = int(result.results[label])
            elif method == "crm.activity.todo.add":
                job.todo_done = True
        job.error = "; ".join(problems)[:2000] or None
