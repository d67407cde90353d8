"""Orders the sync already holds that close a cart before it is abandoned.

Orders close carts as they are applied (`carts.link.mark_ordered`, an order hook), but only carts they
can name: by cart_id, or by a customer the cart was already linked to. A cart whose customer became known through
the order itself (first purchase), or a cart that reached us after its order, is caught here instead.
"""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bitrix_app.store.models import utc
from bitrix_app.store.shop_models import Cart, CustomerKey, OrderRecord

from . import rules


def customer_ids(session: Session, member_id: str, carts: list[Cart]) -> dict[int, int]:
    """Cart row id -> local customer id, by the cart's phone/e-mail (the cart's own link first)."""
    keys = {c.id: rules.keys_of_cart(rules.cart_data(c)) for c in carts}
    wanted = sorted({k for ks in keys.values() for k in ks})
    owners = dict(session.execute(select(CustomerKey.key, CustomerKey.customer_id).where(
        CustomerKey.member_id == member_id, CustomerKey.key.in_(wanted))).all()) if wanted else {}
    out = {}
    for cart in carts:
        found = cart.customer_id or next((owners[k] for k in keys[cart.id] if k in owners), None)
        if found is not None:
            out[cart.id] = found
    return out


def closing_orders(session: Session, member_id: str, carts: list[Cart]) -> tuple[dict[int, str], dict[int, int]]:
    """({cart row id: order id} of orders placed for that cart, or by its customer since the cart's last
    update: such carts are not abandoned, {cart row id: customer id} as in `customer_ids`)."""
    if not carts:
        return {}, {}
    owners = customer_ids(session, member_id, carts)
    since = min(utc(c.version) for c in carts)
    match = [OrderRecord.cart_id.in_([c.cart_id for c in carts])]
    if owners:
        match.append(OrderRecord.customer_id.in_(set(owners.values())) & (OrderRecord.ordered_at >= since))
    orders = session.execute(select(OrderRecord.shop_id, OrderRecord.order_id, OrderRecord.cart_id,
                                    OrderRecord.customer_id, OrderRecord.ordered_at).where(
        OrderRecord.member_id == member_id, or_(*match))).all()
    out = {}
    for cart in carts:
        for shop_id, order_id, cart_id, customer_id, ordered_at in orders:
            if (shop_id, cart_id) == (cart.shop_id, cart.cart_id) or (
                    customer_id is not None and customer_id == owners.get(cart.id)
                    and utc(ordered_at) >= utc(cart.version)):
                out[cart.id] = order_id
                break
    return out, owners
