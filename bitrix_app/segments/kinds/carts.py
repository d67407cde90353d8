"""Kind "abandoned_cart": customers who left a cart a while ago and have not come back to it.

params: {"days": 3, "within_days": 30}
A member has a shop cart in state 'abandoned' (the cart flow's state: left, never ordered, not cleared) whose newest
change (`version`) is at least `days` days old (the wait after the cart was left) and at most `within_days` days
old (older carts are forgotten). The predicate is one correlated EXISTS over `shop_carts` per `customer_stats` row,
served by the carts' (member_id, customer_id, state) index; the same text runs on SQLite and PostgreSQL.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import exists, select

from bitrix_app.store.models import utc
from bitrix_app.store.shop_models import Cart

STATE = "abandoned"
MAX_DAYS = 90
MAX_WITHIN = 365
CARTS = Cart.__table__
MONTHS = (("January", "января"), ("February", "февраля"), ("March", "марта"), ("April", "апреля"), ("May", "мая"),
          ("June", "июня"), ("July", "июля"), ("August", "августа"), ("September", "сентября"),
          ("October", "октября"), ("November", "ноября"), ("December", "декабря"))


class ParamsSchema(Schema):
    days = fields.Integer(strict=True, load_default=3, validate=validate.Range(min=1, max=MAX_DAYS),
                          metadata={"description": "days to wait after the cart was left"})
    within_days = fields.Integer(strict=True, load_default=30, validate=validate.Range(min=1, max=MAX_WITHIN),
                                 metadata={"description": "only carts left in the last N days"})

    @validates_schema
    def _window(self, data, **_):
        if data.get("within_days", 30) <= data.get("days", 3):
            raise ValidationError("Must be more than the days to wait.", "within_days")


def load(defn) -> dict:
    return ParamsSchema().load({k: v for k, v in (defn.params or {}).items() if not k.startswith("_")})


def window(params: dict, now: datetime) -> tuple[datetime, datetime]:
    """(oldest, newest) moments a counted cart was last changed at."""
    return now - timedelta(days=params["within_days"]), now - timedelta(days=params["days"])


def predicate(defn, env):
    """The customer has an abandoned cart last changed within [now - within_days, now - days]."""
    oldest, newest = window(load(defn), env.now)
    return exists(select(CARTS.c.id).where(
        CARTS.c.member_id == env.member_id, CARTS.c.customer_id == env.cs.c.customer_id, CARTS.c.state == STATE,
        CARTS.c.version <= newest, CARTS.c.version >= oldest).correlate(env.cs))


def _date(moment: datetime, ru: bool) -> str:
    return f"{moment.day} {MONTHS[moment.month - 1][1 if ru else 0]} {moment.year}"


def _days(n: int, ru: bool) -> str:
    if not ru:
        return f"{n} day" if n == 1 else f"{n} days"
    tail = n % 100
    word = "дней" if 11 <= tail <= 14 else {1: "день", 2: "дня", 3: "дня", 4: "дня"}.get(n % 10, "дней")
    return f"{n} {word}"


def _money(total, currency, ru: bool) -> str:
    if total in (None, ""):
        return ""
    try:
        text = f"{float(total):,.2f}"
    except (TypeError, ValueError):
        text = str(total)
    if ru:
        text = text.replace(",", "\u00a0").replace(".", ",")
    return f"{text} {currency or ''}".strip()


def explain(defn, row: dict, env, session, words=None) -> list[str]:
    """The customer's newest abandoned cart: when it was left, its total, and the wait and window it is judged by,
    in the reader's language (`words.lang`: "ru" or English)."""
    ru = getattr(words, "lang", "en") == "ru"
    params = load(defn)
    name = (defn.name or {}).get("ru" if ru else "en") or defn.code
    rule = (f"сегмент ждёт {_days(params['days'], True)} после того, как корзину бросили, и учитывает корзины "
            f"за последние {_days(params['within_days'], True)}") if ru else (
        f"the segment waits {_days(params['days'], False)} after a cart is left and counts carts left in the last "
        f"{_days(params['within_days'], False)}")
    cart = session.execute(select(CARTS.c.version, CARTS.c.data).where(
        CARTS.c.member_id == env.member_id, CARTS.c.customer_id == row["customer_id"], CARTS.c.state == STATE)
        .order_by(CARTS.c.version.desc()).limit(1)).first()
    if cart is None:
        return [f"У клиента нет брошенной корзины, поэтому его нет в сегменте «{name}» ({rule})." if ru else
                f"The customer has no abandoned cart, so is not in “{name}” ({rule})."]
    left = utc(cart.version)
    age = (env.now - left).days
    data = cart.data or {}
    total = _money(data.get("total"), data.get("currency"), ru)
    items = len([i for i in data.get("items") or [] if isinstance(i, dict)])
    oldest, newest = window(params, env.now)
    inside = oldest <= left <= newest
    if ru:
        fact = (f"Бросил корзину{' на ' + total if total else ''} ({items} поз.) {_date(left, True)}, "
                f"{_days(age, True)} назад.")
        verdict = "поэтому клиент в сегменте" if inside else (
            "это ещё слишком недавно, поэтому клиента пока нет в сегменте" if left > newest
            else "это слишком давно, поэтому клиента нет в сегменте")
        return [fact, f"{rule[0].upper()}{rule[1:]}: {verdict} «{name}»."]
    fact = (f"Left a cart{' of ' + total if total else ''} ({items} item{'s' if items != 1 else ''}) on "
            f"{_date(left, False)}, {_days(age, False)} ago.")
    verdict = "so the customer is in" if inside else (
        "that is too recent yet, so the customer is not in" if left > newest
        else "that is too long ago, so the customer is not in")
    return [fact, f"{rule[0].upper()}{rule[1:]}: {verdict} “{name}”."]
