"""The built-in segment kinds: lifecycle, rfm, lapsed, birthday, demographic (see kinds.py for the contract).

One module serves five kinds, so `params_schema(kind)` names each kind's schema; `ParamsSchema` accepts the
params of any of them. The portal's built-in definitions come from its settings (`builtin_definitions`).

- lifecycle {"cells": [...]}: the customer's lifecycle cell is one of these.
- rfm {"groups": [...], "r": [...], "f": [...], "m": [...]}: every given list matches (at least one given).
- lapsed {"days": N}: has purchased, and the last purchase was N or more days ago.
- birthday {"window": "month"} or {"window": "days", "days": N}: birthday this month, or from today to N days
  on (the year wraps; a 29 February birthday is kept on 28 February in other years).
- demographic {"gender": ..., "age_from": A, "age_to": B}: every given condition holds (ages inclusive).
"""
from __future__ import annotations

from datetime import date, timedelta

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validates_schema
from marshmallow.validate import Length, OneOf, Range
from sqlalchemy import and_, case, false, literal, true

from bitrix_app.portals import LIFECYCLE_CELLS

from . import builtin_explain
from ..figures import sqlfn
from .contract import SegmentDef
from ..figures.rfm import GROUPS

KINDS = ("lifecycle", "rfm", "lapsed", "birthday", "demographic")
CELLS = tuple(code for code, _, _ in LIFECYCLE_CELLS)
GENDERS = ("male", "female")
GROUP_NAMES = {
    "champions": ("Champions", "Чемпионы"), "loyal": ("Loyal", "Лояльные"),
    "potential_loyalist": ("Potential loyalists", "Потенциально лояльные"), "new": ("New customers", "Новые клиенты"),
    "promising": ("Promising", "Перспективные"), "need_attention": ("Need attention", "Требуют внимания"),
    "about_to_sleep": ("About to sleep", "Засыпающие"), "at_risk": ("At risk", "В зоне риска"),
    "cant_lose": ("Can't lose them", "Нельзя потерять"), "hibernating": ("Hibernating", "В спячке"),
    "lost": ("Lost", "Потерянные"),
}


def _scores() -> fields.Field:
    return fields.List(fields.Integer(validate=Range(1, 5)), validate=Length(1, 5))


class _Params(Schema):
    class Meta:
        unknown = EXCLUDE


class LifecycleParams(_Params):
    cells = fields.List(fields.String(validate=OneOf(CELLS)), required=True, validate=Length(1, len(CELLS)))


class RfmParams(_Params):
    groups = fields.List(fields.String(validate=OneOf(GROUPS)), validate=Length(1, len(GROUPS)))
    r, f, m = _scores(), _scores(), _scores()

    @validates_schema
    def _some(self, data, **_):
        if not any(data.get(k) for k in ("groups", "r", "f", "m")):
            raise ValidationError("Give groups, or r / f / m scores (1-5).", "_schema")


class LapsedParams(_Params):
    days = fields.Integer(required=True, validate=Range(1, 3650))


class BirthdayParams(_Params):
    window = fields.String(required=True, validate=OneOf(("month", "days")))
    days = fields.Integer(validate=Range(0, 90))

    @validates_schema
    def _days(self, data, **_):
        if data.get("window") == "days" and data.get("days") is None:
            raise ValidationError("Give days (0-90) for a window of days.", "days")


class DemographicParams(_Params):
    gender = fields.String(validate=OneOf(GENDERS))
    age_from = fields.Integer(validate=Range(0, 120))
    age_to = fields.Integer(validate=Range(0, 120))

    @validates_schema
    def _some(self, data, **_):
        if not any(k in data for k in ("gender", "age_from", "age_to")):
            raise ValidationError("Give gender, age_from or age_to.", "_schema")
        if data.get("age_from", 0) > data.get("age_to", 120):
            raise ValidationError("age_from must not be above age_to.", "age_to")


SCHEMAS = {"lifecycle": LifecycleParams, "rfm": RfmParams, "lapsed": LapsedParams, "birthday": BirthdayParams,
           "demographic": DemographicParams}


class ParamsSchema(_Params):
    """Params of any built-in kind (each kind's own schema is `params_schema(kind)`)."""

    cells = fields.List(fields.String(validate=OneOf(CELLS)))
    groups = fields.List(fields.String(validate=OneOf(GROUPS)))
    r, f, m = _scores(), _scores(), _scores()
    days = fields.Integer(validate=Range(0, 3650))
    window = fields.String(validate=OneOf(("month", "days")))
    gender = fields.String(validate=OneOf(GENDERS))
    age_from, age_to = fields.Integer(validate=Range(0, 120)), fields.Integer(validate=Range(0, 120))


def params_schema(kind: str) -> Schema:
    return SCHEMAS[kind]()


def birthday_keys(today: date, days: int) -> list[int]:
    """month*100+day of every date from today to `days` on; 29 February rides on 28 February in common years."""
    keys = []
    for n in range(days + 1):
        d = today + timedelta(days=n)
        keys.append(d.month * 100 + d.day)
        if (d.month, d.day) == (2, 28) and not _leap(d.year):
            keys.append(229)
    return sorted(set(keys))


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _date_key(today: date, years_back: int) -> int:
    """yyyymmdd of today `years_back` years ago, compared with yyyymmdd of a birth date (29 Feb safe)."""
    return (today.year - years_back) * 10000 + today.month * 100 + today.day


def age_expr(cs, today: date):
    """Full years at `today` (NULL without a birth year)."""
    before_birthday = case((cs.c.birth_month * 100 + cs.c.birth_day > today.month * 100 + today.day, 1), else_=0)
    return case((cs.c.birth_year >= 1900, literal(today.year) - cs.c.birth_year - before_birthday), else_=None)


def predicate(defn: SegmentDef, env):
    cs, p = env.cs, defn.params
    if defn.kind == "lifecycle":
        return sqlfn.one_of(cs.c.lifecycle, p["cells"])
    if defn.kind == "rfm":
        parts = [sqlfn.one_of(cs.c.rfm_group, p["groups"])] if p.get("groups") else []
        parts += [sqlfn.one_of(cs.c[k], p[k]) for k in ("r", "f", "m") if p.get(k)]
        return and_(true(), *parts) if parts else false()
    if defn.kind == "lapsed":
        return and_(cs.c.orders > 0, cs.c.days_since >= p["days"])
    today = env.now.date()
    if defn.kind == "birthday":
        if p["window"] == "month":
            return cs.c.birth_month == today.month
        return sqlfn.one_of(cs.c.birth_month * 100 + cs.c.birth_day, birthday_keys(today, p["days"]))
    if defn.kind == "demographic":
        parts = [cs.c.gender == p["gender"]] if p.get("gender") else []
        if "age_from" in p or "age_to" in p:
            born = cs.c.birth_year * 10000 + cs.c.birth_month * 100 + cs.c.birth_day
            parts.append(and_(cs.c.birth_year >= 1900, cs.c.birth_month.is_not(None)))
        if "age_from" in p:  # aged A or more: born on or before today A years ago
            parts.append(born <= _date_key(today, p["age_from"]))
        if "age_to" in p:  # not yet B + 1
            parts.append(born > _date_key(today, p["age_to"] + 1))
        return and_(true(), *parts)
    raise KeyError(f"not a built-in kind: {defn.kind}")


def explain(defn: SegmentDef, row: dict, env, session, words=None) -> list[str]:
    state = builtin_explain.state_of(session, env.member_id) if defn.kind == "rfm" else None
    return builtin_explain.explain(defn, row, env, state, words)


def _defn(code: str, kind: str, en: str, ru: str, **params) -> SegmentDef:
    return SegmentDef(code=code, kind=kind, name={"en": en, "ru": ru}, params=params)


def builtin_definitions(settings: dict) -> list[SegmentDef]:
    """The segments every portal has, with its thresholds."""
    out = [_defn(code, "lifecycle", en, ru, cells=[code]) for code, en, ru in LIFECYCLE_CELLS]
    out += [_defn(f"RFM_{g.upper()}", "rfm", f"RFM: {GROUP_NAMES[g][0]}", f"RFM: {GROUP_NAMES[g][1]}", groups=[g])
            for g in GROUPS]
    out += [_defn(f"LAPSED_{n}", "lapsed", f"No purchase for {n}+ days", f"Без покупок {n}+ дней", days=n)
            for n in settings["lapsed_days"]]
    n = settings["birthday_days"]
    out += [_defn("BIRTHDAY_MONTH", "birthday", "Birthday this month", "День рождения в этом месяце", window="month"),
            _defn(f"BIRTHDAY_NEXT_{n}", "birthday", f"Birthday within {n} days",
                  f"День рождения в ближайшие {n} дн.", window="days", days=n)]
    out += [_defn("GENDER_MALE", "demographic", "Men", "Мужчины", gender="male"),
            _defn("GENDER_FEMALE", "demographic", "Women", "Женщины", gender="female")]
    bands = list(settings["age_bands"])
    for low, high in zip(bands, bands[1:] + [None]):
        if high is None:
            out.append(_defn(f"AGE_{low}_PLUS", "demographic", f"Age {low}+", f"Возраст {low}+", age_from=low))
        else:
            out.append(_defn(f"AGE_{low}_{high - 1}", "demographic", f"Age {low}-{high - 1}",
                             f"Возраст {low}–{high - 1}", age_from=low, age_to=high - 1))
    return out
