"""issue_promo_code: a unique discount code per customer and campaign, stored; the same pair gets the same code.

The customer is the shop customer behind the deal or lead, else its CRM contact, else (a lead nobody knows
yet) the lead itself."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from bitrix_app.promo.codes import PromoRequest, issue

from .context import Outcome, RobotContext, RobotError, user_id

PREFIX = re.compile(r"^[A-Z0-9]{0,12}$")


def issue_promo_code(ctx: RobotContext) -> Outcome:
    campaign = str(ctx.prop("campaign", "")).strip()
    if not campaign or len(campaign) > 100:
        raise RobotError("property campaign must be 1 to 100 characters")
    prefix = str(ctx.prop("prefix", "")).strip().upper()
    if not PREFIX.match(prefix):
        raise RobotError(f"property prefix must be up to 12 latin letters and digits, not {prefix!r}")
    req = PromoRequest(member_id=ctx.member_id, customer_key=_customer_key(ctx), campaign=campaign,
                       discount_percent=_percent(ctx.prop("discount_percent", "10")),
                       valid_days=ctx.int_prop("valid_days", 30, 1, 3650), prefix=prefix, deal_id=ctx.deal_id)
    issued = issue(ctx.sessions, ctx.redis, req, ctx.now)
    values = {"code": issued.code, "discount_percent": str(issued.discount_percent),
              "expires_at": issued.expires_at.isoformat()}
    verb = "Still valid" if issued.reused else "Issued"
    return Outcome(values, f"{verb} promo code {issued.code} ({campaign}): {issued.discount_percent}% off "
                           f"until {issued.expires_at.date().isoformat()}")


def _customer_key(ctx: RobotContext) -> str:
    """The shop customer, else the CRM contact, else the lead; a deal with neither customer nor contact gets none."""
    customer = ctx.customer_id()
    if customer is not None:
        return f"customer:{customer}"
    contact = user_id(ctx.document().get("CONTACT_ID"))
    if contact:
        return f"contact:{contact}"
    if ctx.deal_id is None:
        return f"lead:{ctx.doc_id}"
    raise RobotError("the deal has no customer or contact to give a promo code to")


def _percent(raw) -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation as exc:
        raise RobotError(f"property discount_percent must be a number, not {raw!r}") from exc
    if not value.is_finite() or not Decimal(0) < value <= Decimal(100):
        raise RobotError(f"property discount_percent must be above 0 and at most 100, not {raw!r}")
    return value.quantize(Decimal("0.01"))
