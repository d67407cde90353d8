"""Campaign actions, each run for a group of entries at once: a deal in the repeat-sales pipeline, a call to-do,
an e-mail or SMS under the messaging policy (marketing), a notification to the responsible, a promo code.

Every action is keyed by its entry (deal ORIGIN_ID `campaign:<entry>`, message/to-do/notification key
`campaign:<entry>:<action number>`, one promo code per customer and campaign), so a retried run never does
anything twice. A result: {"type", "status": done|skipped|deferred|error, "detail", ...}; `error` is retried.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from bitrix_app import messaging
from bitrix_app.messaging import journal, products, staff, templates
from bitrix_app.messaging.message import ERROR, LATER, SENT
from bitrix_app.promo.codes import PromoRequest, issue
from bitrix_app.rest.errors import PortalCallError
from bitrix_app.store.db import transaction
from bitrix_app.store.statuses import ReasonCode
from bitrix_app.crm.lookup import deals_by_origin

from .context import SOURCE, CampaignContext, Target

OWNER_DEAL, OWNER_CONTACT = 2, 3
CHANNELS = {"auto": ("email", "sms"), "email": ("email",), "sms": ("sms",)}
OPTIONAL = {"first_name", "last_name", "link", "items", "currency", "order_number", "total"}  # may render empty
REACHING = ("deal", "todo", "message", "notify")  # a done one of these means the entry reached someone

Work = list[tuple[Target, dict]]  # (the entry's customer, the entry's results so far by action number)


def done(kind: str, detail: str = "", **values) -> dict:
    return {"type": kind, "status": "done", "detail": detail, **values}


def outcome(kind: str, status: str, detail: str | None, **values) -> dict:
    return {"type": kind, "status": status, "detail": detail or "", **values}


def earlier(results: dict, kind: str) -> dict:
    """The values an earlier action of this entry produced (the promo code, the deal)."""
    return next((r for r in results.values() if r.get("type") == kind and r.get("status") == "done"), {})


def key(target: Target, n: int) -> str:
    return f"campaign:{target.entry_id}:{n}"


def placeholders(ctx: CampaignContext, target: Target, results: dict, link: str | None = None,
                 products: str | None = None) -> dict:
    """The entry's values: its customer, the cart they left since their last purchase (else that purchase), the
    promo code an earlier action issued, the link and the product block."""
    promo = earlier(results, "promo_code")
    return templates.context_from(target.profile, order=None if target.cart else target.order, cart=target.cart,
                                  shop=ctx.shop_name, link=link, promo_code=promo.get("code"),
                                  discount=promo.get("discount"), products=products)


def render(text: str, values: dict) -> str:
    """An admin's title or text with the template placeholders filled."""
    return templates.preview(templates.Template("text", "en", False, "", text, ""), values).text


def run(ctx: CampaignContext, campaign, n: int, action: dict, work: Work) -> dict[int, dict]:
    """Run action number `n` for these entries; answers a result per entry id."""
    if not work:
        return {}
    try:
        return RUNNERS[action["type"]](ctx, campaign, n, action, work)
    except PortalCallError as exc:  # the portal is unreachable or refused the whole request: retry these later
        return {t.entry_id: outcome(action["type"], "error", f"{type(exc).__name__}: {exc}") for t, _ in work}


def promo_code(ctx: CampaignContext, campaign, n: int, action: dict, work: Work) -> dict[int, dict]:
    percent = Decimal(str(action["discount_percent"])).quantize(Decimal("0.01"))
    out = {}
    for target, _results in work:
        req = PromoRequest(member_id=ctx.member_id, customer_key=f"customer:{target.customer_id}",
                           campaign=f"campaign:{campaign.code}", discount_percent=percent,
                           valid_days=int(action["valid_days"]), prefix=action["prefix"])
        issued = issue(ctx.sessions, ctx.redis, req, ctx.now)
        shown = f"{issued.discount_percent.normalize():f}%"
        out[target.entry_id] = done("promo_code", "still valid" if issued.reused else "issued", code=issued.code,
                                    discount=shown, expires_at=issued.expires_at.isoformat())
    return out


def deal(ctx: CampaignContext, campaign, n: int, action: dict, work: Work) -> dict[int, dict]:
    if not ctx.category_id:
        return {t.entry_id: outcome("deal", "error", "the repeat-sales pipeline is not set up in the portal yet "
                                                     "(run `portals sync`)") for t, _ in work}
    origins = {t.entry_id: f"campaign:{t.entry_id}" for t, _ in work}
    found, failed = deals_by_origin(ctx.client, [(SOURCE, origin) for origin in origins.values()])
    out, commands, labels = {}, {}, {}
    for target, results in work:
        origin = origins[target.entry_id]
        if (SOURCE, origin) in found:
            out[target.entry_id] = done("deal", "found from an earlier attempt", deal_id=found[(SOURCE, origin)])
        elif (SOURCE, origin) in failed:
            out[target.entry_id] = outcome("deal", "error", failed[(SOURCE, origin)])
        else:
            label = f"d{target.entry_id}"
            commands[label], labels[label] = ("crm.deal.add", {"fields": _deal_fields(ctx, campaign, action, target,
                                                                                     results)}), target.entry_id
    if commands:
        result = ctx.client.batch(commands, writes=True)
        for label, entry_id in labels.items():
            if label in result.results:
                out[entry_id] = done("deal", "created", deal_id=int(result.results[label]))
            else:
                reason = result.failed.get(label) or result.errors.get(label) or "no answer"
                out[entry_id] = outcome("deal", "error", f"crm.deal.add: {reason}")
    return out


def _deal_fields(ctx: CampaignContext, campaign, action: dict, target: Target, results: dict) -> dict:
    name = campaign.name_ru if ctx.language == "ru" else campaign.name_en
    title = render(action["title"], placeholders(ctx, target, results)) if action.get("title") else ""
    fields = {"TITLE": (title or f"{name}: {target.name}")[:255], "CATEGORY_ID": ctx.category_id,
              "STAGE_ID": f"C{ctx.category_id}:NEW", "ASSIGNED_BY_ID": action.get("responsible_id") or
              ctx.responsible_id or 1, "ORIGINATOR_ID": SOURCE, "ORIGIN_ID": f"campaign:{target.entry_id}",
              "COMMENTS": f"{name} ({campaign.code}), segment {campaign.segment}"}
    if target.contact_id:
        fields["CONTACT_ID"] = target.contact_id
    return fields


def todo(ctx: CampaignContext, campaign, n: int, action: dict, work: Work) -> dict[int, dict]:
    out = {}
    due = ctx.now + timedelta(days=int(action["days"]))
    due = ctx.settings.in_quiet_hours(due) or due  # nobody is asked to call at night
    name = campaign.name_ru if ctx.language == "ru" else campaign.name_en
    for target, results in work:
        deal_id = earlier(results, "deal").get("deal_id")
        owner = (OWNER_DEAL, deal_id) if deal_id else (OWNER_CONTACT, target.contact_id)
        if not owner[1]:
            out[target.entry_id] = outcome("todo", "skipped", "no deal or contact to attach the to-do to")
            continue
        values = placeholders(ctx, target, results)
        title = render(action["title"], values) if action.get("title") else \
            f"{name}: {'позвонить' if ctx.language == 'ru' else 'call'} {target.name}"
        sent = staff.todo(ctx, key(target, n), owner[0], owner[1], due, title[:255],
                          render(action.get("description") or "", values),
                          action.get("responsible_id") or ctx.responsible_id, source=SOURCE)
        out[target.entry_id] = _staff_result("todo", sent)
    return out


def notify(ctx: CampaignContext, campaign, n: int, action: dict, work: Work) -> dict[int, dict]:
    out = {}
    user = action.get("user_id") or ctx.responsible_id
    name = campaign.name_ru if ctx.language == "ru" else campaign.name_en
    for target, results in work:
        if not user:
            out[target.entry_id] = outcome("notify", "skipped", "nobody to notify: set user_id or responsible_id")
            continue
        deal_id = earlier(results, "deal").get("deal_id")
        text = render(action["text"], placeholders(ctx, target, results)) if action.get("text") else \
            _notice(ctx.language, name, target.name, campaign.segment, deal_id)
        out[target.entry_id] = _staff_result("notify", staff.notify(ctx, int(user), text, key(target, n), SOURCE))
    return out


def _notice(language: str, name: str, who: str, segment: str, deal_id: int | None) -> str:
    if language == "ru":
        return f"{name}: {who} в сегменте {segment}" + (f", сделка #{deal_id}" if deal_id else "")
    return f"{name}: {who} is in segment {segment}" + (f", deal #{deal_id}" if deal_id else "")


def _staff_result(kind: str, sent: staff.StaffResult) -> dict:
    if sent.status == journal.SENT:
        return done(kind, sent.detail or "", reference=sent.reference)
    return outcome(kind, "skipped" if sent.status == journal.SKIPPED else "error", sent.detail)


def message(ctx: CampaignContext, campaign, n: int, action: dict, work: Work) -> dict[int, dict]:
    with transaction(ctx.sessions) as s:
        tpl = templates.get(s, ctx.member_id, action["template"], ctx.language)
        picks = products.Recommender(s, ctx.member_id) if products.uses(tpl) else None  # read once per run
    out, messages = {}, {}
    for target, results in work:
        deal_id = earlier(results, "deal").get("deal_id")
        owner = (OWNER_DEAL, deal_id) if deal_id else (OWNER_CONTACT, target.contact_id)
        if not owner[1]:
            out[target.entry_id] = outcome("message", "skipped", "no_contact: the customer has no CRM contact yet")
            continue
        values = placeholders(ctx, target, results, action.get("link"),
                              picks.block(target.customer_id) if picks else None)
        p = target.profile
        to = messaging.Recipient(contact_id=target.contact_id, name=p.get("first_name"), email=p.get("email") or None,
                                 phone=p.get("phone") or None, consent_email=bool(p.get("consent_email")),
                                 consent_sms=bool(p.get("consent_sms")))
        m = templates.message_from(tpl, values, key=key(target, n), source=SOURCE, recipient=to,
                                   owner_type_id=owner[0], owner_id=owner[1], channels=CHANNELS[action["channel"]],
                                   sender_name=ctx.shop_name)
        m = replace(m, marketing=True)  # campaign messages are marketing: consent and caps always apply
        missing = sorted(set(templates.preview(tpl, values).missing) - OPTIONAL)
        if missing:
            detail = f"missing_data: no value for {', '.join(missing)}"
            with transaction(ctx.sessions) as s:
                journal.write(s, ctx.member_id, m, journal.SKIPPED, ctx.now, reason=detail,
                              reason_code=ReasonCode.MISSING_DATA)
            out[target.entry_id] = outcome("message", "skipped", detail)
            continue
        messages[target.entry_id] = m
    deliveries = messaging.send_many(ctx, list(messages.values()))
    for entry_id, m in messages.items():
        d = deliveries[m.key]
        if d.status == SENT:
            out[entry_id] = done("message", d.detail or "sent", channel=d.channel, reference=d.reference)
        elif d.status == LATER:
            out[entry_id] = outcome("message", "deferred", d.detail, channel=d.channel, until=d.until.isoformat())
        else:
            out[entry_id] = outcome("message", "error" if d.status == ERROR else "skipped", d.detail,
                                    channel=d.channel)
    return out


RUNNERS = {"promo_code": promo_code, "deal": deal, "todo": todo, "notify": notify, "message": message}
