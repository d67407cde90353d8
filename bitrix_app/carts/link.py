"""Where orders meet carts: an order closes its customer's carts and takes over an abandoned-cart deal.

An order hook (`ORDER_HOOK`, named in the event-type registry's `ORDER_HOOKS`): the order sync calls it
without importing carts."""
from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bitrix_app.crm.context import SyncContext
from bitrix_app.crm.hooks import OrderHook, OrderUnderWay
from bitrix_app.store.db import transaction
from bitrix_app.store.shop_models import Cart

from .rules import LIVE


def find_takeovers(ctx: SyncContext, jobs: list[OrderUnderWay]) -> None:
    """A new order whose cart (or, failing that, its customer's latest cart) became an abandoned-cart deal
    continues in that deal instead of opening a second one."""
    if not jobs:
        return
    taken: set[int] = set()
    with transaction(ctx.sessions) as s:
        for job in jobs:
            cart = None
            cart_id = job.order.get("cart_id")
            if cart_id:
                cart = s.scalar(select(Cart).where(Cart.shop_id == job.ev.shop_id, Cart.cart_id == cart_id,
                                                   _takeable(job, "cleared"), Cart.deal_id.is_not(None)))
            if cart is None and job.person.customer_id is not None:
                cart = s.scalar(select(Cart).where(
                    Cart.member_id == ctx.member_id, Cart.customer_id == job.person.customer_id,
                    _takeable(job), Cart.deal_id.is_not(None)).order_by(Cart.version.desc()).limit(1))
            if cart is not None and cart.deal_id not in taken:
                taken.add(cart.deal_id)
                job.takeover_deal = cart.deal_id


def _takeable(job: OrderUnderWay, *also: str):
    """Abandoned, or already closed by this very order (an earlier attempt that did not finish).

    The order's own cart may also be `cleared`: shops empty the cart at checkout, before the order event."""
    return or_(Cart.state.in_(("abandoned", *also)),
               (Cart.state == "ordered") & (Cart.order_id == job.order["order_id"]))


def mark_ordered(session: Session, ctx: SyncContext, job: OrderUnderWay) -> None:
    """No reminder after a purchase: the order's cart and its customer's live carts are closed."""
    match = []
    if job.order.get("cart_id"):
        match.append((Cart.shop_id == job.ev.shop_id) & (Cart.cart_id == job.order["cart_id"])
                     & Cart.state.in_((*LIVE, "cleared")))
    if job.person.customer_id is not None:
        match.append((Cart.member_id == ctx.member_id) & (Cart.customer_id == job.person.customer_id)
                     & Cart.state.in_(LIVE))
    if not match:
        return
    session.execute(update(Cart).where(or_(*match)).values(state="ordered", order_id=job.order["order_id"]))


ORDER_HOOK = OrderHook(find_takeovers, mark_ordered)
