"""Why a customer is (or is not) in a built-in segment: the facts of their customer_stats row and the thresholds,
worded in the reader's language (see wording.py), with names instead of codes and money in its currency."""
from __future__ import annotations

from datetime import date

from .contract import SegmentDef
from .wording import Wording, default_wording
from ..figures.rfm import GRID


def explain(defn: SegmentDef, row: dict, env, state: dict | None = None, words: Wording | None = None) -> list[str]:
    words = words or default_wording()
    return {"lifecycle": _lifecycle, "rfm": _rfm, "lapsed": _lapsed, "birthday": _birthday,
            "demographic": _demographic}[defn.kind](defn.params, row, env, state or {}, words)


BANDS = {"NEW": ("new", "новый"), "PROMISING": ("promising", "перспективный"), "LOYAL": ("loyal", "лояльный")}
RECENCY = {"ACTIVE": ("active", "активный"), "SLEEPING": ("sleeping", "спящий"), "LOST": ("lost", "потерянный")}


def _span(w: Wording, low: int, high: int) -> str:
    if low >= high:
        return w.number(low)
    return w.say("{a} to {b}", "от {a} до {b}", a=w.number(low), b=w.number(high))


def _cells(w: Wording, cells) -> str:
    return w.listing([f"«{w.choice_name('lifecycle', c)}»" if w.ru else f"“{w.choice_name('lifecycle', c)}”"
                      for c in cells])


def _quoted(w: Wording, name: str) -> str:
    return f"«{name}»" if w.ru else f"“{name}”"


def _lifecycle(p: dict, row: dict, env, _state, w: Wording) -> list[str]:
    t = env.settings["lifecycle"]
    wanted = _cells(w, p["cells"])
    if not row["orders"]:
        return [w.say("No purchases yet, so no lifecycle cell; the segment takes {cells}.",
                      "Покупок ещё не было, поэтому ячейки жизненного цикла нет; сегмент берёт {cells}.",
                      cells=wanted)]
    n, days = row["orders"], row["days_since"]
    band = "LOYAL" if n >= t["loyal_from"] else "PROMISING" if n >= t["promising_from"] else "NEW"
    recency = "ACTIVE" if days <= t["active_days"] else "SLEEPING" if days <= t["sleeping_days"] else "LOST"
    inside = row["lifecycle"] in p["cells"]
    return [w.say("{n}: {band} (new: {new}, promising: {promising}, loyal: {loyal} or more).",
                  "{n}: {band} (новый: {new}, перспективный: {promising}, лояльный: {loyal} и больше).",
                  n=w.count(n, "purchase"), band=w.say(*BANDS[band]), new=_span(w, 1, t["promising_from"] - 1),
                  promising=_span(w, t["promising_from"], t["loyal_from"] - 1), loyal=w.number(t["loyal_from"])),
            w.say("Last purchase {ago} ago: {recency} (active: up to {active}, sleeping: up to {sleeping}, "
                  "lost: longer).",
                  "Последняя покупка {ago} назад: {recency} (активный: до {active}, спящий: до {sleeping}, "
                  "потерянный: дольше).",
                  ago=w.count(days, "day"), recency=w.say(*RECENCY[recency]),
                  active=w.count(t["active_days"], "day"), sleeping=w.count(t["sleeping_days"], "day")),
            (w.say("Cell {cell}: the segment takes {cells}, so the customer is in it.",
                   "Ячейка {cell}: сегмент берёт {cells}, поэтому клиент в нём.", cell=_cells(w, [row["lifecycle"]]),
                   cells=wanted) if inside else
             w.say("Cell {cell}: the segment takes {cells}, so the customer is not in it.",
                   "Ячейка {cell}: сегмент берёт {cells}, поэтому клиента в нём нет.",
                   cell=_cells(w, [row["lifecycle"]]), cells=wanted))]


def _cuts_text(w: Wording, cuts, money: bool = False) -> str:
    return " / ".join(w.money(c) if money else w.number(c) for c in cuts)


def _rfm(p: dict, row: dict, env, state: dict, w: Wording) -> list[str]:
    if row["r"] is None:
        reason = (w.say("no purchases", "покупок не было") if not row["orders"] else
                  w.say("the portal has no RFM cut points yet (no full rebuild)",
                        "у портала ещё нет границ RFM (не было полного пересчёта)"))
        return [w.say("No RFM scores: {reason}.", "Оценок RFM нет: {reason}.", reason=reason)]
    out = []
    if state.get("recency"):
        out += [w.say("Recency {r} of 5: last purchase {ago} ago; the cut points are {cuts} days (5 is the most "
                      "recent fifth).",
                      "Давность {r} из 5: последняя покупка {ago} назад; границы — {cuts} дн. (5 — самая свежая "
                      "пятая часть).", r=row["r"], ago=w.count(row["days_since"], "day"),
                      cuts=_cuts_text(w, state["recency"])),
                w.say("Frequency {f} of 5: {n}; the cut points are {cuts}.",
                      "Частота {f} из 5: {n}; границы — {cuts}.", f=row["f"], n=w.count(row["orders"], "purchase"),
                      cuts=_cuts_text(w, state["frequency"])),
                w.say("Monetary {m} of 5: revenue {revenue}; the cut points are {cuts}.",
                      "Сумма {m} из 5: выручка {revenue}; границы — {cuts}.", m=row["m"],
                      revenue=w.money(row["revenue"]), cuts=_cuts_text(w, state["monetary"], money=True))]
    fm = (row["f"] + row["m"]) // 2
    group = GRID[(row["r"], fm)]
    out.append(w.say("Recency {r}, frequency and monetary together {fm}: the group {group}.",
                     "Давность {r}, частота и сумма вместе {fm}: группа {group}.", r=row["r"], fm=fm,
                     group=_quoted(w, w.choice_name("rfm_group", group))))
    wanted = [w.say("the groups {names}", "группы {names}",
                    names=w.listing([_quoted(w, w.choice_name("rfm_group", g)) for g in p["groups"]]))
              ] if p.get("groups") else []
    score_names = {"r": ("recency", "давность"), "f": ("frequency", "частота"), "m": ("monetary", "сумма")}
    wanted += [f"{w.say(*score_names[k])} {w.listing([str(v) for v in p[k]])}" for k in ("r", "f", "m") if p.get(k)]
    out.append(w.say("The segment takes {wanted}.", "Сегмент берёт: {wanted}.", wanted="; ".join(wanted)))
    return out


def _lapsed(p: dict, row: dict, _env, _state, w: Wording) -> list[str]:
    if not row["orders"]:
        return [w.say("No purchases yet, so not in this segment.", "Покупок ещё не было, поэтому клиента здесь нет.")]
    last = row["last_order_at"]
    when = f" ({w.date(last)})" if hasattr(last, "date") else ""
    if row["days_since"] >= p["days"]:
        return [w.say("Last purchase {ago} ago{when}: at least {days} without a purchase.",
                      "Последняя покупка {ago} назад{when}: без покупок не меньше {days}.",
                      ago=w.count(row["days_since"], "day"), when=when, days=w.count(p["days"], "day"))]
    return [w.say("Last purchase {ago} ago{when}: fewer than {days} without a purchase.",
                  "Последняя покупка {ago} назад{when}: без покупок меньше {days}.",
                  ago=w.count(row["days_since"], "day"), when=when, days=w.count(p["days"], "day"))]


def _day_month(w: Wording, month: int, day: int) -> str:
    return " ".join(w.date(date(2000, month, day)).split(" ")[:2])


def _days_to(today: date, month: int, day: int) -> int:
    for year in (today.year, today.year + 1):
        try:
            moment = date(year, month, day)
        except ValueError:  # 29 February in a common year
            moment = date(year, 2, 28)
        if moment >= today:
            return (moment - today).days
    return 366


def _birthday(p: dict, row: dict, env, _state, w: Wording) -> list[str]:
    if not row["birth_month"] or not row["birth_day"]:
        return [w.say("The birthday is not known.", "День рождения неизвестен.")]
    known = _day_month(w, row["birth_month"], row["birth_day"])
    today = env.now.date()
    if p["window"] == "month":
        if row["birth_month"] == today.month:
            return [w.say("Birthday {day}: this month.", "День рождения {day}: в этом месяце.", day=known)]
        return [w.say("Birthday {day}: not this month.", "День рождения {day}: не в этом месяце.", day=known)]
    days = _days_to(today, row["birth_month"], row["birth_day"])
    window = w.count(p["days"], "day")
    if days <= p["days"]:
        return [w.say("Birthday {day}, in {n}: within today and the next {window}.",
                      "День рождения {day}, через {n}: в пределах сегодняшнего дня и следующих {window}.",
                      day=known, n=w.count(days, "day"), window=window)]
    return [w.say("Birthday {day}, in {n}: beyond today and the next {window}.",
                  "День рождения {day}, через {n}: дальше сегодняшнего дня и следующих {window}.",
                  day=known, n=w.count(days, "day"), window=window)]


def _age(row: dict, today: date) -> int | None:
    if not row["birth_year"] or row["birth_year"] < 1900 or not row["birth_month"]:
        return None
    before = (row["birth_month"], row["birth_day"] or 1) > (today.month, today.day)
    return today.year - row["birth_year"] - int(before)


def _demographic(p: dict, row: dict, env, _state, w: Wording) -> list[str]:
    out = []
    unknown = w.say("not known", "неизвестен")
    if p.get("gender"):
        gender = (row["gender"] or "").lower()
        out.append(w.say("Gender: {actual} (the segment takes {wanted}).", "Пол: {actual} (сегмент берёт: {wanted}).",
                         actual=w.choice_name("gender", gender).lower() if gender else unknown,
                         wanted=w.choice_name("gender", p["gender"]).lower()))
    if "age_from" in p or "age_to" in p:
        age = _age(row, env.now.date())
        band = (f"{p.get('age_from', 0)}–{p['age_to']}" if "age_to" in p else
                w.say("{n} or older", "{n} и старше", n=p["age_from"]))
        out.append(w.say("Age: {age} (the segment takes {band}).", "Возраст: {age} (сегмент берёт: {band}).",
                         age=unknown if age is None else w.count(age, "year"), band=band))
    return out


def state_of(session, member_id: str) -> dict:
    """The portal's stored RFM cut points (empty before the first full rebuild)."""
    from bitrix_app.store.segment_models import SegmentState

    row = session.get(SegmentState, member_id) if session is not None else None
    return dict(row.cuts) if row and row.cuts else {}
