"""How the lifecycle matrix would change under other thresholds: every buyer's cell now under the portal's
thresholds and under the proposed ones, counted in one pass over customer_stats (nothing stored)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session

from bitrix_app.portals import LIFECYCLE_CELLS

from .engine.stats import CS
from .settings import get_settings, merged_settings

BANDS = (("NEW", "New", "Новые"), ("PROMISING", "Promising", "Перспективные"), ("LOYAL", "Loyal", "Лояльные"))
RECENCIES = (("ACTIVE", "Active", "Активные"), ("SLEEPING", "Sleeping", "Спящие"), ("LOST", "Lost", "Потерянные"))


def _cell(cycle: dict, now: datetime):
    """The lifecycle cell code of a customer_stats row under these thresholds (as figures.lifecycle_cell: whole
    days since the last purchase at `now`)."""
    orders, last = CS.c.orders, CS.c.last_order_at
    band = case((orders >= cycle["loyal_from"], literal("LOYAL_")),
                (orders >= cycle["promising_from"], literal("PROMISING_")), else_=literal("NEW_"))
    recency = case((last > now - timedelta(days=cycle["active_days"] + 1), literal("ACTIVE")),
                   (last > now - timedelta(days=cycle["sleeping_days"] + 1), literal("SLEEPING")),
                   else_=literal("LOST"))
    return band.concat(recency)


def _name(triple, lang: str) -> str:
    return triple[2] if lang == "ru" else triple[1]


def matrix_preview(session: Session, member_id: str, changes, now: datetime, lang: str) -> dict:
    """The nine cells with their count under the current and the proposed thresholds, and the moves between
    cells; raises ValidationError (per field) for thresholds that could not be saved."""
    _, proposed = merged_settings(session, member_id, changes)
    current = get_settings(session, member_id)
    before, after = _cell(current["lifecycle"], now).label("before"), _cell(proposed["lifecycle"], now).label("after")
    rows = session.execute(select(before, after, func.count()).where(
        CS.c.member_id == member_id, and_(CS.c.orders > 0, CS.c.last_order_at.is_not(None)))
        .group_by(before, after)).all()
    was, will, moves = {}, {}, []
    for old, new, count in rows:
        was[old] = was.get(old, 0) + count
        will[new] = will.get(new, 0) + count
        if old != new:
            moves.append({"from": old, "to": new, "count": count})
    names = {code: ru if lang == "ru" else en for code, en, ru in LIFECYCLE_CELLS}
    grid = []
    for band in BANDS:
        cells = []
        for rec in RECENCIES:
            code = f"{band[0]}_{rec[0]}"
            cells.append({"code": code, "name": names[code], "current": was.get(code, 0),
                          "proposed": will.get(code, 0), "change": will.get(code, 0) - was.get(code, 0)})
        grid.append({"band": band[0], "name": _name(band, lang), "cells": cells})
    for move in moves:
        move["from_name"], move["to_name"] = names[move["from"]], names[move["to"]]
    moves.sort(key=lambda m: (-m["count"], m["from"], m["to"]))
    return {"rows": grid, "columns": [{"code": r[0], "name": _name(r, lang)} for r in RECENCIES],
            "buyers": sum(was.values()), "moved": sum(m["count"] for m in moves), "moves": moves,
            "current": current["lifecycle"], "proposed": proposed["lifecycle"], "as_of": now.isoformat()}
