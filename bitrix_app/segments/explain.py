"""Why is this customer in these segments: the figures, then each membership with its facts and thresholds,
as of the moment the memberships were computed (the later of the row's computed_at and the last rebuild).

The reasons are worded in the reader's language (ru/en): segment, field, operator, choice and product names
instead of codes, money in the customer's currency (their newest order's, else the portal's most used), dates
and day counts in words (kinds/wording.py)."""
from __future__ import annotations

import inspect
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bitrix_app.store.models import utc
from bitrix_app.store.shop_models import OrderRecord

from .kinds import definitions
from .engine.core import make_env
from .kinds.isolation import failure, message
from .export import as_of, figures, rebuilt_at
from .kinds.contract import kind_module
from .kinds.wording import Wording
from .engine.memberships import codes_of
from .products import product_names
from .rule_words import kind_name, wording
from .settings import get_settings
from .engine.stats import CS

if TYPE_CHECKING:
    from bitrix_app.scope import PortalScope

ORD = OrderRecord.__table__


def explain(scope: "PortalScope", customer_id: int, now: datetime, everything: bool = False,
            lang: str = "en") -> dict:
    """Memberships and the reasons of each (with `everything`, also the segments the customer is not in)."""
    with scope.sessions() as session:
        return explain_in(session, scope.member_id, customer_id, now, everything, lang)


def _takes_words(function) -> bool:
    """A kind's explain() may word its reasons (a `words` parameter); the contract's plain one answers in English."""
    try:
        return "words" in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


def _reasons(defn, row: dict, env, session, words: Wording) -> list[str]:
    try:
        module = kind_module(defn.kind)
    except ImportError:
        return [words.say("This kind of segment is not available in this installation.",
                          "Этот вид сегментов недоступен в этой установке.")]
    try:
        if _takes_words(module.explain):
            return list(module.explain(defn, row, env, session, words=words))
        return list(module.explain(defn, row, env, session))
    except Exception as err:  # a definition the engine cannot evaluate (isolation.py) is explained as such
        found = failure(err)
        return [message(found.reason, found.detail, words.lang)]


def currency_of(session: Session, member_id: str, customer_id: int) -> str | None:
    """The currency of the customer's newest order, else the one most of the portal's orders are in."""
    own = session.execute(select(ORD.c.currency).where(ORD.c.member_id == member_id, ORD.c.customer_id == customer_id,
                                                      ORD.c.currency.is_not(None))
                          .order_by(ORD.c.ordered_at.desc(), ORD.c.id.desc()).limit(1)).scalar()
    if own:
        return own
    return session.execute(select(ORD.c.currency).where(ORD.c.member_id == member_id, ORD.c.currency.is_not(None))
                           .group_by(ORD.c.currency).order_by(func.count().desc(), ORD.c.currency).limit(1)).scalar()


def explain_in(session: Session, member_id: str, customer_id: int, now: datetime, everything: bool = False,
               lang: str = "en") -> dict:
    found = session.execute(select(CS).where(CS.c.member_id == member_id, CS.c.customer_id == customer_id)).mappings()
    row = found.first()
    if row is None:
        raise LookupError(f"no figures for customer {customer_id} of {member_id} (no rebuild yet, or no such customer)")
    row = as_of(row, rebuilt_at(session.connection(), member_id))
    for key in ("first_order_at", "last_order_at"):
        row[key] = utc(row[key])
    moment = row["computed_at"] or now
    env = make_env(member_id, moment, session.get_bind().dialect.name, get_settings(session, member_id))
    inside = codes_of(row["segments"])
    defined = definitions.for_portal(session, member_id)
    words = wording(lang, currency_of(session, member_id, customer_id),
                    {d.code: d.name.get(lang) or d.name.get("en") or d.code for d in defined},
                    product_names(session, member_id))
    members, others = [], []
    for defn in defined:
        if defn.code not in inside and not everything:
            continue
        entry = {"code": defn.code, "kind": defn.kind, "name": defn.name, "title": words.segment(defn.code),
                 "kind_name": kind_name(defn.kind, lang), "reasons": _reasons(defn, row, env, session, words)}
        (members if defn.code in inside else others).append(entry)
    known = {m["code"] for m in members}
    gone = words.say("No longer defined; the next rebuild drops it.",
                     "Сегмент больше не определён; следующий пересчёт уберёт клиента из него.")
    members += [{"code": code, "kind": None, "name": None, "title": None, "kind_name": None, "reasons": [gone]}
                for code in sorted(inside - known)]
    out = {"member_id": member_id, "customer_id": customer_id, "as_of": moment.isoformat(), "lang": lang,
           "currency": words.currency, "figures": figures(row), "memberships": members}
    if everything:
        out["not_in"] = others
    return out
