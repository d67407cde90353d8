"""Why is this customer in these segments: the figures, then each membership with its facts and thresholds,
as of the moment the memberships were computed (the later of the row's computed_at and the last rebuild)."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from bitrix_app.store.models import utc

from .kinds import definitions
from .engine.core import make_env
from .kinds.isolation import failure, message
from .export import as_of, figures, rebuilt_at
from .kinds.contract import kind_module
from .engine.memberships import codes_of
from .settings import get_settings
from .engine.stats import CS

if TYPE_CHECKING:
    from bitrix_app.scope import PortalScope


def explain(scope: "PortalScope", customer_id: int, now: datetime, everything: bool = False) -> dict:
    """Memberships and the reasons of each (with `everything`, also the segments the customer is not in)."""
    with scope.sessions() as session:
        return explain_in(session, scope.member_id, customer_id, now, everything)


def _reasons(defn, row: dict, env, session) -> list[str]:
    try:
        module = kind_module(defn.kind)
    except ImportError:
        return [f"The {defn.kind} kind is not available in this installation."]
    try:
        return list(module.explain(defn, row, env, session))
    except Exception as err:  # a definition the engine cannot evaluate (isolation.py) is explained as such
        found = failure(err)
        return [message(found.reason, found.detail, "en")]


def explain_in(session: Session, member_id: str, customer_id: int, now: datetime, everything: bool = False) -> dict:
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
    members, others = [], []
    for defn in definitions.for_portal(session, member_id):
        if defn.code not in inside and not everything:
            continue
        entry = {"code": defn.code, "kind": defn.kind, "name": defn.name,
                 "reasons": _reasons(defn, row, env, session)}
        (members if defn.code in inside else others).append(entry)
    known = {m["code"] for m in members}
    members += [{"code": code, "kind": None, "name": None, "reasons": ["No longer defined; the next rebuild drops it."]}
                for code in sorted(inside - known)]
    out = {"member_id": member_id, "customer_id": customer_id, "as_of": moment.isoformat(), "figures": figures(row),
           "memberships": members}
    if everything:
        out["not_in"] = others
    return out
