"""Why a customer is (or is not) in a built-in segment: the facts of their customer_stats row and the thresholds."""
from __future__ import annotations

from datetime import date

from .contract import SegmentDef
from ..figures.rfm import GRID


def explain(defn: SegmentDef, row: dict, env, state: dict | None = None) -> list[str]:
    return {"lifecycle": _lifecycle, "rfm": _rfm, "lapsed": _lapsed, "birthday": _birthday,
            "demographic": _demographic}[defn.kind](defn.params, row, env, state or {})


def _money(value) -> str:
    return f"{float(value or 0):.2f}"


def _lifecycle(p: dict, row: dict, env, _state) -> list[str]:
    t = env.settings["lifecycle"]
    wanted = ", ".join(p["cells"])
    if not row["orders"]:
        return [f"No purchases yet, so no lifecycle cell; the segment takes {wanted}."]
    n, days = row["orders"], row["days_since"]
    band = "LOYAL" if n >= t["loyal_from"] else "PROMISING" if n >= t["promising_from"] else "NEW"
    recency = "ACTIVE" if days <= t["active_days"] else "SLEEPING" if days <= t["sleeping_days"] else "LOST"
    verdict = "in" if row["lifecycle"] in p["cells"] else "not in"
    return [f"{n} purchase(s): {band} (new: 1 to {t['promising_from'] - 1}, promising: {t['promising_from']} to "
            f"{t['loyal_from'] - 1}, loyal: {t['loyal_from']} or more).",
            f"Last purchase {days} day(s) ago: {recency} (active: up to {t['active_days']} days, sleeping: up to "
            f"{t['sleeping_days']}, lost: more).",
            f"Cell {row['lifecycle']}: {verdict} {wanted}."]


def _cuts_text(cuts) -> str:
    return " / ".join(str(c) for c in cuts)


def _rfm(p: dict, row: dict, env, state: dict) -> list[str]:
    if row["r"] is None:
        reason = "no purchases" if not row["orders"] else "the portal has no RFM cut points yet (no full rebuild)"
        return [f"No RFM scores: {reason}."]
    out = []
    if state.get("recency"):
        out += [f"R={row['r']}: last purchase {row['days_since']} day(s) ago; recency cut points "
                f"{_cuts_text(state['recency'])} days (5 = the most recent fifth).",
                f"F={row['f']}: {row['orders']} purchase(s); frequency cut points {_cuts_text(state['frequency'])}.",
                f"M={row['m']}: revenue {_money(row['revenue'])}; monetary cut points "
                f"{_cuts_text([_money(c) for c in state['monetary']])}."]
    fm = (row["f"] + row["m"]) // 2
    out.append(f"RFM {row['r']}{row['f']}{row['m']}: group {GRID[(row['r'], fm)]} (R={row['r']}, "
               f"FM=(F+M)//2={fm}).")
    wanted = [f"groups {', '.join(p['groups'])}"] if p.get("groups") else []
    wanted += [f"{k.upper()} in {', '.join(map(str, p[k]))}" for k in ("r", "f", "m") if p.get(k)]
    out.append(f"The segment takes {'; '.join(wanted)}.")
    return out


def _lapsed(p: dict, row: dict, _env, _state) -> list[str]:
    if not row["orders"]:
        return ["No purchases yet, so not lapsed."]
    last = row["last_order_at"]
    when = f" (on {last.date().isoformat()})" if hasattr(last, "date") else ""
    verdict = "at least" if row["days_since"] >= p["days"] else "fewer than"
    return [f"Last purchase {row['days_since']} day(s) ago{when}: {verdict} {p['days']} days without a purchase."]


def _birthday_of(row: dict) -> str | None:
    if not row["birth_month"] or not row["birth_day"]:
        return None
    return f"{row['birth_month']:02d}-{row['birth_day']:02d}"


def _days_to(today: date, month: int, day: int) -> int:
    for year in (today.year, today.year + 1):
        try:
            moment = date(year, month, day)
        except ValueError:  # 29 February in a common year
            moment = date(year, 2, 28)
        if moment >= today:
            return (moment - today).days
    return 366


def _birthday(p: dict, row: dict, env, _state) -> list[str]:
    known = _birthday_of(row)
    if known is None:
        return ["The birthday is not known."]
    today = env.now.date()
    if p["window"] == "month":
        verdict = "this month" if row["birth_month"] == today.month else "not this month"
        return [f"Birthday {known}: {verdict} (month {today.month:02d})."]
    days = _days_to(today, row["birth_month"], row["birth_day"])
    verdict = "within" if days <= p["days"] else "outside"
    return [f"Birthday {known}, in {days} day(s): {verdict} the window of today and the next {p['days']} days."]


def _age(row: dict, today: date) -> int | None:
    if not row["birth_year"] or row["birth_year"] < 1900 or not row["birth_month"]:
        return None
    before = (row["birth_month"], row["birth_day"] or 1) > (today.month, today.day)
    return today.year - row["birth_year"] - int(before)


def _demographic(p: dict, row: dict, env, _state) -> list[str]:
    out = []
    if p.get("gender"):
        out.append(f"Gender: {row['gender'] or 'not known'} (the segment takes {p['gender']}).")
    if "age_from" in p or "age_to" in p:
        age = _age(row, env.now.date())
        band = f"{p.get('age_from', 0)}-{p['age_to']}" if "age_to" in p else f"{p['age_from']} or more"
        out.append(f"Age: {'not known' if age is None else age} (the segment takes {band}).")
    return out


def state_of(session, member_id: str) -> dict:
    """The portal's stored RFM cut points (empty before the first full rebuild)."""
    from bitrix_app.store.segment_models import SegmentState

    row = session.get(SegmentState, member_id) if session is not None else None
    return dict(row.cuts) if row and row.cuts else {}
